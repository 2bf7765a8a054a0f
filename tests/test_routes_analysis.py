"""The analysis page: matrices whose cells open their quotes, the pyramid, frequencies, SVG and PNG files."""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from coding import store
from coding.transcripts import read_transcript
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
