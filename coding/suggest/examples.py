"""JSON-lines input for suggestions: passages to score, and coded examples to learn from."""

import json
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Sequence

from coding.suggest.scoring import CodeEvidence, Example, code_for_name, top_for


class LineError(ValueError):
    """One input line cannot be used; the message names the line."""


@dataclass
class Passage:
    """One passage to score."""

    id: object
    text: str


def _object(line: str, number: int, source: str) -> Optional[dict]:
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"{source}, line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise LineError(f"{source}, line {number}: expected a JSON object")
    return data


def read_passages(lines: Iterable[str], source: str = "input") -> Iterator[Passage | LineError]:
    """Passages `{"id", "text"}`, one a line; a bad line yields a LineError in its place."""
    for number, line in enumerate(lines, start=1):
        try:
            data = _object(line, number, source)
            if data is None:
                continue
            if not isinstance(data.get("text"), str):
                raise LineError(f"{source}, line {number}: needs a \"text\" string")
            yield Passage(data.get("id", number), data["text"])
        except LineError as error:
            yield error


def read_examples(lines: Iterable[str], evidence: Sequence[CodeEvidence],
                  source: str = "examples") -> tuple[list[Example], list[str]]:
    """Examples `{"text", "codes": [ids]}` (or labelled quotes with a `section` name); and line warnings."""
    known = {item.key for item in evidence}
    examples, warnings = [], []
    for number, line in enumerate(lines, start=1):
        try:
            data = _object(line, number, source)
        except LineError as error:
            warnings.append(str(error))
            continue
        if data is None:
            continue
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            warnings.append(f"{source}, line {number}: needs a \"text\" string")
            continue
        if "codes" in data:
            codes = data["codes"] if isinstance(data["codes"], list) else [data["codes"]]
            codes = [str(c) for c in codes]
            unknown = [c for c in codes if top_for(evidence, c) not in known]
            if unknown:
                warnings.append(f"{source}, line {number}: unknown code '{unknown[0]}'; line skipped")
                continue
        elif isinstance(data.get("section"), str):
            code = code_for_name(evidence, data["section"])
            if code is None:
                warnings.append(f"{source}, line {number}: section '{data['section']}' names no top-level code; line skipped")
                continue
            codes = [code]
        else:
            warnings.append(f"{source}, line {number}: needs \"codes\" (a list of code ids)")
            continue
        examples.append(Example(text=text, codes=codes, rejected=bool(data.get("rejected", False))))
    return examples, warnings
