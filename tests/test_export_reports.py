"""Report exports: the Word quote report's options and templates, the codebook with counts and examples,
matrices in Word and Excel, quotes in Excel, and LibreOffice opening all of them."""

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from openpyxl import load_workbook

from coding.analysis.retrieval import Quote
from coding.exchange import docx as docx_export
from coding.exchange.docx import MatrixTable, TemplateRefused, write_matrix_docx
from coding.exchange.xlsx import write_matrix_xlsx, write_quotes_xlsx
from coding.models import Code


def make_code(key, name, position, parent=None, definition="A definition."):
    return Code(project_id=1, key=key, parent_key=parent, name=name, definition=definition, position=position,
                colour="#8dd3c7", kind="value")


CODES = [make_code("safety", "Safety", 0, definition="Feeling safe to speak."),
         make_code("safety/confidentiality", "Confidentiality", 1, "safety", "What is said stays."),
         make_code("focus", "Focus", 2, definition="")]


def quote(text, key="safety", path=("Safety",), participant="PV44", coder="Amira", document="pv44.txt",
          coding_id=1, memo="", **attributes):
    return Quote(coding_id=coding_id, document_id=1, document=document, code_key=key, code_name=path[-1],
                 code_path=list(path), colour="#8dd3c7", text=text, start=3, end=3 + len(text),
                 participant=participant, attributes=attributes or {"approach": "online", "region": "North"},
                 coder=coder, memo=memo)


QUOTES = [quote("I felt safe.", coding_id=1),
          quote("It stays here.", "safety/confidentiality", ("Safety", "Confidentiality"), participant="PV7",
                coder="Ben", document="pv7.docx", coding_id=2, approach="group", region="South"),
          quote("We garden.", "focus", ("Focus",), coding_id=3)]


def opened(data: bytes):
    return WordDocument(io.BytesIO(data))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def rows(doc) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in doc.tables for row in t.rows]


def quote_report(quotes=QUOTES, codes=CODES, **options) -> bytes:
    out = io.BytesIO()
    docx_export.write_quotes(quotes, codes, out, title="Coded quotes", **options)
    return out.getvalue()


# ----- the Word quote report ---------------------------------------------------------------------------

@pytest.mark.parametrize("attributes, tag", [
    (("approach",), "(PV44, online)"),
    (("approach", "region"), "(PV44, online, North)"),
    (("region",), "(PV44, North)"),
    ((), "(PV44)"),
])
def test_tags_carry_the_chosen_attributes(attributes, tag):
    doc = opened(quote_report(tag_attributes=attributes))
    assert ["“I felt safe.”", tag] in rows(doc)


def test_coder_and_document_columns_are_added_on_request():
    doc = opened(quote_report(show_coder=True, show_document=True))
    assert rows(doc)[0] == ["Quote", "Participant", "Coder", "Document"]
    assert ["“It stays here.”", "(PV7, group)", "Ben", "pv7.docx"] in rows(doc)
    only_document = opened(quote_report(show_document=True))
    assert rows(only_document)[0] == ["Quote", "Participant", "Document"]
    assert ["“We garden.”", "(PV44, online)", "pv44.txt"] in rows(only_document)
    assert rows(opened(quote_report()))[0] == ["Quote", "Participant"]


def test_definitions_follow_their_headings_unless_turned_off():
    with_definitions = texts(opened(quote_report()))
    heading = with_definitions.index("Safety › Confidentiality")
    assert with_definitions[heading + 1] == "What is said stays."
    assert "Feeling safe to speak." in with_definitions
    without = texts(opened(quote_report(definitions=False)))
    assert "Safety › Confidentiality" in without and "What is said stays." not in without
    assert "Feeling safe to speak." not in without


def test_header_row_repeats_on_each_page_and_counts_are_shown():
    doc = opened(quote_report())
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "1 passage" in texts(doc)
    many = opened(quote_report([quote(f"Q{i}", coding_id=i) for i in range(3)]))
    assert "3 passages" in texts(many)


