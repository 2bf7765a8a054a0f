"""Coding stripes: beside each turn, one bar per code on it, spanning the passages it codes, with its name."""

from dataclasses import dataclass, field
from typing import Optional, Sequence

from coding.models import Code, Coding
from coding.palette import line, tint

MEMO_START = 80


def memo_start(memo: str) -> str:
    """The first words of a memo, on one line, cut at about 80 characters."""
    text = " ".join(memo.split())
    return text if len(text) <= MEMO_START else text[:MEMO_START - 1].rstrip() + "…"


@dataclass
class Stripe:
    """One code's bar in a turn's margin: its passages there (merged where they touch), whose they are, and
    the start of the first memo on them."""

    code: Code
    turn_start: int
    turn_end: int
    segments: list[tuple[int, int]] = field(default_factory=list)
    coding_ids: list[int] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    memo: str = ""

    @property
    def line(self) -> str:
        return line(self.code.colour)

    @property
    def tint(self) -> str:
        return tint(self.code.colour)

    def placed(self) -> list[tuple[int, int, str]]:
        """Each segment as (start, end, inline CSS placing it at its share of the turn's height)."""
        length = max(1, self.turn_end - self.turn_start)
        out = []
        for start, end in self.segments:
            top = 100 * (start - self.turn_start) / length
            height = max(100 * (end - start) / length, 4.0)
            out.append((start, end, f"top: {min(top, 96):.1f}%; height: {min(height, 100 - min(top, 96)):.1f}%"))
        return out

    @property
    def title(self) -> str:
        """Hover text: the full name, how many passages, whose, and the memo's start."""
        count = len(self.segments)
        parts = [self.code.name, f"{count} passage{'s' if count != 1 else ''} in this turn"]
        if self.owners:
            parts.append("coded by " + ", ".join(self.owners))
        if self.memo:
            parts.append("memo: " + self.memo)
        return " · ".join(parts)


def turn_stripes(start: int, end: int, codings: Sequence[Coding], codes: dict[int, Code],
                 owners: Optional[dict[int, str]] = None) -> list[Stripe]:
    """The stripes of the turn [start, end) for the codings overlapping it, in order of their first passage."""
    by_code: dict[int, Stripe] = {}
    pieces: dict[int, list[tuple[int, int]]] = {}
    for coding in sorted(codings, key=lambda c: (c.start, -c.end)):  # outer passages before inner ones
        lo, hi = max(coding.start, start), min(coding.end, end)
        if lo >= hi:
            continue
        stripe = by_code.get(coding.code_id)
        if stripe is None:
            stripe = by_code[coding.code_id] = Stripe(codes[coding.code_id], start, end)
        pieces.setdefault(coding.code_id, []).append((lo, hi))
        stripe.coding_ids.append(coding.id)
        owner = (owners or {}).get(coding.layer_id)
        if owner and owner not in stripe.owners:
            stripe.owners.append(owner)
        if coding.memo and not stripe.memo:
            stripe.memo = memo_start(coding.memo)
    for code_id, spans in pieces.items():
        merged: list[tuple[int, int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        by_code[code_id].segments = merged
    return list(by_code.values())
