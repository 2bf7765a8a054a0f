"""How far each coder is with each transcript: not started, in progress (set, or from their first coding), done."""

from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from coding.models import Assignment, Coding, Document, DocumentStatus, Layer, User, utcnow
from coding.store.base import Invalid, _done, _log, built, records

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
STATES = (NOT_STARTED, IN_PROGRESS, DONE)


def effective(stored: Optional[str], coded: bool) -> str:
    """What a coder's status reads as: "done" only when they said so; "in progress" when they said so or have
    coded on the transcript; otherwise "not started"."""
    if stored == DONE:
        return DONE
    return IN_PROGRESS if stored == IN_PROGRESS or coded else NOT_STARTED


IDS = bindparam("document_ids", expanding=True)


def _coded(session: Session, document_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(document id, user id) for every coder with a live coding in their own layer on these transcripts."""
    return {(d, u) for d, u in records(session, _coders(), document_ids=list(document_ids))}


@built
def _coders():
    return (select(Coding.document_id, Layer.user_id).join(Layer, col(Layer.id) == Coding.layer_id)
            .where(col(Coding.document_id).in_(IDS), Layer.kind == "coder", col(Coding.removed).is_(False))
            .distinct())


@built
def _stored():
    return select(DocumentStatus.document_id, DocumentStatus.user_id, DocumentStatus.state).where(
        col(DocumentStatus.document_id).in_(IDS))


@built
def _assigned():
    return select(Assignment.document_id, Assignment.user_id).where(col(Assignment.document_id).in_(IDS))


@dataclass(frozen=True)
class Facts:
    """What statuses are made of, on some transcripts: who coded there, what each said, who is assigned."""

    coded: set[tuple[int, int]]
    stored: dict[tuple[int, int], str]
    assigned: set[tuple[int, int]]

    def of(self, document_id: int, user_id: int) -> str:
        """One coder's status on one of these transcripts."""
        return effective(self.stored.get((document_id, user_id)), (document_id, user_id) in self.coded)


def status_facts(session: Session, *, document_ids: Iterable[int]) -> Facts:
    """The facts behind every status on these transcripts (three queries, whatever their number)."""
    ids = list(document_ids)
    return Facts(_coded(session, ids),
                 {(d, u): state for d, u, state in records(session, _stored(), document_ids=ids)},
                 {(d, u) for d, u in records(session, _assigned(), document_ids=ids)})


def statuses(session: Session, *, document_ids: Iterable[int],
             facts: Optional[Facts] = None) -> dict[int, dict[int, str]]:
    """Each transcript's coders (assigned to it, or who coded on it) with their status, by user id (from
    `facts`, when the caller has them for these transcripts)."""
    ids = list(document_ids)
    facts = facts or status_facts(session, document_ids=ids)
    coded, stored, assigned = facts.coded, facts.stored, facts.assigned
    found: dict[int, dict[int, str]] = {i: {} for i in ids}
    for document_id, user_id in sorted(assigned | coded | set(stored)):
        if document_id not in found:
            continue
        if (document_id, user_id) in stored and (document_id, user_id) not in assigned | coded \
                and stored[(document_id, user_id)] != DONE:
            continue  # said "in progress" once, then taken off the transcript with nothing coded
        found[document_id][user_id] = facts.of(document_id, user_id)
    return found


def status_of(session: Session, *, document_id: int, user: User) -> str:
    """One coder's status on one transcript."""
    return status_facts(session, document_ids=[document_id]).of(document_id, user.id)


def done_coders(session: Session, *, document_id: int) -> set[int]:
    """The users who marked the transcript done."""
    return set(session.exec(select(DocumentStatus.user_id).where(DocumentStatus.document_id == document_id,
                                                                 DocumentStatus.state == DONE)))


def set_status(session: Session, *, document: Document, user: User, state: str) -> str:
    """Record how far the user is with the transcript; returns the status it now reads as."""
    if state not in STATES:
        raise Invalid(f"a transcript's status is one of {', '.join(STATES)}, not '{state[:40]}'")
    coded = (document.id, user.id) in _coded(session, [document.id])
    if state == NOT_STARTED and coded:
        raise Invalid("you have already coded on this transcript, so it is in progress; "
                      "mark it done when you have finished")
    row = session.exec(select(DocumentStatus).where(DocumentStatus.document_id == document.id,
                                                    DocumentStatus.user_id == user.id)).first()
    before = effective(row.state if row else None, coded)
    if before == state:
        return state
    row = row or DocumentStatus(document_id=document.id, user_id=user.id, state=state)
    row.state, row.at = state, utcnow()
    session.add(row)
    _log(session, project_id=document.project_id, user=user, kind="document.status", document_id=document.id,
         payload={"before": before, "after": state})
    _done(session)
    return state


def restore_status(session: Session, *, document_id: int, user_id: int, state: str) -> None:
    """Put a status back as it was (undo); the caller logs the undo and commits."""
    row = session.exec(select(DocumentStatus).where(DocumentStatus.document_id == document_id,
                                                    DocumentStatus.user_id == user_id)).first()
    row = row or DocumentStatus(document_id=document_id, user_id=user_id, state=state)
    row.state, row.at = state, utcnow()
    session.add(row)
