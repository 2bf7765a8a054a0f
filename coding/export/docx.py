"""Word exports: the coded-quote table and the codebook."""

import copy
import re
from typing import BinaryIO, Sequence

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import Table

from coding.models import Code
from coding.reports import Quote, code_paths, group_by_code

XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text with the characters XML cannot hold taken out."""
    return XML_UNSAFE.sub("", text)


def fill_table(table: Table, rows: Sequence[Sequence[str]]) -> None:
    """Append rows to a table fast: build one row with python-docx, then copy its XML for the rest."""
    if not rows:
        return
    template = table.add_row()
    for cell, value in zip(template.cells, rows[0]):
        cell.text = xml_safe(value)
    tr = template._tr
    tbl = table._tbl
    for values in rows[1:]:
        row = copy.deepcopy(tr)
        for tc, value in zip(row.iterchildren(qn("w:tc")), values):
            texts = tc.findall(".//" + qn("w:t"))
            texts[0].text = xml_safe(value)
            texts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            for extra in texts[1:]:
                extra.text = ""
        tbl.append(row)


def _header(table: Table, names: Sequence[str]) -> None:
    for cell, name in zip(table.rows[0].cells, names):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True


def _hex(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def write_quotes(quotes: Sequence[Quote], codes: Sequence[Code], out: BinaryIO, *, title: str,
                 subtitle: str = "", tag_attributes: Sequence[str] = ("approach",)) -> None:
    """A Word document of coded quotes grouped by code in codebook order, each with its tag."""
    doc = WordDocument()
    doc.add_heading(xml_safe(title), level=0)
    if subtitle:
        doc.add_paragraph(xml_safe(subtitle))
    paths = code_paths(codes)
    groups = group_by_code(quotes, codes)
    if not groups:
        doc.add_paragraph("No coded passages match.")
    for code, items in groups:
        doc.add_heading(xml_safe(" › ".join(paths[code.key])), level=1)
        if code.definition:
            definition = doc.add_paragraph()
            run = definition.add_run(xml_safe(code.definition))
            run.italic = True
            run.font.size = Pt(9)
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        _header(table, ("Quote", "Participant"))
        fill_table(table, [(f"“{q.text}”", q.tag(tag_attributes)) for q in items])
        doc.add_paragraph(f"{len(items)} passage{'s' if len(items) != 1 else ''}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(out)


def write_codebook(codes: Sequence[Code], out: BinaryIO, *, title: str, source: str = "") -> None:
    """A Word codebook: the hierarchy as headings, each code with its definition and citation."""
    doc = WordDocument()
    doc.add_heading(xml_safe(title), level=0)
    if source:
        doc.add_paragraph(xml_safe(source))
    for code in codes:
        depth = code.key.count("/")
        heading = doc.add_heading(level=min(depth + 1, 4))
        swatch = heading.add_run("■ ")
        swatch.font.color.rgb = _hex(code.colour)
        heading.add_run(xml_safe(code.name))
        facts = [code.key, code.kind]
        if code.tier:
            facts.append(f"{code.tier} value")
        if code.retired:
            facts.append("retired")
        meta = doc.add_paragraph()
        small = meta.add_run(" · ".join(facts))
        small.font.size = Pt(8)
        if code.definition:
            doc.add_paragraph(xml_safe(code.definition))
        if code.citation:
            cite = doc.add_paragraph().add_run(xml_safe(code.citation))
            cite.italic = True
            cite.font.size = Pt(8)
    doc.save(out)
