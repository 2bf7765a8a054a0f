"""Quotes a report writer selects for the findings chapter: one mark per coded passage, logged both ways."""

from sqlmodel import Session, select

from coding.models import ChapterPick, Code, Coding, Document, User
from coding.store.base import _done, _log


def picked(session: Session, *, project_id: int) -> set[int]:
    """The ids of the codings selected for the project's chapter."""
    return set(session.exec(select(ChapterPick.coding_id).where(ChapterPick.project_id == project_id)))


def pick(session: Session, *, coding: Coding, user: User, chosen: bool) -> bool:
    """Select a coded passage for the chapter (or take it out again); True when it is selected afterwards."""
    document = session.get(Document, coding.document_id)
    row = session.exec(select(ChapterPick).where(ChapterPick.coding_id == coding.id)).first()
    if chosen == (row is not None):
        return chosen
    if chosen:
        session.add(ChapterPick(project_id=document.project_id, document_id=document.id, coding_id=coding.id,
                                user_id=user.id))
    else:
        session.delete(row)
    code = session.get(Code, coding.code_id)
    _log(session, project_id=document.project_id, user=user, kind="quote.picked" if chosen else "quote.unpicked",
         document_id=document.id, payload={"coding": coding.id, "code": code.key, "start": coding.start,
                                           "end": coding.end})
    _done(session)
    return chosen
