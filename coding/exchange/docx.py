"""Word exports: the coded-quote table, the codebook and count matrices.

Every writer takes plain data and a binary file object. With a `template` (a .docx or .dotx) the report is
written into that document emptied of its body, so its styles, page set-up, headers and footers are used;
a style the template lacks is borrowed from python-docx's default template, and where even that cannot
be done the text gets plain bold formatting instead.
"""

import copy
import io
import itertools
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Callable, Optional, Sequence, Union

from docx import Document as WordDocument
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Inches, Pt, RGBColor
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

from coding.analysis.retrieval import (DEFAULT_TAG_ATTRIBUTES, Quote, code_counts, code_paths, in_codebook_order,
                                      quoted)
from coding.codebook import codetree
from coding.limits import MB, Limits, SafeZip, read_bounded
from coding.models import Code

XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
W_T = qn("w:t")
HEADING_SIZES = {0: 24, 1: 16, 2: 13, 3: 12, 4: 11}
DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_TYPES = (b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
                  b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml")

Number = Union[int, float]
TEMPLATE_LIMITS = Limits(upload_bytes=20 * MB, member_bytes=24 * MB, unpacked_bytes=48 * MB, members=1_000)


class TemplateRefused(ValueError):
    """A template that is not a Word document python-docx can open."""


@dataclass
class MatrixTable:
    """A table of counts or values: one row per row label, one column per column label."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[Union[Number, str, None]]]
    note: str = ""
    corner: str = ""  # the label over the row labels
    decimals: int = 2  # places shown for numbers that are not whole

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.row_labels):
            raise ValueError(f"{len(self.row_labels)} row labels but {len(self.cells)} rows of cells")
        for label, row in zip(self.row_labels, self.cells):
            if len(row) != len(self.column_labels):
                raise ValueError(f"row '{label}' has {len(row)} cells for {len(self.column_labels)} columns")

    def shown(self, value: Union[Number, str, None]) -> str:
        """A cell as text: whole numbers without decimals, others to `decimals` places, empty for None."""
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, int) or value.is_integer():
            return str(int(value))
        return f"{value:.{self.decimals}f}"


def xml_safe(text: str) -> str:
    """Text with the characters XML cannot hold taken out."""
    return XML_UNSAFE.sub("", text)


def fill_table(table: Table, rows: Sequence[Sequence[str]], *,
               shape: Optional[Callable[[_Row], None]] = None) -> None:
    """Append rows to a table fast: build one finished row with python-docx (`shape` may format it),
    then copy its XML for every row, changing only the text."""
    if not rows:
        return
    model = table.add_row()
    for cell in model.cells:
        cell.text = "·"  # every cell gets exactly one run and one w:t, even where a value is empty
    if shape:
        shape(model)
    tr = model._tr
    tbl = table._tbl
    tbl.remove(tr)
    for values in rows:
        row = copy.deepcopy(tr)
        for t, value in zip(row.iter(W_T), values):
            t.text = xml_safe(value)
            t.set(XML_SPACE, "preserve")
        tbl.append(row)


def _as_document(data: bytes) -> bytes:
    """The template's package, every part unpacked within TEMPLATE_LIMITS, a .dotx/.dotm re-labelled as a .docx
    so python-docx will open it."""
    archive = SafeZip(data, "the template", TEMPLATE_LIMITS, damaged=lambda exc: TemplateRefused(
        f"The template is not a Word .docx or .dotx file ({exc})."))
    if "[Content_Types].xml" not in archive.members:
        raise TemplateRefused("The template is not a Word .docx or .dotx file.")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy_to:
        for member in archive.members:
            try:
                with archive.open(member) as part, copy_to.open(member, "w") as copy:
                    if member == "[Content_Types].xml":
                        types = part.read()
                        for kind in TEMPLATE_TYPES:
                            types = types.replace(kind, DOCUMENT_TYPE)
                        copy.write(types)
                    else:
                        shutil.copyfileobj(part, copy, 64 * 1024)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise TemplateRefused(f"The template is damaged ({error}).") from error
    return out.getvalue()


def open_document(template: Optional[BinaryIO] = None) -> Document:
    """A new Word document: python-docx's default, or the template (read from its current position) with
    its body emptied, keeping its styles, last section, headers and footers."""
    if template is None:
        return WordDocument()
    data = _as_document(read_bounded(template, "the template", TEMPLATE_LIMITS.upload_bytes))
    try:
        doc = WordDocument(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a package that is not Word's
        raise TemplateRefused(f"The template cannot be opened as a Word document ({error}).") from error
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


_defaults: Optional[Document] = None


def _borrow(doc: Document, name: str) -> bool:
    """Copy a style, and the styles it is based on, from python-docx's default template; False if it can't."""
    global _defaults
    _defaults = _defaults or WordDocument()
    try:
        element = _defaults.styles[name].element
    except KeyError:
        return False
    styles = doc.styles.element
    chain = []
    while element is not None and styles.get_by_id(element.styleId) is None:
        chain.append(element)
        element = _defaults.styles.element.get_by_id(element.basedOn_val) if element.basedOn_val else None
    if not chain:
        return False  # the style's id is taken by another style of the template
    for missing in reversed(chain):
        styles.append(copy.deepcopy(missing))
    return True


def style(doc: Document, name: str) -> Optional[str]:
    """The id of the named style, borrowed from the default template if the document lacks it; else None."""
    try:
        return doc.styles[name].style_id
    except KeyError:
        return doc.styles[name].style_id if _borrow(doc, name) else None


def _paragraph(doc: Document, style_id: Optional[str] = None) -> Paragraph:
    """An empty paragraph in the style with that id (set directly: python-docx's lookup by name is slow)."""
    paragraph = doc.add_paragraph()
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def heading(doc: Document, text: str, level: int, *, swatch: Optional[str] = None) -> Paragraph:
    """A heading (level 0 is the title), with a coloured square before it when `swatch` is a colour."""
    style_id = style(doc, "Title" if level == 0 else f"Heading {level}")
    paragraph = _paragraph(doc, style_id)
    runs = []
    if swatch:
        square = paragraph.add_run("■ ")
        square.font.color.rgb = _hex(swatch)
        runs.append(square)
    runs.append(paragraph.add_run(xml_safe(text)))
    if style_id is None:
        for run in runs:
            run.bold = True
            run.font.size = Pt(HEADING_SIZES[min(level, 4)])
    return paragraph


def _note(doc: Document, text: str, *, size: float = 9, italic: bool = True) -> Paragraph:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(xml_safe(text))
    run.italic = italic
    run.font.size = Pt(size)
    return paragraph


def _table(doc: Document, names: Sequence[str]) -> Table:
    """A bordered table with a bold header row that repeats on every page."""
    table = doc.add_table(rows=1, cols=len(names))
    grid = style(doc, "Table Grid")
    if grid:
        table._tbl.tblStyle_val = grid
    for cell, name in zip(table.rows[0].cells, names):
        cell.text = xml_safe(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    return table


def _text_width(doc: Document) -> int:
    section = doc.sections[-1]
    try:
        return int(section.page_width - section.left_margin - section.right_margin)
    except TypeError:  # a template without page size or margins
        return int(Inches(6.5))


def _set_widths(table: Table, widths: Sequence[int]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Emu(width)
    _set_row_widths(table.rows[0], widths)


def _set_row_widths(row: _Row, widths: Sequence[int]) -> None:
    for cell, width in zip(row.cells, widths):
        cell.width = Emu(width)


def _hex(colour: str) -> RGBColor:
    try:
        return RGBColor.from_string(colour.lstrip("#").upper())
    except ValueError:
        return RGBColor(0xCC, 0xCC, 0xCC)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def write_quotes(quotes: Sequence[Quote], codes: Sequence[Code], out: BinaryIO, *, title: str,
                 subtitle: str = "", tag_attributes: Sequence[str] = DEFAULT_TAG_ATTRIBUTES,
                 show_coder: bool = False, show_document: bool = False, definitions: bool = True,
                 template: Optional[BinaryIO] = None) -> None:
    """A Word document of coded quotes grouped by code in codebook order, each with its tag
    (participant and the chosen attributes), optionally the coder and the document.

    Python-docx builds the document around one model row per table; the rows themselves are written as the
    document is saved, one quote at a time (`_save_with_rows`), so a report of 100,000 quotes never holds
    them all, as quotes or as XML."""
    doc = open_document(template)
    heading(doc, title, 0)
    if subtitle:
        doc.add_paragraph(xml_safe(subtitle))
    paths = code_paths(codes)
    tally = code_counts(quotes)
    shown = [code for code in codes if tally[code.key]]
    if not shown:
        doc.add_paragraph("No coded passages match.")
    names = ["Quote", "Participant"] + ["Coder"] * show_coder + ["Document"] * show_document
    side = [int(Inches(1.5))] + [int(Inches(1.1))] * show_coder + [int(Inches(1.4))] * show_document
    widths = [max(_text_width(doc) - sum(side), int(Inches(2)))] + side
    mark = f"\u2063{secrets.token_hex(8)}"  # stands in the model rows' cells until the rows are written
    for number, code in enumerate(shown):
        heading(doc, " › ".join(paths[code.key]), 1)
        if definitions and code.definition:
            _note(doc, code.definition)
        table = _table(doc, names)
        _set_widths(table, widths)
        fill_table(table, [[f"{mark}-{number}-{cell}" for cell in range(len(names))]],
                   shape=lambda model: _set_row_widths(model, widths))
        doc.add_paragraph(_plural(tally[code.key], "passage")).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def row(q: Quote) -> list[str]:
        return [quoted(q.text), q.tag(tag_attributes)] + [q.coder] * show_coder + [q.document] * show_document

    def tables():
        groups = itertools.groupby(in_codebook_order(quotes, codes), key=lambda q: q.code_key)
        for number, (key, group) in enumerate(groups):
            if number >= len(shown) or shown[number].key != key:
                raise ValueError(f"the quotes of '{key}' do not come in the codebook's order")
            yield number, map(row, group)
    _save_with_rows(doc, out, mark, tables())


def _text_xml(value: str) -> str:
    """Text as the content of a w:t element, escaped as lxml writes it."""
    return (xml_safe(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _save_with_rows(doc: Document, out: BinaryIO, mark: str, tables) -> None:
    """Save the document, putting in place of table n's model row (its cells hold `mark`-n-i) a copy of that row
    for each of its rows of values; `tables` gives (n, rows) in the order the tables come. The package is
    copied part by part, and word/document.xml is written a thousand rows at a time."""
    skeleton = io.BytesIO()
    doc.save(skeleton)
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                package.writestr(info, source.read(info.filename))
                continue
            xml = source.read(info.filename).decode("utf-8")
            with package.open("word/document.xml", "w") as part:
                done = 0
                for number, rows in tables:
                    first_cell = xml.index(f"{mark}-{number}-0<", done)
                    start, end = xml.rindex("<w:tr", done, first_cell), xml.index("</w:tr>", first_cell) + 7
                    pieces = re.split(f"{re.escape(mark)}-{number}-\\d+(?=<)", xml[start:end])
                    part.write(xml[done:start].encode("utf-8"))
                    chunk = []
                    for values in rows:
                        chunk.append(pieces[0])
                        for value, after in zip(values, pieces[1:]):
                            chunk += (_text_xml(value), after)
                        if len(chunk) > 10_000:
                            part.write("".join(chunk).encode("utf-8"))
                            chunk = []
                    part.write("".join(chunk).encode("utf-8"))
                    done = end
                part.write(xml[done:].encode("utf-8"))


def write_codebook(codes: Sequence[Code], out: BinaryIO, *, title: str, source: str = "",
                   counts: Optional[dict[str, int]] = None, examples: Optional[dict[str, Quote]] = None,
                   tag_attributes: Sequence[str] = DEFAULT_TAG_ATTRIBUTES,
                   template: Optional[BinaryIO] = None) -> None:
    """A Word codebook: the hierarchy as headings, each code with its definition and citation, and where
    given the number of coded passages and one example quote."""
    doc = open_document(template)
    heading(doc, title, 0)
    if source:
        doc.add_paragraph(xml_safe(source))
    quote_style = style(doc, "Quote")
    depth = codetree.depths(codes)
    for code in codes:
        heading(doc, code.name, min(depth[code.key] + 1, 4), swatch=code.colour)
        facts = [code.key, code.kind]
        if code.tier:
            facts.append(f"{code.tier} value")
        if code.retired:
            facts.append("retired")
        if counts is not None:
            facts.append(_plural(counts.get(code.key, 0), "passage"))
        _note(doc, " · ".join(facts), size=8, italic=False)
        if code.definition:
            doc.add_paragraph(xml_safe(code.definition))
        if code.citation:
            _note(doc, code.citation, size=8)
        example = (examples or {}).get(code.key)
        if example is not None:
            paragraph = _paragraph(doc, quote_style)
            said = paragraph.add_run(xml_safe(quoted(example.text) + " "))
            said.italic = True
            paragraph.add_run(xml_safe(example.tag(tag_attributes)))
    doc.save(out)


def _word_width(text: str, size: float) -> int:
    """A generous width in EMU for the longest word of `text` in bold at `size` points."""
    def width(word: str) -> float:
        return sum(0.9 if ch in "mwMW" else 0.8 if ch.isupper() else 0.66 for ch in word) * size
    return int(Pt(max((width(w) for w in text.split()), default=0) + 14))  # 14 pt: the cell's side margins


def _matrix_layout(table: MatrixTable, available: int) -> tuple[list[int], float]:
    """Column widths and a font size at which no word of a label or value needs breaking, within
    `available` where possible; space left over widens the row-label column."""
    columns = [[table.corner, *table.row_labels]] + [
        [label, *(table.shown(row[j]) for row in table.cells)] for j, label in enumerate(table.column_labels)]
    size = 9.0 if len(table.column_labels) <= 8 else 8.0
    while True:
        needed = [max(_word_width(text, size) for text in column) for column in columns]
        if sum(needed) <= available or size <= 6:
            break
        size -= 0.5
    spare = max(available - sum(needed), 0)
    needed[0] += min(spare, max(available // 4 - needed[0], 0))
    spare = max(available - sum(needed), 0)
    return [w + spare // len(needed) for w in needed], size


def _no_hyphenation(doc: Document, table: Table) -> None:
    """Words in the table break only at spaces: no automatic hyphenation, in the document or the cells."""
    settings = doc.settings.element
    if settings.find(qn("w:autoHyphenation")) is None:
        off = OxmlElement("w:autoHyphenation")
        off.set(qn("w:val"), "false")
        settings.append(off)
    for paragraph in table._tbl.iter(qn("w:p")):
        properties = paragraph.get_or_add_pPr()
        if properties.find(qn("w:suppressAutoHyphens")) is None:
            properties.insert(0, OxmlElement("w:suppressAutoHyphens"))


def write_matrix_docx(table: MatrixTable, out: BinaryIO, *, template: Optional[BinaryIO] = None) -> None:
    """A Word document holding one matrix: its title, the table with numbers right-aligned, and its note.
    More than six columns turn the page to landscape; columns are as wide as their longest word."""
    doc = open_document(template)
    section = doc.sections[-1]
    if len(table.column_labels) > 6 and section.orientation != WD_ORIENT.LANDSCAPE:
        width, height = section.page_width, section.page_height
        section.orientation = WD_ORIENT.LANDSCAPE
        if width and height and width < height:
            section.page_width, section.page_height = height, width
        section.left_margin = section.right_margin = Inches(0.6)
    heading(doc, table.title, 1)
    grid = _table(doc, [table.corner, *table.column_labels])
    widths, size = _matrix_layout(table, _text_width(doc))
    _set_widths(grid, widths)

    def shape(model: _Row) -> None:
        _set_row_widths(model, widths)
        for i, cell in enumerate(model.cells):
            paragraph = cell.paragraphs[0]
            if i:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in paragraph.runs:
                run.bold = i == 0
                run.font.size = Pt(size)

    fill_table(grid, [[label, *(table.shown(v) for v in row)] for label, row in zip(table.row_labels, table.cells)],
               shape=shape)
    for cell in grid.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(size)
    for cell in grid.rows[0].cells[1:]:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _no_hyphenation(doc, grid)
    if table.note:
        _note(doc, table.note)
    doc.save(out)
