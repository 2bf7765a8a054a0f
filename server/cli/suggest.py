"""`peerframe suggest`: rank a framework's codes for passages read from standard input."""

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from server.cli.common import fail


def suggest(
    framework: str = typer.Option("side-by-side", "--framework", help="Framework whose top-level codes are ranked."),
    examples: Optional[Path] = typer.Option(None, "--examples", help='JSON lines {"text", "codes": [ids]} to learn from.'),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="Print only the N best codes of each ranking."),
    semantic: Optional[bool] = typer.Option(
        None, "--semantic/--no-semantic",
        help="Blend in the sentence encoder (default: when peerframe[semantic] is installed and "
             "PEERFRAME_SEMANTIC is not off)."),
) -> None:
    """Rank codes for passages: JSON lines {"id", "text"} on standard input, one JSON line out per passage.
    `suggested` holds the codes the document page would show (at most two, each with evidence in the words)."""
    from coding.codebook.frameworks import get_framework
    from coding.suggest import encoder
    from coding.suggest.examples import LineError, read_examples, read_passages
    from coding.suggest.scoring import Scorer, evidence_from_framework

    try:
        evidence = evidence_from_framework(get_framework(framework))
    except KeyError as exc:
        fail(str(exc.args[0]))
    learned = []
    if examples is not None:
        try:
            lines = examples.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{examples}: cannot be read ({exc})")
        learned, warnings = read_examples(lines, evidence, source=str(examples))
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
    model = None
    if semantic or (semantic is None and encoder.enabled()):
        try:
            model = encoder.load()
        except encoder.EncoderUnavailable as exc:
            fail(str(exc))
    scorer = Scorer(evidence, learned, encoder=model)
    for item in read_passages(sys.stdin, source="standard input"):
        if isinstance(item, LineError):
            typer.echo(f"error: {item}", err=True)
            continue
        ranked = scorer.rank(item.text)
        shown = ranked[:top] if top else ranked
        out = {"id": item.id, "ranked": [{"code": r.code, "score": r.score, "matched": r.matched} for r in shown],
               "suggested": scorer.suggested(ranked)[: top or None]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
