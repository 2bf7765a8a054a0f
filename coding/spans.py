"""Span arithmetic over code-point offsets: runs for rendering, overlap, clipping."""

from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Run:
    """A stretch of text [start, end) with the same set of codings on all of it."""

    start: int
    end: int
    coding_ids: tuple[int, ...]


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """True when two half-open spans share at least one code point."""
    return a_start < b_end and b_start < a_end


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
