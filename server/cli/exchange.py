"""`peerframe import` and `peerframe export`: transcripts and REFI-QDA files in, reports and projects out."""

from pathlib import Path
from typing import Optional

import typer

from coding import accounts, queries, reports, store, visibility
from coding.frameworks import get_framework
from coding.limits import ImportRefused
from server.cli.common import fail, find_project, open_session


def import_files(
    files: list[Path] = typer.Argument(..., help="Transcript files (.txt .md .docx .odt .vtt .srt), or one "
                                                 "REFI-QDA project (.qdpx) or codebook (.qdc)."),
    project: str = typer.Option(..., "--project", help="Project name; created if it does not exist "
                                                      "(a .qdpx or .qdc always makes a new project)."),
    framework: str = typer.Option("side-by-side", help="Framework for a new project."),
    participant: Optional[str] = typer.Option(None, help="Participant tag, when importing one file."),
    acting: Optional[str] = typer.Option(None, "--as", help="Import as this user (on a team server)."),
) -> None:
    """Import transcripts into a project; refused files are reported and store nothing."""
    from coding import imports, refi_import

    if any(refi_import.is_refi(path.name) for path in files):
        if len(files) != 1:
            fail("a REFI-QDA file (.qdpx or .qdc) is imported on its own, as a new project")
        _import_refi(files[0], project, acting)
        return
    session, user = open_session(acting)
    with session:
        target = store.find_project(session, name=project)
        if target is None:
            try:
                target = store.create_project(session, name=project, framework=get_framework(framework), user=user)
            except KeyError as exc:
                fail(str(exc.args[0]))
            typer.echo(f"created project '{project}' from {framework}")
        failures = 0
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                typer.echo(f"refused {path}: cannot be read ({exc.strerror})", err=True)
                failures += 1
                continue
            try:
                document = imports.import_one(session, project_id=target.id, user=user, name=path.name, data=data,
                                              participant=participant if len(files) == 1 else None)
            except (ImportRefused, store.Conflict, store.Invalid) as exc:
                session.rollback()
                typer.echo(f"refused {exc}", err=True)
                failures += 1
                continue
            turns = len(store.document_turns(session, document_id=document.id))
            typer.echo(f"imported {path.name}: {document.word_count} words, {turns} turns (document {document.id})")
        if failures:
            raise typer.Exit(1)


def _import_refi(path: Path, project: str, acting: Optional[str]) -> None:
    """A .qdpx or .qdc file as a new project, with the report of what came in and what did not."""
    from coding import refi_import

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"{path}: cannot be read ({exc.strerror})")
    session, user = open_session(acting)
    with session:
        try:
            report = refi_import.import_refi(session, name=project, filename=path.name, data=data, user=user)
        except (ImportRefused, store.Conflict, store.Invalid) as exc:
            fail(f"refused {exc}" if isinstance(exc, ImportRefused) else str(exc))
    typer.echo(report.summary())
    for note in report.notes:
        typer.echo(f"note: {note}")
    for skipped in report.skipped:
        typer.echo(f"not imported: {skipped}")


def export_quotes(
    project: str = typer.Option(..., "--project"),
    fmt: str = typer.Option("docx", "--format", help="docx, xlsx or csv"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    code: Optional[str] = typer.Option(None, help="Only this code and its sub-codes."),
    layer: Optional[str] = typer.Option(None, help="consensus, all, or coder:<user id> "
                                                   "(default: the consensus layer where there is one)."),
    coder: Optional[str] = typer.Option(None, help="Only this coder's layer, by user name."),
    query: Optional[str] = typer.Option(None, help="Start from this saved query (by name)."),
) -> None:
    """Write the coded-quote table of a project to Word, Excel or CSV."""
    from coding import export

    writers = {"docx": export.quotes_docx, "xlsx": export.quotes_xlsx, "csv": export.quotes_csv}
    if fmt not in writers:
        fail("--format must be docx, xlsx or csv")
    session, _ = open_session()
    with session:
        target = find_project(session, project)
        if query:
            saved = queries.find_query(session, project_id=target.id, name=query)
            if saved is None:
                fail(f"project '{project}' has no saved query called '{query}'")
            wanted = reports.QuoteFilter.from_params(saved.params)
        else:
            wanted = reports.QuoteFilter(code=code)
        if layer:
            wanted.layer = layer
        if coder:
            person = accounts.find_user(session, name=coder)
            if person is None:
                fail(f"there is no user called '{coder}'")
            wanted.layer = reports.coder_choice(person.id)
        data = writers[fmt](session, project=target, wanted=wanted, scope=visibility.EVERYTHING)
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


def export_codebook(
    project: Optional[str] = typer.Option(None, "--project"),
    framework: Optional[str] = typer.Option(None, "--framework"),
    fmt: str = typer.Option("docx", "--format", help="docx (Word) or qdc (REFI-QDA codebook)"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
) -> None:
    """Write a project's codebook, or a shipped framework, to Word or REFI-QDA."""
    from coding import export, refi_export

    if fmt not in ("docx", "qdc"):
        fail("--format must be docx or qdc")
    if bool(project) == bool(framework):
        fail("give either --project NAME or --framework ID")
    if framework:
        try:
            data = (export.framework_docx if fmt == "docx" else refi_export.framework_qdc)(get_framework(framework))
        except KeyError as exc:
            fail(str(exc.args[0]))
    else:
        session, _ = open_session()
        with session:
            target = find_project(session, project)
            try:
                data = (export.codebook_docx(session, project=target, scope=visibility.EVERYTHING) if fmt == "docx"
                        else refi_export.codebook_qdc(session, project=target))
            except store.Invalid as exc:
                fail(str(exc))
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


def export_project(
    project: str = typer.Option(..., "--project"),
    fmt: str = typer.Option("qdpx", "--format", help="qdpx (REFI-QDA project, for NVivo, ATLAS.ti, MAXQDA...)"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
) -> None:
    """Write a whole project (codebook, transcripts, every layer's codings and memos) as REFI-QDA."""
    from coding import refi_export

    if fmt != "qdpx":
        fail("--format must be qdpx")
    session, _ = open_session()
    with session:
        data = refi_export.project_qdpx(session, project=find_project(session, project))
    output.write_bytes(data)
    typer.echo(f"wrote {output}")
