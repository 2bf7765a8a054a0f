"""Reading a transcript a screenful at a time: turns by position, codings overlapping a stretch, counts.

These are the reads every document page and chunk makes, so their statements are built once (`built`) and
given their values as parameters."""

import bisect
from typing import Optional

from sqlalchemy import Row, bindparam, func
from sqlmodel import Session, col, select

from coding.models import Coding, Turn
from coding.store.base import built, records

TURN = Turn.__table__  # selected whole, a turn's columns come back as a read-only record
CODING = Coding.__table__
DOCUMENT, FIRST, LAST, START, END = (bindparam(name) for name in ("document_id", "first", "last", "start", "end"))
LAYERS, CODES = bindparam("layers", expanding=True), bindparam("code_ids", expanding=True)


def _live_codings(query, *, layers: bool, codes: bool = False):
    """`query` narrowed to the transcript's live codings, in the `layers` and of the `codes` given as parameters."""
    query = query.where(Coding.document_id == DOCUMENT, col(Coding.removed).is_(False))
    if layers:
        query = query.where(col(Coding.layer_id).in_(LAYERS))
    return query.where(col(Coding.code_id).in_(CODES)) if codes else query


def _some(layers: Optional[set[int]], code_ids: Optional[set[int]] = None) -> dict:
    """The parameters for the optional filters that are given."""
    return {**({"layers": sorted(layers)} if layers is not None else {}),
            **({"code_ids": sorted(code_ids)} if code_ids is not None else {})}


def turn_count(session: Session, *, document_id: int) -> int:
    """How many turns a document has."""
    return records(session, _turn_count(), document_id=document_id)[0][0]


@built
def _turn_count():
    return select(func.count()).select_from(Turn).where(Turn.document_id == DOCUMENT)


def turn_spans(session: Session, *, document_id: int, first: int = 0, after: bool = True,
               limit: int = 400) -> list[tuple[int, int, int]]:
    """(seq, start, end) of up to `limit` turns from `first` onwards (or, `after` False, before `first`,
    nearest first)."""
    return [tuple(row) for row in records(session, _turn_spans(after), document_id=document_id, first=first,
                                          limit=limit)]


@built
def _turn_spans(after: bool):
    query = select(Turn.seq, Turn.start, Turn.end).where(Turn.document_id == DOCUMENT)
    query = (query.where(Turn.seq >= FIRST).order_by(Turn.seq) if after
             else query.where(Turn.seq < FIRST).order_by(col(Turn.seq).desc()))
    return query.limit(bindparam("limit"))


def turns_in(session: Session, *, document_id: int, first: int, last: int) -> list[Row]:
    """The turns numbered [first, last), in order, as read-only records with a Turn's attributes."""
    return records(session, _turns_in(), document_id=document_id, first=first, last=last)


@built
def _turns_in():
    return select(TURN).where(Turn.document_id == DOCUMENT, Turn.seq >= FIRST, Turn.seq < LAST).order_by(Turn.seq)


def turns_overlapping(session: Session, *, document_id: int, start: int, end: int) -> list[Row]:
    """The turns whose text overlaps [start, end), in order, as read-only records with a Turn's attributes."""
    return records(session, _turns_overlapping(), document_id=document_id, start=start, end=end)


@built
def _turns_overlapping():
    return select(TURN).where(Turn.document_id == DOCUMENT, Turn.start < END, Turn.end > START).order_by(Turn.seq)


def turn_at(session: Session, *, document_id: int, offset: int) -> Optional[int]:
    """The number of the turn holding this offset (or the last one that starts before it), or None."""
    return session.exec(select(Turn.seq).where(Turn.document_id == document_id, Turn.start <= offset)
                        .order_by(col(Turn.start).desc()).limit(1)).first()


