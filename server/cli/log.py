"""`peerframe log`: a project's activity log, as the lead's Activity page shows it."""

from datetime import datetime, timedelta, timezone
from typing import Optional

import typer

from server.cli.common import ACTING, JSON, UNKNOWN, emit, fail, find_document, find_user, open_session, standing

WHEN = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]


def _utc(moment: Optional[datetime], whole_day: bool = False) -> Optional[datetime]:
    """A moment given in UTC; with `whole_day`, a date alone means the end of that day."""
    if moment is None:
        return None
    if whole_day and moment.time() == datetime.min.time():
        moment += timedelta(days=1)
    return moment.replace(tzinfo=timezone.utc)


def log(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
        kind: Optional[str] = typer.Option(None, "--kind", help="Only entries of this kind, or kinds starting so "
                                                                 "(coding, coding.added, member, reconcile…)."),
        user: Optional[str] = typer.Option(None, "--user", help="Only this user's changes (by name)."),
        document: Optional[str] = typer.Option(None, "--document", help="Only this transcript (name or id)."),
        since: Optional[datetime] = typer.Option(None, "--since", formats=WHEN, help="From this UTC date or time."),
        until: Optional[datetime] = typer.Option(None, "--until", formats=WHEN,
                                                 help="Up to this UTC time (a date alone includes that day)."),
        limit: int = typer.Option(100, "--limit", min=1, max=10000, help="At most this many entries."),
        as_user: Optional[str] = ACTING, as_json: bool = JSON) -> None:
    """A project's log, newest first: `when<TAB>who<TAB>kind<TAB>what` lines. Needs the lead role.

    --json: a list of {"id", "at", "user", "kind", "document_id", "undoes", "description", "payload"}."""
    from coding import store

    session, acting = open_session(as_user, UNKNOWN)
    with session:
        where = standing(session, acting, project, "lead", local=as_user is None)
        person = find_user(session, user, UNKNOWN) if user is not None else None
        only = find_document(session, where, document) if document is not None else None
        start, end = _utc(since), _utc(until, whole_day=True)
        if start and end and start >= end:
            fail("--since must come before --until")
        events = store.list_events(session, project_id=where.project.id, kind=kind or None,
                                   user_id=person.id if person else None, document_id=only.id if only else None,
                                   since=start, until=end, limit=limit)
        people = {u.id: u.name for u in store.list_users(session)}
        words = store.Wording(session, project_id=where.project.id)
        rows = [{"id": e.id, "at": e.at.replace(tzinfo=timezone.utc).isoformat() if e.at.tzinfo is None
                 else e.at.isoformat(), "user": people.get(e.user_id), "kind": e.kind, "document_id": e.document_id,
                 "undoes": e.undoes, "description": store.describe(e, words), "payload": e.payload} for e in events]
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo(f"{row['at'][:19].replace('T', ' ')}\t{row['user']}\t{row['kind']}\t{row['description']}")
