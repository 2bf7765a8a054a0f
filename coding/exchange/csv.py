"""CSV export of coded quotes."""

import csv
import io
from typing import BinaryIO, Sequence

from coding.analysis.retrieval import Quote

FORMULA_FIRST = frozenset("=+-@\t\r")  # a cell starting with one of these could run as a formula


def cell(value: str) -> str:
    """A value that a spreadsheet will show as text, never run as a formula."""
    if value[:1] in FORMULA_FIRST:
        return "'" + value
    return value


def _row(values: Sequence[object]) -> list[object]:
    """The values of a row, each text made safe by `cell` (inline here: it runs for every cell of an export)."""
    return ["'" + v if isinstance(v, str) and v[:1] in FORMULA_FIRST else v for v in values]


def write_quotes(quotes: Sequence[Quote], out: BinaryIO, *, attributes: Sequence[str] = ()) -> None:
    """One row per coded passage, UTF-8 with a BOM so that spreadsheets read accents right; no cell, the
    header row included, can start a formula."""
    text = io.StringIO(newline="")  # written whole, then encoded once: far cheaper than encoding row by row
    writer = csv.writer(text)
    writer.writerow(_row(["code", "code_path", "quote", "participant", "tag", *attributes,
                          "document", "start", "end", "coder", "memo"]))
    writer.writerows(_row([q.code_key, " > ".join(q.code_path), q.text, q.participant or "", q.tag(),
                           *[q.attributes.get(a, "") for a in attributes],
                           q.document, q.start, q.end, q.coder, q.memo]) for q in quotes)
    out.write(text.getvalue().encode("utf-8-sig"))
