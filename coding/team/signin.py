"""Signing in: passwords checked under a throttle, first-run set-up, and server-side browser sessions."""

import functools
import secrets
from datetime import datetime, timedelta
from typing import Optional

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from coding import store
from coding.models import LoginAttempt, ServerClaim, User, UserSession, utcnow
from coding.team.accounts import _aware, _digest, _hasher, create_user, find_user, has_admin, set_password

MAX_FAILURES = 5  # wrong passwords for one name from one address
MAX_NAME_FAILURES = 20  # for one name from anywhere (guessing spread over many addresses)
MAX_ADDRESS_FAILURES = 50  # from one address over any names (a team behind one router stays able to sign in)
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
# checked when the name is unknown, so that unknown and known names take the same time to refuse


@functools.cache
def decoy_hash() -> str:
    """A hash of no one's password, checked for unknown names so that they cost what known ones do (made on
    first use: hashing takes a sixth of a second, which every command would otherwise pay at start-up)."""
    return _hasher.hash(secrets.token_urlsafe(16))


class SignInRefused(ValueError):
    """The name or password is wrong (the message never says which)."""


class Throttled(ValueError):
    """Too many failed sign-ins; the message says how long to wait."""


def _failures(session: Session, since: datetime, *conditions) -> int:
    return session.exec(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since, *conditions)).one()


def _throttle_wait(session: Session, since: datetime, name: str, address: str) -> Optional[int]:
    """Minutes to wait when one of the limits is passed, else None."""
    limits = ((MAX_FAILURES, (LoginAttempt.name == name, LoginAttempt.address == address)),
              (MAX_NAME_FAILURES, (LoginAttempt.name == name,)),
              (MAX_ADDRESS_FAILURES, (LoginAttempt.address == address,)))
    for limit, conditions in limits:
        if _failures(session, since, *conditions) > limit:
            oldest = session.exec(select(func.min(LoginAttempt.at)).where(LoginAttempt.at >= since, *conditions)).one()
            return max(1, int((_aware(oldest) + FAILURE_WINDOW - utcnow()).total_seconds() // 60) + 1)
    return None


def _password_matches(user: Optional[User], password: str) -> bool:
    """True when the password is the user's; one argon2 check either way, a decoy's for no user or password."""
    usable = user is not None and bool(user.password_hash)
    try:
        return _hasher.verify(user.password_hash if usable else decoy_hash(), password) and usable
    except (VerificationError, InvalidHashError):
        return False


def sign_in(session: Session, *, name: str, password: str, address: str) -> User:
    """The user, if the password is right and neither the name nor the address is being throttled.

    Each try is recorded as a failure *before* the password is checked and only then counted, so that
    guesses sent at the same moment cannot all slip under the limit: the n-th try to be recorded sees at
    least n tries. A right password clears the record of that name's failures from that address.
    """
    name, address = name[:80], address[:64]
    since = utcnow() - FAILURE_WINDOW
    attempt = LoginAttempt(name=name, address=address)
    session.add(attempt)
    session.commit()
    wait = _throttle_wait(session, since, name, address)
    if wait is not None:
        session.delete(attempt)
        session.commit()
        raise Throttled(f"too many failed sign-ins; try again in {wait} minute{'s' if wait != 1 else ''}")
    user = find_user(session, name=name)
    if not _password_matches(user, password):
        raise SignInRefused("that name and password do not match an account")
    session.exec(delete(LoginAttempt).where(LoginAttempt.name == name, LoginAttempt.address == address))
    session.commit()
    return user


def claim(session: Session, name: str) -> None:
    """Claim a one-time server event in the caller's transaction; the commit fails if it was claimed before."""
    session.add(ServerClaim(name=name))


def create_first_admin(session: Session, *, name: str, password: str, display_name: str = "") -> User:
    """The server's first administrator; when several first-run set-ups race, exactly one succeeds."""
    if has_admin(session):
        raise store.Conflict("this server already has an administrator")
    claim(session, "first-admin")
    try:
        return create_user(session, name=name, password=password, display_name=display_name, admin=True)
    except IntegrityError:
        session.rollback()
        raise store.Conflict("this server already has an administrator") from None
    except ValueError:
        session.rollback()
        raise


# --- browser sessions -----------------------------------------------------------------------------

def start_session(session: Session, *, user: User) -> tuple[str, UserSession]:
    """A new signed-in session: the plain token (for the cookie only) and its stored record."""
    plain = secrets.token_urlsafe(32)
    record = UserSession(user_id=user.id, token_hash=_digest(plain), csrf=secrets.token_urlsafe(24))
    session.add(record)
    session.commit()
    return plain, record


def session_for_token(session: Session, *, token: str) -> Optional[tuple[User, UserSession]]:
    """The user and session a cookie's token belongs to, while the session is live."""
    found = session.exec(_live_session(), params={"token_hash": _digest(token)}).first()
    if found is None or utcnow() - _aware(found[1].created_at) > SESSION_LIFETIME:
        return None
    return found[0], found[1]


@store.built
def _live_session():
    """The user and live session of a token's hash, in one query (every request asks it)."""
    return (select(User, UserSession).join(UserSession, col(UserSession.user_id) == User.id)
            .where(UserSession.token_hash == bindparam("token_hash"), col(UserSession.ended_at).is_(None)))


def end_session(session: Session, *, token: str) -> None:
    """Sign one browser out: the same cookie is refused from now on, by every worker."""
    session.exec(update(UserSession).where(UserSession.token_hash == _digest(token),
                                           col(UserSession.ended_at).is_(None)).values(ended_at=utcnow()))
    session.commit()


def end_sessions(session: Session, *, user: User, keep: Optional[int] = None) -> int:
    """End every live session of the user (but `keep`, the one asking); how many were ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, col(UserSession.ended_at).is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    ended = session.exec(query.values(ended_at=utcnow())).rowcount
    session.commit()
    return ended


def live_session_counts(session: Session, *, user_ids: list[int]) -> dict[int, int]:
    """How many browsers each of these users is signed in on, in one query (users signed in nowhere: 0)."""
    since = utcnow() - SESSION_LIFETIME
    rows = session.exec(select(UserSession.user_id, func.count()).where(
        col(UserSession.user_id).in_(user_ids), col(UserSession.ended_at).is_(None), UserSession.created_at >= since)
        .group_by(UserSession.user_id)).all()
    return {user_id: 0 for user_id in user_ids} | dict(rows)


def live_sessions(session: Session, *, user: User) -> int:
    """How many browsers the user is signed in on."""
    return live_session_counts(session, user_ids=[user.id])[user.id]


def change_password(session: Session, *, user: User, current: str, new: str, keep: Optional[int] = None) -> int:
    """Change one's own password (the current one must be right); ends the user's other sessions."""
    if not _password_matches(user, current):
        raise SignInRefused("the current password is not right")
    set_password(session, user=user, password=new)
    return end_sessions(session, user=user, keep=keep)


def reset_password(session: Session, *, user: User, new: str) -> int:
    """An administrator sets a user's password; every session of that user ends."""
    set_password(session, user=user, password=new)
    return end_sessions(session, user=user)
