"""What every command shares: settings, a database session, who is acting, and naming projects, documents and users.

The options and `fail` cost nothing to import; the helpers that reach the database import it when called.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, Optional

import click
import typer

if TYPE_CHECKING:
    from coding.models import Document, Project, User
    from coding.team import visibility
    from server.settings import Settings

UNKNOWN = 2  # the exit code when a project, transcript, user or item named on the command line is not there
REFUSED = 1  # the exit code when the command is understood but refused (a role, a rule, a bad value)
ACTING = typer.Option(None, "--as", help="Act as this user, with their role in the project "
                                         "(default: the local user, who leads every project, as in single-user mode).")
JSON = typer.Option(False, "--json", help="Print JSON (keys listed above) instead of text.")


def fail(message: str, code: int = REFUSED) -> NoReturn:
    """Print `error: message` on standard error and stop with `code`."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings(**overrides) -> Settings:
    """The server settings (from PEERFRAME_* variables), or a plain error naming what is wrong."""
    from pydantic import ValidationError

    from server.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        fail("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()))


def open_session(acting: Optional[str] = None, code: int = REFUSED):
    """A database session, and the user the command acts as (the local user unless named; exit `code` when
    there is no such user)."""
    from coding import store
    from coding.db import make_engine, migrate, session_for
    from coding.team import accounts

    chosen = settings()
    engine = make_engine(chosen.database_url)
    migrate(engine)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(engine.dispose)  # no connection outlives the command
    session = session_for(engine)
    if acting:
        user = accounts.find_user(session, name=acting)
        if user is None:
            fail(f"no user called '{acting}'", code)
        return session, user
    return session, store.ensure_user(session, name=chosen.single_user_name)


def find_project(session, name: str) -> Project:
    """The project by name (as the existing commands name it), or exit 1 listing the projects there are."""
    from coding import store

    project = store.find_project(session, name=name)
    if project is None:
        names = ", ".join(p.name for p in store.list_projects(session)) or "none yet"
        fail(f"no project called '{name}' (projects: {names})")
    return project


def find_user(session, name: str, code: int = REFUSED) -> User:
    """The user by name, or exit with `code` saying how to add one."""
    from coding.team import accounts

    user = accounts.find_user(session, name=name)
    if user is None:
        fail(f"no user called '{name}' (add one with: peerframe users add {name} --password-stdin)", code)
    return user


def emit(data) -> None:
    """Print `data` as indented JSON."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@dataclass
class Standing:
    """The acting user's standing in one project, decided as the pages decide it."""

    user: User
    project: Project
    role: str
    local: bool

    def scope(self, session) -> visibility.Scope:
        """What this user may see of the project."""
        from coding.team import visibility

        return visibility.scope_for(session, project=self.project, user=self.user, role=self.role)


def _role(session, project: Project, user: User, local: bool) -> Optional[str]:
    from coding.team import accounts

    return accounts.acting_role(session, project_id=project.id, user=user, local=local)


def standing(session, user: User, named: str, needed: str = "viewer", *, local: bool,
             code: int = UNKNOWN) -> Standing:
    """The project `named` (its name, or its id) for the acting user, who needs at least the role `needed`.

    A project the user is not a member of is reported exactly like one that does not exist.
    """
    from coding import store
    from coding.models import Project
    from coding.team import accounts

    project = store.find_project(session, name=named)
    if project is None and named.isascii() and named.isdigit():
        project = session.get(Project, int(named))
    role = _role(session, project, user, local) if project is not None else None
    if role is None:
        known = ", ".join(p.name for p in store.list_projects(session) if _role(session, p, user, local))
        seen = "projects" if local else f"projects {user.name} can see"
        fail(f"no project called '{named}' ({seen}: {known or ('none yet' if local else 'none')})", code)
    if not accounts.at_least(role, needed):
        fail(f"this needs the {needed} role in '{project.name}'; {user.name} is a {role} there")
    return Standing(user, project, role, local)


def find_document(session, where: Standing, named: str) -> Document:
    """A transcript of the project by name or id that the acting user may see (a coder: only their own)."""
    from coding import store

    documents = where.scope(session).documents_of(store.list_documents(session, project_id=where.project.id))
    found = [d for d in documents if d.name == named]
    if not found and named.isascii() and named.isdigit():
        found = [d for d in documents if d.id == int(named)]
    if len(found) != 1:
        names = ", ".join(d.name for d in documents) or "none"
        how = "no transcript" if not found else "several transcripts"
        fail(f"'{where.project.name}' has {how} called '{named}' (it has: {names}; name one by its id)", UNKNOWN)
    return found[0]
