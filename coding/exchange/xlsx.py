"""Excel exports: coded quotes, one row each, and count matrices.

Text is always stored as text: a value that a spreadsheet could take for a formula (starting with
= + - or @) is typed as a string and marked with Excel's quote prefix, so it is shown as written and
stays text even when someone edits the cell.
"""

import re
from typing import BinaryIO, Sequence, Union

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from coding.analysis.retrieval import DEFAULT_TAG_ATTRIBUTES, Quote
from coding.exchange.docx import MatrixTable

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@")
MAX_CELL = 32767  # characters Excel holds in one cell
WIDTHS = {"code": 22, "code_path": 34, "quote": 80, "participant": 12, "tag": 20, "document": 24,
          "start": 8, "end": 8, "coder": 16, "memo": 40}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

Value = Union[str, int, float, None]


def _clean(text: str) -> str:
    text = ILLEGAL.sub("", text)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def text_cell(sheet: WriteOnlyWorksheet, value: str, *, wrap: bool = False) -> Union[WriteOnlyCell, str]:
    """A cell that holds the text as text, never as a formula; plain strings where nothing needs guarding."""
    value = _clean(value)
    if not wrap and not value.startswith(FORMULA_START):
        return value
    cell = WriteOnlyCell(sheet, value)
    if value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.alignment = WRAP if wrap else TOP
    return cell


def _bold_row(sheet: WriteOnlyWorksheet, values: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, _clean(value))
        cell.data_type = "s"
        cell.quotePrefix = cell.value.startswith(FORMULA_START)
        cell.font = BOLD
        cells.append(cell)
    return cells


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'")
    return (cleaned or "Sheet")[:31]


def write_quotes_xlsx(quotes: Sequence[Quote], out: BinaryIO, *, attributes: Sequence[str] = (),
                      tag_attributes: Sequence[str] = DEFAULT_TAG_ATTRIBUTES) -> None:
    """One row per coded passage, the same columns as the CSV export, with a bold frozen header row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Quotes")
    names = ["code", "code_path", "quote", "participant", "tag", *attributes,
             "document", "start", "end", "coder", "memo"]
    for i, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{len(quotes) + 1}"
    sheet.append(_bold_row(sheet, names))
    for q in quotes:
        sheet.append([
            text_cell(sheet, q.code_key), text_cell(sheet, " > ".join(q.code_path)),
            text_cell(sheet, q.text, wrap=True), text_cell(sheet, q.participant or ""),
            text_cell(sheet, q.tag(tag_attributes)),
            *[text_cell(sheet, str(q.attributes.get(a) or "")) for a in attributes],
            text_cell(sheet, q.document), q.start, q.end, text_cell(sheet, q.coder),
            text_cell(sheet, q.memo, wrap=bool(q.memo)),
        ])
    book.save(out)


def write_matrix_xlsx(table: MatrixTable, out: BinaryIO) -> None:
    """The matrix on one sheet: its title in A1, a bold header row, bold row labels, numbers as numbers
    (not whole ones shown to `decimals` places), and the note under the table."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    sheet.column_dimensions["A"].width = min(max([len(table.corner), *map(len, table.row_labels), 10]) + 2, 60)
    for i, label in enumerate(table.column_labels, start=2):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(len(label), 8) + 2, 40)
    sheet.freeze_panes = "B3"
    sheet.append(_bold_row(sheet, [table.title]))
    sheet.append(_bold_row(sheet, [table.corner, *table.column_labels]))
    decimals = "0." + "0" * table.decimals if table.decimals > 0 else "0"
    for label, row in zip(table.row_labels, table.cells):
        values: list = _bold_row(sheet, [label])
        for value in row:
            if isinstance(value, float) and not value.is_integer():
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = decimals
                values.append(cell)
            elif isinstance(value, str):
                values.append(text_cell(sheet, value))
            else:
                values.append(value)
        sheet.append(values)
    if table.note:
        sheet.append([])
        sheet.append([text_cell(sheet, table.note)])
    book.save(out)
