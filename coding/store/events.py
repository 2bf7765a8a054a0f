"""The event log: reading it, describing it, and undoing a user's last change with a new event."""

from typing import Optional

from sqlmodel import Session, col, select

from coding.models import Event, User
from coding.store.base import _done, _log
from coding.store.codebook import get_code
from coding.store.codings import get_coding


UNDOABLE = ("coding.added", "coding.removed", "coding.memo", "code.updated", "code.added")


def list_events(session: Session, *, project_id: int, user_id: Optional[int] = None,
                document_id: Optional[int] = None, kind: Optional[str] = None, limit: int = 500) -> list[Event]:
    """The project's event log, newest first, optionally filtered."""
    query = select(Event).where(Event.project_id == project_id)
    if user_id is not None:
        query = query.where(Event.user_id == user_id)
    if document_id is not None:
        query = query.where(Event.document_id == document_id)
    if kind:
        query = query.where(col(Event.kind).startswith(kind))
    return list(session.exec(query.order_by(col(Event.id).desc()).limit(limit)))


def last_undoable(session: Session, *, project_id: int, user: User) -> Optional[Event]:
    """The user's most recent change in the project that has not been undone yet.

    Consensus codings written by reconciliation are not undone one by one: they belong to a decision.
    """
    undone = select(Event.undoes).where(Event.project_id == project_id, col(Event.undoes).is_not(None))
    query = (select(Event).where(Event.project_id == project_id, Event.user_id == user.id,
                                 col(Event.kind).in_(UNDOABLE), col(Event.id).not_in(undone))
             .order_by(col(Event.id).desc()).limit(100))
    return next((e for e in session.exec(query) if e.payload.get("origin") != "reconciliation"), None)


def _many(count, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def describe(event: Event) -> str:
    """A short phrase for what an event did, for buttons and the audit list."""
    p = event.payload
    return {
        "coding.added": lambda: f"coded {p.get('code')} at {p.get('start')}–{p.get('end')}",
        "coding.removed": lambda: f"removed {p.get('code')} at {p.get('start')}–{p.get('end')}",
        "coding.memo": lambda: "edited a memo",
        "code.added": lambda: f"added code {p.get('code')}",
        "code.updated": lambda: f"changed code {p.get('code')}",
        "project.created": lambda: f"created the project from {p.get('framework')}",
        "document.imported": lambda: f"imported {p.get('name')}",
        "participant.updated": lambda: f"set attributes of {p.get('participant')}",
        "document.interviewers": lambda: "set the interviewer",
        "document.interpreted": lambda: "marked who spoke through an interpreter",
        "document.participant": lambda: f"set the participant to {p.get('after')}",
        "undo": lambda: f"undid: {p.get('undid')}",
        "reconcile.decided": lambda: f"reconciled {p.get('code')} at {p.get('start')}–{p.get('end')}: "
                                     f"{p.get('decision')}" + (f" ({p.get('reason')})" if p.get("reason") else ""),
        "suggestion.accepted": lambda: f"accepted a suggestion of {p.get('code')}",
        "suggestion.rejected": lambda: f"rejected a suggestion of {p.get('code')}",
        "member.set": lambda: f"made {p.get('member')} {p.get('after')}",
        "member.removed": lambda: f"removed {p.get('member')} from the project",
        "document.assigned": lambda: f"assigned the transcript to {p.get('coder')}",
        "document.unassigned": lambda: f"took the transcript back from {p.get('coder')}",
        "document.revealed": lambda: "revealed all coders' codings on the transcript",
        "document.hidden": lambda: "hid other coders' codings again (blind)",
        "document.erased": lambda: f"deleted the transcript '{p.get('name')}' ({_many(p.get('codings'), 'coding')})",
        "project.erased": lambda: f"deleted the project '{p.get('name')}' ({_many(p.get('documents'), 'transcript')}, "
                                  f"{_many(p.get('codings'), 'coding')})",
        "pseudonym.set": lambda: f"set the pseudonym for '{p.get('original', '?')}' to '{p.get('after')}'",
        "pseudonym.removed": lambda: f"removed the pseudonym '{p.get('before', '?')}' for '{p.get('original', '?')}'",
        "project.blind": lambda: "turned blind coding " + ("on" if p.get("blind") else "off"),
    }.get(event.kind, lambda: event.kind)()


def undo_hint(session: Session, *, project_id: int, user: User) -> Optional[str]:
    """What the user's Undo would undo, in a few words, or None."""
    last = last_undoable(session, project_id=project_id, user=user)
    return describe(last) if last else None


def undo_last(session: Session, *, project_id: int, user: User) -> Optional[Event]:
    """Invert the user's last change with a new event; None when there is nothing to undo."""
    target = last_undoable(session, project_id=project_id, user=user)
    if target is None:
        return None
    p = target.payload
    if target.kind in ("coding.added", "coding.removed", "coding.memo"):
        coding = get_coding(session, coding_id=p["coding"])
        if target.kind == "coding.memo":
            coding.memo = p["before"]
        else:
            coding.removed = target.kind == "coding.added"
        session.add(coding)
    else:
        code = get_code(session, project_id=project_id, key=p["code"])
        if target.kind == "code.added":
            code.retired = True
        else:
            for field, value in p["before"].items():
                setattr(code, field, value)
        session.add(code)
    event = _log(session, project_id=project_id, user=user, kind="undo", document_id=target.document_id,
                 undoes=target.id, payload={"undid": describe(target), "kind": target.kind, **p})
    _done(session, f"'{describe(target)}' has just been undone (in another tab?); nothing more was undone")
    session.refresh(event)
    return event
