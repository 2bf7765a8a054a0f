"""Reflexive journals: each researcher's entries in a project, private to their author until shared entry by
entry, and the milestones at which the lead asks everyone to reflect. The Side by Side team reflected at three
set points: after building the framework, after coding, after the first draft of the write-up (evaluation
report, Billsborough et al., 2017, analysis stage D; reference §2.1). Private entries never reach the event log,
the activity page or any export: the log records only milestones and sharing."""

from typing import Optional

from sqlmodel import Session, col, or_, select

from coding import store
from coding.models import JournalEntry, Milestone, Project, User, utcnow
from coding.store.base import _done, _log
from coding.store.checks import memo as checked_text
from coding.team import accounts

MILESTONES = {
    "framework-built": "After the framework is built",
    "coding-done": "After coding",
    "first-draft": "After the first draft",
}
DEFAULT_PROMPTS = {
    "framework-built": "What was your experience of peer support before this project, and has building the "
                       "framework changed how you see it?",
    "coding-done": "Now the coding is done, how do you see peer support in the part of the work you coded?",
    "first-draft": "Reading the first draft, what do you recognise, what is missing, and how did your own "
                   "experience shape it?",
}


def _check_key(key: str) -> str:
    if key not in MILESTONES:
        raise store.Invalid(f"a milestone is one of {', '.join(MILESTONES)}, not '{key[:40]}'")
    return key


def milestones(session: Session, *, project_id: int) -> list[Milestone]:
    """The project's three milestones in order, with their prompts (the default until the lead sets one) and
    when each was reached; rows not stored yet come unsaved."""
    stored = {m.key: m for m in session.exec(select(Milestone).where(Milestone.project_id == project_id))}
    return [stored.get(key) or Milestone(project_id=project_id, key=key, prompt=DEFAULT_PROMPTS[key])
            for key in MILESTONES]


def _milestone(session: Session, project_id: int, key: str) -> Milestone:
    found = session.exec(select(Milestone).where(Milestone.project_id == project_id, Milestone.key == key)).first()
    return found or Milestone(project_id=project_id, key=key, prompt=DEFAULT_PROMPTS[key])


def set_milestone(session: Session, *, project_id: int, user: User, key: str, prompt: Optional[str] = None,
                  reached: Optional[bool] = None) -> Milestone:
    """Set a milestone's prompt, or mark it reached (every researcher is then asked it) or not yet."""
    row = _milestone(session, project_id, _check_key(key))
    before = {"prompt": row.prompt, "reached": row.reached_at is not None}
    if prompt is not None:
        prompt = checked_text(prompt)
        if not prompt:
            raise store.Invalid("a prompt needs some words: what should researchers reflect on?")
        row.prompt = prompt
    if reached is not None and reached != (row.reached_at is not None):
        row.reached_at = utcnow() if reached else None
    after = {"prompt": row.prompt, "reached": row.reached_at is not None}
    if before != after:
        session.add(row)
        _log(session, project_id=project_id, user=user, kind="journal.milestone",
             payload={"milestone": key, "name": MILESTONES[key], "before": before, "after": after})
        _done(session)
        session.refresh(row)
    return row


def due(session: Session, *, project_id: int, user: User) -> list[Milestone]:
    """The reached milestones this researcher has not written an entry for yet."""
    answered = set(session.exec(select(JournalEntry.milestone).where(
        JournalEntry.project_id == project_id, JournalEntry.author_id == user.id)))
    return [m for m in milestones(session, project_id=project_id) if m.reached_at and m.key not in answered]


def readable(session: Session, *, project_id: int, user: User) -> list[tuple[JournalEntry, User]]:
    """The reader's own entries and the entries others shared, newest first, with their authors."""
    rows = session.exec(select(JournalEntry).where(
        JournalEntry.project_id == project_id,
        or_(JournalEntry.author_id == user.id, col(JournalEntry.shared).is_(True)))
        .order_by(col(JournalEntry.created_at).desc(), col(JournalEntry.id).desc())).all()
    people = {u.id: u for u in store.users_by_id(session, {r.author_id for r in rows})}
    return [(row, people[row.author_id]) for row in rows]


def own_entry(session: Session, *, project_id: int, user: User, entry_id: int) -> JournalEntry:
    """One of the reader's own entries; another's (shared or not) answers as if it did not exist."""
    entry = session.get(JournalEntry, entry_id)
    if entry is None or entry.project_id != project_id or entry.author_id != user.id:
        raise store.NotFound(f"no journal entry {entry_id} of yours in this project")
    return entry


def write(session: Session, *, project: Project, user: User, role: str, text: str, milestone: str = "",
          entry_id: Optional[int] = None) -> JournalEntry:
    """Write a new entry (answering `milestone`, if given) or change one of the writer's own; the earlier text
    is kept with the entry. Only researchers (coders and leads) keep journals."""
    if not accounts.at_least(role, "coder"):
        raise store.NotYours("journals are kept by the project's researchers (coders and leads)")
    text = checked_text(text)
    if not text:
        raise store.Invalid("a journal entry needs some words")
    if entry_id is not None:
        entry = own_entry(session, project_id=project.id, user=user, entry_id=entry_id)
        if entry.text != text:
            entry.earlier = [*entry.earlier, {"text": entry.text, "until": utcnow().isoformat()}]
            entry.text, entry.updated_at = text, utcnow()
            session.add(entry)
            _done(session)
        return entry
    if milestone:
        _check_key(milestone)
    entry = JournalEntry(project_id=project.id, author_id=user.id, milestone=milestone,
                         framework_version=project.framework_version, text=text)
    session.add(entry)
    _done(session)
    session.refresh(entry)
    return entry


def share(session: Session, *, project_id: int, user: User, entry_id: int, shared: bool) -> JournalEntry:
    """Share one of the writer's entries with the team, or take it back."""
    entry = own_entry(session, project_id=project_id, user=user, entry_id=entry_id)
    if entry.shared != shared:
        entry.shared = shared
        session.add(entry)
        _log(session, project_id=project_id, user=user, kind="journal.shared" if shared else "journal.unshared",
             payload={"entry": entry.id, "milestone": entry.milestone})
        _done(session)
        session.refresh(entry)
    return entry
