"""The `peerframe` command."""

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from pydantic import ValidationError

from coding import accounts, export, imports, queries, refi_export, refi_import, reports, signin, store, visibility
from coding.db import make_engine, migrate, session_for
from coding.frameworks import FrameworkError, available_frameworks, get_framework
from coding.transcripts import ImportRefused
from server.cli_erase import erase_app
from server.settings import Settings

app = typer.Typer(help="Peerframe: qualitative coding against a values framework.", no_args_is_help=True)
frameworks_app = typer.Typer(help="The frameworks shipped with Peerframe.", no_args_is_help=True)
export_app = typer.Typer(help="Write reports to files.", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(export_app, name="export")
users_app = typer.Typer(help="User accounts (team servers).", no_args_is_help=True)
members_app = typer.Typer(help="Who belongs to a project, and in what role.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts (sent as 'Authorization: Bearer TOKEN').", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(members_app, name="members")
app.add_typer(token_app, name="token")
app.add_typer(erase_app, name="erase")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        _fail("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()))


def _session(acting: Optional[str] = None):
    """A database session, and the user the command acts as (the local user unless named)."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    session = session_for(engine)
    if acting:
        user = accounts.find_user(session, name=acting)
        if user is None:
            _fail(f"no user called '{acting}'")
        return session, user
    return session, store.ensure_user(session, name=settings.single_user_name)


def _project(session, name: str):
    project = store.find_project(session, name=name)
    if project is None:
        names = ", ".join(p.name for p in store.list_projects(session)) or "none yet"
        _fail(f"no project called '{name}' (projects: {names})")
    return project


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Create the demo project (once) and run single-user."),
    single_user: bool = typer.Option(False, "--single-user", help="Run without login as the one local user."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes (for a team on PostgreSQL)."),
) -> None:
    """Run the web application: signed-in team use, or single-user on this machine only."""
    import uvicorn

    from server.app import create_app, is_loopback

    single = demo or single_user
    if single and not is_loopback(host):
        _fail(f"single-user mode runs without login, so it only listens on a loopback address, not {host}")
    settings = _settings(demo=demo, single_user=single)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with session_for(engine) as session:
        if demo:
            from coding.demo import seed_demo

            seed_demo(session, user=store.ensure_user(session, name=settings.single_user_name),
                      single_user=settings.single_user)
        needs_admin = not single and not accounts.has_admin(session)
    engine.dispose()
    typer.echo(f"Peerframe on http://{host}:{port}  ({'single-user' if single else 'sign-in required'}; "
               f"database: {settings.database_url.split('@')[-1]}; workers: {workers})")
    if needs_admin:
        typer.echo(f"No administrator yet: open http://{host}:{port}/setup to create one "
                   "(or run: peerframe users add NAME --admin --password-stdin)")
    if workers == 1:
        uvicorn.run(create_app(settings.model_copy(update={"demo": False})), host=host, port=port, log_level="info")
        return
    os.environ["PEERFRAME_SINGLE_USER"] = "true" if single else "false"
    os.environ["PEERFRAME_DATABASE_URL"] = settings.database_url
    os.environ.pop("PEERFRAME_DEMO", None)
    uvicorn.run("server.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@frameworks_app.command("list")
def frameworks_list() -> None:
    """List the frameworks a project can start from."""
    try:
        for framework in available_frameworks().values():
            count = sum(1 for _ in framework.walk())
            typer.echo(f"{framework.id}\t{framework.name} (version {framework.version}, {count} codes)")
    except FrameworkError as exc:
        _fail(str(exc))


@frameworks_app.command("show")
def frameworks_show(framework_id: str, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show a framework's codes as a tree."""
    try:
        framework = get_framework(framework_id)
    except (KeyError, FrameworkError) as exc:
        _fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    if as_json:
        typer.echo(json.dumps(framework.as_tree(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"{framework.name} (version {framework.version})")
    for code in framework.walk():
        depth = code.id.count("/")
        tier = f" [{code.tier}]" if code.tier else ""
        typer.echo(f"{'  ' * depth}{code.id}: {code.name}{tier}")


@app.command("import")
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
    if any(refi_import.is_refi(path.name) for path in files):
        if len(files) != 1:
            _fail("a REFI-QDA file (.qdpx or .qdc) is imported on its own, as a new project")
        _import_refi(files[0], project, acting, nvivo)
        return
    session, user = _session(acting)
    with session:
        target = store.find_project(session, name=project)
        if target is None:
            try:
                target = store.create_project(session, name=project, framework=get_framework(framework), user=user)
            except KeyError as exc:
                _fail(str(exc.args[0]))
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


def _import_refi(path: Path, project: str, acting: Optional[str], nvivo: bool = False) -> None:
    """A .qdpx or .qdc file as a new project, with the report of what came in and what did not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"{path}: cannot be read ({exc.strerror})")
    session, user = _session(acting)
    with session:
        try:
            report = refi_import.import_refi(session, name=project, filename=path.name, data=data, user=user,
                                             nvivo=nvivo)
        except (ImportRefused, store.Conflict, store.Invalid) as exc:
            _fail(f"refused {exc}" if isinstance(exc, ImportRefused) else str(exc))
    typer.echo(report.summary())
    for note in report.notes:
        typer.echo(f"note: {note}")
    for missing in report.missing:
        typer.echo(f"missing: {missing}")
    for skipped in report.skipped:
        typer.echo(f"not imported: {skipped}")


@export_app.command("quotes")
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
    writers = {"docx": export.quotes_docx, "xlsx": export.quotes_xlsx, "csv": export.quotes_csv}
    if fmt not in writers:
        _fail("--format must be docx, xlsx or csv")
    session, _ = _session()
    with session:
        target = _project(session, project)
        if query:
            saved = queries.find_query(session, project_id=target.id, name=query)
            if saved is None:
                _fail(f"project '{project}' has no saved query called '{query}'")
            wanted = reports.QuoteFilter.from_params(saved.params)
        else:
            wanted = reports.QuoteFilter(code=code)
        if layer:
            wanted.layer = layer
        if coder:
            person = accounts.find_user(session, name=coder)
            if person is None:
                _fail(f"there is no user called '{coder}'")
            wanted.layer = reports.coder_choice(person.id)
        data = writers[fmt](session, project=target, wanted=wanted, scope=visibility.EVERYTHING)
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


@export_app.command("codebook")
def export_codebook(
    project: Optional[str] = typer.Option(None, "--project"),
    framework: Optional[str] = typer.Option(None, "--framework"),
    fmt: str = typer.Option("docx", "--format", help="docx (Word) or qdc (REFI-QDA codebook)"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
) -> None:
    """Write a project's codebook, or a shipped framework, to Word or REFI-QDA."""
    if fmt not in ("docx", "qdc"):
        _fail("--format must be docx or qdc")
    if bool(project) == bool(framework):
        _fail("give either --project NAME or --framework ID")
    if framework:
        try:
            data = (export.framework_docx if fmt == "docx" else refi_export.framework_qdc)(get_framework(framework))
        except KeyError as exc:
            _fail(str(exc.args[0]))
    else:
        session, _ = _session()
        with session:
            target = _project(session, project)
            try:
                data = (export.codebook_docx(session, project=target, scope=visibility.EVERYTHING) if fmt == "docx"
                        else refi_export.codebook_qdc(session, project=target))
            except store.Invalid as exc:
                _fail(str(exc))
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


@export_app.command("project")
def export_project(
    project: str = typer.Option(..., "--project"),
    fmt: str = typer.Option("qdpx", "--format", help="qdpx (REFI-QDA project, for NVivo, ATLAS.ti, MAXQDA...)"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    positions: str = typer.Option("codepoints", "--positions",
                                  help="codepoints (the standard's), or utf16 (positions for NVivo)."),
) -> None:
    """Write a whole project (codebook, transcripts, every layer's codings and memos) as REFI-QDA."""
    if fmt != "qdpx":
        _fail("--format must be qdpx")
    session, _ = _session()
    with session:
        try:
            data = refi_export.project_qdpx(session, project=_project(session, project), positions=positions)
        except store.Invalid as refused:
            _fail(str(refused))
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


@app.command()
def suggest(
    framework: str = typer.Option("side-by-side", "--framework", help="Framework whose top-level codes are ranked."),
    examples: Optional[Path] = typer.Option(None, "--examples", help='JSON lines {"text", "codes": [ids]} to learn from.'),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="Print only the N best codes of each ranking."),
) -> None:
    """Rank codes for passages: JSON lines {"id", "text"} on standard input, one JSON line out per passage."""
    from coding.examples import LineError, read_examples, read_passages
    from coding.suggest import Scorer, evidence_from_framework

    try:
        evidence = evidence_from_framework(get_framework(framework))
    except KeyError as exc:
        _fail(str(exc.args[0]))
    learned = []
    if examples is not None:
        try:
            lines = examples.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"{examples}: cannot be read ({exc})")
        learned, warnings = read_examples(lines, evidence, source=str(examples))
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
    scorer = Scorer(evidence, learned)
    for item in read_passages(sys.stdin, source="standard input"):
        if isinstance(item, LineError):
            typer.echo(f"error: {item}", err=True)
            continue
        ranked = scorer.rank(item.text)
        shown = ranked[:top] if top else ranked
        out = {"id": item.id, "ranked": [{"code": r.code, "score": r.score, "matched": r.matched} for r in shown],
               "suggested": scorer.suggested(ranked)[: top or None]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _user(session, name: str):
    user = accounts.find_user(session, name=name)
    if user is None:
        _fail(f"no user called '{name}' (add one with: peerframe users add {name} --password-stdin)")
    return user


@users_app.command("add")
def users_add(
    name: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    admin: bool = typer.Option(False, "--admin", help="Make the user an administrator."),
    display_name: str = typer.Option("", "--display-name", help="The name others see."),
) -> None:
    """Add a user who signs in with a password (read from standard input, never from the command line)."""
    if not password_stdin:
        _fail("give the password on standard input with --password-stdin (it must not appear in the shell history)")
    password = sys.stdin.readline().rstrip("\r\n")
    session, _ = _session()
    with session:
        try:
            user = accounts.create_user(session, name=name, password=password, display_name=display_name, admin=admin)
        except ValueError as exc:
            _fail(str(exc))
    typer.echo(f"added user {user.name}{' (administrator)' if user.is_admin else ''}")


@users_app.command("password")
def users_password(
    name: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from standard input."),
) -> None:
    """Set a user's password (read from standard input); every browser they are signed in on is signed out."""
    if not password_stdin:
        _fail("give the new password on standard input with --password-stdin (it must not appear in the shell history)")
    password = sys.stdin.readline().rstrip("\r\n")
    session, _ = _session()
    with session:
        user = _user(session, name)
        try:
            ended = signin.reset_password(session, user=user, new=password)
        except ValueError as exc:
            _fail(str(exc))
    typer.echo(f"{user.name} has a new password; signed out of {ended} session{'s' if ended != 1 else ''}")


@users_app.command("sign-out")
def users_sign_out(name: str) -> None:
    """Sign a user out of every browser at once (their API tokens are revoked separately)."""
    session, _ = _session()
    with session:
        user = _user(session, name)
        ended = signin.end_sessions(session, user=user)
    typer.echo(f"{user.name} is signed out of {ended} session{'s' if ended != 1 else ''}")


@users_app.command("list")
def users_list() -> None:
    """List the users."""
    session, _ = _session()
    with session:
        for user in store.list_users(session):
            flags = [f for f, on in (("admin", user.is_admin), ("can sign in", bool(user.password_hash))) if on]
            typer.echo(f"{user.name}\t{user.display_name}\t{', '.join(flags)}")


@members_app.command("add")
def members_add(name: str, project: str = typer.Option(..., "--project"),
                role: str = typer.Option(..., "--role", help="lead, coder or viewer")) -> None:
    """Give a user a role in a project (or change it)."""
    session, local = _session()
    with session:
        target = _project(session, project)
        try:
            accounts.set_member(session, project_id=target.id, user=_user(session, name), role=role, by=local)
        except ValueError as exc:
            _fail(str(exc))
    typer.echo(f"{name} is now {role} in '{project}'")


@members_app.command("list")
def members_list(project: str = typer.Option(..., "--project")) -> None:
    """List a project's members and roles."""
    session, _ = _session()
    with session:
        for user, role in accounts.members(session, project_id=_project(session, project).id):
            typer.echo(f"{user.name}\t{role}")


@token_app.command("create")
def token_create(name: str, label: str = typer.Option("command line", "--label", help="What the token is for.")) -> None:
    """Print a new API token for the user (shown once; only its hash is stored)."""
    session, _ = _session()
    with session:
        plain, record = accounts.create_token(session, user=_user(session, name), name=label)
    typer.echo(plain)


@token_app.command("list")
def token_list(name: str) -> None:
    """List a user's tokens (never the tokens themselves)."""
    session, _ = _session()
    with session:
        for record in accounts.list_tokens(session, user=_user(session, name)):
            state = "revoked" if record.revoked else "active"
            typer.echo(f"{record.id}\t{record.name}\t{record.created_at:%Y-%m-%d}\t{state}")


@token_app.command("revoke")
def token_revoke(name: str, token_id: int) -> None:
    """Revoke one of a user's tokens by its number (from `peerframe token list`)."""
    session, _ = _session()
    with session:
        try:
            accounts.revoke_token(session, user=_user(session, name), token_id=token_id)
        except LookupError as exc:
            _fail(str(exc))
    typer.echo(f"revoked token {token_id}")


def main() -> None:  # pragma: no cover
    app(prog_name="peerframe")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
