"""Participants, documents and their speaker turns."""

import hashlib
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from sqlalchemy import Row, bindparam, insert, or_
from sqlmodel import Session, col, select

from coding.models import Document, Participant, Project, Turn, User
from coding.store.base import Conflict, Invalid, NotFound, _done, _log, built, records
from coding.store.projects import next_tag, tag_in_name
from coding.text import languages

if TYPE_CHECKING:  # an annotation only: importing coding.text.transcripts here would load lxml for every command
    from coding.text.transcripts import Transcript


def get_participant(session: Session, *, project_id: int, label: str) -> Optional[Participant]:
    """A participant by tag (PV44), or None."""
    return session.exec(select(Participant).where(Participant.project_id == project_id,
                                                  Participant.label == label)).first()


def list_participants(session: Session, *, project_id: int) -> list[Participant]:
    """The project's participants by tag."""
    return list(session.exec(select(Participant).where(Participant.project_id == project_id)
                             .order_by(Participant.label)))


def _participant(session: Session, *, project_id: int, label: str) -> Participant:
    participant = get_participant(session, project_id=project_id, label=label)
    if participant is None:
        participant = Participant(project_id=project_id, label=label, attributes={})
        session.add(participant)
        session.flush()
    return participant


def set_attributes(session: Session, *, project_id: int, user: User,
                   rows: Sequence[tuple[str, dict[str, str]]]) -> list[Participant]:
    """Set attributes of participants (created if new) in one transaction; empty values clear."""
    changed = []
    for label, attributes in rows:
        label = label.strip()
        if not label:
            raise Invalid("a participant needs a tag such as PV44")
        participant = _participant(session, project_id=project_id, label=label)
        before = dict(participant.attributes)
        merged = dict(before)
        for key, value in attributes.items():
            key, value = key.strip(), str(value).strip()
            if not key:
                continue
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
        if merged != before:
            participant.attributes = merged
            session.add(participant)
            _log(session, project_id=project_id, user=user, kind="participant.updated",
                 payload={"participant": label, "before": before, "after": merged})
        changed.append(participant)
    _done(session)
    for participant in changed:
        session.refresh(participant)
    return changed


def text_digest(text: str) -> str:
    """The SHA-256 of a normalised text, for spotting the same transcript imported twice."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def import_document(session: Session, *, project_id: int, user: User, transcript: "Transcript",
                    participant: Optional[str] = None, attributes: Optional[dict[str, str]] = None) -> Document:
    """Store a read transcript with its turns, or raise Conflict if the project has its text already."""
    digest = text_digest(transcript.text)
    twin = session.exec(select(Document).where(Document.project_id == project_id,
                                               Document.sha256 == digest)).first()
    if twin is not None:
        raise Conflict(f"{transcript.name}: this transcript is already in the project as '{twin.name}'")
    label = (participant or transcript.guess_participant() or "").strip()
    if not label:
        pattern = session.exec(select(Project.tag_pattern).where(Project.id == project_id)).one()
        if pattern:
            label = tag_in_name(pattern, transcript.name) or next_tag(session, project_id=project_id, pattern=pattern)
    person = _participant(session, project_id=project_id, label=label) if label else None
    if person is not None and attributes:
        merged = {**person.attributes, **{k: str(v) for k, v in attributes.items() if str(v).strip()}}
        person.attributes = merged
        session.add(person)
    document = Document(project_id=project_id, participant_id=person.id if person else None,
                        name=transcript.name, source_format=transcript.source_format, text=transcript.text,
                        sha256=digest, word_count=transcript.word_count,
                        interviewer_speakers=transcript.guess_interviewers())
    session.add(document)
    session.flush()
    if transcript.turns:  # one bulk insert: a long transcript has tens of thousands of turns
        session.execute(insert(Turn), [
            {"document_id": document.id, "seq": seq, "speaker": turn.speaker, "start": turn.start, "end": turn.end,
             "cue_start_ms": turn.cue_start_ms, "cue_end_ms": turn.cue_end_ms}
            for seq, turn in enumerate(transcript.turns)])
    _log(session, project_id=project_id, user=user, kind="document.imported", document_id=document.id,
         payload={"name": transcript.name, "format": transcript.source_format, "participant": label or None,
                  "turns": len(transcript.turns), "words": transcript.word_count})
    _done(session)
    session.refresh(document)
    return document


def list_documents(session: Session, *, project_id: int) -> list[Document]:
    """The project's documents in import order."""
    return list(session.exec(select(Document).where(Document.project_id == project_id).order_by(Document.id)))


def document_summaries(session: Session, *, project_id: int) -> list[Row]:
    """The project's documents in import order as records of every column but the text: for lists that name
    documents, without reading megabytes of transcripts."""
    return records(session, _document_summaries(), project_id=project_id)


@built
def _document_summaries():
    return (select(*[column for column in Document.__table__.columns if column.name != "text"])
            .where(Document.project_id == bindparam("project_id")).order_by(Document.id))


def document_texts(session: Session, *, document_ids: Iterable[int]) -> dict[int, str]:
    """The texts of some documents, by id."""
    wanted = list(document_ids)
    if not wanted:
        return {}
    return dict(session.exec(select(Document.id, Document.text).where(col(Document.id).in_(wanted))).all())


