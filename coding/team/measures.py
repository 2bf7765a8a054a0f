"""Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha, intervals, plain words.

Labels are any hashable values with None for missing; spans come in as layers of (start, end, code).
Span matching and unitizing alpha live in coding/team/unitizing.py.
"""

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Hashable, Mapping, Sequence

import numpy as np

from coding.team.unitizing import Coding, Span, character_table, unit_labels

Label = Hashable | None
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _pairs(a: Sequence[Label], b: Sequence[Label]) -> list[tuple[Hashable, Hashable]]:
    """The (a, b) label pairs of the units both coders labelled."""
    if len(a) != len(b):
        raise ValueError(f"coder a has {len(a)} labels but coder b has {len(b)}; "
                         "give one label per unit for both coders (None where missing)")
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    if not pairs:
        raise ValueError("no unit has a label from both coders, so there is nothing to compare")
    return pairs


def _percent_from_table(table: Mapping[tuple[Hashable, Hashable], float]) -> float:
    """Share of the weight on pairs whose two labels are equal."""
    return sum(w for (x, y), w in table.items() if x == y) / sum(table.values())


def _kappa_from_table(table: Mapping[tuple[Hashable, Hashable], float]) -> float:
    """Cohen's kappa from the weights of (label by a, label by b) pairs; 1.0 when chance agreement is 1."""
    total = sum(table.values())
    by_a: Counter = Counter()
    by_b: Counter = Counter()
    for (x, y), weight in table.items():
        by_a[x] += weight
        by_b[y] += weight
    chance = sum(by_a[label] * by_b[label] for label in by_a)
    if chance == total * total:
        return 1.0
    expected = chance / (total * total)
    return (_percent_from_table(table) - expected) / (1 - expected)


def percent_agreement(a: Sequence[Label], b: Sequence[Label]) -> float:
    """Share of the units labelled by both coders on which they give the same label."""
    return _percent_from_table(Counter(_pairs(a, b)))


def cohen_kappa(a: Sequence[Label], b: Sequence[Label]) -> float:
    """Cohen's kappa for two coders' nominal labels (units missing either label are skipped).

    When both coders use one identical label everywhere, chance agreement is 1 and kappa is 0/0;
    this function returns 1.0 there (the coders agree on everything), where scikit-learn gives nan.
    """
    return _kappa_from_table(Counter(_pairs(a, b)))


def _coincidences(data: Sequence[Sequence[Label]], ordered: bool) -> tuple[list, np.ndarray]:
    """The values in play (sorted when `ordered`) and their coincidence matrix over pairable units."""
    rows = [list(row) for row in data]
    if len(rows) < 2:
        raise ValueError(f"alpha needs a row for each of at least two coders, got {len(rows)}")
    for index, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise ValueError(f"coder {index} has {len(row)} units but coder 0 has {len(rows[0])}; "
                             "every coder needs one entry per unit (None where missing)")
    # units with the same column of labels add the same to the matrix: take each column once, times its count
    columns = Counter(zip(*rows))
    units = [(Counter(v for v in column if v is not None), times) for column, times in columns.items()]
    units = [(unit, times) for unit, times in units if sum(unit.values()) >= 2]
    if not units:
        raise ValueError("no unit has values from two or more coders, so alpha cannot be computed")
    values = list(dict.fromkeys(v for unit, _ in units for v in unit))
    if ordered:
        try:
            values.sort()
        except TypeError as error:
            raise ValueError(f"ordinal, interval and ratio alpha need values that can be ordered: {error}")
    index = {value: i for i, value in enumerate(values)}
    matrix = np.zeros((len(values), len(values)))
    for unit, times in units:
        size = sum(unit.values())
        for c, n_c in unit.items():
            for k, n_k in unit.items():
                matrix[index[c], index[k]] += times * n_c * (n_k - (c == k)) / (size - 1)
    return values, matrix


def _differences(values: list, counts: np.ndarray, level: str) -> np.ndarray:
    """Krippendorff's squared difference between every two values at the given level of measurement."""
    if level == "nominal":
        return 1 - np.eye(len(values))
    if level == "ordinal":
        middle = np.cumsum(counts) - counts / 2
        return np.subtract.outer(middle, middle) ** 2
    try:
        numbers = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{level} alpha needs numeric values, got {values!r}") from None
    if level == "interval":
        return np.subtract.outer(numbers, numbers) ** 2
    sums = np.add.outer(numbers, numbers)
    return np.divide(np.subtract.outer(numbers, numbers), sums, out=np.zeros_like(sums), where=sums != 0) ** 2


