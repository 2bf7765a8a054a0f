"""Erasing a transcript or a whole project on purpose: the one exception to "nothing is ever deleted".

A transcript's erasure removes its text, turns, codings (every layer, removed ones too), suggestion
decisions, reconciliation records, assignments and every event about it; its participant (tag and
attributes, with their events) when no other transcript of the project belongs to them; and the project's
learned suggestion models, which are retrained from what remains; and its recording's file in the media
folder. A project's erasure removes all of the project. What stays is one tombstone event: who erased which name, when, and how many codings, no text.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy import delete, func, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col, select

from coding import jobs, store
from coding.store.events import DOCUMENT_ERASED, PROJECT_ERASED, TOMBSTONES  # noqa: F401 (the CLI reads them here)
from coding.models import (AgreementFigures, Coding, Document, Event, Layer, Meeting, Membership, Participant,
                           Project, SavedQuery, SuggestionModel, User)
from coding.suggest import review
from coding.workspace import recordings

WITHDRAWN = "its file was deleted, unread, when a transcript of the project was erased; run it again"
_NEVER_BY_KEY = {"user", "apitoken", "loginattempt", "event"}  # not the project's, or handled on their own


@dataclass(frozen=True)
class Extent:
    """What an erasure would remove, for the confirmation page and the tombstone."""

    name: str
    documents: int
    codings: int
    coders: int
    consensus: int  # of the codings, those in the consensus layer


def _extent(session: Session, *, name: str, document_ids: list[int]) -> Extent:
    ids = document_ids or [-1]
    codings = session.exec(select(func.count()).select_from(Coding).where(
        col(Coding.document_id).in_(ids), col(Coding.removed).is_(False))).one()
    layers = (select(func.count(func.distinct(Layer.user_id)), func.count(Coding.id).filter(Layer.kind == "consensus"))
              .select_from(Coding).join(Layer, col(Layer.id) == Coding.layer_id)
              .where(col(Coding.document_id).in_(ids), col(Coding.removed).is_(False)))
    coders, consensus = session.exec(layers).one()
    return Extent(name=name, documents=len(document_ids), codings=int(codings), coders=int(coders),
                  consensus=int(consensus))


def document_extent(session: Session, *, document: Document) -> Extent:
    """How much of the project goes with this transcript."""
    return _extent(session, name=document.name, document_ids=[document.id])


def project_extent(session: Session, *, project: Project) -> Extent:
    """How much goes with this project."""
    ids = list(session.exec(select(Document.id).where(Document.project_id == project.id)))
    return _extent(session, name=project.name, document_ids=ids)


def _confirmed(what: str, name: str, confirm: Optional[str]) -> None:
    if (confirm or "").strip() != name.strip():
        raise store.Invalid(f"The name typed does not match '{name}', so nothing was deleted. "
                            f"Type the {what}'s name exactly as shown to delete it.")


def _secure(session: Session) -> None:
    """On SQLite, overwrite what this transaction deletes with zeros instead of leaving it in free pages."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete=ON")


def _purge(session: Session, *, document_ids: list[int], project_id: Optional[int] = None) -> None:
    """Delete every row that belongs to these documents (or to the whole project), children before parents."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name in _NEVER_BY_KEY:
            continue
        keys = []
        if document_ids and "document_id" in table.c:
            keys.append(table.c.document_id.in_(document_ids))
        if document_ids and table.name == "document":
            keys.append(table.c.id.in_(document_ids))
        if project_id is not None and "project_id" in table.c:
            keys.append(table.c.project_id == project_id)
        if project_id is not None and table.name == "project":
            keys.append(table.c.id == project_id)
        if keys:
            session.execute(delete(table).where(or_(*keys)))


def _drop_participant(session: Session, *, participant_id: Optional[int]) -> None:
    """Forget a participant, and the log of their attributes, when no transcript belongs to them any more."""
    person = session.get(Participant, participant_id) if participant_id else None
    if person is None or session.exec(select(Document.id).where(Document.participant_id == person.id)).first():
        return
    attribute_events = session.exec(select(Event).where(
        Event.project_id == person.project_id, col(Event.kind).in_(("participant.updated", "participant.placed")))).all()
    for event in attribute_events:
        if event.payload.get("participant") == person.label:
            session.delete(event)
    session.delete(person)


def _forget_in_saved_queries(session: Session, *, project_id: int, document_id: int) -> None:
    for query in session.exec(select(SavedQuery).where(SavedQuery.project_id == project_id)):
        chosen = query.params.get("document_ids") or []
        if document_id in chosen:
            query.params = {**query.params, "document_ids": [d for d in chosen if d != document_id]}
            session.add(query)


def _forget_in_meetings(session: Session, *, project_id: int, document_id: int) -> None:
    """Take the transcript out of the meeting records that name it as reviewed."""
    for meeting in session.exec(select(Meeting).where(Meeting.project_id == project_id)):
        if document_id in meeting.documents:
            meeting.documents = [d for d in meeting.documents if d != document_id]
            session.add(meeting)


def _drop_models(session: Session, *, project_id: int) -> set[Optional[int]]:
    """Delete the project's learned models (they hold words of the text); returns whose they were."""
    owners = set(session.exec(select(SuggestionModel.user_id).where(SuggestionModel.project_id == project_id)))
    session.execute(delete(SuggestionModel).where(col(SuggestionModel.project_id) == project_id))
    review.forget(project_id)
    return owners


