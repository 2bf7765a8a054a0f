"""The activity log as a script reads it: filtered by kind, person, transcript and time, a page at a time."""

from datetime import datetime, timezone
from typing import Optional

from sqlmodel import Session

from coding import store
from coding.models import Event
from coding.team import accounts

PAGE_MAX = 500


def utc(moment: Optional[datetime]) -> Optional[datetime]:
    """A moment in UTC (one without a zone is taken to be UTC already)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def find_events(session: Session, *, project_id: int, kind: Optional[str] = None, user_name: Optional[str] = None,
                document_id: Optional[int] = None, since: Optional[datetime] = None,
                until: Optional[datetime] = None, before: Optional[int] = None, limit: int = 100) -> list[Event]:
    """The project's events, newest first: of a kind (prefix), by the user called `user_name`, on one
    transcript, in [since, until), older than the event `before`; at most `limit` (1 to PAGE_MAX)."""
    if not 1 <= limit <= PAGE_MAX:
        raise store.Invalid(f"limit: is 1 to {PAGE_MAX}, not {limit}")
    user_id = None
    if user_name:
        found = accounts.find_user(session, name=user_name)
        if found is None:
            raise store.Invalid(f"user: there is no user called '{user_name.strip()[:80]}'")
        user_id = found.id
    return store.list_events(session, project_id=project_id, kind=kind or None, user_id=user_id,
                             document_id=document_id, since=utc(since), until=utc(until), before=before,
                             limit=limit)
