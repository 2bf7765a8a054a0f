"""Memos beside the codings: each author's memo on a transcript, and the project's titled memos.

Every write logs the text before and after, so no version is ever lost.
"""

from typing import Optional

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from coding.models import Document, Event, Memo, User, utcnow
from coding.store.base import Invalid, NotFound, NotYours, _done, _log, built, clashing
from coding.store.checks import memo as checked_memo
from coding.store.checks import text as checked_text

TITLE_LIMIT = 200


def document_memos(session: Session, *, document_id: int) -> list[tuple[Memo, User]]:
    """Every author's memo on the transcript (blank ones left out), oldest first, with its author."""
    return list(session.exec(_document_memos(), params={"document_id": document_id}))


@built
def _document_memos():
    return (select(Memo, User).join(User, col(User.id) == Memo.author_id)
            .where(Memo.document_id == bindparam("document_id"), Memo.text != "").order_by(Memo.created_at, Memo.id))


def own_document_memo(session: Session, *, document_id: int, user: User) -> Optional[Memo]:
    """The user's own memo on the transcript, or None."""
    return session.exec(select(Memo).where(Memo.document_id == document_id, Memo.author_id == user.id)).first()


def write_document_memo(session: Session, *, document: Document, user: User, text: str) -> Memo:
    """Write or replace the user's memo on the transcript (a blank one empties it; the log keeps the old)."""
    text = checked_memo(text)
    memo = own_document_memo(session, document_id=document.id, user=user)
    before = memo.text if memo else ""
    if memo is not None and before == text or memo is None and not text:
        return memo or Memo(project_id=document.project_id, document_id=document.id, author_id=user.id)
    memo = memo or Memo(project_id=document.project_id, document_id=document.id, author_id=user.id)
    memo.text, memo.updated_at = text, utcnow()
    session.add(memo)
    _log(session, project_id=document.project_id, user=user, kind="memo.document", document_id=document.id,
         payload={"before": before, "after": text})
    _done(session, "you saved this memo in another tab a moment ago; reload the page to see it")
    session.refresh(memo)
    return memo


def project_memos(session: Session, *, project_id: int) -> list[tuple[Memo, User]]:
    """The project's titled memos, most recently changed first, with their authors."""
    query = (select(Memo, User).join(User, col(User.id) == Memo.author_id)
             .where(Memo.project_id == project_id, col(Memo.document_id).is_(None))
             .order_by(col(Memo.updated_at).desc(), col(Memo.id).desc()))
    return list(session.exec(query))


def get_project_memo(session: Session, *, project_id: int, memo_id: int) -> Memo:
    """One of the project's memos (a memo of another project, or a transcript's, is not found)."""
    memo = session.get(Memo, memo_id)
    if memo is None or memo.project_id != project_id or memo.document_id is not None:
        raise NotFound(f"no memo {memo_id} in this project")
    return memo


def _title(title: str) -> str:
    title = checked_text(" ".join(title.split()), what="memo title", limit=TITLE_LIMIT)
    if not title:
        raise Invalid("a project memo needs a title")
    return title


def add_project_memo(session: Session, *, project_id: int, user: User, title: str, text: str) -> Memo:
    """A new titled memo on the project, by the user."""
    memo = Memo(project_id=project_id, author_id=user.id, title=_title(title),
                text=checked_memo(text))
    session.add(memo)
    with clashing(session):
        session.flush()
    _log(session, project_id=project_id, user=user, kind="memo.added",
         payload={"memo": memo.id, "title": memo.title, "after": memo.text})
    _done(session)
    session.refresh(memo)
    return memo


def edit_project_memo(session: Session, *, memo: Memo, user: User, title: str, text: str) -> Memo:
    """Change a project memo's title and text; only its author may."""
    if memo.author_id != user.id:
        raise NotYours("only the author of a memo can change it")
    title, text = _title(title), checked_memo(text)
    if (title, text) == (memo.title, memo.text):
        return memo
    payload = {"memo": memo.id, "title": title, "before_title": memo.title, "before": memo.text, "after": text}
    memo.title, memo.text, memo.updated_at = title, text, utcnow()
    session.add(memo)
    _log(session, project_id=memo.project_id, user=user, kind="memo.edited", payload=payload)
    _done(session)
    session.refresh(memo)
    return memo


def memo_history(session: Session, *, memo: Memo) -> list[Event]:
    """The writes of one project memo, newest first (each carries the text before and after)."""
    query = select(Event).where(Event.project_id == memo.project_id, col(Event.kind).in_(("memo.added", "memo.edited")))
    return [e for e in session.exec(query.order_by(col(Event.id).desc())) if e.payload.get("memo") == memo.id]
