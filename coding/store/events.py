"""The event log: reading it, describing it, and undoing a user's last change with a new event."""

from datetime import datetime
from typing import Optional, Sequence

from sqlalchemy import bindparam, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from coding.models import Code, Event, Memo, User, utcnow
from coding.store.base import _done, _log, built
from coding.store.codes import get_code, undo_move
from coding.store.codings import get_coding
from coding.store.document_status import restore_status
from coding.store.wording import Wording
from coding.text import languages


CODEBOOK = 0  # as `document_id`: only the changes that concern no transcript (the codebook's); ids start at 1
UNDOABLE = ("coding.added", "coding.removed", "coding.memo", "coding.resized", "coding.recoded", "code.updated",
            "code.added", "code.moved", "document.status", "memo.document")
DOCUMENT_ERASED, PROJECT_ERASED = "document.erased", "project.erased"  # the tombstones `coding.erasure` leaves
TOMBSTONES = (DOCUMENT_ERASED, PROJECT_ERASED)
CODING_CHANGES = ("coding.added", "coding.removed", "coding.memo", "coding.resized", "coding.recoded")


LATE = 1_000  # an event numbered this close to the newest may still be committing when the log is read


def log_mark(session: Session, *, project_id: int) -> str:
    """Where the project's log stands, to tell whether anything has changed since: its newest event, and how
    many of its events lie within LATE of it (a transaction that took an earlier number and commits after a
    later one changes that count, not the newest). Two index look-ups, however long the log."""
    newest = session.exec(_newest_event(), params={"project_id": project_id}).one() or 0
    recent = session.exec(_recent_events(), params={"project_id": project_id, "after": newest - LATE}).one()
    return f"{newest}:{recent}"


@built
def _newest_event():
    return select(func.max(Event.id)).where(Event.project_id == bindparam("project_id"))


@built
def _recent_events():
    return select(func.count()).where(Event.project_id == bindparam("project_id"), col(Event.id) > bindparam("after"))


def list_events(session: Session, *, project_id: int, user_id: Optional[int] = None,
                document_id: Optional[int] = None, kind: Optional[str] = None, limit: int = 500,
                since: Optional[datetime] = None, until: Optional[datetime] = None,
                before: Optional[int] = None) -> list[Event]:
    """The project's event log, newest first, optionally filtered: by person, transcript, kind (a prefix),
    time [since, until) and, for paging, only events older than the event `before`."""
    query = select(Event).where(Event.project_id == project_id)
    if since is not None:
        query = query.where(Event.at >= since)
    if until is not None:
        query = query.where(Event.at < until)
    if before is not None:
        query = query.where(Event.id < before)
    if user_id is not None:
        query = query.where(Event.user_id == user_id)
    if document_id == CODEBOOK:
        query = query.where(col(Event.document_id).is_(None))
    elif document_id is not None:
        query = query.where(Event.document_id == document_id)
    if kind:
        query = query.where(col(Event.kind).startswith(kind))
    return list(session.exec(query.order_by(col(Event.id).desc()).limit(limit)))


def last_undoable(session: Session, *, project_id: int, user: User,
                  document_id: Optional[int] = None) -> Optional[Event]:
    """The user's most recent change in the project (on one transcript, when `document_id` is given; in the
    codebook, when it is CODEBOOK) that has not been undone yet.

    Consensus codings written by reconciliation are not undone one by one: they belong to a decision.
    """
    query = _undoable("codebook" if document_id == CODEBOOK else "document" if document_id is not None else "project")
    params = {"project_id": project_id, "user_id": user.id,
              **({"document_id": document_id} if document_id not in (None, CODEBOOK) else {})}
    skip, size = 0, 2  # almost always the first change; reconciliation can write a run of consensus codings
    while skip < 100:
        events = list(session.exec(query, params={**params, "skip": skip, "size": size}))
        found = next((e for e in events if e.payload.get("origin") != "reconciliation"), None)
        if found is not None or len(events) < size:
            return found
        skip, size = skip + size, 10
    return None


@built
def _undoable(where: str):
    """`size` of the user's changes not undone yet, newest first from the `skip`th: in the project, in the
    `codebook`, or on one `document`."""
    undo = aliased(Event)  # an undo names the one event it undid: a lookup in its unique index, however long the log
    undone = exists().where(undo.undoes == Event.id)
    query = select(Event).where(Event.project_id == bindparam("project_id"), Event.user_id == bindparam("user_id"),
                                col(Event.kind).in_(UNDOABLE), ~undone)
    if where == "codebook":
        query = query.where(col(Event.document_id).is_(None))
    elif where == "document":
        query = query.where(Event.document_id == bindparam("document_id"))
    return query.order_by(col(Event.id).desc()).offset(bindparam("skip")).limit(bindparam("size"))


