"""What a reader sees of how far the coders are: statuses per transcript, overall progress, and transcript memos.

Statuses and memos follow blind coding: leads and viewers see everyone's; a coder in a blind project sees only
their own on a transcript until the lead reveals it (a status reveals no codes, but who else codes a transcript
and how far they are is the team's business, not the blind coder's).
"""

from dataclasses import dataclass
from typing import Iterable, Optional

from sqlmodel import Session

from coding import store
from coding.models import Memo, User
from coding.team.visibility import Scope

MARKS = {store.DONE: "✓", store.IN_PROGRESS: "◐", store.NOT_STARTED: "○"}


@dataclass(frozen=True)
class CoderStatus:
    """One coder's status on one transcript, as a badge reads it."""

    user: User
    state: str
    mine: bool

    @property
    def name(self) -> str:
        return self.user.shown_name

    @property
    def mark(self) -> str:
        """A symbol beside the words, so colour is never the only cue."""
        return MARKS[self.state]


@dataclass(frozen=True)
class Progress:
    """How many of the coders' transcripts are done."""

    done: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.done} of {self.total} done"


def _sees_others(scope: Scope, document_id: int) -> bool:
    return not scope.blind or document_id in scope.revealed


def statuses(session: Session, *, document_ids: Iterable[int], scope: Scope, user: User,
             alone: bool = False, facts: Optional[store.Facts] = None) -> dict[int, list[CoderStatus]]:
    """The statuses the reader may see on each transcript, theirs first then by name; `alone` (single-user mode)
    shows only the reader's own, on every transcript (`facts`: what they are made of, when the caller has it)."""
    ids = [i for i in document_ids if scope.sees_document(i)]
    found = store.statuses(session, document_ids=ids, facts=facts)
    people = {u.id: u for u in store.users_by_id(session, {user.id, *(i for states in found.values() for i in states)})}
    shown: dict[int, list[CoderStatus]] = {}
    for document_id in ids:
        states = found[document_id]
        if alone or not _sees_others(scope, document_id):
            states = {user.id: states.get(user.id, store.NOT_STARTED)} if alone or user.id in states else {}
        rows = [CoderStatus(people[i], state, i == user.id) for i, state in states.items()]
        shown[document_id] = sorted(rows, key=lambda s: (not s.mine, s.name.lower()))
    return shown


def overall(shown: dict[int, list[CoderStatus]]) -> Progress:
    """Done against all coder-transcript pairs on screen."""
    rows = [s for found in shown.values() for s in found]
    return Progress(sum(s.state == store.DONE for s in rows), len(rows))


def document_memos(session: Session, *, document_id: int, scope: Scope, user: User) -> list[tuple[Memo, User]]:
    """The transcript's memos the reader may read: everyone's, or in a blind project a coder's own until reveal."""
    found = store.document_memos(session, document_id=document_id)
    if _sees_others(scope, document_id):
        return found
    return [(memo, author) for memo, author in found if author.id == user.id]
