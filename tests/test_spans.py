"""Span arithmetic: runs for rendering, trimming, UTF-16 mapping."""

import random

import pytest

from coding.text.spans import Run, clip, overlaps, runs, trim, unit_finder, utf16_to_codepoints


def test_uncoded_text_is_one_run():
    assert runs(0, 10, []) == [Run(0, 10, ())]


def test_overlapping_codings_split_into_runs_that_carry_both():
    assert runs(0, 20, [(2, 10, 1), (5, 15, 2)]) == [
        Run(0, 2, ()), Run(2, 5, (1,)), Run(5, 10, (1, 2)), Run(10, 15, (2,)), Run(15, 20, ()),
    ]


def test_nested_and_identical_spans():
    assert runs(0, 6, [(0, 6, 7), (2, 4, 8), (0, 6, 9)]) == [
        Run(0, 2, (7, 9)), Run(2, 4, (7, 8, 9)), Run(4, 6, (7, 9)),
    ]


def test_spans_are_clipped_to_the_turn():
    assert runs(10, 20, [(0, 12, 1), (18, 30, 2), (25, 40, 3)]) == [
        Run(10, 12, (1,)), Run(12, 18, ()), Run(18, 20, (2,)),
    ]


def test_runs_cover_the_range_exactly_with_many_spans():
    spans = [(i, i + 7, i) for i in range(0, 500, 3)]
    result = runs(0, 510, spans)
    assert result[0].start == 0 and result[-1].end == 510
    assert all(a.end == b.start for a, b in zip(result, result[1:]))


@pytest.mark.parametrize("a, b, expected", [
    ((0, 5), (5, 9), False), ((0, 5), (4, 9), True), ((3, 4), (0, 9), True), ((0, 1), (2, 3), False),
])
def test_overlaps_is_half_open(a, b, expected):
    assert overlaps(*a, *b) is expected


def test_clip_and_trim():
    assert clip(0, 30, 10, 20) == (10, 20)
    assert clip(0, 5, 10, 20) == (10, 10)
    assert trim("  hello  ", 0, 9) == (2, 7)
    assert trim("   ", 0, 3) == (3, 3)


def test_utf16_offsets_map_to_code_points():
    text = "I felt 😊 safe"
    assert utf16_to_codepoints(text, [0, 7, 9, 10, 14, 15]) == [0, 7, 8, 9, 13, 13]
    assert text[utf16_to_codepoints(text, [10])[0]:] == "safe"


def test_the_unit_finder_finds_exactly_the_units_a_span_overlaps_in_order_or_not():
    rng = random.Random(7)
    in_order = [(0, 10), (10, 25), (30, 31), (40, 60)]
    scattered = [(40, 60), (0, 10), (5, 30)]
    for units in (in_order, scattered, []):
        find = unit_finder(units)
        for _ in range(500):
            start = rng.randrange(0, 70)
            end = start + rng.choice([0, 0, 1, 3, 15, 40])  # empty spans too
            expected = [i for i, (lo, hi) in enumerate(units) if overlaps(start, end, lo, hi)]
            assert list(find(start, end)) == expected, (units, start, end)
