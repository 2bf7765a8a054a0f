"""Agreement statistics and span measures: published worked examples, hand-made layers, cross-checks."""

import math
import random
from collections import Counter

import pytest

from coding.team.measures import (bootstrap_ci, character_agreement, code_agreement, cohen_kappa, cohen_kappa_ci,
                                   krippendorff_alpha, krippendorff_alpha_ci, percent_agreement, plain_sentence, figure,
                                   interval)
from coding.team import unitizing
from coding.team.unitizing import character_table, span_f1, unit_labels, unitizing_alpha

N = None
# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", example C: four observers, twelve units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# The classic 2 × 2 table of 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
TEXTBOOK_A = ["yes"] * 25 + ["no"] * 25
TEXTBOOK_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15


# Percent agreement and Cohen's kappa

@pytest.mark.parametrize("a, b, percent, kappa", [
    (TEXTBOOK_A, TEXTBOOK_B, 0.70, 0.40),                       # po .70, pe .50
    ([1, 2, 3], [1, 2, 3], 1.0, 1.0),
    ([1, 1, 2, 2], [2, 2, 1, 1], 0.0, -1.0),
    ([1, 2, N, 1], [1, 2, 2, N], 1.0, 1.0),                     # units missing a label are skipped
    (["a", "a", "b", "b"], ["a", "b", "a", "b"], 0.5, 0.0),     # agreement no better than chance
])
def test_percent_agreement_and_kappa_worked_examples(a, b, percent, kappa):
    assert percent_agreement(a, b) == pytest.approx(percent)
    assert cohen_kappa(a, b) == pytest.approx(kappa)


def test_kappa_when_both_coders_use_one_label_everywhere_is_one_by_convention():
    assert cohen_kappa(["x"] * 5, ["x"] * 5) == 1.0
    assert cohen_kappa([0] * 4, [0, 0, 0, 1]) == 0.0


def test_kappa_matches_scikit_learn_on_random_labels():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    for seed in range(50):
        rng = random.Random(seed)
        labels = list(range(rng.randint(2, 5)))
        a = [rng.choice(labels) for _ in range(rng.randint(10, 200))]
        b = [x if rng.random() < 0.6 else rng.choice(labels) for x in a]
        if len(set(a) | set(b)) == 1:
            assert cohen_kappa(a, b) == 1.0
            continue
        assert cohen_kappa(a, b) == pytest.approx(sklearn_metrics.cohen_kappa_score(a, b), abs=1e-12), seed


# Krippendorff's alpha

