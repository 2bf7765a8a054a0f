"""Reading a transcript a screenful at a time: turns by position, codings overlapping a stretch, counts."""

from typing import Optional

from sqlalchemy import Row, func
from sqlmodel import Session, col, select

from coding.models import Coding, Turn
from coding.store.base import records

TURN = Turn.__table__  # selected whole, a turn's columns come back as a read-only record
CODING = Coding.__table__


def turn_count(session: Session, *, document_id: int) -> int:
    """How many turns a document has."""
    return session.exec(select(func.count()).select_from(Turn).where(Turn.document_id == document_id)).one()


def turn_spans(session: Session, *, document_id: int, first: int = 0, after: bool = True,
               limit: int = 400) -> list[tuple[int, int, int]]:
    """(seq, start, end) of up to `limit` turns from `first` onwards (or, `after` False, before `first`,
    nearest first)."""
    query = select(Turn.seq, Turn.start, Turn.end).where(Turn.document_id == document_id)
    query = (query.where(Turn.seq >= first).order_by(Turn.seq) if after
             else query.where(Turn.seq < first).order_by(col(Turn.seq).desc()))
    return [tuple(row) for row in records(session, query.limit(limit))]


def turns_in(session: Session, *, document_id: int, first: int, last: int) -> list[Row]:
    """The turns numbered [first, last), in order, as read-only records with a Turn's attributes."""
    return records(session, select(TURN).where(Turn.document_id == document_id, Turn.seq >= first,
                                               Turn.seq < last).order_by(Turn.seq))


def turns_overlapping(session: Session, *, document_id: int, start: int, end: int) -> list[Row]:
    """The turns whose text overlaps [start, end), in order, as read-only records with a Turn's attributes."""
    return records(session, select(TURN).where(Turn.document_id == document_id, Turn.start < end,
                                               Turn.end > start).order_by(Turn.seq))


def turn_at(session: Session, *, document_id: int, offset: int) -> Optional[int]:
    """The number of the turn holding this offset (or the last one that starts before it), or None."""
    return session.exec(select(Turn.seq).where(Turn.document_id == document_id, Turn.start <= offset)
                        .order_by(col(Turn.start).desc()).limit(1)).first()


def speakers(session: Session, *, document_id: int) -> list[str]:
    """A document's speakers in the order they first speak."""
    query = (select(Turn.speaker, func.min(Turn.seq)).where(Turn.document_id == document_id,
                                                            col(Turn.speaker).is_not(None), Turn.speaker != "")
             .group_by(Turn.speaker).order_by(func.min(Turn.seq)))
    return [speaker for speaker, _ in session.exec(query)]


def codings_overlapping(session: Session, *, document_id: int, start: int, end: int,
                        layers: Optional[set[int]] = None) -> list[Row]:
    """The live codings that overlap [start, end), by position: all layers, or only those in `layers`; as
    read-only records with a Coding's attributes."""
    query = select(CODING).where(Coding.document_id == document_id, col(Coding.removed).is_(False),
                                 Coding.start < end, Coding.end > start)
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    return records(session, query.order_by(Coding.start, Coding.end, Coding.id))


def coding_spans(session: Session, *, document_id: int, start: int, end: int, layers: Optional[set[int]] = None,
                 code_ids: Optional[set[int]] = None) -> list[tuple[int, int, int]]:
    """(start, end, code id) of the live codings that overlap [start, end): all layers, or only `layers`; all
    codes, or only `code_ids`."""
    query = select(Coding.start, Coding.end, Coding.code_id).where(
        Coding.document_id == document_id, col(Coding.removed).is_(False), Coding.start < end, Coding.end > start)
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    if code_ids is not None:
        query = query.where(col(Coding.code_id).in_(code_ids or {-1}))
    return [tuple(row) for row in records(session, query)]


def coded_turns(session: Session, *, document_id: int, first: int, last: int,
                layers: Optional[set[int]] = None) -> set[int]:
    """Which of the turns numbered [first, last) carry at least one live coding in the given layers."""
    query = (select(Turn.seq).join(Coding, (Coding.document_id == Turn.document_id) & (Coding.start < Turn.end)
                                   & (Coding.end > Turn.start))
             .where(Turn.document_id == document_id, Turn.seq >= first, Turn.seq < last,
                    col(Coding.removed).is_(False)).distinct())
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    return set(session.exec(query))


def layer_counts(session: Session, *, document_id: int, layers: Optional[set[int]] = None) -> dict[int, int]:
    """How many live codings each layer has on a document (only `layers`, when given)."""
    query = (select(Coding.layer_id, func.count()).where(Coding.document_id == document_id,
                                                         col(Coding.removed).is_(False))
             .group_by(Coding.layer_id))
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    return {layer_id: count for layer_id, count in session.exec(query)}


def turn_at_time(session: Session, *, document_id: int, ms: int) -> Optional[int]:
    """The number of the last turn whose recording cue starts at or before `ms`, or None."""
    return session.exec(select(Turn.seq).where(Turn.document_id == document_id, col(Turn.cue_start_ms).is_not(None),
                                               Turn.cue_start_ms <= ms)
                        .order_by(col(Turn.cue_start_ms).desc(), col(Turn.seq).desc()).limit(1)).first()


def turn_range(session: Session, *, document_id: int, start: int, end: int) -> Optional[tuple[Row, Row]]:
    """The first and the last turn whose text overlaps [start, end) (read-only records), or None when none does."""
    base = select(TURN).where(Turn.document_id == document_id, Turn.start < end, Turn.end > start)
    first = records(session, base.order_by(Turn.seq).limit(1))
    last = records(session, base.order_by(col(Turn.seq).desc()).limit(1))
    return (first[0], last[0]) if first and last else None
