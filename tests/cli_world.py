"""Helpers for the command-line tests: open the command's database, count what is stored, run a command."""

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from coding.db import make_engine, migrate, session_for
from coding.models import Assignment, Coding, Event, Membership, Reconciliation
from server.cli import app

runner = CliRunner()


@contextmanager
def opened(url: str) -> Iterator[Session]:
    """A session on the command line's database (its engine closed after)."""
    engine = make_engine(url)
    migrate(engine)
    try:
        with session_for(engine) as session:
            yield session
    finally:
        engine.dispose()


def count(url: str, table) -> int:
    """How many rows the table has."""
    with opened(url) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def stored(url: str) -> tuple:
    """Counts of everything the team commands may change: members, assignments, events, codings, decisions."""
    return tuple(count(url, table) for table in (Membership, Assignment, Event, Coding, Reconciliation))


def cli(*args: str, **options):
    """Run `peerframe ARGS…` and return the result."""
    return runner.invoke(app, list(args), **options)
