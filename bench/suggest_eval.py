"""Quality of code suggestions on labelled interview quotes, by cross-validation, and on small talk.

For each fold, the learned part trains on the other folds' quotes; keyword-only needs no training.
Prints, over the top-level codes:
- top-1 accuracy and top-3 recall of the ranking;
- how often the authors' code is among those suggested ("in sugg."), how many are suggested per quote, and
  macro-F1 of the suggested codes;
- the share of everyday small-talk and interview-procedure lines that get any suggestion (those the engine
  learns everyday talk from, coding/suggest/everyday.txt, and those it never saw, tests/data/small_talk_check.txt);
- calibration: for each band of shown scores, how many (quote, code) pairs fall in it, their mean score and
  how often the code was the authors'.
With the sentence encoder installed (`pip install peerframe[semantic]`), the same rows are printed with it.
`--fit` prints the Platt scaling constants fitted on the cross-validated scores (scoring.CALIBRATION, and
scoring.CALIBRATION_SEMANTIC with the encoder).
Run: python bench/suggest_eval.py [--quotes ../shared/eval/dev_quotes.jsonl] [--fit]
"""

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.suggest.examples import read_examples  # noqa: E402
from coding.suggest import encoder, scoring  # noqa: E402
from coding.suggest.scoring import Scorer, code_centroids, evidence_from_framework, top_level  # noqa: E402

BANDS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
SMALL_TALK = [scoring.EVERYDAY, ROOT / "tests" / "data" / "small_talk_check.txt"]  # learned from, never learned from


def macro_f1(pairs, keys):
    scores = []
    for key in keys:
        tp = sum(1 for gold, got in pairs if key in gold and key in got)
        fp = sum(1 for gold, got in pairs if key not in gold and key in got)
        fn = sum(1 for gold, got in pairs if key in gold and key not in got)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def evaluate(rows, scorer_for, folds, seed, scores):
    """(top-1, top-3, in suggested, suggested per quote, macro-F1); every (score, right) pair goes to `scores`."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    top1 = top3 = inside = count = 0
    pairs = []
    for fold in range(folds):
        held = set(order[fold::folds])
        scorer = scorer_for([rows[i] for i in order if i not in held])
        for i in sorted(held):
            gold = {top_level(c) for c in rows[i].codes}
            ranked = scorer.rank(rows[i].text)
            top1 += ranked[0].code in gold
            top3 += bool(gold & {r.code for r in ranked[:3]})
            suggested = set(scorer.suggested(ranked))
            inside += bool(gold & suggested)
            count += len(suggested)
            pairs.append((gold, suggested))
            scores.extend((r.score, r.code in gold) for r in ranked)
    n = len(rows)
    return top1 / n, top3 / n, inside / n, count / n, macro_f1(pairs, scorer.keys)


def small_talk(scorer) -> tuple[int, int]:
    """How many small-talk lines get any suggestion, of how many."""
    lines = [line.strip() for path in SMALL_TALK for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return sum(bool(scorer.suggested(scorer.rank(line))) for line in lines), len(lines)


def reliability(scores, name: str) -> None:
    shown = np.array([s for s, _ in scores])
    right = np.array([r for _, r in scores], dtype=float)
    print(f"calibration ({name}): band, pairs, mean score, share right")
    for low, high in zip(BANDS, BANDS[1:]):
        inside = (shown >= low) & ((shown < high) | (high == 1.0))
        if inside.any():
            print(f"  {low:.2f}–{high:.2f}{int(inside.sum()):>7}{shown[inside].mean():>8.2f}{right[inside].mean():>8.2f}")
        else:
            print(f"  {low:.2f}–{high:.2f}{0:>7}")


def fit_platt(scores, semantic: bool = False) -> tuple[float, float]:
    """Platt scaling of the engine's probabilities: logistic regression of right on logit(score)."""
    a, b = scoring.CALIBRATION_SEMANTIC if semantic else scoring.CALIBRATION
    shown = np.clip(np.array([s for s, _ in scores]), 1e-6, 1 - 1e-6)
    # undo the current calibration to reach the engine's own probability
    raw_logit = (np.log(shown / (1 - shown)) - b) / a
    x = np.stack([raw_logit, np.ones_like(raw_logit)], axis=1)
    y = np.array([r for _, r in scores], dtype=float)
    w = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        w -= np.linalg.solve(x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2), x.T @ (p - y))
    return float(w[0]), float(w[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", default=str(ROOT.parent / "shared" / "eval" / "dev_quotes.jsonl"))
    parser.add_argument("--framework", default="side-by-side")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--fit", action="store_true", help="Print Platt scaling constants for scoring.CALIBRATION.")
    parser.add_argument("--no-encoder", action="store_true", help="Leave out the sentence encoder's rows.")
    args = parser.parse_args()
    evidence = evidence_from_framework(get_framework(args.framework))
    with open(args.quotes, encoding="utf-8") as handle:
        lines = handle.readlines()
    # scored: the quotes placed under a value or decision (an 11-way ranking); the chapter 7 quotes name
    # sub-themes of experience in common and only ever train, as they do through --examples
    scored, extra = [], []
    for line in lines:
        found, _ = read_examples([line], evidence)
        if found:
            (extra if json.loads(line).get("section_kind") == "bame" else scored).append(found[0])

    keyword = Scorer(evidence)
    print(f"{len(scored)} quotes scored ({len(extra)} more only train) over {len(keyword.keys)} top-level codes, "
          f"{args.folds}-fold, "
          f"{args.seeds} shuffles")
    methods = {"keyword only": lambda train: keyword,
               "keyword + learned": lambda train: Scorer(evidence, train)}
    if not args.no_encoder and encoder.available():
        model = encoder.load()
        centroids = code_centroids(evidence, model)
        semantic = Scorer(evidence, centroids=centroids, encoder=model)
        methods["+ encoder"] = lambda train: semantic
        methods["+ learned + encoder"] = lambda train: Scorer(evidence, train, centroids=centroids, encoder=model)
    elif not args.no_encoder:
        print("(the sentence encoder is not installed: pip install peerframe[semantic] for its rows)")
    print(f"{'method':<22}{'top-1':>7}{'top-3':>7}{'in sugg.':>10}{'per quote':>11}{'macro-F1':>10}{'small talk':>12}")
    scores: dict[str, list] = {}
    for name, make in methods.items():
        runs = [evaluate(scored, lambda train: make(train + extra), args.folds, seed, scores.setdefault(name, []))
                for seed in range(args.seeds)]
        means = [sum(r[i] for r in runs) / len(runs) for i in range(5)]
        got, of = small_talk(make(scored + extra))
        print(f"{name:<22}{means[0]:>7.3f}{means[1]:>7.3f}{means[2]:>10.3f}{means[3]:>11.2f}{means[4]:>10.3f}"
              f"{f'{got}/{of}':>12}")
    for name in ("keyword + learned", "+ learned + encoder"):
        if name in scores:
            reliability(scores[name], name)
    if args.fit:
        a, b = fit_platt(scores["keyword + learned"])
        print(f"CALIBRATION = ({a:.2f}, {b:.2f})")
        if "+ learned + encoder" in scores:
            a, b = fit_platt(scores["+ learned + encoder"], semantic=True)
            print(f"CALIBRATION_SEMANTIC = ({a:.2f}, {b:.2f})")


if __name__ == "__main__":
    main()