class TurnSpeakers:
    """Who speaks where in one transcript, read once: the speaker of the turn holding an offset, found by
    bisection (turns follow one another), for reads that ask about many passages of the same transcript."""

    def __init__(self, session: Session, *, document_id: int):
        self.turns = [tuple(row) for row in records(session, _turn_speakers(), document_id=document_id)]
        self.starts = [start for start, _, _ in self.turns]

    def at(self, offset: int) -> Optional[str]:
        """The speaker of the turn holding this offset; None between turns or for a turn with no speaker."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0 or offset >= self.turns[index][1]:
            return None
        return self.turns[index][2] or None

    def everyone(self) -> set[str]:
        """Every speaker of the transcript."""
        return {speaker for _, _, speaker in self.turns if speaker}


@built
def _turn_speakers():
    return select(Turn.start, Turn.end, Turn.speaker).where(Turn.document_id == DOCUMENT).order_by(Turn.seq)


def speakers(session: Session, *, document_id: int) -> list[str]:
    """A document's speakers in the order they first speak."""
    return [speaker for speaker, _ in records(session, _speakers(), document_id=document_id)]


@built
def _speakers():
    return (select(Turn.speaker, func.min(Turn.seq)).where(Turn.document_id == DOCUMENT,
                                                           col(Turn.speaker).is_not(None), Turn.speaker != "")
            .group_by(Turn.speaker).order_by(func.min(Turn.seq)))


def codings_overlapping(session: Session, *, document_id: int, start: int, end: int,
                        layers: Optional[set[int]] = None) -> list[Row]:
    """The live codings that overlap [start, end), by position: all layers, or only those in `layers`; as
    read-only records with a Coding's attributes."""
    return records(session, _codings_overlapping(layers is not None), document_id=document_id, start=start,
                   end=end, **_some(layers))


@built
def _codings_overlapping(layers: bool):
    return (_live_codings(select(CODING), layers=layers).where(Coding.start < END, Coding.end > START)
            .order_by(Coding.start, Coding.end, Coding.id))


def coding_spans(session: Session, *, document_id: int, start: int, end: int, layers: Optional[set[int]] = None,
                 code_ids: Optional[set[int]] = None) -> list[tuple[int, int, int]]:
    """(start, end, code id) of the live codings that overlap [start, end): all layers, or only `layers`; all
    codes, or only `code_ids`."""
    return [tuple(row) for row in records(session, _coding_spans(layers is not None, code_ids is not None),
                                          document_id=document_id, start=start, end=end, **_some(layers, code_ids))]


@built
def _coding_spans(layers: bool, codes: bool):
    return _live_codings(select(Coding.start, Coding.end, Coding.code_id), layers=layers, codes=codes).where(
        Coding.start < END, Coding.end > START)


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
    return {layer_id: count for layer_id, count in records(session, _layer_counts(layers is not None),
                                                           document_id=document_id, **_some(layers))}


@built
def _layer_counts(layers: bool):
    return _live_codings(select(Coding.layer_id, func.count()), layers=layers).group_by(Coding.layer_id)


def turn_at_time(session: Session, *, document_id: int, ms: int) -> Optional[int]:
    """The number of the last turn whose recording cue starts at or before `ms`, or None."""
    return session.exec(select(Turn.seq).where(Turn.document_id == document_id, col(Turn.cue_start_ms).is_not(None),
                                               Turn.cue_start_ms <= ms)
                        .order_by(col(Turn.cue_start_ms).desc(), col(Turn.seq).desc()).limit(1)).first()


def turn_range(session: Session, *, document_id: int, start: int, end: int) -> Optional[tuple[Row, Row]]:
    """The first and the last turn whose text overlaps [start, end) (read-only records), or None when none does."""
    ends = records(session, _turn_range(), document_id=document_id, start=start, end=end)
    return (ends[0], ends[-1]) if ends else None


@built
def _turn_range():
    """The first and the last overlapping turn, in one query (one row when they are the same turn)."""
    overlapping = (Turn.document_id == DOCUMENT) & (Turn.start < END) & (Turn.end > START)
    first = select(func.min(Turn.seq)).where(overlapping).scalar_subquery()
    last = select(func.max(Turn.seq)).where(overlapping).scalar_subquery()
    return select(TURN).where(Turn.document_id == DOCUMENT, col(Turn.seq).in_([first, last])).order_by(Turn.seq)
