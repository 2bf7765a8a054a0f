"""`peerframe users` and `peerframe token`: accounts, passwords, sessions and API tokens."""

import sys

import typer

from server.cli.common import fail, find_user, open_session

users_app = typer.Typer(help="User accounts (team servers).", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts (sent as 'Authorization: Bearer TOKEN').", no_args_is_help=True)


def _password(option: bool, missing: str) -> str:
    if not option:
        fail(f"give {missing} on standard input with --password-stdin (it must not appear in the shell history)")
    return sys.stdin.readline().rstrip("\r\n")


def _sessions(count: int) -> str:
    return f"{count} session{'s' if count != 1 else ''}"


@users_app.command("add")
def users_add(
    name: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    admin: bool = typer.Option(False, "--admin", help="Make the user an administrator."),
    display_name: str = typer.Option("", "--display-name", help="The name others see."),
) -> None:
    """Add a user who signs in with a password (read from standard input, never from the command line)."""
    from coding.team import accounts

    password = _password(password_stdin, "the password")
    session, _ = open_session()
    with session:
        try:
            user = accounts.create_user(session, name=name, password=password, display_name=display_name, admin=admin)
        except ValueError as exc:
            fail(str(exc))
    typer.echo(f"added user {user.name}{' (administrator)' if user.is_admin else ''}")


@users_app.command("password")
def users_password(
    name: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from standard input."),
) -> None:
    """Set a user's password (read from standard input); every browser they are signed in on is signed out."""
    from coding.team import signin

    password = _password(password_stdin, "the new password")
    session, _ = open_session()
    with session:
        user = find_user(session, name)
        try:
            ended = signin.reset_password(session, user=user, new=password)
        except ValueError as exc:
            fail(str(exc))
    typer.echo(f"{user.name} has a new password; signed out of {_sessions(ended)}")


@users_app.command("sign-out")
def users_sign_out(name: str) -> None:
    """Sign a user out of every browser at once (their API tokens are revoked separately)."""
    from coding.team import signin

    session, _ = open_session()
    with session:
        user = find_user(session, name)
        ended = signin.end_sessions(session, user=user)
    typer.echo(f"{user.name} is signed out of {_sessions(ended)}")


@users_app.command("list")
def users_list() -> None:
    """List the users."""
    from coding import store

    session, _ = open_session()
    with session:
        for user in store.list_users(session):
            flags = [f for f, on in (("admin", user.is_admin), ("can sign in", bool(user.password_hash))) if on]
            typer.echo(f"{user.name}\t{user.display_name}\t{', '.join(flags)}")


@token_app.command("create")
def token_create(name: str, label: str = typer.Option("command line", "--label", help="What the token is for.")) -> None:
    """Print a new API token for the user (shown once; only its hash is stored)."""
    from coding.team import accounts

    session, _ = open_session()
    with session:
        plain, record = accounts.create_token(session, user=find_user(session, name), name=label)
    typer.echo(plain)


@token_app.command("list")
def token_list(name: str) -> None:
    """List a user's tokens (never the tokens themselves)."""
    from coding.team import accounts

    session, _ = open_session()
    with session:
        for record in accounts.list_tokens(session, user=find_user(session, name)):
            state = "revoked" if record.revoked else "active"
            typer.echo(f"{record.id}\t{record.name}\t{record.created_at:%Y-%m-%d}\t{state}")


@token_app.command("revoke")
def token_revoke(name: str, token_id: int) -> None:
    """Revoke one of a user's tokens by its number (from `peerframe token list`)."""
    from coding.team import accounts

    session, _ = open_session()
    with session:
        try:
            accounts.revoke_token(session, user=find_user(session, name), token_id=token_id)
        except LookupError as exc:
            fail(str(exc))
    typer.echo(f"revoked token {token_id}")
