"""A transcript a screenful at a time: which turns a chunk holds, so long transcripts open at once and the
rest arrives as the reader scrolls (or jumps to a passage, a find hit, a turn or a moment of the recording)."""

from dataclasses import dataclass
from typing import Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.models import Document

CHUNK_CHARS = 6_000  # code points of text a chunk aims at: more than a tall screen holds
CHUNK_TURNS = 120    # at most this many turns in one chunk, however short they are


@dataclass(frozen=True)
class Span:
    """Turns numbered [first, last) of a transcript of `total` turns, covering text [start, end)."""

    first: int
    last: int
    total: int
    start: int = 0
    end: int = 0

    @property
    def before(self) -> bool:
        """True when turns come before this chunk."""
        return self.first > 0

    @property
    def after(self) -> bool:
        """True when turns come after this chunk."""
        return self.last < self.total


def fill(spans: Sequence[tuple[int, int, int]], budget: int = CHUNK_CHARS) -> int:
    """How many of these (seq, start, end) turns, in the order given, make one chunk: at least one, and
    then as many as fit the budget of characters."""
    used = 0
    for taken, (_, start, end) in enumerate(spans):
        used += end - start
        if used > budget and taken:
            return taken
    return len(spans)


def locate(session: Session, *, document: Document, first: Optional[int] = None, last: Optional[int] = None,
           at: Optional[int] = None, ms: Optional[int] = None) -> Span:
    """The chunk asked for: from turn `first` on, or ending before turn `last`, or exactly [first, last)
    (at most CHUNK_TURNS), or starting at the turn holding offset `at` or heard at `ms` of the recording;
    with nothing asked, the first chunk."""
    total = store.turn_count(session, document_id=document.id)
    if at is not None:
        first, last = store.turn_at(session, document_id=document.id, offset=at) or 0, None
    elif ms is not None:
        first, last = store.turn_at_time(session, document_id=document.id, ms=ms) or 0, None
    if first is not None and last is not None:
        first = min(max(first, 0), total)
        spans = store.turn_spans(session, document_id=document.id, first=first,
                                 limit=max(0, min(last, first + CHUNK_TURNS) - first))
    elif last is not None:
        before = store.turn_spans(session, document_id=document.id, first=min(last, total), after=False,
                                  limit=CHUNK_TURNS)
        spans = list(reversed(before[:fill(before)]))
    else:
        spans = store.turn_spans(session, document_id=document.id, first=min(max(first or 0, 0), total),
                                 limit=CHUNK_TURNS)
        spans = spans[:fill(spans)]
    if not spans:
        edge = min(max(first if first is not None else (last or 0), 0), total)
        return Span(edge, edge, total)
    return Span(spans[0][0], spans[-1][0] + 1, total, spans[0][1], spans[-1][2])