def _many(count, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _on(event: Event, words: Wording, joint: str = "on") -> str:
    """ "Safety on “nobody judges you…”" for a coding event."""
    p = event.payload
    if "start" not in p:
        return words.coding(p.get("coding"), joint)
    return f"{words.code(p.get('code'))} {joint} {words.passage(event.document_id, p.get('start'), p.get('end'))}"


def describe(event: Event, words: Optional[Wording] = None) -> str:
    """A short phrase for what an event did, for the activity log: names and quoted words, never keys or offsets."""
    p, w = event.payload, words or Wording()
    return {
        "coding.added": lambda: f"coded {_on(event, w)}",
        "coding.removed": lambda: f"removed {_on(event, w, 'from')}",
        "coding.memo": lambda: f"edited the memo on {_on(event, w, 'at')}",
        "coding.resized": lambda: f"changed the span of {_on(event, w)}",
        "coding.recoded": lambda: f"changed {w.code(p.get('before'))} to {_on(event, w)}",
        "code.moved": lambda: f"moved code {w.code(p.get('code'))} {_under(w, p.get('after'))}",
        "code.merged": lambda: f"merged code {w.code(p.get('code'))} into {w.code(p.get('into'))}",
        "code.added": lambda: f"added code {w.code(p.get('code'))}",
        "code.updated": lambda: (f"wrote the memo on code {w.code(p.get('code'))}" if set(p.get("after", {})) == {"memo"}
                                 else f"changed code {w.code(p.get('code'))}"),
        "recode.marked": lambda: f"revisited “{w.document_name(event.document_id)}” under codebook version {p.get('version')}",
        "codebook.draft": lambda: f"opened a draft of codebook version {p.get('version')}",
        "codebook.published": lambda: f"published codebook version {p.get('version')} ({_many(p.get('changes'), 'change')})",
        "project.role_labels": lambda: "renamed the roles: " + (", ".join(f"{k} as {v}" for k, v in
                                                                         (p.get("after") or {}).items()) or "back to their own names"),
        "meeting.recorded": lambda: (f"recorded the meeting “{p.get('title')}”" if p.get("new")
                                     else f"changed the record of the meeting “{p.get('title')}”"),
        "meeting.input": lambda: f"added input to the meeting “{p.get('title')}”",
        "meeting.closed": lambda: f"closed the meeting “{p.get('title')}”",
        "journal.milestone": lambda: (f"marked “{p.get('name')}” reached: everyone is asked to reflect"
                                      if (p.get("after") or {}).get("reached") and not (p.get("before") or {}).get("reached")
                                      else f"changed the milestone “{p.get('name')}”"),
        "journal.shared": lambda: "shared a journal entry with the team",
        "journal.unshared": lambda: "made a journal entry private again",
        "quote.picked": lambda: f"selected {_on(event, w)} for the chapter",
        "quote.unpicked": lambda: f"took {_on(event, w)} out of the chapter",
        "project.created": lambda: f"created the project from {p.get('framework')}",
        "document.imported": lambda: f"imported {p.get('name')}",
        "participant.updated": lambda: f"set attributes of {p.get('participant')}",
        "participant.placed": lambda: f"put {p.get('participant')} in {p.get('after')}" if p.get("after")
                                      else f"took {p.get('participant')} out of {p.get('before')}",
        "site.saved": lambda: (f"changed the {_case(p)} {p.get('label')}" if p.get("before")
                               else f"added the {_case(p)} {p.get('label')}"),
        "site.removed": lambda: f"removed the {_case(p)} {p.get('label')}",
        "document.interviewers": lambda: "set the interviewer",
        "document.interpreted": lambda: "marked who spoke through an interpreter",
        "document.participant": lambda: f"set the participant to {p.get('after')}",
        "document.language": lambda: f"set the language of “{w.document_name(event.document_id)}” to "
                                     f"{_language(p.get('after') or {})}",
        "document.original": lambda: (f"linked “{w.document_name(event.document_id)}” as a translation of "
                                      f"“{p.get('after')}”" if p.get("after") else
                                      f"unlinked “{w.document_name(event.document_id)}” from “{p.get('before')}”"),
        "undo": lambda: f"undid: {describe(_undone(event), w)}" if p.get("kind") else "undid a change",
        "reconcile.decided": lambda: f"reconciled {_on(event, w)}: {w.decision(p.get('decision', ''))}"
                                     + (f" ({p.get('reason')})" if p.get("reason") else ""),
        "suggestion.accepted": lambda: f"accepted a suggestion of {w.code(p.get('code'))}",
        "suggestion.rejected": lambda: f"rejected a suggestion of {w.code(p.get('code'))}",
        "member.set": lambda: f"made {w.person(p.get('member'))} {p.get('after')}",
        "member.removed": lambda: f"removed {w.person(p.get('member'))} from the project",
        "document.assigned": lambda: f"assigned the transcript to {w.person(p.get('coder'))}",
        "document.unassigned": lambda: f"took the transcript back from {w.person(p.get('coder'))}",
        "document.revealed": lambda: "revealed all coders' codings on the transcript",
        "document.hidden": lambda: "hid other coders' codings again (blind)",
        "document.erased": lambda: f"deleted the transcript '{p.get('name')}' ({_many(p.get('codings'), 'coding')})",
        "project.erased": lambda: f"deleted the project '{p.get('name')}' ({_many(p.get('documents'), 'transcript')}, "
                                  f"{_many(p.get('codings'), 'coding')})",
        "pseudonym.set": lambda: f"set the pseudonym for '{p.get('original', '?')}' to '{p.get('after')}'",
        "pseudonym.removed": lambda: f"removed the pseudonym '{p.get('before', '?')}' for '{p.get('original', '?')}'",
        "project.tag_pattern": lambda: (f"set new participants' tags to {p.get('after')}" if p.get("after")
                                        else "stopped tagging new participants"),
        "project.blind": lambda: "turned blind coding " + ("on" if p.get("blind") else "off"),
        "recording.attached": lambda: f"attached the recording {p.get('name')}",
        "document.status": lambda: f"marked “{w.document_name(event.document_id)}” {p.get('after')}",
        "memo.document": lambda: ("wrote the memo on " if not p.get("before") else "emptied the memo on "
                                  if not p.get("after") else "edited the memo on ")
                                 + f"“{w.document_name(event.document_id)}”",
        "memo.added": lambda: f"wrote the project memo “{p.get('title')}”",
        "memo.edited": lambda: f"edited the project memo “{p.get('title')}”",
    }.get(event.kind, lambda: event.kind)()


def _language(after: dict) -> str:
    told = languages.name(after.get("language", "")) or "not said"
    return told + (f" ({languages.MEDIATION[after['mediation']]})" if after.get("mediation") in ("interpreted", "translated") else "")


def _case(payload: dict) -> str:
    return "hub" if payload.get("kind") == "hub" else "peer support project"


def _under(words: Wording, parent: Optional[str]) -> str:
    """ "under Safety", or "to the top level" for no parent."""
    return f"under {words.code(parent)}" if parent else "to the top level"


def _spanned(event: Event, span: dict) -> Event:
    """The same coding event with another span (the one a resize replaced)."""
    return Event(project_id=event.project_id, user_id=event.user_id, kind=event.kind, document_id=event.document_id,
                 payload={**event.payload, "start": span["start"], "end": span["end"]})


def touched(event: Event) -> Optional[tuple[int, int]]:
    """The stretch of text an event (or the change an undo inverted) touched: both spans of a resize."""
    p = event.payload
    if "start" not in p:
        return None
    spans = [(p["start"], p["end"])] + ([(p["before"]["start"], p["before"]["end"])]
                                        if isinstance(p.get("before"), dict) and "start" in p["before"] else [])
    return min(s for s, _ in spans), max(e for _, e in spans)


def _undone(event: Event) -> Event:
    """The change an undo event inverted, rebuilt from the payload the undo carries."""
    return Event(project_id=event.project_id, user_id=event.user_id, kind=event.payload["kind"],
                 document_id=event.document_id, payload=event.payload)


def label(event: Event, words: Wording) -> str:
    """What Undo would undo, for its button: "Safety on “nobody judges you…”"."""
    p = event.payload
    return {
        "coding.added": lambda: _on(event, words),
        "coding.removed": lambda: f"removing {_on(event, words, 'from')}",
        "coding.memo": lambda: f"the memo on {_on(event, words, 'at')}",
        "coding.resized": lambda: f"span of {_on(event, words)}",
        "coding.recoded": lambda: f"changing {words.code(p.get('before'))} to {_on(event, words)}",
        "code.moved": lambda: f"moving code {words.code(p.get('code'))} {_under(words, p.get('after'))}",
        "code.added": lambda: f"adding code {words.code(p.get('code'))}",
        "code.updated": lambda: f"the change to code {words.code(p.get('code'))}",
        "document.status": lambda: f"marking the transcript {p.get('after')}",
        "memo.document": lambda: "the change to your memo on this transcript",
    }.get(event.kind, lambda: describe(event, words))()


def undone_message(session: Session, *, event: Event) -> str:
    """What an undo did, in a sentence: "Removed Safety from “nobody judges you…”"."""
    target, words = _undone(event), Wording(session, project_id=event.project_id)
    code = words.code(target.payload.get("code"))
    return {
        "coding.added": lambda: f"Removed {_on(target, words, 'from')}",
        "coding.removed": lambda: f"Put back {_on(target, words)}",
        "coding.memo": lambda: f"Restored the memo on {_on(target, words, 'at')}",
        "coding.resized": lambda: f"Put {_on(_spanned(target, target.payload['before']), words)} back as it was",
        "coding.recoded": lambda: f"Changed {_on(target, words)} back to {words.code(target.payload.get('before'))}",
        "code.moved": lambda: f"Moved code {code} back {_under(words, target.payload.get('before'))}",
        "code.added": lambda: f"Retired the new code {code}",
        "code.updated": lambda: f"Restored code {code} as it was",
        "document.status": lambda: f"The transcript is {target.payload.get('before')} again",
        "memo.document": lambda: "Restored your memo on this transcript as it was",
    }.get(target.kind, lambda: f"Undone: {describe(target, words)}")()


def _undo_progress(session: Session, target: Event) -> None:
    """Put back a transcript's status or memo as it was before `target`."""
    if target.kind == "document.status":
        restore_status(session, document_id=target.document_id, user_id=target.user_id, state=target.payload["before"])
        return
    memo = session.exec(select(Memo).where(Memo.document_id == target.document_id,
                                           Memo.author_id == target.user_id)).one()
    memo.text, memo.updated_at = target.payload["before"], utcnow()
    session.add(memo)


def undo_hint(session: Session, *, project_id: int, user: User, document_id: Optional[int] = None,
              codes: Optional[Sequence[Code]] = None) -> Optional[str]:
    """What the user's Undo (on one transcript, when given) would undo, in a few words, or None. `codes`: the
    project's codes, when the caller has them already."""
    last = last_undoable(session, project_id=project_id, user=user, document_id=document_id)
    return label(last, Wording(session, project_id=project_id, codes=codes)) if last else None


def undo_last(session: Session, *, project_id: int, user: User, document_id: Optional[int] = None) -> Optional[Event]:
    """Invert the user's last change (on one transcript, when given) with a new event; None when there is nothing
    to undo."""
    target = last_undoable(session, project_id=project_id, user=user, document_id=document_id)
    if target is None:
        return None
    p = target.payload
    if target.kind in ("document.status", "memo.document"):
        _undo_progress(session, target)
    elif target.kind in CODING_CHANGES:
        coding = get_coding(session, coding_id=p["coding"])
        if target.kind == "coding.memo":
            coding.memo = p["before"]
            p = {**p, "start": coding.start, "end": coding.end, "code": session.get(Code, coding.code_id).key}
        elif target.kind == "coding.resized":
            coding.start, coding.end = p["before"]["start"], p["before"]["end"]
        elif target.kind == "coding.recoded":
            coding.code_id = get_code(session, project_id=project_id, key=p["before"]).id
        else:
            coding.removed = target.kind == "coding.added"
        session.add(coding)
    elif target.kind == "code.moved":
        undo_move(session, project_id=project_id, payload=p)
    else:
        code = get_code(session, project_id=project_id, key=p["code"])
        if target.kind == "code.added":
            code.retired = True
        else:
            for field, value in p["before"].items():
                setattr(code, field, value)
        session.add(code)
    words = Wording(session, project_id=project_id)
    event = _log(session, project_id=project_id, user=user, kind="undo", document_id=target.document_id,
                 undoes=target.id, payload={"undid": target.kind, "kind": target.kind, **p})
    _done(session, f"'{label(target, words)}' has just been undone (in another tab?); nothing more was undone")
    session.refresh(event)
    return event
