"""Word and CSV exports: content, order, tags, speed of many rows, and LibreOffice opening them."""

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as WordDocument

from coding.analysis import retrieval
from coding.analysis.retrieval import Quote
from coding.codebook.frameworks import get_framework
from coding.exchange import csv as csv_export
from coding.exchange import docx as docx_export
from coding.exchange.downloads import framework_docx
from coding.models import Code


ROOT = Path(__file__).resolve().parent.parent


def make_code(key, name, position, parent=None, definition="A definition."):
    return Code(project_id=1, key=key, parent_key=parent, name=name, definition=definition, position=position,
                colour="#8dd3c7", kind="value")


CODES = [make_code("safety", "Safety", 0), make_code("safety/confidentiality", "Confidentiality", 1, "safety"),
         make_code("focus", "Focus", 2, definition="")]


def quote(key, name, path, text, participant="PV44", approach="online", coding_id=1):
    return Quote(coding_id=coding_id, document_id=1, document="pv44.txt", code_key=key, code_name=name,
                 code_path=path, colour="#8dd3c7", text=text, start=0, end=len(text), participant=participant,
                 attributes={"approach": approach} if approach else {}, coder="local")


def paragraphs_and_cells(data: bytes):
    doc = WordDocument(io.BytesIO(data))
    return [p.text for p in doc.paragraphs], [[c.text for c in row.cells] for t in doc.tables for row in t.rows]


def test_quote_table_groups_by_code_in_codebook_order_with_tags():
    quotes = [quote("focus", "Focus", ["Focus"], "We garden.", coding_id=3),
              quote("safety/confidentiality", "Confidentiality", ["Safety", "Confidentiality"], "It stays here.", coding_id=2),
              quote("safety", "Safety", ["Safety"], "I felt safe.", participant=None, approach=None)]
    out = io.BytesIO()
    docx_export.write_quotes(quotes, CODES, out, title="Quotes")
    paragraphs, rows = paragraphs_and_cells(out.getvalue())
    headings = [p for p in paragraphs if p in ("Safety", "Safety › Confidentiality", "Focus")]
    assert headings == ["Safety", "Safety › Confidentiality", "Focus"]
    assert ["“It stays here.”", "(PV44, online)"] in rows
    assert ["“I felt safe.”", "(pv44.txt)"] in rows
    assert "A definition." in paragraphs


def test_many_rows_are_copied_faithfully():
    quotes = [quote("safety", "Safety", ["Safety"], f"Quote number {i} — “curly” & <angled>", coding_id=i)
              for i in range(300)]
    out = io.BytesIO()
    docx_export.write_quotes(quotes, CODES, out, title="Quotes")
    _, rows = paragraphs_and_cells(out.getvalue())
    body = [r for r in rows if r[0] != "Quote"]
    assert len(body) == 300
    assert body[123] == ["“Quote number 123 — “curly” & <angled>”", "(PV44, online)"]


def test_rows_written_as_the_document_is_saved_hold_every_kind_of_text():
    """The rows are put into the saved document as text; each cell must read back as python-docx would have
    written it, whatever it holds, in every table, even when a definition looks like the writer's stand-in."""
    texts = ["a & b <c> \"d\" 'e'", "tab\there\r\nline", "é 😊 ‮rtl", "  padded  ", "]]> end", "\u2063feed-0-0"]
    quotes = [quote(key, name, path, text, coding_id=i)
              for i, (key, name, path, text) in enumerate(
                  (k, n, p, t) for k, n, p in (("safety", "Safety", ["Safety"]), ("focus", "Focus", ["Focus"]))
                  for t in texts)]
    codes = [make_code("safety", "Safety", 0, definition="\u2063deadbeef-0-0<"), CODES[2]]
    out = io.BytesIO()
    docx_export.write_quotes(quotes, codes, out, title="Quotes", show_coder=True, show_document=True)
    paragraphs, rows = paragraphs_and_cells(out.getvalue())
    body = [r for r in rows if r[0] != "Quote"]
    assert [r[0] for r in body] == [retrieval.quoted(t) for t in texts] * 2
    assert {tuple(r[1:]) for r in body} == {("(PV44, online)", "local", "pv44.txt")}
    assert "2 passages" not in paragraphs and paragraphs.count("6 passages") == 2


