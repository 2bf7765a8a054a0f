"""Analysis meetings: the record of who was present, which transcripts were reviewed and what was decided, linked
to the codebook changes the decisions caused; members who could not speak up in the room add their input until
the lead closes the record. The Side by Side team took its framework decisions in such meetings, and reviewed
transcripts together (evaluation report, Billsborough et al., 2017; reference §2.1 and §2.6)."""

import re
from typing import Optional, Sequence

from sqlmodel import Session, col, select

from coding import store
from coding.models import CodebookChange, Document, Meeting, MeetingInput, User, utcnow
from coding.store.base import _done, _log
from coding.store.checks import memo as checked_text
from coding.team import accounts

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def meetings(session: Session, *, project_id: int) -> list[Meeting]:
    """The project's meeting records, newest first."""
    return list(session.exec(select(Meeting).where(Meeting.project_id == project_id)
                             .order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())))


def get_meeting(session: Session, *, project_id: int, meeting_id: int) -> Meeting:
    found = session.get(Meeting, meeting_id)
    if found is None or found.project_id != project_id:
        raise store.NotFound(f"no meeting {meeting_id} in this project")
    return found


def inputs(session: Session, *, meeting_id: int) -> list[tuple[MeetingInput, User]]:
    rows = list(session.exec(select(MeetingInput).where(MeetingInput.meeting_id == meeting_id)
                             .order_by(MeetingInput.id)))
    people = {u.id: u for u in store.users_by_id(session, {r.user_id for r in rows})}
    return [(row, people[row.user_id]) for row in rows]


def record(session: Session, *, project_id: int, user: User, title: str, held_on: str, present: Sequence[str],
           documents: Sequence[int], decisions: str, changes: Sequence[int],
           meeting_id: Optional[int] = None) -> Meeting:
    """Write a meeting's record, or change an open one; everything is checked before anything is stored."""
    title = " ".join(title.split())
    if not title:
        raise store.Invalid("a meeting record needs a title")
    if len(title) > 200:
        raise store.Invalid("a meeting's title can hold at most 200 characters")
    held_on = held_on.strip()
    if held_on and not DATE.match(held_on):
        raise store.Invalid(f"'{held_on[:20]}' is not a date such as 2016-07-14")
    members = {u.name: u for u, _ in accounts.members(session, project_id=project_id)}
    names = list(dict.fromkeys(n for n in present if n))
    unknown = [n for n in names if n not in members]
    if unknown:
        raise store.NotFound(f"{unknown[0][:80]} is not a member of this project")
    ids = list(dict.fromkeys(documents))
    known = set(session.exec(select(Document.id).where(Document.project_id == project_id,
                                                       col(Document.id).in_(ids or [-1]))))
    if set(ids) - known:
        raise store.NotFound("a transcript named is not in this project")
    linked = list(dict.fromkeys(changes))
    found = set(session.exec(select(CodebookChange.id).where(CodebookChange.project_id == project_id,
                                                             col(CodebookChange.id).in_(linked or [-1]))))
    if set(linked) - found:
        raise store.NotFound("a codebook change named is not in this project")
    decisions = checked_text(decisions)
    meeting = get_meeting(session, project_id=project_id, meeting_id=meeting_id) if meeting_id else None
    if meeting is not None and meeting.closed_at is not None:
        raise store.Invalid("this meeting's record is closed")
    meeting = meeting or Meeting(project_id=project_id, created_by=user.id, title=title)
    meeting.title, meeting.held_on, meeting.present = title, held_on, names
    meeting.documents, meeting.decisions, meeting.changes = ids, decisions, linked
    session.add(meeting)
    session.flush()
    _log(session, project_id=project_id, user=user, kind="meeting.recorded",
         payload={"meeting": meeting.id, "title": title, "new": meeting_id is None})
    _done(session)
    session.refresh(meeting)
    return meeting


def add_input(session: Session, *, project_id: int, user: User, role: str, meeting_id: int, text: str) -> MeetingInput:
    """A member's input to an open meeting (coders and leads)."""
    if not accounts.at_least(role, "coder"):
        raise store.NotYours("the project's researchers (coders and leads) add input to its meetings")
    meeting = get_meeting(session, project_id=project_id, meeting_id=meeting_id)
    if meeting.closed_at is not None:
        raise store.Invalid("this meeting's record is closed: its decisions are taken")
    text = checked_text(text)
    if not text:
        raise store.Invalid("your input needs some words")
    row = MeetingInput(project_id=project_id, meeting_id=meeting.id, user_id=user.id, text=text)
    session.add(row)
    _log(session, project_id=project_id, user=user, kind="meeting.input",
         payload={"meeting": meeting.id, "title": meeting.title})
    _done(session)
    session.refresh(row)
    return row


def close(session: Session, *, project_id: int, user: User, meeting_id: int) -> Meeting:
    """Close a meeting's record: its decisions are taken, and nothing more is added."""
    meeting = get_meeting(session, project_id=project_id, meeting_id=meeting_id)
    if meeting.closed_at is None:
        meeting.closed_at = utcnow()
        session.add(meeting)
        _log(session, project_id=project_id, user=user, kind="meeting.closed",
             payload={"meeting": meeting.id, "title": meeting.title})
        _done(session)
        session.refresh(meeting)
    return meeting
