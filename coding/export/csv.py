"""CSV export of coded quotes."""

import csv
import io
from typing import BinaryIO, Sequence

from coding.reports import Quote

FORMULA_START = ("=", "+", "@", "\t", "\r")


def cell(value: str) -> str:
    """A value that a spreadsheet will show as text, never run as a formula."""
    if value.startswith(FORMULA_START) or (value.startswith("-") and value[1:2] not in ("", " ")):
        return "'" + value
    return value


def write_quotes(quotes: Sequence[Quote], out: BinaryIO, *, attributes: Sequence[str] = ()) -> None:
    """One row per coded passage, UTF-8 with a BOM so that spreadsheets read accents right."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(["code", "code_path", "quote", "participant", "tag", *attributes,
                     "document", "start", "end", "coder", "memo"])
    for q in quotes:
        writer.writerow([q.code_key, " > ".join(q.code_path), cell(q.text), q.participant or "", q.tag(),
                         *[cell(q.attributes.get(a, "")) for a in attributes],
                         cell(q.document), q.start, q.end, cell(q.coder), cell(q.memo)])
    text.flush()
    text.detach()
