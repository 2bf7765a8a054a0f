"""Word exports: matrix tables that never break a word, quotes not quoted twice, tidy download names."""

import io
import re
import shutil
import subprocess

import pytest
from docx import Document as WordDocument

from coding import store
from coding.exchange.downloads import file_stem
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture
def coded(session, project, user):
    document = store.import_document(session, project_id=project.id, user=user, participant="PV44",
                                     attributes={"approach": "online"},
                                     transcript=read_transcript("pv44.txt", txt_bytes([
                                         ("Interviewer", "What did she say?"),
                                         ("PV44", 'She said "you are safe here" and I felt safe there.'),
                                     ])))

    def code(phrase, key):
        code_phrase(session, document, user, phrase, key)
    code('"you are safe here"', "safety")
    code("I felt safe there", "facilitation/named-facilitator")
    code("I felt safe there", "safety")
    return document


def _pdf_lines(docx: bytes, tmp_path) -> list[str]:
    from pypdf import PdfReader

    source = tmp_path / "matrix.docx"
    source.write_bytes(docx)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    reader = PdfReader(str(tmp_path / "matrix.pdf"))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines() if line.strip()]


@needs_soffice
@pytest.mark.parametrize("kind", ["codes", "values-decisions"])
def test_matrix_tables_break_no_code_name_inside_a_word(client, session, project, coded, tmp_path, kind):
    response = client.get(f"/projects/{project.id}/export/matrix.docx?kind={kind}")
    assert response.status_code == 200
    names = [code.name for code in store.project_codes(session, project_id=project.id) if not code.parent_key]
    around = [p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs]  # title and note
    whole = {w for text in names + around for w in re.findall(r"[A-Za-z]+", text)}
    words = {w for w in whole if len(w) >= 4}
    tokens = {t for line in _pdf_lines(response.content, tmp_path) for t in re.findall(r"[A-Za-z]+", line)}
    broken = {t for t in tokens - whole if any(w != t and (w.startswith(t) or w.endswith(t)) for w in words)}
    shown = words & tokens
    assert shown, "the matrix shows code names"
    assert not broken, f"code names broken mid-word across lines: {sorted(broken)}"
    assert not (words - tokens), f"code names not shown whole: {sorted(words - tokens)}"


def test_matrix_tables_turn_off_hyphenation(client, project, coded):
    data = client.get(f"/projects/{project.id}/export/matrix.docx?kind=codes").content
    word = WordDocument(io.BytesIO(data))
    settings = word.settings.element.xml
    assert 'autoHyphenation w:val="false"' in settings
    assert "suppressAutoHyphens" in word.tables[0]._tbl.xml


def test_a_quote_that_carries_its_own_quotation_marks_is_not_quoted_again(client, project, coded):
    data = client.get(f"/projects/{project.id}/export/quotes.docx?code=safety").content
    cells = [c.text for t in WordDocument(io.BytesIO(data)).tables for r in t.rows for c in r.cells]
    assert '"you are safe here"' in cells and '“"you are safe here"”' not in cells
    assert "“I felt safe there”" in cells
    page = client.get(f"/projects/{project.id}/quotes?code=safety").text
    assert '“"you are safe here"”' not in page and "“I felt safe there”" in page


@pytest.mark.parametrize("name, stem", [
    ("Peer support: Leeds", "peer-support-leeds"), ("  --Café -- study--  ", "cafe-study"),
    ("???", "project"), ("Wave 2 / 2026", "wave-2-2026"),
])
def test_download_names_have_single_dashes(name, stem):
    assert file_stem(name) == stem


def test_every_download_from_a_project_with_punctuation_in_its_name_has_a_tidy_name(client, session, project, coded):
    project.name = "Peer support: Leeds (2026)"
    session.add(project)
    session.commit()
    names = []
    for path in ("export/quotes.docx", "export/quotes.csv", "export/matrix.docx", "export/codebook.qdc",
                 "export/project.qdpx", "figures/matrix.svg"):
        response = client.get(f"/projects/{project.id}/{path}")
        assert response.status_code == 200, path
        names.append(re.search(r'filename="([^"]+)"', response.headers["content-disposition"]).group(1))
    assert all(n.startswith("peer-support-leeds-2026") for n in names), names
    assert not any("--" in n or n.startswith("-") or "-." in n for n in names), names
