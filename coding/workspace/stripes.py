"""Coding stripes: beside each turn, one bar per code on it, spanning the passages it codes, with its name."""

from functools import lru_cache
from typing import Optional, Sequence

from coding.codebook.palette import line, tint
from coding.models import Code, Coding

MEMO_START = 80


def memo_start(memo: str) -> str:
    """The first words of a memo, on one line, cut at about 80 characters."""
    text = " ".join(memo.split())
    return text if len(text) <= MEMO_START else text[:MEMO_START - 1].rstrip() + "…"


class Stripe:
    """One code's bar in a turn's margin: its passages there (merged where they touch), whose they are, and
    the start of the first memo on them."""

    __slots__ = ("code", "lane", "segments", "coding_ids", "owners", "memo")

    def __init__(self, code: Code, lane: int):
        self.code, self.lane = code, lane
        self.segments: list[tuple[int, int]] = []
        self.coding_ids: list[int] = []
        self.owners: list[str] = []
        self.memo = ""

    @property
    def style(self) -> str:
        """Inline CSS: the code's line and tint colours and its lane."""
        return f"{_colours(self.code.colour)};--lane:{self.lane}"

    @property
    def codings(self) -> str:
        return " ".join(map(str, self.coding_ids))

    @property
    def title(self) -> str:
        """Hover text: the full name, how many passages, whose, and the memo's start."""
        count = len(self.segments)
        title = f"{self.code.name} · {count} passage{'s' if count != 1 else ''} in this turn"
        if self.owners:
            title += " · coded by " + ", ".join(self.owners)
        return title + (" · memo: " + self.memo if self.memo else "")

    def bars(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Each passage as (start, end, inline CSS placing it at its share of the turn [start, end), in whole
        percents: the page's script then lays it over the very lines)."""
        length = max(1, end - start)
        out = []
        for lo, hi in self.segments:
            top = min(100 * (lo - start) // length, 96)
            out.append((lo, hi, f"top:{top}%;height:{min(max(100 * (hi - lo) // length, 4), 100 - top)}%"))
        return out


@lru_cache(maxsize=1024)
def _colours(colour: str) -> str:
    return f"--line:{line(colour)};--tint:{tint(colour)}"


def turn_stripes(start: int, end: int, spans: Sequence[tuple[int, int, int, Coding]], codes: dict[int, Code],
                 owners: Optional[dict[int, str]] = None) -> list[Stripe]:
    """The stripes of the turn [start, end) for the codings overlapping it, given as (start, end, id, coding)
    in order of start; stripes come in order of their first passage (an outer passage before one inside it)."""
    by_code: dict[int, Stripe] = {}
    for lo, hi, coding_id, coding in sorted(spans, key=lambda span: (span[0], -span[1])):
        lo, hi = max(lo, start), min(hi, end)
        code_id = coding.code_id
        stripe = by_code.get(code_id)
        if stripe is None:
            stripe = by_code[code_id] = Stripe(codes[code_id], len(by_code))
        segments = stripe.segments
        if segments and lo <= segments[-1][1]:  # passages come by start: merge with the last one it touches
            segments[-1] = (segments[-1][0], max(segments[-1][1], hi))
        else:
            segments.append((lo, hi))
        stripe.coding_ids.append(coding_id)
        if owners:
            owner = owners.get(coding.layer_id)
            if owner and owner not in stripe.owners:
                stripe.owners.append(owner)
        if not stripe.memo and coding.memo:
            stripe.memo = memo_start(coding.memo)
    return list(by_code.values())