def test_empty_values_in_the_first_row_do_not_break_the_copied_rows():
    quotes = [quote("First.", coder="", coding_id=1), quote("Second.", coder="Ben", coding_id=2)]
    doc = opened(quote_report(quotes, show_coder=True))
    assert rows(doc)[1:] == [["“First.”", "(PV44, online)", ""], ["“Second.”", "(PV44, online)", "Ben"]]


def make_template(tmp_path: Path, *, drop=(), suffix=".docx") -> Path:
    """A template with Georgia 13 pt as Normal, dark red headings, a header line and some body text."""
    doc = WordDocument()
    normal = doc.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(13)
    doc.styles["Heading 1"].font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    doc.sections[0].header.paragraphs[0].text = "Peerframe Research Ltd"
    doc.add_paragraph("Replace this text with your report.")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "Old table"
    for name in drop:
        element = doc.styles[name].element
        element.getparent().remove(element)
    path = tmp_path / f"template{suffix}"
    doc.save(path)
    return path


def test_a_template_gives_its_styles_headers_and_page_and_loses_its_body(tmp_path):
    path = make_template(tmp_path)
    with path.open("rb") as template:
        doc = opened(quote_report(template=template))
    assert doc.styles["Normal"].font.name == "Georgia"
    assert doc.styles["Normal"].font.size == Pt(13)
    headings = [p for p in doc.paragraphs if p.text == "Safety › Confidentiality"]
    assert headings[0].style.name == "Heading 1"
    assert headings[0].style.font.color.rgb == RGBColor(0x8B, 0x00, 0x00)
    assert doc.sections[0].header.paragraphs[0].text == "Peerframe Research Ltd"
    assert "Replace this text with your report." not in texts(doc)
    assert "Old table" not in [cell for row in rows(doc) for cell in row]
    assert texts(doc)[0] == "Coded quotes"


def test_a_template_without_table_or_heading_styles_borrows_them(tmp_path):
    path = make_template(tmp_path, drop=("Table Grid", "Heading 1", "Title"))
    with path.open("rb") as template:
        doc = opened(quote_report(template=template))
    assert doc.tables[0].style.name == "Table Grid"
    assert [p.style.name for p in doc.paragraphs if p.text == "Safety"] == ["Heading 1"]
    assert doc.styles["Normal"].font.name == "Georgia"


def test_a_style_that_cannot_be_borrowed_becomes_bold_text(tmp_path):
    doc = WordDocument()
    for name in ("Heading 1", "Table Grid"):
        element = doc.styles[name].element
        element.getparent().remove(element)
    doc.styles.add_style("Chapter", 1).element.styleId = "Heading1"  # the id Heading 1 would need
    doc.styles.add_style("Grid of mine", 3).element.styleId = "TableGrid"
    template = io.BytesIO()
    doc.save(template)
    template.seek(0)
    result = opened(quote_report(template=template))
    heading = next(p for p in result.paragraphs if p.text == "Safety")
    assert heading.style.name == "Normal"
    assert all(run.bold for run in heading.runs) and heading.runs[0].font.size == Pt(16)
    assert result.tables[0]._tbl.tblPr.find(qn("w:tblStyle")) is None
    assert ["“I felt safe.”", "(PV44, online)"] in rows(result)


def test_a_dotx_template_is_accepted(tmp_path):
    path = make_template(tmp_path)
    dotx = tmp_path / "template.dotx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(dotx, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(item, data)
    with dotx.open("rb") as template:
        doc = opened(quote_report(template=template))
    assert doc.styles["Normal"].font.name == "Georgia"
    assert ["“I felt safe.”", "(PV44, online)"] in rows(doc)


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04broken", None])
def test_a_template_that_is_not_a_word_file_is_refused(data):
    if data is None:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
        data = archive.getvalue()
    with pytest.raises(TemplateRefused):
        quote_report(template=io.BytesIO(data))


# ----- the codebook ------------------------------------------------------------------------------------

