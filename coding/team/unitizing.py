"""From span codings to units: presence per unit, character tables, span matching, unitizing alpha.

A coding is a (start, end, code) tuple with [start, end) in code points; one coder's codings make a layer.
"""

import bisect
from collections import Counter
from itertools import accumulate
from typing import Sequence

from coding.text.spans import clip, runs, unit_finder

Coding = tuple[int, int, str]
Span = tuple[int, int]


def code_matches(code: str, wanted: str, *, include_children: bool = True) -> bool:
    """True when `code` is `wanted`, or (with include_children) a child such as "wanted/part"."""
    return code == wanted or (include_children and code.startswith(wanted + "/"))


def check_span(start: int, end: int, what: str = "span") -> None:
    """Raise ValueError when [start, end) is not a span of offsets (negative, or ending before it starts)."""
    if start < 0 or end < start:
        raise ValueError(f"{what} ({start}, {end}) is not a span: offsets must satisfy 0 <= start <= end")


def spans_of(codings: Sequence[Coding], code: str, *, include_children: bool = True) -> list[Span]:
    """The (start, end) of each coding that carries `code`, in the order given."""
    found = []
    for start, end, tag in codings:
        check_span(start, end, f"coding {tag!r}")
        if code_matches(tag, code, include_children=include_children):
            found.append((start, end))
    return found


def unit_labels(codings: Sequence[Coding], units: Sequence[Span], code: str, *,
                include_children: bool = True) -> list[int]:
    """1 for each unit that one of the coder's codings of `code` overlaps, else 0."""
    spans = spans_of(codings, code, include_children=include_children)
    for start, end in units:
        check_span(start, end, "unit")
    labels, reached = [0] * len(units), unit_finder(units)
    for s, e in spans:
        for index in reached(s, e):
            labels[index] = 1
    return labels


def character_table(a_codings: Sequence[Coding], b_codings: Sequence[Coding], code: str, length: int, *,
                    include_children: bool = True) -> dict[tuple[int, int], int]:
    """Characters of [0, length) counted by (coded by A, coded by B) for one code, e.g. {(1, 1): 40, ...}."""
    if length < 1:
        raise ValueError(f"the text length must be at least 1 character, not {length}")
    tagged = [(start, end, (coder, i))
              for coder, codings in (("a", a_codings), ("b", b_codings))
              for i, (start, end) in enumerate(spans_of(codings, code, include_children=include_children))]
    table = {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 0}
    for run in runs(0, length, tagged):
        coders = {coder for coder, _ in run.coding_ids}
        table[int("a" in coders), int("b" in coders)] += run.end - run.start
    return table


def _family(codings: Sequence[Coding], code: str | None, include_children: bool) -> list[Coding]:
    """All codings when code is None, else those of `code` (children included when asked) relabelled `code`."""
    if code is None:
        for start, end, tag in codings:
            check_span(start, end, f"coding {tag!r}")
        return list(codings)
    return [(s, e, code) for s, e in spans_of(codings, code, include_children=include_children)]


def _share(a: Coding, b: Coding) -> float:
    """Characters two spans share as a share of the characters either covers (0 when they share none)."""
    common = min(a[1], b[1]) - max(a[0], b[0])
    return common / (max(a[1], b[1]) - min(a[0], b[0])) if common > 0 else 0.0


def _by_start(spans: list[Coding]) -> tuple[list[tuple[int, int]], int]:
    """(start, index) of each span sorted by start, and the longest span's length: what `_overlapping` needs."""
    return sorted((span[0], j) for j, span in enumerate(spans)), max((e - s for s, e, _ in spans), default=0)


def _overlapping(x: Coding, spans: list[Coding], starts: list[tuple[int, int]], longest: int) -> list[int]:
    """The indices of the spans sharing at least one character with x: among those starting before x ends,
    only the ones starting less than the longest span's length before x starts can reach it."""
    last = bisect.bisect_left(starts, (x[1], -1))
    first = bisect.bisect_left(starts, (x[0] - longest, -1), hi=last)
    return [j for _, j in starts[first:last] if spans[j][1] > x[0] and spans[j][0] < x[1]]


def _candidates(a: list[Coding], b: list[Coding], min_overlap: float) -> list[list[int]]:
    """For each span of a, the indices of b's spans of the same code that it may be matched with, closer first."""
    starts, longest = _by_start(b)
    return [sorted((j for j in _overlapping(x, b, starts, longest) if x[2] == b[j][2]
                    and 0 < _share(x, b[j]) >= min_overlap), key=lambda j: (-_share(x, b[j]), j)) for x in a]


