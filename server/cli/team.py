"""`peerframe members` and `peerframe assign`: who belongs to a project, in what role, and who codes which
transcript (what the lead does on the Team and project pages)."""

from typing import Optional

import typer

from server.cli.common import (ACTING, JSON, REFUSED, UNKNOWN, emit, fail, find_document, find_user, open_session,
                               standing)

members_app = typer.Typer(help="Who belongs to a project, and in what role (the lead's Team page).",
                          no_args_is_help=True)
PROJECT = typer.Option(None, "--project", help="The project (older spelling: the project may come first instead).")
ROLE = typer.Option(..., "--role", help="lead, coder or viewer")


def _named(first: str, second: Optional[str], project: Optional[str]) -> tuple[str, Optional[str], int]:
    """(project, user, exit code for an unknown name) from `PROJECT USER` or the older `USER --project PROJECT`."""
    if project is not None:
        if second is not None:
            fail(f"name the project once: either '{first}' first or --project '{project}'", UNKNOWN)
        return project, first, REFUSED
    return first, second, UNKNOWN


def _lead(session, user, project: str, as_user: Optional[str], code: int):
    return standing(session, user, project, "lead", local=as_user is None, code=code)


def _member(session, name: Optional[str], code: int):
    if not name:
        fail("name the user: peerframe members add PROJECT USER --role ROLE", UNKNOWN)
    return find_user(session, name, code)


@members_app.command("list")
def members_list(first: Optional[str] = typer.Argument(None, metavar="PROJECT", help="Project name or id."),
                 project: Optional[str] = PROJECT, as_user: Optional[str] = ACTING, as_json: bool = JSON) -> None:
    """List a project's members and roles (one `name<TAB>role` line each).

    --json: a list of {"user", "display_name", "role"}, leads first."""
    from coding.team import accounts

    if (first is None) == (project is None):
        fail("name one project: peerframe members list PROJECT", UNKNOWN)
    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = _lead(session, user, first or project, as_user, REFUSED if project else UNKNOWN)
        found = accounts.members(session, project_id=where.project.id)
        if as_json:
            emit([{"user": u.name, "display_name": u.display_name, "role": role} for u, role in found])
            return
        for member, role in found:
            typer.echo(f"{member.name}\t{role}")


def _set(first: str, second: Optional[str], project: Optional[str], role: str, as_user: Optional[str],
         existing: bool) -> None:
    from coding.team import accounts

    project_name, name, code = _named(first, second, project)
    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = _lead(session, user, project_name, as_user, code)
        member = _member(session, name, code)
        if existing and accounts.role_in(session, project_id=where.project.id, user=member) is None:
            fail(f"{member.name} is not a member of '{where.project.name}' (add them with: "
                 f"peerframe members add '{where.project.name}' {member.name} --role {role})", UNKNOWN)
        try:
            accounts.set_member(session, project_id=where.project.id, user=member, role=role, by=user)
        except ValueError as exc:
            fail(str(exc))
    typer.echo(f"{name} is now {role} in '{project_name}'")


@members_app.command("add")
def members_add(first: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
                second: Optional[str] = typer.Argument(None, metavar="USER", help="The user's name."),
                project: Optional[str] = PROJECT, role: str = ROLE, as_user: Optional[str] = ACTING) -> None:
    """Give a user a role in a project (or change it). Needs the lead role."""
    _set(first, second, project, role, as_user, existing=False)


@members_app.command("role")
def members_role(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
                 name: str = typer.Argument(..., metavar="USER", help="A member's name."),
                 role: str = ROLE, as_user: Optional[str] = ACTING) -> None:
    """Change a member's role. Needs the lead role."""
    _set(project, name, None, role, as_user, existing=True)


@members_app.command("remove")
def members_remove(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
                   name: str = typer.Argument(..., metavar="USER", help="A member's name."),
                   as_user: Optional[str] = ACTING) -> None:
    """Take a member out of a project; their codings stay, in their layer. Needs the lead role."""
    from coding import store
    from coding.team import accounts

    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = _lead(session, user, project, as_user, UNKNOWN)
        member = _member(session, name, UNKNOWN)
        try:
            accounts.remove_member(session, project_id=where.project.id, user=member, by=user)
        except store.NotFound as exc:
            fail(f"{exc} ('{where.project.name}')", UNKNOWN)
        except store.Invalid as exc:
            fail(str(exc))
    typer.echo(f"{member.name} is no longer a member of '{where.project.name}'")


def assign(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
           document: Optional[str] = typer.Argument(None, metavar="DOCUMENT",
                                                    help="Transcript name or id (without it: list them all)."),
           coder: Optional[str] = typer.Argument(None, metavar="USER", help="The coder to give it to "
                                                                           "(without it: list the transcript's)."),
           remove: bool = typer.Option(False, "--remove", help="Take the transcript back from the coder."),
           as_user: Optional[str] = ACTING, as_json: bool = JSON) -> None:
    """Give a transcript to a coder (or take it back with --remove), or list who codes what. Needs the lead role.

    Listing prints `transcript<TAB>coder, coder` lines; --json: a list of {"document", "document_id", "coders"}."""
    from coding import store
    from coding.team import accounts

    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = standing(session, user, project, "lead", local=as_user is None)
        documents = store.list_documents(session, project_id=where.project.id)
        if document is not None:
            documents = [find_document(session, where, document)]
        if coder is None:
            if remove:
                fail("--remove needs the coder: peerframe assign PROJECT DOCUMENT USER --remove", UNKNOWN)
            rows = [(d, [u.name for u in accounts.assignees(session, document_id=d.id)]) for d in documents]
            if as_json:
                emit([{"document": d.name, "document_id": d.id, "coders": names} for d, names in rows])
                return
            for found, names in rows:
                typer.echo(f"{found.name}\t{', '.join(names) or '-'}")
            return
        person = find_user(session, coder, UNKNOWN)
        try:
            accounts.assign(session, document=documents[0], coder=person, by=user, assigned=not remove)
        except store.Invalid as exc:
            fail(f"{exc} (make them one with: peerframe members add '{where.project.name}' {person.name} --role coder)")
    typer.echo(f"{documents[0].name} is {'no longer ' if remove else ''}assigned to {person.name}")
