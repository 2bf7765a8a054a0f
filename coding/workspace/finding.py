"""Finding words in a transcript (case and accents aside) and the turn outline for jumping in long ones."""

import re
from bisect import bisect_right
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.models import Document

FIND_LIMIT = 1_000   # hits sent at most; the count says when there are more
COUNT_LIMIT = 10_000  # hits counted at most (a count above it reads "more than 10,000")
OUTLINE_PAGE = 200   # turns listed at once in the outline


@lru_cache(maxsize=1)
def _marks() -> str:
    """A pattern for any run of combining marks (accents, Arabic short vowels …), which a search passes over."""
    ranges, begin = [], None
    for code in range(0x20001):
        mark = code < 0x20000 and bool(unicodedata.combining(chr(code)))
        if mark and begin is None:
            begin = code
        elif not mark and begin is not None:
            ranges.append(f"{re.escape(chr(begin))}-{re.escape(chr(code - 1))}")
            begin = None
    return "[" + "".join(ranges) + "]*"


def base(ch: str) -> str:
    """A character without its accents, in lower case ("É" → "e")."""
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """For each accent-free lower-case letter, every character that reads as it (é, É, ê … for e)."""
    found: dict[str, set[str]] = {}
    for code in range(0x3000):
        ch = chr(code)
        folded = base(ch)
        if len(folded) == 1 and folded != ch:
            found.setdefault(folded, {folded}).add(ch)
    return {letter: "".join(sorted(chars)) for letter, chars in found.items()}


def pattern(query: str) -> Optional[re.Pattern]:
    """A regular expression that finds `query` whatever the case and accents (of the text and of the query),
    or None when the query holds nothing to find."""
    letters = [c for c in base(" ".join(query.split())) if not unicodedata.combining(c)]
    if not "".join(letters).strip():
        return None
    variants, marks = _variants(), _marks()
    parts = []
    for letter in letters:
        if letter == " ":
            parts.append(r"\s+")
        else:
            chars = variants.get(letter, letter)
            parts.append(("[" + re.escape(chars) + "]" if len(chars) > 1 else re.escape(letter)) + marks)
    return re.compile("".join(parts), re.IGNORECASE)


@dataclass
class Found:
    """Where a query occurs in a transcript: the first hits as [start, end) code-point offsets, and how many
    (up to COUNT_LIMIT + 1: more than COUNT_LIMIT)."""

    query: str
    hits: list[tuple[int, int]]
    total: int

    @property
    def summary(self) -> str:
        """How many were found, in words."""
        if self.total > COUNT_LIMIT:
            return f"more than {COUNT_LIMIT:,} found"
        return "not found" if not self.total else f"{self.total:,} found"


def find(text: str, query: str, limit: int = FIND_LIMIT, within: Sequence[tuple[int, int]] = ()) -> Found:
    """The places `query` occurs in `text`, in order, case and accents aside; with `within` (sorted
    [start, end) spans, the turns), only those inside one of them."""
    found = pattern(query)
    starts = [start for start, _ in within]
    hits, total = [], 0
    for match in (found.finditer(text) if found else ()):
        inside = True
        if within:
            at = bisect_right(starts, match.start()) - 1
            inside = at >= 0 and match.end() <= within[at][1]
        if inside and match.end() > match.start():
            total += 1
            if len(hits) < limit:
                hits.append((match.start(), match.end()))
            if total > COUNT_LIMIT:
                break
    return Found(query, hits, total)


@dataclass
class OutlineItem:
    """One turn in the outline: its number, speaker, first words, cue time and whether it carries codings."""

    seq: int
    turn_id: int
    start: int
    speaker: str
    opening: str
    cue_start_ms: Optional[int]
    coded: bool


def opening(text: str, words: int = 8) -> str:
    """The first words of a turn's text, with an ellipsis when there is more."""
    parts = text[:200].split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words or len(text) > 200 else "")


def outline(session: Session, *, document: Document, first: int = 0, layers: Optional[set[int]] = None,
            size: int = OUTLINE_PAGE) -> tuple[list[OutlineItem], int]:
    """A page of the turn outline from turn `first`, and the number of the turn after it (the total at the end)."""
    turns = store.turns_in(session, document_id=document.id, first=first, last=first + size)
    if not turns:
        return [], store.turn_count(session, document_id=document.id)
    coded = store.coded_turns(session, document_id=document.id, first=turns[0].seq, last=turns[-1].seq + 1,
                              layers=layers)
    items = [OutlineItem(t.seq, t.id, t.start, t.speaker or "", opening(document.text[t.start:t.end]),
                         t.cue_start_ms, t.seq in coded) for t in turns]
    return items, turns[-1].seq + 1


def find_in_turns(session: Session, *, document: Document, query: str) -> Found:
    """Where `query` occurs in the text of a transcript's turns (never in a speaker's label between them)."""
    total = store.turn_count(session, document_id=document.id)
    spans = [(start, end) for _, start, end in store.turn_spans(session, document_id=document.id, limit=total)]
    return find(document.text, query, within=spans) if spans else find(document.text, query)
