"""Quality of code suggestions on labelled interview quotes, by cross-validation.

For each fold, the learned part trains on the other folds' quotes; keyword-only needs no training.
Prints top-1 accuracy, top-3 recall and macro-F1 (of the codes suggested above the engine's threshold)
over the top-level codes. Run: python bench/suggest_eval.py [--quotes ../shared/eval/dev_quotes.jsonl]
"""

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.suggest.examples import read_examples  # noqa: E402
from coding.suggest.scoring import Scorer, evidence_from_framework, top_level  # noqa: E402


def macro_f1(pairs, keys):
    scores = []
    for key in keys:
        tp = sum(1 for gold, got in pairs if key in gold and key in got)
        fp = sum(1 for gold, got in pairs if key not in gold and key in got)
        fn = sum(1 for gold, got in pairs if key in gold and key not in got)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def evaluate(rows, scorer_for, folds, seed):
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    top1 = top3 = 0
    pairs = []
    for fold in range(folds):
        held = set(order[fold::folds])
        scorer = scorer_for([rows[i] for i in order if i not in held])
        for i in sorted(held):
            gold = {top_level(c) for c in rows[i].codes}
            ranked = scorer.rank(rows[i].text)
            top1 += ranked[0].code in gold
            top3 += bool(gold & {r.code for r in ranked[:3]})
            pairs.append((gold, set(scorer.suggested(ranked))))
    return top1 / len(rows), top3 / len(rows), macro_f1(pairs, scorer.keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", default=str(ROOT.parent / "shared" / "eval" / "dev_quotes.jsonl"))
    parser.add_argument("--framework", default="side-by-side")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
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
    print(f"{'method':<22}{'top-1':>8}{'top-3':>8}{'macro-F1':>10}")
    results = {"keyword only": [], "keyword + learned": []}
    for seed in range(args.seeds):
        results["keyword only"].append(evaluate(scored, lambda train: keyword, args.folds, seed))
        results["keyword + learned"].append(evaluate(scored, lambda train: Scorer(evidence, train + extra),
                                                     args.folds, seed))
    for name, runs in results.items():
        means = [sum(r[i] for r in runs) / len(runs) for i in range(3)]
        print(f"{name:<22}{means[0]:>8.3f}{means[1]:>8.3f}{means[2]:>10.3f}")


if __name__ == "__main__":
    main()
