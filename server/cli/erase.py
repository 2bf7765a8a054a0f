"""`peerframe erase`: deleting a transcript or a project on purpose, and reading what was deleted."""

from pathlib import Path
from typing import Optional

import typer

from server.cli.common import fail, find_project, open_session, settings

erase_app = typer.Typer(help="Erase a transcript or a project for good (consent withdrawn, text not anonymised).",
                        no_args_is_help=True)
ACTING = typer.Option(None, "--as", help="Erase as this user (the log names them).")
CONFIRM = typer.Option(None, "--confirm", help="The name again, instead of typing it when asked.")


def _confirmation(what: str, name: str, confirm: Optional[str]) -> str:
    if confirm is not None:
        return confirm
    return typer.prompt(f"This erases the {what} '{name}' and all its codings for good. Type its name to confirm")


def _done(session, tombstone) -> None:
    from coding import erasure, store

    complete = erasure.scrub(session.get_bind())
    typer.echo(f"{store.describe(tombstone)}; the log keeps only this entry")
    if not complete:
        typer.echo("warning: another program has the database open; its write-ahead log is emptied when it closes",
                   err=True)


@erase_app.command("document")
def erase_document(name: str, project: str = typer.Option(..., "--project"), confirm: Optional[str] = CONFIRM,
                   acting: Optional[str] = ACTING) -> None:
    """Erase one transcript (by name) with its turns, codings, decisions and log."""
    from sqlmodel import select

    from coding import erasure, store
    from coding.models import Document

    session, user = open_session(acting)
    with session:
        target = find_project(session, project)
        found = list(session.exec(select(Document).where(Document.project_id == target.id, Document.name == name)))
        if len(found) != 1:
            names = ", ".join(d.name for d in store.list_documents(session, project_id=target.id)) or "none"
            fail(f"'{project}' has {'no' if not found else 'several'} transcripts called '{name}' (it has: {names})")
        try:
            tombstone = erasure.erase_document(session, document=found[0], user=user,
                                               confirm=_confirmation("transcript", name, confirm),
                                               media=settings().media, job_results=Path(settings().jobs_dir))
        except store.Invalid as refused:
            fail(str(refused))
        _done(session, tombstone)


@erase_app.command("project")
def erase_project(name: str, confirm: Optional[str] = CONFIRM, acting: Optional[str] = ACTING) -> None:
    """Erase a whole project: transcripts, codebook, members, pseudonyms, saved queries and log."""
    from coding import erasure, store

    session, user = open_session(acting)
    with session:
        try:
            tombstone = erasure.erase_project(session, project=find_project(session, name), user=user,
                                              confirm=_confirmation("project", name, confirm), media=settings().media,
                                              job_results=Path(settings().jobs_dir))
        except store.Invalid as refused:
            fail(str(refused))
        _done(session, tombstone)


@erase_app.command("log")
def erase_log() -> None:
    """Every erasure, newest first: when, who, what (tombstones of deleted projects included)."""
    from coding import erasure, store

    session, _ = open_session()
    with session:
        people = {u.id: u.name for u in store.list_users(session)}
        for event in erasure.tombstones(session):
            project = event.payload.get("project") if event.kind == erasure.DOCUMENT_ERASED else "-"
            typer.echo(f"{event.at:%Y-%m-%d %H:%M:%S}\t{people.get(event.user_id, event.user_id)}\t"
                       f"{project}\t{store.describe(event)}")