def erase_document(session: Session, *, document: Document, user: User, confirm: Optional[str],
                   media: Path, job_results: Optional[Path] = None) -> Event:
    """Erase a transcript and everything made from it (its recording in the folder `media` too, and any report
    of its project waiting in `job_results`), if `confirm` is its name; returns the tombstone."""
    _confirmed("transcript", document.name, confirm)
    project = store.get_project(session, project_id=document.project_id)
    extent = document_extent(session, document=document)
    files = recordings.file_ids(session, document_ids=[document.id])
    _secure(session)
    session.execute(delete(Event).where(col(Event.document_id) == document.id, col(Event.kind).not_in(TOMBSTONES)))
    withdrawn = jobs.withdraw_results(session, project_id=project.id, why=WITHDRAWN)
    # its translations stay, as documents of their own, without the link
    session.execute(update(Document).where(col(Document.original_id) == document.id).values(original_id=None))
    _purge(session, document_ids=[document.id])
    _drop_participant(session, participant_id=document.participant_id)
    _forget_in_saved_queries(session, project_id=project.id, document_id=document.id)
    _forget_in_meetings(session, project_id=project.id, document_id=document.id)
    session.execute(delete(AgreementFigures).where(col(AgreementFigures.project_id) == project.id))  # they name it
    owners = _drop_models(session, project_id=project.id)
    tombstone = Event(project_id=project.id, user_id=user.id, kind=DOCUMENT_ERASED,
                      payload={"name": document.name, "codings": extent.codings, "coders": extent.coders,
                               "document": document.id, "project": project.name})
    session.add(tombstone)
    session.commit()
    recordings.delete_files(media, files)
    jobs.delete_results(job_results, withdrawn)
    if document in session:
        session.expunge(document)
    for owner in owners:
        review.retrain(session, project_id=project.id, user_id=owner)
    return tombstone


def erase_project(session: Session, *, project: Project, user: User, confirm: Optional[str], media: Path,
                  job_results: Optional[Path] = None) -> Event:
    """Erase a project with all its transcripts (and their recordings in the folder `media`), codebook, members
    and log, if `confirm` is its name.

    The tombstones of the project and of transcripts erased from it earlier stay, with no project.
    """
    _confirmed("project", project.name, confirm)
    document_ids = list(session.exec(select(Document.id).where(Document.project_id == project.id)))
    extent = project_extent(session, project=project)
    files = recordings.file_ids(session, document_ids=document_ids)
    members = session.exec(select(func.count()).select_from(Membership)
                           .where(Membership.project_id == project.id)).one()
    _secure(session)
    session.execute(delete(Event).where(or_(col(Event.project_id) == project.id,
                                            col(Event.document_id).in_(document_ids or [-1])),
                                        col(Event.kind).not_in(TOMBSTONES)))
    session.execute(update(Event).where(col(Event.project_id) == project.id).values(project_id=None))
    review.forget(project.id)
    withdrawn = jobs.withdraw_results(session, project_id=project.id, why=WITHDRAWN)
    _purge(session, document_ids=document_ids, project_id=project.id)
    tombstone = Event(project_id=None, user_id=user.id, kind=PROJECT_ERASED,
                      payload={"name": project.name, "project": project.id, "documents": extent.documents,
                               "codings": extent.codings, "coders": extent.coders, "members": int(members)})
    session.add(tombstone)
    session.commit()
    recordings.delete_files(media, files)
    jobs.delete_results(job_results, withdrawn)
    if project in session:
        session.expunge(project)
    return tombstone


def tombstones(session: Session, *, project_id: Optional[int] = None) -> list[Event]:
    """Erasures, newest first: all of them (for an administrator), or one project's."""
    query = select(Event).where(col(Event.kind).in_(TOMBSTONES))
    if project_id is not None:
        query = query.where(Event.project_id == project_id)
    return list(session.exec(query.order_by(col(Event.id).desc())))


def scrub(engine: Engine) -> bool:
    """Leave no erased bytes behind in the database files: SQLite is rebuilt (VACUUM) and its write-ahead
    log emptied; PostgreSQL tables are rewritten (VACUUM FULL). False when another connection kept it from
    finishing (the freed space is then reused or emptied later)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("VACUUM")
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            return not busy or busy[0] == 0
        connection.exec_driver_sql("SET lock_timeout = '5s'")
        complete = True
        for table in SQLModel.metadata.sorted_tables:
            try:
                connection.exec_driver_sql(f'VACUUM FULL "{table.name}"')
            except OperationalError:
                complete = False
    return complete
