"""Saved retrievals and the project's pseudonym list: small stores of their own."""

from typing import Optional

from sqlmodel import Session, col, select

from coding import store
from coding.analysis import pseudonyms as finding
from coding.analysis.retrieval import QuoteFilter
from coding.models import Event, Membership, Pseudonym, SavedQuery, User
from coding.team.visibility import Scope


def save_query(session: Session, *, project_id: int, user: User, name: str, wanted: QuoteFilter,
               lead: bool = False) -> SavedQuery:
    """Save a named query of coded passages, or replace one the user saved (a lead may replace any)."""
    name = name.strip()
    if not name:
        raise store.Invalid("a saved query needs a name")
    query = session.exec(select(SavedQuery).where(SavedQuery.project_id == project_id, SavedQuery.name == name)).first()
    if query is not None and not lead and query.created_by != user.id:
        raise store.Conflict(f"there is already a saved query called “{name}”, saved by someone else; "
                             "save yours under another name")
    before = dict(query.params) if query else None
    query = query or SavedQuery(project_id=project_id, name=name, created_by=user.id)
    query.params = wanted.to_params()
    session.add(query)
    session.add(Event(project_id=project_id, user_id=user.id, kind="query.saved",
                      payload={"name": name, "before": before, "after": query.params}))
    session.commit()
    session.refresh(query)
    return query


def _readable(project_id: int, scope: Scope):
    """The saved queries a reader may see: a blind coder sees their own and the leads', not other coders'."""
    query = select(SavedQuery).where(SavedQuery.project_id == project_id)
    if scope.blind:
        leads = select(Membership.user_id).where(Membership.project_id == project_id, Membership.role == "lead")
        query = query.where((SavedQuery.created_by == scope.user_id) | col(SavedQuery.created_by).in_(leads))
    return query


def list_queries(session: Session, *, project_id: int, scope: Scope) -> list[SavedQuery]:
    """The project's saved queries the reader may see, by name."""
    return list(session.exec(_readable(project_id, scope).order_by(SavedQuery.name)))


def get_query(session: Session, *, project_id: int, query_id: int, scope: Scope) -> SavedQuery:
    """One saved query of the project that the reader may see."""
    query = session.exec(_readable(project_id, scope).where(SavedQuery.id == query_id)).first()
    if query is None:
        raise store.NotFound(f"no saved query {query_id} in this project")
    return query


def delete_query(session: Session, *, project_id: int, user: User, query_id: int, scope: Scope,
                 lead: bool = False) -> None:
    """Forget a saved query, if the user saved it or leads the project (its definition stays in the log)."""
    query = get_query(session, project_id=project_id, query_id=query_id, scope=scope)
    if not lead and query.created_by != user.id:
        raise store.NotYours("only the person who saved this query, or a lead, can forget it")
    session.add(Event(project_id=project_id, user_id=user.id, kind="query.deleted",
                      payload={"name": query.name, "before": query.params}))
    session.delete(query)
    session.commit()


def pseudonyms(session: Session, *, project_id: int) -> list[Pseudonym]:
    """The project's replacements, longest original first (the order they are applied in)."""
    found = session.exec(select(Pseudonym).where(Pseudonym.project_id == project_id))
    return sorted(found, key=lambda p: (-len(p.original), p.original.lower()))


def set_pseudonym(session: Session, *, project_id: int, user: User, original: str, replacement: str,
                  kind: str = "name") -> Pseudonym:
    """Add or change what an original name or place becomes in every export."""
    original, replacement = original.strip(), replacement.strip()
    if not original or not replacement:
        raise store.Invalid("a pseudonym needs both the original and its replacement")
    row = session.exec(select(Pseudonym).where(Pseudonym.project_id == project_id,
                                               Pseudonym.original == original)).first()
    before = row.replacement if row else None
    row = row or Pseudonym(project_id=project_id, original=original, replacement=replacement, kind=kind)
    row.replacement, row.kind = replacement, kind or "name"
    session.add(row)
    session.add(Event(project_id=project_id, user_id=user.id, kind="pseudonym.set",
                      payload={"original": original, "kind": row.kind, "before": before, "after": replacement}))
    session.commit()
    session.refresh(row)
    return row


def remove_pseudonym(session: Session, *, project_id: int, user: User, pseudonym_id: int) -> None:
    """Stop replacing one original; the event keeps the pair, so the log can bring it back."""
    row = session.get(Pseudonym, pseudonym_id)
    if row is None or row.project_id != project_id:
        raise store.NotFound(f"no pseudonym {pseudonym_id} in this project")
    session.add(Event(project_id=project_id, user_id=user.id, kind="pseudonym.removed",
                      payload={"original": row.original, "kind": row.kind, "before": row.replacement, "after": None}))
    session.delete(row)
    session.commit()


CANDIDATES_SHOWN = 60


def pseudonym_candidates(session: Session, *, project_id: int) -> list[finding.Candidate]:
    """Likely personal data in the project's transcripts that has no pseudonym yet, for the lead to review."""
    known = {p.original.lower() for p in pseudonyms(session, project_id=project_id)}
    text = "\n\n".join(d.text for d in store.list_documents(session, project_id=project_id))
    return [c for c in finding.suggest(text) if c.text.lower() not in known][:CANDIDATES_SHOWN]


def pairs(session: Session, *, project_id: int) -> list[tuple[str, str, str]]:
    """(original, replacement, kind) for the exporters."""
    return [(p.original, p.replacement, p.kind) for p in pseudonyms(session, project_id=project_id)]


def find_query(session: Session, *, project_id: int, name: str) -> Optional[SavedQuery]:
    """A saved query by name, or None."""
    return session.exec(select(SavedQuery).where(SavedQuery.project_id == project_id, SavedQuery.name == name)).first()