def _match(a: list[Coding], b: list[Coding], min_overlap: float) -> list[tuple[int, int]]:
    """A largest one-to-one matching of overlapping same-code spans, preferring the closer partner."""
    candidates = _candidates(a, b, min_overlap)
    owner: dict[int, int] = {}

    def claim(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or claim(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(a)):
        claim(i, set())
    return sorted((i, j) for j, i in owner.items())


def _scores(matched: int, a_count: int, b_count: int) -> dict[str, float]:
    """Precision (share of B matched), recall (share of A matched) and F1; all 1.0 when both are empty."""
    return {
        "precision": matched / b_count if b_count else float(a_count == 0),
        "recall": matched / a_count if a_count else float(b_count == 0),
        "f1": 2 * matched / (a_count + b_count) if a_count + b_count else 1.0,
    }


def span_f1(a_codings: Sequence[Coding], b_codings: Sequence[Coding], code: str | None = None, *,
            min_overlap: float = 0.0, include_children: bool = True) -> dict:
    """Span matching between two coders: exact and overlap precision, recall, F1, and boundary distance.

    A is the reference: precision is the share of B's spans matched in A, recall the share of A's spans
    matched in B; F1 is symmetric. Exact matches share code, start and end. Overlap matches pair spans
    one to one with the same code that share at least one character and at least `min_overlap` of the
    characters either covers (0 = any shared character, 1 = identical). With `code`, only that code's
    spans count (children too, when include_children, all treated as the one code). "boundary_distance"
    is the mean distance in characters between matched starts and between matched ends (None if no match).
    """
    if not 0 <= min_overlap <= 1:
        raise ValueError(f"min_overlap is a share of the spans' union, between 0 and 1, not {min_overlap}")
    a, b = _family(a_codings, code, include_children), _family(b_codings, code, include_children)
    exact = sum((Counter(a) & Counter(b)).values())
    pairs = _match(a, b, min_overlap)
    distances = [abs(a[i][k] - b[j][k]) for i, j in pairs for k in (0, 1)]
    return {
        "exact": _scores(exact, len(a), len(b)),
        "overlap": _scores(len(pairs), len(a), len(b)),
        "boundary_distance": sum(distances) / len(distances) if distances else None,
        "a_spans": len(a),
        "b_spans": len(b),
    }


def sections(spans: Sequence[Span], length: int) -> list[tuple[int, int, bool]]:
    """[0, length) cut into (start, end, is_unit) sections; spans that overlap merge into one unit."""
    merged: list[list[int]] = []
    for start, end in sorted(clip(s, e, 0, length) for s, e in spans):
        if start == end:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result, here = [], 0
    for start, end in merged:
        if here < start:
            result.append((here, start, False))
        result.append((start, end, True))
        here = end
    if here < length:
        result.append((here, length, False))
    return result


def _observed(a: list[tuple[int, int, bool]], b: list[tuple[int, int, bool]]) -> int:
    """Sum of squared differences over section pairs of two coders (each unordered pair counted once).

    Both coders' sections tile the same text in order, so a section meets only the run of the other's
    sections between the one holding its start and the one holding its end; only pairs that meet add to
    the sum (a unit wholly inside a gap meets it)."""
    total = 0
    b_ends = [end for _, end, _ in b]
    for a_start, a_end, a_unit in a:
        first = bisect.bisect_right(b_ends, a_start)
        for b_start, b_end, b_unit in b[first:]:
            if b_start >= a_end:
                break
            if a_unit and b_unit:
                total += (a_start - b_start) ** 2 + (a_end - b_end) ** 2
            elif a_unit and not b_unit and b_start <= a_start and a_end <= b_end:
                total += (a_end - a_start) ** 2
            elif b_unit and not a_unit and a_start <= b_start and b_end <= a_end:
                total += (b_end - b_start) ** 2
    return total


def _expected(layers: list[list[tuple[int, int, bool]]], length: int) -> float:
    """Krippendorff's (2004) expected disagreement for units placed at random on the continuum.

    For each unit length l the gaps at least as long add sum(g - l + 1) = (sum of those g) - (l - 1) * (their
    number): read off the gaps sorted by length and their running sums, in whole numbers as before."""
    units = [end - start for layer in layers for start, end, unit in layer if unit]
    gaps = sorted(end - start for layer in layers for start, end, unit in layer if not unit)
    running = [0, *accumulate(gaps)]
    m = len(layers)

    def fitting(l: int) -> int:
        first = bisect.bisect_left(gaps, l)
        return running[-1] - running[first] - (l - 1) * (len(gaps) - first)

    total = sum((len(units) - 1) / 3 * (2 * l**3 - 3 * l**2 + l) + l**2 * fitting(l) for l in units)
    return (2 / length) * total / (m * length * (m * length - 1) - sum(l * (l - 1) for l in units))


def unitizing_alpha(a_codings: Sequence[Coding], b_codings: Sequence[Coding], code: str, length: int, *,
                    include_children: bool = True) -> float:
    """Krippendorff's unitizing alpha (2004, two coders) for one code over the text [0, length).

    Each coder's spans of the code (overlapping ones merged) are units; the rest of the text is gaps.
    Observed disagreement sums squared boundary differences of overlapping units plus the squared length
    of a unit lying wholly in the other coder's gap; expected disagreement is Krippendorff's (2004)
    formula for the same units and gaps placed at random. 1.0 when neither coder marked the code.
    """
    if length < 1:
        raise ValueError(f"the text length must be at least 1 character, not {length}")
    a = sections(spans_of(a_codings, code, include_children=include_children), length)
    b = sections(spans_of(b_codings, code, include_children=include_children), length)
    expected = _expected([a, b], length)
    if expected == 0:
        return 1.0
    observed = 2 * _observed(a, b) / (2 * 1 * length**2)
    return 1 - observed / expected
