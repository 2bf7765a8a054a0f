"""The analysis page: matrices whose cells open their quotes, the pyramid, frequencies, SVG and PNG files."""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from coding import store
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes


@pytest.fixture
def coded(session, project, user):
    document = store.import_document(session, project_id=project.id, user=user, participant="PV44",
                                     attributes={"approach": "online"},
                                     transcript=read_transcript("pv44.txt", txt_bytes()))

    def code(phrase, key):
        start = document.text.index(phrase)
        store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key=key),
                         user=user, start=start, end=start + len(phrase))
    code("I felt safe there because", "safety")
    code("felt safe there", "facilitation/named-facilitator")
    code("Nobody judges you", "freedom-to-be-oneself")
    return document


def test_the_values_by_decisions_matrix_links_each_cell_to_its_quotes(client, project, coded):
    page = client.get(f"/projects/{project.id}/analysis").text
    assert page.count("<svg") == 3
    links = re.findall(r'<a href="([^"]*quotes\?[^"]*)"', page)
    cell = next(link for link in links if "code=safety" in link and "code=facilitation" in link)
    quotes = client.get(cell.replace("&amp;", "&")).text
    assert quotes.count("<blockquote>") == 2 and "Nobody judges you" not in quotes


def test_code_by_attribute_and_turn_mode(client, project, coded):
    page = client.get(f"/projects/{project.id}/analysis?kind=attribute&by=approach").text
    assert "online" in page and "attr=approach%3Aonline" in page
    turn = client.get(f"/projects/{project.id}/analysis?kind=codes&mode=turn").text
    assert "speaker turns with both codes" in turn


def test_figures_download_as_svg_and_png(client, project, coded):
    for name in ("matrix", "pyramid", "frequencies"):
        svg = client.get(f"/projects/{project.id}/figures/{name}.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml")
        ElementTree.fromstring(svg.content)
        png = client.get(f"/projects/{project.id}/figures/{name}.png")
        assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    pyramid = client.get(f"/projects/{project.id}/figures/pyramid.svg").text
    assert "Safety" in pyramid and "no evidence" in pyramid  # two foundation values have no passages here
    assert client.get(f"/projects/{project.id}/figures/pyramid.gif").status_code == 404
    assert client.get(f"/projects/{project.id}/figures/nothing.svg").status_code == 404


def test_matrices_export_to_word_and_excel(client, project, coded):
    import io

    from docx import Document as WordDocument
    from openpyxl import load_workbook

    word = client.get(f"/projects/{project.id}/export/matrix.docx?kind=values-decisions")
    rows = [[c.text for c in r.cells] for t in WordDocument(io.BytesIO(word.content)).tables for r in t.rows]
    safety = next(r for r in rows if r[0] == "Safety")
    assert safety[1] == "1"  # Safety × Facilitation: one stretch coded with both
    sheet = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/export/matrix.xlsx?kind=attribute&by=approach").content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any("online" in [str(v) for v in row] for row in values)
    assert any(row and row[0] == "Safety" and "1 (1)" in [str(v) for v in row] for row in values)
    assert client.get(f"/projects/{project.id}/export/matrix.pdf").status_code == 404


def test_word_report_with_options_and_a_style_template(client, project, coded):
    import io

    from docx import Document as WordDocument
    from docx.shared import Pt

    template = WordDocument()
    template.styles["Normal"].font.name = "Georgia"
    template.styles["Normal"].font.size = Pt(13)
    buffer = io.BytesIO()
    template.save(buffer)
    response = client.post(f"/projects/{project.id}/export/report.docx",
                           data={"tag": ["approach"], "show_coder": "true", "code": "safety"},
                           files={"template": ("house-style.docx", buffer.getvalue())})
    assert response.status_code == 200
    report = WordDocument(io.BytesIO(response.content))
    assert report.styles["Normal"].font.name == "Georgia"
    cells = [c.text for t in report.tables for r in t.rows for c in r.cells]
    assert "“I felt safe there because”" in cells and "(PV44, online)" in cells and "local" in cells
    assert "“Nobody judges you”" not in cells
    bad = client.post(f"/projects/{project.id}/export/report.docx", files={"template": ("x.docx", b"not a docx")},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "x.docx" in bad.json()["detail"]


def test_pseudonyms_apply_to_every_export(client, project, coded):
    page = client.get(f"/projects/{project.id}/pseudonyms")
    assert page.status_code == 200
    client.post(f"/projects/{project.id}/pseudonyms", data={"original": "Nobody", "replacement": "[someone]"})
    assert "[someone]" in client.get(f"/projects/{project.id}/pseudonyms").text
    csv_text = client.get(f"/projects/{project.id}/export/quotes.csv").content.decode("utf-8-sig")
    assert "[someone] judges you" in csv_text and "Nobody" not in csv_text
    import io

    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/export/quotes.xlsx").content)).active
    texts = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("[someone] judges you" in t for t in texts) and not any("Nobody" in t for t in texts)