def project_turn_spans(session: Session, *, project_id: int) -> dict[int, list[tuple[int, int]]]:
    """Each of the project's documents' speaker turns as (start, end), in order: what counting by turn reads."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for document_id, start, end in records(session, _project_turn_spans(), project_id=project_id):
        spans.setdefault(document_id, []).append((start, end))
    return spans


@built
def _project_turn_spans():
    return (select(Turn.document_id, Turn.start, Turn.end).join(Document, col(Document.id) == Turn.document_id)
            .where(Document.project_id == bindparam("project_id")).order_by(Turn.document_id, Turn.seq))


def get_document(session: Session, *, document_id: int) -> Document:
    """One document by id."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def document_turns(session: Session, *, document_id: int) -> list[Turn]:
    """A document's turns in order."""
    return list(session.exec(select(Turn).where(Turn.document_id == document_id).order_by(Turn.seq)))


def document_participant(session: Session, *, document: Document) -> Optional[Participant]:
    """The participant a document belongs to, if any."""
    return session.get(Participant, document.participant_id) if document.participant_id else None


def set_interviewers(session: Session, *, document: Document, user: User, speakers: list[str]) -> Document:
    """Say which of a document's speakers are interviewers."""
    return _set_speakers(session, document=document, user=user, speakers=speakers, field="interviewer_speakers",
                         kind="document.interviewers")


def set_interpreted(session: Session, *, document: Document, user: User, speakers: list[str]) -> Document:
    """Say which of a document's speakers spoke through an interpreter."""
    return _set_speakers(session, document=document, user=user, speakers=speakers, field="interpreted_speakers",
                         kind="document.interpreted")


def _set_speakers(session: Session, *, document: Document, user: User, speakers: list[str], field: str,
                  kind: str) -> Document:
    known = {t.speaker for t in document_turns(session, document_id=document.id) if t.speaker}
    unknown = [s for s in speakers if s not in known]
    if unknown:
        raise Invalid(f"'{unknown[0]}' is not a speaker in {document.name}")
    before = list(getattr(document, field))
    setattr(document, field, list(speakers))
    session.add(document)
    _log(session, project_id=document.project_id, user=user, kind=kind,
         document_id=document.id, payload={"before": before, "after": list(speakers)})
    _done(session)
    session.refresh(document)
    return document


def set_language(session: Session, *, document: Document, user: User, language: str, mediation: str) -> Document:
    """Record a document's language (a tag such as ur, "" for not said) and whether it reached that language
    through an interpreter or a translation ("" for as spoken)."""
    try:
        language = languages.check_tag(language)
    except ValueError as bad:
        raise Invalid(str(bad)) from None
    if mediation not in languages.MEDIATION:
        raise Invalid(f"a transcript is as spoken, interpreted or translated, not '{mediation[:40]}'")
    before = {"language": document.language, "mediation": document.mediation}
    after = {"language": language, "mediation": mediation}
    if before == after:
        return document
    document.language, document.mediation = language, mediation
    session.add(document)
    _log(session, project_id=document.project_id, user=user, kind="document.language", document_id=document.id,
         payload={"before": before, "after": after})
    _done(session)
    session.refresh(document)
    return document


def set_original(session: Session, *, document: Document, user: User, original_id: Optional[int]) -> Document:
    """Link a translation to the document it translates (None unlinks): both stay documents of their own,
    coded on their own, and each page links to the other."""
    original = None
    if original_id is not None:
        original = session.get(Document, original_id)
        if original is None or original.project_id != document.project_id:
            raise NotFound(f"no transcript {original_id} in this project")
        if original.id == document.id:
            raise Invalid("a transcript cannot be a translation of itself")
        if original.original_id is not None:
            raise Invalid(f"'{original.name}' is itself a translation; link to the original it translates")
        if session.exec(select(Document.id).where(Document.original_id == document.id)).first() is not None:
            raise Invalid(f"'{document.name}' has translations of its own, so it is an original")
    before = document.original_id
    if before == original_id:
        return document
    document.original_id = original_id
    session.add(document)
    names = {d.id: d.name for d in (original, session.get(Document, before) if before else None) if d is not None}
    _log(session, project_id=document.project_id, user=user, kind="document.original", document_id=document.id,
         payload={"before": names.get(before), "after": names.get(original_id)})
    _done(session)
    session.refresh(document)
    return document


def translations(session: Session, *, document: Document) -> list[Row]:
    """The documents linked to this one as original and translations: its original (if it is a translation)
    and every translation of that original, this one left out; records without their text."""
    root = document.original_id or document.id
    query = (select(*[column for column in Document.__table__.columns if column.name != "text"])
             .where(or_(Document.id == root, Document.original_id == root), Document.id != document.id)
             .order_by(Document.id))
    return list(session.exec(query).all())


def set_document_participant(session: Session, *, document: Document, user: User, label: str) -> Document:
    """Attach a document to a participant by tag (created if new); an empty tag detaches it."""
    label = label.strip()
    person = _participant(session, project_id=document.project_id, label=label) if label else None
    before = document_participant(session, document=document)
    document.participant_id = person.id if person else None
    session.add(document)
    _log(session, project_id=document.project_id, user=user, kind="document.participant",
         document_id=document.id, payload={"before": before.label if before else None, "after": label or None})
    _done(session)
    session.refresh(document)
    return document