def test_a_report_of_many_quotes_is_written_without_holding_them(tmp_path):
    """Quotes found in a project are made one at a time as the rows are written: memory stays flat however
    many there are (a report of 100,000 quotes once took 770 MB more)."""
    script = tmp_path / "report.py"
    script.write_text(f"""
import io, resource, sys, zipfile
sys.path.insert(0, {str(ROOT)!r})
from coding.analysis.retrieval import Found, Quote
from coding.exchange import docx as docx_export
from tests.test_export import CODES, quote

def report(n):
    keys = [("safety", "Safety", ["Safety"]), ("focus", "Focus", ["Focus"])]
    found = Found(range(n), lambda i: quote(*keys[i * 2 // n], "words " * 30 + str(i), coding_id=i), None,
                  lambda i: keys[i * 2 // n][0])
    out = io.BytesIO()
    docx_export.write_quotes(found, CODES, out, title="Quotes")
    return out

report(200)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = report(int(sys.argv[1]))
rows = zipfile.ZipFile(out).read("word/document.xml").count(b"</w:tr>")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024, rows)
""")
    grew, rows = map(int, subprocess.run([sys.executable, str(script), "40000"], capture_output=True, text=True,
                                         check=True, cwd=ROOT).stdout.split())
    assert rows == 40_000 + 2  # and a header row in each of the two tables
    assert grew < 60, f"writing 40,000 quotes raised the peak memory by {grew} MB"


def test_text_that_xml_cannot_hold_is_cleaned_not_fatal():
    out = io.BytesIO()
    docx_export.write_quotes([quote("safety", "Safety", ["Safety"], "bell\x07 and form\x0cfeed")], CODES, out, title="Q")
    _, rows = paragraphs_and_cells(out.getvalue())
    assert rows[1][0] == "“bell and formfeed”"


def test_codebook_has_hierarchy_and_definitions():
    data = framework_docx(get_framework("side-by-side"))
    doc = WordDocument(io.BytesIO(data))
    levels = {p.text.lstrip("■ "): p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")}
    assert levels["Safety"] == "Heading 1"
    assert levels["Social focus"] == "Heading 2"
    assert get_framework("side-by-side").codes[0].definition in [p.text for p in doc.paragraphs]


def test_csv_has_one_row_per_quote_and_defuses_formulas():
    out = io.BytesIO()
    csv_export.write_quotes([quote("safety", "Safety", ["Safety"], "=HYPERLINK(\"x\")"),
                             quote("safety", "Safety", ["Safety"], "café 😊")], out, attributes=["approach"])
    assert out.getvalue().startswith("\ufeff".encode()), "a BOM, so that spreadsheets read the accents right"
    assert out.getvalue().count(b"\r\n") == 3, "one CRLF-ended line per row, the header included"
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[0][:6] == ["code", "code_path", "quote", "participant", "tag", "approach"]
    assert rows[1][2] == "'=HYPERLINK(\"x\")" and rows[2][2] == "café 😊" and rows[2][4] == "(PV44, online)"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_exports_open_in_libreoffice(tmp_path):
    out = io.BytesIO()
    docx_export.write_quotes([quote("safety", "Safety", ["Safety"], "I felt safe.")], CODES, out, title="Quotes")
    (tmp_path / "quotes.docx").write_bytes(out.getvalue())
    (tmp_path / "codebook.docx").write_bytes(framework_docx(get_framework("imroc")))
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "txt:Text",
         "--outdir", str(tmp_path), str(tmp_path / "quotes.docx"), str(tmp_path / "codebook.docx")],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "I felt safe." in (tmp_path / "quotes.txt").read_text(encoding="utf-8-sig")
    assert "Recovery-focused" in (tmp_path / "codebook.txt").read_text(encoding="utf-8-sig")