@pytest.mark.parametrize("level, published", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_alpha_reproduces_krippendorffs_published_example(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def _alpha_by_pairs(data, level):
    """Alpha straight from its pairwise definition: 1 - D_o / D_e over all pairs of pairable values."""
    units = [[v for v in column if v is not None] for column in zip(*data)]
    units = [unit for unit in units if len(unit) >= 2]
    values = [v for unit in units for v in unit]
    counts = Counter(values)
    order = sorted(counts)

    def delta(c, k):
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        if level == "ratio":
            return ((c - k) / (c + k)) ** 2
        lo, hi = sorted((order.index(c), order.index(k)))
        return (sum(counts[g] for g in order[lo:hi + 1]) - (counts[c] + counts[k]) / 2) ** 2

    n = len(values)
    observed = sum(delta(u[i], u[j]) / (len(u) - 1)
                   for u in units for i in range(len(u)) for j in range(len(u)) if i != j) / n
    expected = sum(delta(values[i], values[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    return 1 - observed / expected


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_its_pairwise_definition_on_random_data_with_gaps(level):
    for seed in range(20):
        rng = random.Random(seed)
        coders, units = rng.randint(2, 5), rng.randint(5, 30)
        data = [[rng.randint(1, 5) if rng.random() > 0.2 else None for _ in range(units)] for _ in range(coders)]
        expected = _alpha_by_pairs(data, level)
        assert krippendorff_alpha(data, level) == pytest.approx(expected, abs=1e-12), seed


def test_alpha_for_two_coders_is_scotts_pi_with_the_small_sample_correction():
    for seed in range(20):
        rng = random.Random(seed)
        a = [rng.choice("xyz") for _ in range(rng.randint(5, 60))]
        b = [x if rng.random() < 0.7 else rng.choice("xyz") for x in a]
        units = len(a)
        observed = percent_agreement(a, b)
        pooled = Counter(a + b)
        chance = sum((count / (2 * units)) ** 2 for count in pooled.values())
        scott_pi = (observed - chance) / (1 - chance)
        expected = 1 - (2 * units - 1) / (2 * units) * (1 - scott_pi)
        assert krippendorff_alpha([a, b]) == pytest.approx(expected, abs=1e-12), seed


@pytest.mark.parametrize("data, alpha", [
    ([[1, 2, 3], [1, 2, 3]], 1.0),
    ([[1, 1, 1], [1, 1, 1]], 1.0),                          # no variation: 0/0, called perfect agreement
    ([[1, 2, 1, 2], [2, 1, 2, 1]], 1 - 7 / 4),              # o_12 + o_21 = 8, n = 8: 1 - 7 * 8 / (2 * 4 * 4)
    ([[1, 2, 1, 2, 9], [2, 1, 2, 1, N]], 1 - 7 / 4),         # a unit with one value is not pairable
])
def test_alpha_hand_worked_examples(data, alpha):
    assert krippendorff_alpha(data) == pytest.approx(alpha)


# Bootstrap intervals

def _realistic_pair(seed=7, units=120):
    rng = random.Random(seed)
    a = [rng.choice(["safety", "choice", "connection", None]) for _ in range(units)]
    b = [x if rng.random() < 0.75 else rng.choice(["safety", "choice", "connection"]) for x in a]
    return a, b


def test_kappa_interval_contains_the_estimate_and_is_repeatable():
    a, b = _realistic_pair()
    low, high = cohen_kappa_ci(a, b, n=500, seed=3)
    assert low < cohen_kappa(a, b) < high
    assert 0 < low and high < 1
    assert cohen_kappa_ci(a, b, n=500, seed=3) == (low, high)
    assert cohen_kappa_ci(a, b, n=500, seed=4) != (low, high)


def test_alpha_interval_contains_the_estimate_and_narrows_at_lower_confidence():
    a, b = _realistic_pair()
    third = [x if i % 5 else None for i, x in enumerate(b)]
    data = [a, b, third]
    wide = krippendorff_alpha_ci(data, n=400, seed=1)
    narrow = krippendorff_alpha_ci(data, n=400, confidence=0.5, seed=1)
    assert wide[0] < krippendorff_alpha(data) < wide[1]
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_perfect_agreement_gives_an_interval_of_one():
    labels = ["a", "b", "c", "a", "b"] * 8
    assert cohen_kappa_ci(labels, labels, n=200) == (1.0, 1.0)
    assert krippendorff_alpha_ci([labels, labels, labels], n=200) == (1.0, 1.0)


def test_bootstrap_resamples_whole_units():
    seen = []
    bootstrap_ci(lambda rows: seen.append(rows) or 0.0, [[1, 2, 3], [11, 12, 13]], n=20, seed=5)
    assert len(seen) == 20
    assert all(b == [x + 10 for x in a] for a, b in seen)


# Units from spans

LAYER = [(0, 10, "safety/confidentiality"), (30, 40, "choice"), (50, 55, "safety")]
TURNS = [(0, 5), (5, 20), (20, 30), (30, 50), (50, 60)]


@pytest.mark.parametrize("code, include_children, labels", [
    ("safety", True, [1, 1, 0, 0, 1]),
    ("safety", False, [0, 0, 0, 0, 1]),
    ("safety/confidentiality", True, [1, 1, 0, 0, 0]),
    ("choice", True, [0, 0, 0, 1, 0]),                    # (30, 40) does not reach (20, 30): spans are half-open
    ("saf", True, [0, 0, 0, 0, 0]),                      # a prefix of a name is not a parent
    ("connection", True, [0, 0, 0, 0, 0]),
])
def test_unit_labels_mark_units_a_coding_of_the_code_overlaps(code, include_children, labels):
    assert unit_labels(LAYER, TURNS, code, include_children=include_children) == labels


@pytest.mark.parametrize("a, b, length, table", [
    ([(0, 10, "s")], [(0, 10, "s")], 20, {(0, 0): 10, (0, 1): 0, (1, 0): 0, (1, 1): 10}),
    ([(0, 10, "s/x")], [(5, 15, "s")], 20, {(0, 0): 5, (0, 1): 5, (1, 0): 5, (1, 1): 5}),
    ([(0, 4, "s"), (2, 6, "s")], [], 10, {(0, 0): 4, (0, 1): 0, (1, 0): 6, (1, 1): 0}),
    ([(0, 5, "t")], [(5, 30, "s")], 10, {(0, 0): 5, (0, 1): 5, (1, 0): 0, (1, 1): 0}),   # clipped to the text
])
def test_character_table_counts_characters_by_who_coded_them(a, b, length, table):
    assert character_table(a, b, "s", length) == table


@pytest.mark.parametrize("a, b, percent, kappa, alpha", [
    ([(0, 10, "s")], [(0, 10, "s")], 1.0, 1.0, 1.0),
    ([(0, 10, "s")], [(5, 15, "s")], 0.5, 0.0, 1 - 39 * 20 / (2 * 20 * 20)),
    ([(0, 5, "s")], [(10, 15, "s")], 0.5, -1 / 3, 1 - 39 * 20 / (2 * 30 * 10)),
    ([], [], 1.0, 1.0, 1.0),
])
def test_character_agreement_worked_examples(a, b, percent, kappa, alpha):
    result = character_agreement(a, b, "s", 20)
    assert (result["percent"], result["kappa"], result["alpha"]) == pytest.approx((percent, kappa, alpha))


def test_character_agreement_equals_the_statistics_on_one_label_per_character():
    for seed in range(15):
        rng = random.Random(seed)
        length = rng.randint(20, 300)
        layers = []
        for _ in range(2):
            starts = [rng.randrange(length) for _ in range(rng.randint(1, 6))]
            layers.append([(s, min(length, s + rng.randint(1, 40)), rng.choice(["s", "s/x", "t"])) for s in starts])
        a, b = (unit_labels(layer, [(i, i + 1) for i in range(length)], "s") for layer in layers)
        result = character_agreement(*layers, "s", length)
        assert result["percent"] == pytest.approx(percent_agreement(a, b)), seed
        assert result["kappa"] == pytest.approx(cohen_kappa(a, b)), seed
        assert result["alpha"] == pytest.approx(krippendorff_alpha([a, b])), seed
        assert (result["coded_by_a"], result["coded_by_b"]) == (sum(a), sum(b))


# Agreement per code and pooled

X_LAYER = [(0, 10, "s")]
Y_LAYER = [(0, 5, "s"), (12, 14, "t")]
THIRDS = [(0, 6), (6, 11), (11, 20)]


def test_code_agreement_hand_worked_example():
    # presence per unit: s x=110 y=100; t x=000 y=001; pooled x=110000 y=100001
    report = code_agreement({"x": X_LAYER, "y": Y_LAYER}, THIRDS, ["s", "t"])
    s, t = report.codes
    assert (s.code, s.items, s.percent, s.kappa[("x", "y")], s.alpha) == pytest.approx(
        ("s", 3, 2 / 3, 0.4, 4 / 9))
    assert (t.code, t.items, t.percent, t.kappa[("x", "y")], t.alpha) == pytest.approx(
        ("t", 3, 2 / 3, 0.0, 0.0))
    pooled = report.pooled
    assert (pooled.code, pooled.items, pooled.percent, pooled.kappa[("x", "y")], pooled.alpha) == pytest.approx(
        (None, 6, 4 / 6, 0.25, 20 / 64))


def test_three_coders_percent_is_the_mean_over_pairs_and_kappa_is_per_pair():
    # presence of s per unit: x=110 y=100 z=111
    report = code_agreement({"x": X_LAYER, "y": Y_LAYER, "z": [(0, 20, "s")]}, THIRDS, ["s"])
    s = report.codes[0]
    assert s.percent == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
    assert s.kappa == pytest.approx({("x", "y"): 0.4, ("x", "z"): 0.0, ("y", "z"): 0.0})
    assert s.alpha == pytest.approx(1 - 8 * 4 / (2 * 6 * 3))     # o_10 + o_01 = 4, n_1 = 6, n_0 = 3


def test_identical_layers_agree_perfectly_on_every_code():
    layers = {"ana": LAYER, "ben": list(LAYER), "cal": list(reversed(LAYER))}
    report = code_agreement(layers, TURNS, ["safety", "choice"])
    for row in [*report.codes, report.pooled]:
        assert row.percent == 1.0 and row.alpha == 1.0
        assert row.kappa == {("ana", "ben"): 1.0, ("ana", "cal"): 1.0, ("ben", "cal"): 1.0}
    assert report.pooled.items == 2 * len(TURNS)


def test_layers_that_never_meet_agree_worse_than_chance():
    units = [(0, 10), (10, 20), (20, 30), (30, 40)]
    report = code_agreement({"x": [(0, 10, "s"), (20, 30, "s")], "y": [(10, 20, "s"), (30, 40, "s")]},
                            units, ["s"])
    assert report.codes[0].percent == 0.0
    assert report.codes[0].kappa[("x", "y")] == -1.0
    assert report.codes[0].alpha < 0


# Span matching and unitizing alpha

@pytest.mark.parametrize("a, b, kwargs, exact_f1, overlap, distance", [
    ([(0, 10, "s"), (20, 30, "t")], [(20, 30, "t"), (0, 10, "s")], {}, 1.0, (1.0, 1.0, 1.0), 0.0),
    ([(0, 10, "s")], [(2, 12, "s")], {}, 0.0, (1.0, 1.0, 1.0), 2.0),
    ([(0, 10, "s")], [(0, 10, "t")], {}, 0.0, (0.0, 0.0, 0.0), None),
    ([(0, 10, "s")], [(10, 20, "s")], {}, 0.0, (0.0, 0.0, 0.0), None),              # touching is not overlap
    ([(0, 10, "s")], [(5, 15, "s")], {"min_overlap": 0.3}, 0.0, (1.0, 1.0, 1.0), 5.0),  # shares 5 of 15
    ([(0, 10, "s")], [(5, 15, "s")], {"min_overlap": 0.5}, 0.0, (0.0, 0.0, 0.0), None),
    ([(0, 10, "s")], [(0, 4, "s"), (6, 10, "s")], {}, 0.0, (0.5, 1.0, 2 / 3), 3.0),    # one to one
    ([(0, 10, "s"), (6, 8, "s")], [(0, 8, "s"), (8, 10, "s")], {}, 0.0, (1.0, 1.0, 1.0), 3.5),  # most pairs
    ([(0, 10, "s")], [(8, 20, "s"), (0, 9, "s")], {}, 0.0, (0.5, 1.0, 2 / 3), 0.5),    # closer partner
    ([(0, 10, "s/a")], [(0, 10, "s/b")], {"code": "s"}, 1.0, (1.0, 1.0, 1.0), 0.0),
    ([(0, 10, "s/a"), (0, 10, "t")], [(0, 10, "s/b")], {"code": "t"}, 0.0, (0.0, 0.0, 0.0), None),
    ([(0, 10, "s/a")], [(0, 10, "s/b")], {"code": "s", "include_children": False}, 1.0, (1.0, 1.0, 1.0), None),
])
def test_span_f1_worked_examples(a, b, kwargs, exact_f1, overlap, distance):
    result = span_f1(a, b, **kwargs)
    assert result["exact"]["f1"] == pytest.approx(exact_f1)
    scores = result["overlap"]
    assert (scores["precision"], scores["recall"], scores["f1"]) == pytest.approx(overlap)
    assert result["boundary_distance"] == pytest.approx(distance)


# Krippendorff (2004) "Measuring the reliability of qualitative text analysis data", code c, on [150, 450).
CODER_I = [(225 - 150, 295 - 150, "c"), (370 - 150, 400 - 150, "c")]
CODER_J = [(220 - 150, 300 - 150, "c"), (355 - 150, 375 - 150, "c"), (400 - 150, 420 - 150, "c")]


@pytest.mark.parametrize("a, b, length, alpha", [
    ([(2, 5, "x")], [(2, 5, "x")], 10, 1.0),
    ([(2, 4, "x"), (3, 5, "x")], [(2, 5, "x")], 10, 1.0),          # a coder's overlapping spans merge
    ([], [], 10, 1.0),                                             # nobody marked the code: 0/0, called 1
    # D_o = 1 / 10^2; D_e = (2/10)(73 + 46) / (2*10*19 - 3*2 - 2*1) = 23.8 / 372
    ([(2, 5, "x")], [(3, 5, "x")], 10, 1 - 0.01 / (23.8 / 372)),
    # each unit lies in the other's gap: D_o = 50 / 100; D_e = (2/10)(110 + 110) / (380 - 40)
    ([(0, 5, "x")], [(5, 10, "x")], 10, 1 - 0.5 / (44 / 340)),
    (CODER_I, CODER_J, 300, 1 - 0.0144444 / 0.0532218),            # D_o .0144, D_e .0532 as published
])
def test_unitizing_alpha_worked_examples(a, b, length, alpha):
    code = "c" if a is CODER_I else "x"
    assert unitizing_alpha(a, b, code, length) == pytest.approx(alpha, abs=1e-5)


def test_unitizing_alpha_counts_children_as_the_parent_code():
    assert unitizing_alpha([(2, 5, "s/a")], [(2, 5, "s")], "s", 10) == 1.0
    assert unitizing_alpha([(2, 5, "s/a")], [(2, 5, "s")], "s", 10, include_children=False) < 0



def _pairwise_candidates(a, b, min_overlap):
    """Every same-code span of b overlapping each span of a, closer first: the definition, pair by pair."""
    return [sorted((j for j, y in enumerate(b) if x[2] == y[2] and unitizing._share(x, y) > 0
                    and unitizing._share(x, y) >= min_overlap), key=lambda j: -unitizing._share(x, b[j])) for x in a]


def _pairwise_observed(a, b):
    total = 0
    for a_start, a_end, a_unit in a:
        for b_start, b_end, b_unit in b:
            if a_unit and b_unit and a_start < b_end and b_start < a_end:
                total += (a_start - b_start) ** 2 + (a_end - b_end) ** 2
            elif a_unit and not b_unit and b_start <= a_start and a_end <= b_end:
                total += (a_end - a_start) ** 2
            elif b_unit and not a_unit and a_start <= b_start and b_end <= a_end:
                total += (b_end - b_start) ** 2
    return total


def _pairwise_expected(layers, length):
    units = [end - start for layer in layers for start, end, unit in layer if unit]
    gaps = [end - start for layer in layers for start, end, unit in layer if not unit]
    m = len(layers)
    total = sum((len(units) - 1) / 3 * (2 * l**3 - 3 * l**2 + l)
                + l**2 * sum(g - l + 1 for g in gaps if g >= l) for l in units)
    return (2 / length) * total / (m * length * (m * length - 1) - sum(l * (l - 1) for l in units))


def test_span_matching_and_unitizing_alpha_equal_their_pair_by_pair_definitions_on_random_layers():
    """The bisecting shortcuts (a project-wide comparison has tens of thousands of spans per coder) give
    exactly what comparing every span with every span gives, empty and nested spans included."""
    rng = random.Random(2004)
    for _ in range(1500):
        length = rng.randint(1, 300)

        def layer():
            return [(start, min(length, start + rng.choice([0, 1, 2, 5, 20, 80, 300])), rng.choice(["s", "s/a", "c"]))
                    for start in (rng.randint(0, length) for _ in range(rng.randint(0, 25)))]
        a, b = layer(), layer()
        min_overlap = rng.choice([0.0, 0.3, 0.5, 1.0])
        assert unitizing._candidates(a, b, min_overlap) == _pairwise_candidates(a, b, min_overlap)
        for code in ("s", "c"):
            mine = unitizing.sections(unitizing.spans_of(a, code), length)
            theirs = unitizing.sections(unitizing.spans_of(b, code), length)
            assert unitizing._observed(mine, theirs) == _pairwise_observed(mine, theirs)
            assert unitizing._expected([mine, theirs], length) == _pairwise_expected([mine, theirs], length)


# Plain sentences

@pytest.mark.parametrize("measure, value, words", [
    ("kappa", 0.62, "Substantial agreement beyond chance (Landis & Koch)"),
    ("kappa", 0.85, "Almost perfect"),
    ("kappa", 0.80, "Substantial"),
    ("kappa", 0.50, "Moderate"),
    ("cohen_kappa", 0.30, "Fair"),
    ("kappa", 0.01, "Slight"),
    ("kappa", 0.0, "No agreement beyond chance"),
    ("kappa", 1.0, "Perfect agreement"),
    ("alpha", 1.0, "Perfect agreement"),
    ("kappa", -0.2, "Less agreement than chance"),
    ("alpha", 0.80, "Reliable"),
    ("krippendorff_alpha", 0.743, "Tentative"),
    ("alpha", 0.667, "Tentative"),
    ("unitizing_alpha", 0.60, "Unreliable"),
    ("alpha", -0.1, "No better than chance"),
    ("percent", 0.92, "same answer on 92% of units"),
    ("percent", 0.92, "uncoded"),
    ("f1", 0.9, "most passages"),
    ("f1", 0.2, "mostly marked different passages"),
    ("kappa", None, "Not enough"),
    ("alpha", math.nan, "Not enough"),
])
def test_plain_sentence_says_what_a_figure_means(measure, value, words):
    sentence = plain_sentence(measure, value)
    assert words in sentence
    assert sentence.endswith(".") and sentence.count(". ") == 0


# Bad input

@pytest.mark.parametrize("call, message", [
    (lambda: percent_agreement([1, 2], [1]), "coder a has 2 labels but coder b has 1"),
    (lambda: cohen_kappa([None, 1], [1, None]), "no unit has a label from both coders"),
    (lambda: krippendorff_alpha([[1, 2]]), "at least two coders"),
    (lambda: krippendorff_alpha([[1, 2], [1]]), "coder 1 has 1 units but coder 0 has 2"),
    (lambda: krippendorff_alpha([[1, None], [None, 2]]), "no unit has values from two or more coders"),
    (lambda: krippendorff_alpha(KRIPPENDORFF_2011, "nominel"), "level must be one of nominal"),
    (lambda: krippendorff_alpha([["a", "b"], ["a", "c"]], "interval"), "interval alpha needs numeric values"),
    (lambda: krippendorff_alpha([[1, "a"], [1, "a"]], "ordinal"), "values that can be ordered"),
    (lambda: bootstrap_ci(len, [[1, 2], [1]]), "same, non-zero number of units"),
    (lambda: bootstrap_ci(len, [[1, 2], [1, 2]], level=95), "share between 0 and 1"),
    (lambda: bootstrap_ci(len, [[1, 2], [1, 2]], n=0), "at least 1"),
    (lambda: bootstrap_ci(lambda rows: cohen_kappa(*rows), [[None], [1]]), "could not be computed"),
    (lambda: cohen_kappa_ci([1, 2], [1]), "coder a has 2 labels"),
    (lambda: unit_labels([(5, 2, "s")], TURNS, "s"), "coding 's' (5, 2) is not a span"),
    (lambda: unit_labels([], [(3, 1)], "s"), "unit (3, 1) is not a span"),
    (lambda: character_agreement([], [], "s", 0), "length must be at least 1"),
    (lambda: code_agreement({"x": []}, TURNS, ["s"]), "at least two coders, got 1"),
    (lambda: code_agreement({"x": [], "y": []}, [], ["s"]), "at least one unit"),
    (lambda: code_agreement({"x": [], "y": []}, TURNS, []), "at least one code"),
    (lambda: span_f1([], [], min_overlap=2), "min_overlap is a share"),
    (lambda: span_f1([(-1, 3, "s")], []), "is not a span"),
    (lambda: unitizing_alpha([], [], "s", 0), "length must be at least 1"),
    (lambda: plain_sentence("rho", 0.5), "measure must be one of"),
    (lambda: plain_sentence("percent", 92), "share between 0 and 1"),
])
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


@pytest.mark.parametrize("value, text", [(-0.04, "\u22120.04"), (-0.001, "0.00"), (0.5, "0.50"), (None, "—")])
def test_figures_print_with_a_true_minus_and_never_minus_zero(value, text):
    assert figure(value) == text


def test_an_interval_reads_as_words_not_a_run_of_dashes():
    assert interval((-0.04, -0.01)) == "\u22120.04 to \u22120.01"
    assert interval(None) == "—"