def codebook(**options) -> list[str]:
    out = io.BytesIO()
    docx_export.write_codebook(CODES, out, title="Codebook", source="Side by Side", **options)
    return texts(opened(out.getvalue()))


def test_codebook_shows_counts_and_one_example_per_code():
    paragraphs = codebook(counts={"safety": 12, "safety/confidentiality": 1},
                          examples={"safety": QUOTES[0], "safety/confidentiality": QUOTES[1]})
    assert "safety · value · 12 passages" in paragraphs
    assert "safety/confidentiality · value · 1 passage" in paragraphs
    assert "focus · value · 0 passages" in paragraphs
    assert "“I felt safe.” (PV44, online)" in paragraphs
    assert "“It stays here.” (PV7, group)" in paragraphs
    at = paragraphs.index("■ Confidentiality")
    assert paragraphs[at + 1:at + 4] == ["safety/confidentiality · value · 1 passage", "What is said stays.",
                                         "“It stays here.” (PV7, group)"]


def test_codebook_without_counts_or_examples_is_as_before():
    paragraphs = codebook()
    assert "safety · value" in paragraphs and not any("passage" in p for p in paragraphs)
    assert not any(p.startswith("“") for p in paragraphs)


def test_codebook_example_uses_the_quote_style_and_hierarchy_uses_headings():
    out = io.BytesIO()
    docx_export.write_codebook(CODES, out, title="Codebook", examples={"focus": QUOTES[2]},
                               tag_attributes=("region",))
    doc = opened(out.getvalue())
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["“We garden.” (PV44, North)"] == "Quote"
    assert styles["■ Safety"] == "Heading 1" and styles["■ Confidentiality"] == "Heading 2"


# ----- matrices ----------------------------------------------------------------------------------------

MATRIX = MatrixTable(title="Codes by approach", row_labels=["Safety", "Focus"],
                     column_labels=["online", "group", "share"], cells=[[3, 0, 0.3333], [1.0, "n/a", None]],
                     note="Passages per participant group.", corner="Code")


def test_matrix_in_word_has_title_cells_and_note():
    out = io.BytesIO()
    write_matrix_docx(MATRIX, out)
    doc = opened(out.getvalue())
    assert rows(doc) == [["Code", "online", "group", "share"], ["Safety", "3", "0", "0.33"],
                         ["Focus", "1", "n/a", ""]]
    assert texts(doc)[0] == "Codes by approach" and doc.paragraphs[0].style.name == "Heading 1"
    assert "Passages per participant group." in texts(doc)
    assert doc.tables[0].rows[1].cells[0].paragraphs[0].runs[0].bold
    assert doc.sections[-1].orientation == WD_ORIENT.PORTRAIT


def test_a_wide_matrix_turns_the_page():
    wide = MatrixTable(title="Wide", row_labels=["r"], column_labels=[f"c{i}" for i in range(9)],
                       cells=[list(range(9))])
    out = io.BytesIO()
    write_matrix_docx(wide, out)
    section = opened(out.getvalue()).sections[-1]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height


@pytest.mark.parametrize("rows_, columns, cells", [(["a", "b"], ["x"], [[1]]), (["a"], ["x", "y"], [[1]])])
def test_a_matrix_of_the_wrong_shape_is_refused(rows_, columns, cells):
    with pytest.raises(ValueError):
        MatrixTable(title="Bad", row_labels=rows_, column_labels=columns, cells=cells)