def _alpha_from_coincidences(values: list, matrix: np.ndarray, level: str) -> float:
    """Alpha = 1 - (n - 1) * sum(o_ck * d_ck) / sum(n_c * n_k * d_ck); 1.0 when the values never vary."""
    counts = matrix.sum(axis=1)
    differences = _differences(values, counts, level)
    expected = float((np.outer(counts, counts) * differences).sum())
    if expected == 0:
        return 1.0
    return 1 - (float(counts.sum()) - 1) * float((matrix * differences).sum()) / expected


def krippendorff_alpha(data: Sequence[Sequence[Label]], level: str = "nominal") -> float:
    """Krippendorff's alpha for a coders × units table with None for missing values.

    level is "nominal", "ordinal", "interval" or "ratio". Units with fewer than two values are dropped.
    When all pairable values are the same, expected disagreement is 0 and alpha is 0/0; like cohen_kappa,
    this function returns 1.0 there.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    values, matrix = _coincidences(data, ordered=level != "nominal")
    return _alpha_from_coincidences(values, matrix, level)


def bootstrap_ci(statistic: Callable[[list[list]], float], data: Sequence[Sequence], *, n: int = 1000,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile interval of `statistic` over `n` resamples (with replacement) of the columns of `data`.

    `data` is rows of equal length (coders × units) and `statistic` gets each resample in that shape.
    Resamples on which the statistic raises ValueError (e.g. no comparable unit drawn) are skipped.
    """
    rows = [list(row) for row in data]
    width = len(rows[0]) if rows else 0
    if width == 0 or any(len(row) != width for row in rows):
        raise ValueError("bootstrap data must be rows (one per coder) of the same, non-zero number of units")
    if not 0 < level < 1:
        raise ValueError(f"the confidence level is a share between 0 and 1, such as 0.95, not {level}")
    if n < 1:
        raise ValueError(f"the number of resamples must be at least 1, not {n}")
    estimates = []
    for picks in np.random.default_rng(seed).integers(0, width, size=(n, width)):
        try:
            estimates.append(statistic([[row[j] for j in picks] for row in rows]))
        except ValueError:
            continue
    if not estimates:
        raise ValueError("the statistic could not be computed on any resample of the units")
    low, high = np.quantile(estimates, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def _resampled_types(kinds: Sequence[Hashable], *, n: int, level: float, seed: int) -> tuple[list, np.ndarray]:
    """Resample units by the kind each is (what a statistic reads of it), not one by one: drawing every unit
    with replacement is drawing how many of each kind, a multinomial with the kinds' shares, so a resample
    costs as many kinds as there are (a handful) rather than units (hundreds of thousands on a big project).
    Returns the kinds and, per resample, how many units of each it drew."""
    if not kinds:
        raise ValueError("bootstrap data must be rows (one per coder) of the same, non-zero number of units")
    if not 0 < level < 1:
        raise ValueError(f"the confidence level is a share between 0 and 1, such as 0.95, not {level}")
    if n < 1:
        raise ValueError(f"the number of resamples must be at least 1, not {n}")
    tally = Counter(kinds)
    found = list(tally)
    shares = np.array([tally[kind] for kind in found], dtype=float) / len(kinds)
    return found, np.random.default_rng(seed).multinomial(len(kinds), shares, size=n)


def _interval(estimates: list[float], level: float) -> tuple[float, float]:
    if not estimates:
        raise ValueError("the statistic could not be computed on any resample of the units")
    low, high = np.quantile(estimates, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def cohen_kappa_ci(a: Sequence[Label], b: Sequence[Label], *, n: int = 1000, confidence: float = 0.95,
                   seed: int = 0) -> tuple[float, float]:
    """Bootstrap percentile interval for Cohen's kappa, resampling units."""
    _pairs(a, b)
    kinds, drawn = _resampled_types(list(zip(a, b)), n=n, level=confidence, seed=seed)
    estimates = []
    for counts in drawn:
        table = {(x, y): count for (x, y), count in zip(kinds, counts) if count and x is not None and y is not None}
        if table:
            estimates.append(_kappa_from_table(table))
    return _interval(estimates, confidence)


def krippendorff_alpha_ci(data: Sequence[Sequence[Label]], level: str = "nominal", *, n: int = 1000,
                          confidence: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Bootstrap percentile interval for Krippendorff's alpha at `level`, resampling units."""
    krippendorff_alpha(data, level)
    # a unit's kind is its column of labels; each kind adds one fixed matrix to the coincidences
    columns, drawn = _resampled_types(list(zip(*data)), n=n, level=confidence, seed=seed)
    kinds = [list(Counter(v for v in column if v is not None).items()) for column in columns]
    values = list(dict.fromkeys(value for kind in kinds for value, _ in kind))
    if level != "nominal":
        values.sort()  # orderable: krippendorff_alpha above has checked
    index = {value: i for i, value in enumerate(values)}
    matrices = np.zeros((len(kinds), len(values), len(values)))
    for number, kind in enumerate(kinds):
        size = sum(count for _, count in kind)
        if size < 2:
            continue  # a unit fewer than two coders labelled adds nothing
        for c, n_c in kind:
            for k, n_k in kind:
                matrices[number, index[c], index[k]] += n_c * (n_k - (c == k)) / (size - 1)
    pairable = np.array([sum(count for _, count in kind) >= 2 for kind in kinds])
    estimates = []
    for counts in drawn:
        if not counts[pairable].any():
            continue
        matrix = np.tensordot(counts, matrices, axes=1)
        present = matrix.sum(axis=1) > 0  # values only the units not drawn had are not in play
        estimates.append(_alpha_from_coincidences([v for v, p in zip(values, present) if p],
                                                  matrix[np.ix_(present, present)], level))
    return _interval(estimates, confidence)


def character_agreement(a_codings: Sequence[Coding], b_codings: Sequence[Coding], code: str, length: int, *,
                        include_children: bool = True) -> dict:
    """Percent agreement, kappa and alpha over the characters of [0, length) for one code, by segment counts.

    Every character is a unit judged "coded" or "not coded" by each coder; the text is cut at every span
    boundary and each stretch weighted by its length, so no per-character list is built.
    """
    table = character_table(a_codings, b_codings, code, length, include_children=include_children)
    mixed = table[0, 1] + table[1, 0]
    coincidences = np.array([[2 * table[0, 0], mixed], [mixed, 2 * table[1, 1]]], dtype=float)
    return {
        "characters": length,
        "percent": _percent_from_table(table),
        "kappa": _kappa_from_table(table),
        "alpha": _alpha_from_coincidences([0, 1], coincidences, "nominal"),
        "coded_by_a": table[1, 0] + table[1, 1],
        "coded_by_b": table[0, 1] + table[1, 1],
        "coded_by_both": table[1, 1],
    }


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code, or pooled over codes (code None), across all coders."""

    code: str | None
    items: int
    percent: float
    kappa: dict[tuple[str, str], float]
    alpha: float


@dataclass(frozen=True)
class AgreementReport:
    """Agreement per code, in the order asked, and pooled over them."""

    codes: list[CodeAgreement]
    pooled: CodeAgreement


def _summary(code: str | None, coders: list[str], rows: list[list[int]]) -> CodeAgreement:
    """Pairwise-mean percent agreement, kappa per coder pair and alpha over one coders × items table."""
    pairs = list(combinations(range(len(coders)), 2))
    return CodeAgreement(
        code=code,
        items=len(rows[0]),
        percent=sum(percent_agreement(rows[i], rows[j]) for i, j in pairs) / len(pairs),
        kappa={(coders[i], coders[j]): cohen_kappa(rows[i], rows[j]) for i, j in pairs},
        alpha=krippendorff_alpha(rows),
    )


def code_agreement(layers: Mapping[str, Sequence[Coding]], units: Sequence[Span], codes: Sequence[str], *,
                   include_children: bool = True) -> AgreementReport:
    """Agreement on where each code was applied, unit by unit, per code and pooled.

    Each coder judges each (code, unit) item 1 when any of their codings of that code overlaps the unit,
    else 0. Per code: percent agreement averaged over coder pairs, Cohen's kappa per pair, and nominal
    alpha over all coders; `items` is the number of units. Pooled: the per-code tables laid end to end,
    so every (code, unit) pair is one item (`items` = codes × units) and the same three figures are
    computed once over them. Pooled is not an average of the per-code figures; each code weighs the same
    (one item per unit), and codes used rarely add many agreed absences, which lifts percent agreement.
    """
    coders = list(layers)
    if len(coders) < 2:
        raise ValueError(f"agreement needs the layers of at least two coders, got {len(coders)}")
    if not units:
        raise ValueError("give at least one unit (start, end) to compare the coders on")
    if not codes:
        raise ValueError("give at least one code to compare the coders on")
    tables = {code: [unit_labels(layers[coder], units, code, include_children=include_children)
                     for coder in coders] for code in codes}
    pooled = [[label for code in codes for label in tables[code][i]] for i in range(len(coders))]
    return AgreementReport(codes=[_summary(code, coders, tables[code]) for code in codes],
                           pooled=_summary(None, coders, pooled))


_KAPPA = [
    (1 - 1e-12, "Perfect agreement: the coders give the same answer on every unit."),
    (0.8, "Almost perfect agreement beyond chance (Landis & Koch): the coders agree on nearly every passage."),
    (0.6, "Substantial agreement beyond chance (Landis & Koch): the coders agree on most passages, "
          "more than luck would explain."),
    (0.4, "Moderate agreement beyond chance (Landis & Koch): the coders agree more than luck would explain, "
          "but differ on a fair share of passages."),
    (0.2, "Fair agreement beyond chance (Landis & Koch): the coders agree only a little more than luck "
          "would explain; talk through what the code means."),
    (0.0, "Slight agreement beyond chance (Landis & Koch): the coders agree barely more than luck "
          "would explain."),
    (-1e-12, "No agreement beyond chance: the coders agree exactly as often as luck alone would make them."),
    (-math.inf, "Less agreement than chance: the coders disagree more than luck would explain, which "
                "usually means they read the code differently."),
]
_ALPHA = [
    (1 - 1e-12, "Perfect agreement: the coders apply the codes identically."),
    (0.8 - 1e-12, "Reliable (Krippendorff: alpha of .800 or more): the coders apply the codes consistently "
                  "enough to draw conclusions from them."),
    (0.667 - 1e-12, "Tentative only (Krippendorff: alpha between .667 and .800): draw only cautious, "
                    "provisional conclusions from these codes."),
    (1e-12, "Unreliable (Krippendorff: alpha below .667): the coders do not apply the codes consistently "
            "enough to draw conclusions; revisit the definitions and recode."),
    (-math.inf, "No better than chance: the coders agree no more than luck would explain, or disagree "
                "systematically."),
]
_F1 = [
    (0.8 - 1e-12, "most passages one coder marked were marked by the other too"),
    (0.5 - 1e-12, "the coders marked many of the same passages but each marked some the other did not"),
    (-math.inf, "the coders mostly marked different passages"),
]
_NAMES = {"percent": "percent", "percent_agreement": "percent", "kappa": "kappa", "cohen_kappa": "kappa",
          "alpha": "alpha", "krippendorff_alpha": "alpha", "unitizing_alpha": "alpha",
          "f1": "f1", "span_f1": "f1"}


def _band(bands: list[tuple[float, str]], value: float) -> str:
    """The text of the first band whose lower bound `value` exceeds."""
    return next(text for bound, text in bands if value > bound)


MINUS = "\u2212"


def figure(value: float | None) -> str:
    """An agreement figure to two decimals with a true minus sign (never "-0.00"); "—" when there is none."""
    if value is None or math.isnan(value):
        return "—"
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", MINUS)


def interval(bounds: tuple[float, float] | None) -> str:
    """A confidence interval in words: "−0.04 to −0.01"."""
    return f"{figure(bounds[0])} to {figure(bounds[1])}" if bounds else "—"


NOT_APPLICABLE = "Not applicable: no coder used this code on the transcripts compared."


def plain_sentence(measure: str, value: float | None) -> str:
    """One plain sentence saying what an agreement figure means, for someone who is not a statistician."""
    if measure not in _NAMES:
        raise ValueError(f"measure must be one of {', '.join(_NAMES)}, not {measure!r}")
    if value is None or math.isnan(value):
        return "Not enough coded material to measure agreement."
    kind = _NAMES[measure]
    if kind in ("percent", "f1") and not 0 <= value <= 1:
        raise ValueError(f"{measure} is a share between 0 and 1, not {value}")
    if kind == "kappa":
        return _band(_KAPPA, value)
    if kind == "alpha":
        return _band(_ALPHA, value)
    if kind == "f1":
        return f"Span F1 of {value:.2f}: {_band(_F1, value)}."
    return (f"The coders give the same answer on {value:.0%} of units; percent agreement ignores chance and "
            "looks high when most of the text is left uncoded by both, so read it beside kappa or alpha.")
