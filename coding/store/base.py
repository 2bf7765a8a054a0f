"""What every part of the store shares: its errors, the event log writer, transactions."""

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Callable, Iterator, Optional

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select
from sqlmodel import Session

from coding.models import Event, User


class NotFound(LookupError):
    """The thing asked for does not exist (or is not visible)."""


class Invalid(ValueError):
    """The request is understood but cannot be carried out as asked."""


class Conflict(ValueError):
    """The request clashes with something already stored."""


class NotYours(PermissionError):
    """A change to someone else's layer: each coder writes only to their own."""


def records(session: Session, query: Select, **params: Any) -> list[Row]:
    """A query's rows, read through SQLAlchemy Core: read-only records with the selected columns as attributes
    (`row.start`), without the ORM's per-row work. For the reads a page makes many rows of; changes still
    pending in the session are written first, as an ORM query would. `params` fill the query's `bindparam()`s:
    the reads on every page are statements built once (see `built`), not per call."""
    session.flush()
    return session.connection().execute(query, params).all()


def built(make: Callable[..., Select]) -> Callable[..., Select]:
    """Build a statement once for each combination of the arguments `make` takes (which filters it has) and
    keep it: a statement built anew costs several times the query it runs, in Python alone, and a kept one
    also keeps its cache key. The values go in as `bindparam()`s, given to `records` at each call."""
    return lru_cache(maxsize=None)(make)


CLASH = "that clashes with a change saved at the same moment; reload the page and try again"


@contextmanager
def clashing(session: Session, message: str = CLASH) -> Iterator[None]:
    """Turn a database constraint's refusal (two requests racing to make the same thing) into `Conflict`."""
    try:
        yield
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(message) from exc


def _done(session: Session, clash: str = CLASH) -> None:
    """Commit a change, unless it is part of a larger one (see `atomic`), which commits it with the rest."""
    with clashing(session, clash):
        if session.info.get("atomic"):
            session.flush()
        else:
            session.commit()


@contextmanager
def atomic(session: Session) -> Iterator[None]:
    """Make every change inside one transaction: all of it is stored at the end, or on any error none."""
    session.info["atomic"] = True
    try:
        yield
    except BaseException:
        session.info.pop("atomic", None)
        session.rollback()
        raise
    session.info.pop("atomic", None)
    session.commit()


def _log(session: Session, *, project_id: int, user: User, kind: str, payload: dict[str, Any],
         document_id: Optional[int] = None, undoes: Optional[int] = None) -> Event:
    event = Event(project_id=project_id, user_id=user.id, kind=kind, payload=payload,
                  document_id=document_id, undoes=undoes)
    session.add(event)
    return event