def test_matrix_in_excel_keeps_numbers_as_numbers():
    out = io.BytesIO()
    write_matrix_xlsx(MATRIX, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "Codes by approach"
    assert sheet["A1"].value == "Codes by approach" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["Code", "online", "group", "share"]
    assert [c.value for c in sheet[3]] == ["Safety", 3, 0, 0.3333]
    assert sheet["D3"].number_format == "0.00"
    assert [c.value for c in sheet[4]] == ["Focus", 1.0, "n/a", None]
    assert sheet["A6"].value == "Passages per participant group."
    assert sheet.freeze_panes == "B3"


# ----- quotes in Excel ---------------------------------------------------------------------------------

def quotes_sheet(quotes, **options):
    out = io.BytesIO()
    write_quotes_xlsx(quotes, out, **options)
    return load_workbook(io.BytesIO(out.getvalue()))["Quotes"]


def test_quotes_in_excel_have_one_row_each_with_a_bold_frozen_header():
    sheet = quotes_sheet(QUOTES, attributes=["approach", "region"])
    header = [c.value for c in sheet[1]]
    assert header == ["code", "code_path", "quote", "participant", "tag", "approach", "region", "document",
                      "start", "end", "coder", "memo"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 4
    assert [c.value for c in sheet[3]] == ["safety/confidentiality", "Safety > Confidentiality", "It stays here.",
                                           "PV7", "(PV7, group)", "group", "South", "pv7.docx", 3, 17, "Ben", None]
    assert sheet.column_dimensions["C"].width == 80 and sheet.column_dimensions["F"].width == 14


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"])
def test_text_that_looks_like_a_formula_is_stored_as_text(text):
    sheet = quotes_sheet([quote(text, memo=text)])
    for cell in (sheet["C2"], sheet["J2"]):
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_excel_cells_lose_control_characters_and_are_cut_to_excels_limit():
    sheet = quotes_sheet([quote("bell\x07 and form\x0cfeed", coding_id=1), quote("x" * 40000, coding_id=2)])
    assert sheet["C2"].value == "bell and formfeed"
    assert len(sheet["C3"].value) == 32767 and sheet["C3"].value.endswith("…")


# ----- LibreOffice -------------------------------------------------------------------------------------

def soffice_convert(tmp_path: Path, target: str, *files: Path) -> None:
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", target,
         "--outdir", str(tmp_path), *map(str, files)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr


def has_calc() -> bool:
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    program = Path(soffice).resolve().parent
    return any(any(folder.glob("libsclo*")) for folder in (program, program.parent / "Frameworks") if folder.is_dir())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_word_reports_open_in_libreoffice(tmp_path):
    (tmp_path / "quotes.docx").write_bytes(quote_report(show_coder=True, show_document=True,
                                                        tag_attributes=("approach", "region")))
    out = io.BytesIO()
    write_matrix_docx(MATRIX, out)
    (tmp_path / "matrix.docx").write_bytes(out.getvalue())
    soffice_convert(tmp_path, "txt:Text", tmp_path / "quotes.docx", tmp_path / "matrix.docx")
    quotes = (tmp_path / "quotes.txt").read_text(encoding="utf-8-sig")
    assert "“It stays here.”" in quotes and "(PV7, group, South)" in quotes and "pv7.docx" in quotes
    assert "What is said stays." in quotes
    matrix = (tmp_path / "matrix.txt").read_text(encoding="utf-8-sig")
    assert "Codes by approach" in matrix and "0.33" in matrix and "n/a" in matrix


@pytest.mark.skipif(not has_calc(), reason="LibreOffice Calc is not installed")
def test_excel_exports_open_in_libreoffice(tmp_path):
    out = io.BytesIO()
    write_quotes_xlsx([quote("=1+1", coding_id=1), quote("café 😊", coding_id=2)], out, attributes=["region"])
    (tmp_path / "quotes.xlsx").write_bytes(out.getvalue())
    soffice_convert(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "quotes.xlsx")
    lines = (tmp_path / "quotes.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("code,code_path,quote,participant,tag,region,document")
    assert lines[1].startswith("safety,Safety,=1+1,PV44,")  # kept as text: a formula would show 2
    assert "café 😊" in lines[2]
    out = io.BytesIO()
    write_matrix_xlsx(MATRIX, out)
    (tmp_path / "matrix.xlsx").write_bytes(out.getvalue())
    soffice_convert(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "matrix.xlsx")
    matrix = (tmp_path / "matrix.csv").read_text(encoding="utf-8").splitlines()
    assert matrix[1] == "Code,online,group,share" and matrix[2].startswith("Safety,3,0,0.33")
