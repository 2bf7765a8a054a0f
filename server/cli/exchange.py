"""`peerframe import` and `peerframe export`: transcripts and REFI-QDA files in, reports and projects out."""

from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from server.cli.common import ACTING, UNKNOWN, fail, find_project, open_session, standing


def import_files(
    files: list[Path] = typer.Argument(..., help="Transcript files (.txt .md .docx .odt .vtt .srt), or one "
                                                 "REFI-QDA project (.qdpx) or codebook (.qdc)."),
    project: str = typer.Option(..., "--project", help="Project name; created if it does not exist "
                                                      "(a .qdpx or .qdc always makes a new project)."),
    framework: str = typer.Option("side-by-side", help="Framework for a new project."),
    participant: Optional[str] = typer.Option(None, help="Participant tag, when importing one file."),
    acting: Optional[str] = typer.Option(None, "--as", help="Import as this user (on a team server)."),
    nvivo: bool = typer.Option(False, "--nvivo", help="The .qdpx is NVivo's: its positions count UTF-16 units."),
) -> None:
    """Import transcripts into a project; refused files are reported and store nothing."""
    from coding import store
    from coding.codebook.frameworks import get_framework
    from coding.exchange import batch_import, refi_import
    from coding.limits import ImportRefused

    if any(refi_import.is_refi(path.name) for path in files):
        if len(files) != 1:
            fail("a REFI-QDA file (.qdpx or .qdc) is imported on its own, as a new project")
        _import_refi(files[0], project, acting, nvivo)
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
                document = batch_import.import_one(session, project_id=target.id, user=user, name=path.name, data=data,
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


def _import_refi(path: Path, project: str, acting: Optional[str], nvivo: bool = False) -> None:
    """A .qdpx or .qdc file as a new project, with the report of what came in and what did not."""
    from coding import store
    from coding.exchange import refi_import
    from coding.limits import ImportRefused

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"{path}: cannot be read ({exc.strerror})")
    session, user = open_session(acting)
    with session:
        try:
            report = refi_import.import_refi(session, name=project, filename=path.name, data=data, user=user,
                                             nvivo=nvivo)
        except (ImportRefused, store.Conflict, store.Invalid) as exc:
            fail(f"refused {exc}" if isinstance(exc, ImportRefused) else str(exc))
    typer.echo(report.summary())
    for note in report.notes:
        typer.echo(f"note: {note}")
    for missing in report.missing:
        typer.echo(f"missing: {missing}")
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
    from coding.analysis import queries, retrieval
    from coding.exchange import downloads
    from coding.team import accounts, visibility

    writers = {"docx": downloads.quotes_docx, "xlsx": downloads.quotes_xlsx, "csv": downloads.quotes_csv}
    if fmt not in writers:
        fail("--format must be docx, xlsx or csv")
    session, _ = open_session()
    with session:
        target = find_project(session, project)
        if query:
            saved = queries.find_query(session, project_id=target.id, name=query)
            if saved is None:
                fail(f"project '{project}' has no saved query called '{query}'")
            wanted = retrieval.QuoteFilter.from_params(saved.params)
        else:
            wanted = retrieval.QuoteFilter(code=code)
        if layer:
            wanted.layer = layer
        if coder:
            person = accounts.find_user(session, name=coder)
            if person is None:
                fail(f"there is no user called '{coder}'")
            wanted.layer = retrieval.coder_choice(person.id)
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
    from coding import store
    from coding.codebook.frameworks import get_framework
    from coding.exchange import downloads, refi_export
    from coding.team import visibility

    if fmt not in ("docx", "qdc"):
        fail("--format must be docx or qdc")
    if bool(project) == bool(framework):
        fail("give either --project NAME or --framework ID")
    if framework:
        try:
            data = (downloads.framework_docx if fmt == "docx" else refi_export.framework_qdc)(get_framework(framework))
        except KeyError as exc:
            fail(str(exc.args[0]))
    else:
        session, _ = open_session()
        with session:
            target = find_project(session, project)
            try:
                data = (downloads.codebook_docx(session, project=target, scope=visibility.EVERYTHING) if fmt == "docx"
                        else refi_export.codebook_qdc(session, project=target))
            except store.Invalid as exc:
                fail(str(exc))
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


