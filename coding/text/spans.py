"""Span arithmetic over code-point offsets: runs for rendering, overlap, clipping."""

import bisect
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence


@dataclass(frozen=True)
class Run:
    """A stretch of text [start, end) with the same set of codings on all of it."""

    start: int
    end: int
    coding_ids: tuple[int, ...]


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """True when two half-open spans share at least one code point."""
    return a_start < b_end and b_start < a_end


def unit_finder(units: Sequence[tuple[int, int]]) -> Callable[[int, int], Sequence[int]]:
    """A function giving, for a span, the indices of the units it `overlaps`. Units that follow one another
    without overlapping (turns, or the sentences in them) are found by bisection: the units ending after the
    span starts are a suffix, those starting before it ends a prefix. Others are tested one by one."""
    if all(units[i][1] <= units[i + 1][0] for i in range(len(units) - 1)):
        starts, ends = [start for start, _ in units], [end for _, end in units]
        return lambda start, end: range(bisect.bisect_right(ends, start), bisect.bisect_left(starts, end))
    return lambda start, end: [i for i, (lo, hi) in enumerate(units) if overlaps(start, end, lo, hi)]


def clip(start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The part of [start, end) inside [lo, hi); empty spans come back with start == end."""
    start, end = max(start, lo), min(end, hi)
    return (start, end) if start < end else (start, start)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without white space at either end (a mouse selection often takes a space)."""
    if not 0 <= start < end <= len(text):
        return start, end  # not a span of this text: left as it is, for the caller to refuse
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def runs(lo: int, hi: int, spans: Iterable[tuple[int, int, int]]) -> list[Run]:
    """Sweep (start, end, id) spans over [lo, hi) into non-overlapping runs covering all of it.

    Runs carry the ids of the spans covering them, in the order the spans were given.
    """
    order: dict[int, int] = {}
    boundaries = {lo, hi}
    clipped = []
    for index, (start, end, ident) in enumerate(spans):
        start, end = clip(start, end, lo, hi)
        if start < end:
            order[ident] = index
            clipped.append((start, end, ident))
            boundaries.update((start, end))
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for start, end, ident in clipped:
        starts.setdefault(start, []).append(ident)
        ends.setdefault(end, []).append(ident)
    active: set[int] = set()
    points = sorted(boundaries)
    result = []
    for here, there in zip(points, points[1:]):
        active.difference_update(ends.get(here, ()))
        active.update(starts.get(here, ()))
        result.append(Run(here, there, tuple(sorted(active, key=order.__getitem__))))
    return result


def utf16_to_codepoints(text: str, utf16_offsets: Sequence[int]) -> list[int]:
    """Map offsets counted in UTF-16 code units (browsers, NVivo) to code points in `text`."""
    wanted = sorted(set(utf16_offsets))
    mapping: dict[int, int] = {}
    units = 0
    index = 0
    for position, ch in enumerate(text):
        while index < len(wanted) and wanted[index] <= units:
            mapping[wanted[index]] = position
            index += 1
        units += 2 if ord(ch) > 0xFFFF else 1
    while index < len(wanted):
        mapping[wanted[index]] = len(text)
        index += 1
    return [mapping[o] for o in utf16_offsets]


def codepoints_to_utf16(text: str, offsets: Sequence[int]) -> list[int]:
    """Map code-point offsets into `text` to UTF-16 code units (what NVivo counts)."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    return [o + bisect.bisect_left(astral, o) for o in offsets]


WORD = re.compile(r"[\w'’\-]+")
NUDGES = ("start-earlier", "start-later", "end-earlier", "end-later")
REACH = 400  # how far a nudge looks for the next word, in code points


def nudge(text: str, start: int, end: int, move: str, lo: int = 0, hi: Optional[int] = None) -> tuple[int, int]:
    """[start, end) with one end moved by one word (`move` one of NUDGES), keeping at least one word inside and
    never widening past [lo, hi) (the turn it is in); unchanged when there is no word to move to."""
    hi = len(text) if hi is None else hi
    if move not in NUDGES:
        raise ValueError(f"a span end moves by one of {', '.join(NUDGES)}, not {move!r}")
    if move == "start-earlier":
        words = [m.start() for m in WORD.finditer(text, max(lo, start - REACH), start)]
        return (words[-1] if words else start), end
    if move == "end-later":
        ends = [m.end() for m in WORD.finditer(text, end, min(hi, end + REACH))]
        return start, (ends[0] if ends else end)
    inside = [(m.start(), m.end()) for m in WORD.finditer(text, start, end)]
    if len(inside) < 2:
        return start, end
    return (inside[1][0], end) if move == "start-later" else (start, inside[-2][1])

