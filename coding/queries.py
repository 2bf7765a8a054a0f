"""Saved retrievals and the project's pseudonym list: small stores of their own."""

from typing import Optional

from sqlmodel import Session, select

from coding import store
from coding.models import Event, Pseudonym, SavedQuery, User
from coding.reports import QuoteFilter


def save_query(session: Session, *, project_id: int, user: User, name: str, wanted: QuoteFilter) -> SavedQuery:
    """Save (or replace) a named query of coded passages."""
    name = name.strip()
    if not name:
        raise store.Invalid("a saved query needs a name")
    query = session.exec(select(SavedQuery).where(SavedQuery.project_id == project_id, SavedQuery.name == name)).first()
    before = dict(query.params) if query else None
    query = query or SavedQuery(project_id=project_id, name=name, created_by=user.id)
    query.params = wanted.to_params()
    session.add(query)
    session.add(Event(project_id=project_id, user_id=user.id, kind="query.saved",
                      payload={"name": name, "before": before, "after": query.params}))
    session.commit()
    session.refresh(query)
    return query


def list_queries(session: Session, *, project_id: int) -> list[SavedQuery]:
    """The project's saved queries by name."""
    return list(session.exec(select(SavedQuery).where(SavedQuery.project_id == project_id).order_by(SavedQuery.name)))


def get_query(session: Session, *, project_id: int, query_id: int) -> SavedQuery:
    """One saved query of the project."""
    query = session.get(SavedQuery, query_id)
    if query is None or query.project_id != project_id:
        raise store.NotFound(f"no saved query {query_id} in this project")
    return query


def delete_query(session: Session, *, project_id: int, user: User, query_id: int) -> None:
    """Forget a saved query (its definition stays in the activity log)."""
    query = get_query(session, project_id=project_id, query_id=query_id)
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


def pairs(session: Session, *, project_id: int) -> list[tuple[str, str, str]]:
    """(original, replacement, kind) for the exporters."""
    return [(p.original, p.replacement, p.kind) for p in pseudonyms(session, project_id=project_id)]


def find_query(session: Session, *, project_id: int, name: str) -> Optional[SavedQuery]:
    """A saved query by name, or None."""
    return session.exec(select(SavedQuery).where(SavedQuery.project_id == project_id, SavedQuery.name == name)).first()