def export_project(
    project: str = typer.Option(..., "--project"),
    fmt: str = typer.Option("qdpx", "--format", help="qdpx (REFI-QDA project, for NVivo, ATLAS.ti, MAXQDA...)"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    positions: str = typer.Option("codepoints", "--positions",
                                  help="codepoints (the standard's), or utf16 (positions for NVivo)."),
) -> None:
    """Write a whole project (codebook, transcripts, every layer's codings and memos) as REFI-QDA."""
    from coding import store
    from coding.exchange import refi_export

    if fmt != "qdpx":
        fail("--format must be qdpx")
    session, _ = open_session()
    with session:
        try:
            data = refi_export.project_qdpx(session, project=find_project(session, project), positions=positions)
        except store.Invalid as refused:
            fail(str(refused))
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


class ExportGroup(TyperGroup):
    """`peerframe export PROJECT FORMAT`: a first word that is not one of the older subcommands (quotes,
    codebook, project) names a project, and the command is `export file`."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "file", self.commands["file"], args
        return super().resolve_command(ctx, args)


# format: (what it is, file name after the project's stem, role needed)
FORMATS = {
    "word-quotes": ("the coded quotes in Word", "-quotes.docx", "viewer"),
    "excel": ("the coded quotes in Excel", "-quotes.xlsx", "viewer"),
    "csv": ("the coded quotes as CSV", "-quotes.csv", "viewer"),
    "report-word": ("the Word quote report (--template, --tag, --show-coder, --show-document)", "-report.docx",
                    "viewer"),
    "matrix-word": ("a matrix in Word (--kind, --mode, --by)", "-matrix.docx", "viewer"),
    "matrix-excel": ("a matrix in Excel (--kind, --mode, --by)", "-matrix.xlsx", "viewer"),
    "codebook-word": ("the codebook with definitions and example quotes, in Word", "-codebook.docx", "viewer"),
    "codebook-qdc": ("the codebook as REFI-QDA (.qdc)", "-codebook.qdc", "viewer"),
    "refi-qdpx": ("the whole project as REFI-QDA (.qdpx; needs the lead role)", ".qdpx", "lead"),
    "memos-word": ("every memo the reader may read, in Word", "-memos.docx", "viewer"),
}
FORMAT_HELP = "; ".join(f"{name}: {what}" for name, (what, _, _) in FORMATS.items())


def _wanted(session, where, query: Optional[str], code: Optional[str], layer: Optional[str]):
    """The quote filter the options name, narrowed to what the reader may see (as the pages narrow it)."""
    from coding.analysis import queries, retrieval

    scope = where.scope(session)
    if query:
        saved = next((q for q in queries.list_queries(session, project_id=where.project.id, scope=scope)
                      if q.name == query), None)
        if saved is None:
            fail(f"'{where.project.name}' has no saved query called '{query}'", UNKNOWN)
        wanted = retrieval.QuoteFilter.from_params(saved.params)
    else:
        wanted = retrieval.QuoteFilter(codes=[code] if code else [])
    if layer:
        wanted.layer = layer
    return retrieval.narrowed(wanted, scope)


def _export_bytes(session, where, fmt: str, wanted, options: dict) -> bytes:
    from coding.exchange import downloads, refi_export
    from coding.exchange.memos_docx import memos_docx

    project, scope = where.project, where.scope(session)
    if fmt in ("word-quotes", "report-word"):
        return downloads.quotes_docx(session, project=project, wanted=wanted, scope=scope,
                                     options=options["report"] if fmt == "report-word" else None)
    if fmt in ("excel", "csv"):
        return (downloads.quotes_xlsx if fmt == "excel" else downloads.quotes_csv)(session, project=project, wanted=wanted,
                                                                                   scope=scope)
    if fmt.startswith("matrix-"):
        return downloads.matrix_file(session, project=project, wanted=wanted, scope=scope, kind=options["kind"],
                                     mode=options["mode"], attribute=options["by"],
                                     fmt="docx" if fmt == "matrix-word" else "xlsx")
    if fmt == "codebook-word":
        return downloads.codebook_docx(session, project=project, scope=scope)
    if fmt == "codebook-qdc":
        return refi_export.codebook_qdc(session, project=project)
    if fmt == "refi-qdpx":
        return refi_export.project_qdpx(session, project=project)
    return memos_docx(session, project=project, scope=scope, user=where.user)


def export_file(
    project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
    fmt: str = typer.Argument(..., metavar="FORMAT", help=FORMAT_HELP),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default: the name the page's "
                                                                  "download has, in this folder)."),
    query: Optional[str] = typer.Option(None, "--query", help="Quotes and matrices: start from this saved query."),
    code: Optional[str] = typer.Option(None, "--code", help="Quotes and matrices: only this code and its sub-codes."),
    layer: Optional[str] = typer.Option(None, "--layer", help="consensus, all, or coder:<user id>."),
    kind: str = typer.Option("values-decisions", "--kind", help="Matrix: values-decisions, codes or attribute."),
    mode: str = typer.Option("overlap", "--mode", help="Matrix: overlap or turn."),
    by: str = typer.Option("approach", "--by", help="Matrix of kind attribute: the attribute."),
    template: Optional[Path] = typer.Option(None, "--template", help="Report: a Word file whose styles it uses."),
    tag: list[str] = typer.Option([], "--tag", help="Report: an attribute cited after each quote (repeatable)."),
    show_coder: bool = typer.Option(False, "--show-coder", help="Report: a column naming the coder."),
    show_document: bool = typer.Option(False, "--show-document", help="Report: a column naming the transcript."),
    as_user: Optional[str] = ACTING,
) -> None:
    """Write one of the project's exports, as its page downloads it, to a file (nothing is written on refusal)."""
    from coding import store
    from coding.exchange.downloads import ReportOptions, file_stem
    from coding.exchange.docx import TemplateRefused
    from coding.limits import LimitExceeded

    if fmt not in FORMATS:
        fail(f"there is no export format '{fmt}'; the formats are: {', '.join(FORMATS)}", UNKNOWN)
    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = standing(session, user, project, FORMATS[fmt][2], local=as_user is None)
        wanted = _wanted(session, where, query, code, layer)
        try:
            style = template.open("rb") if template is not None else None
        except OSError as exc:
            fail(f"{template}: cannot be read ({exc.strerror})")
        options = {"kind": kind, "mode": mode, "by": by,
                   "report": ReportOptions(tag_attributes=tag or ["approach"], show_coder=show_coder,
                                           show_document=show_document, template=style)}
        try:
            data = _export_bytes(session, where, fmt, wanted, options)
        except (store.Invalid, store.NotFound, TemplateRefused, LimitExceeded) as exc:
            fail(f"{template}: {exc}" if isinstance(exc, (TemplateRefused, LimitExceeded)) else str(exc))
        finally:
            if style is not None:
                style.close()
        target = out or Path(file_stem(where.project.name) + FORMATS[fmt][1])
    target.write_bytes(data)
    typer.echo(f"wrote {target}")
