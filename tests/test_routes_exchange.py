"""REFI-QDA exchange from the browser: downloads that validate, an import with its report, a refusal."""

import io
import zipfile

import pytest
from lxml import etree

from coding import store
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes
from tests.conftest import shared_file


@pytest.fixture
def coded(session, project, user):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv44.txt", txt_bytes()))
    start = document.text.index("Nobody judges you")
    store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key="safety"),
                     user=user, start=start, end=start + 17, memo="a memo")
    return document


def test_downloads_validate_and_import_back_as_a_new_project(client, session, project, coded):
    schema = etree.XMLSchema(etree.parse(str(shared_file("refi-qda", "Codebook.xsd"))))
    qdc = client.get(f"/projects/{project.id}/export/codebook.qdc")
    assert schema.validate(etree.fromstring(qdc.content))
    qdpx = client.get(f"/projects/{project.id}/export/project.qdpx")
    with zipfile.ZipFile(io.BytesIO(qdpx.content)) as archive:
        project_schema = etree.XMLSchema(etree.parse(str(shared_file("refi-qda", "Project.xsd"))))
        assert project_schema.validate(etree.fromstring(archive.read("project.qde")))
    page = client.post("/projects/import", data={"name": "Round trip"}, files={"file": ("p.qdpx", qdpx.content)})
    assert page.status_code == 200 and "Round trip" in page.text and "1 coding" in page.text
    copy = store.find_project(session, name="Round trip")
    codings = store.project_codings(session, project_id=copy.id)
    text = store.get_document(session, document_id=codings[0].document_id).text
    assert [(text[c.start:c.end], c.memo) for c in codings] == [("Nobody judges you", "a memo")]


def test_a_broken_file_is_refused_and_nothing_is_created(client, session):
    response = client.post("/projects/import", data={"name": "Broken"}, files={"file": ("x.qdpx", b"not a zip")},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "x.qdpx: this is not a REFI-QDA project" in response.text
    assert 'id="import-error"' in response.text  # shown on the import form, not as a bare error
    assert store.find_project(session, name="Broken") is None


def test_the_project_export_carries_the_pseudonyms_with_offsets_moved(client, session, project, user, coded):
    from coding.analysis import queries

    queries.set_pseudonym(session, project_id=project.id, user=user, original="friend", replacement="[companion]")
    qdpx = client.get(f"/projects/{project.id}/export/project.qdpx").content
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        sources = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".txt")]
    assert "[companion]" in sources[0] and "friend" not in sources[0]
    client.post("/projects/import", data={"name": "Shared copy"}, files={"file": ("p.qdpx", qdpx)})
    copy = store.find_project(session, name="Shared copy")
    coding = store.project_codings(session, project_id=copy.id)[0]
    text = store.get_document(session, document_id=coding.document_id).text
    assert text[coding.start:coding.end] == "Nobody judges you"  # still the coded words, after the shift
    original = store.list_documents(session, project_id=project.id)[0]
    assert "friend" in original.text  # the stored transcript is untouched


def test_the_codebook_page_offers_positions_for_nvivo_and_the_download_counts_utf16(client, session, project, user):
    document = store.import_document(session, project_id=project.id, user=user, transcript=read_transcript(
        "pv47.txt", "Interviewer: And then?\n\nPV47: 😊😊 Nobody judges you there.".encode("utf-8")))
    start = document.text.index("Nobody")
    store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key="safety"),
                     user=user, start=start, end=start + 6)
    page = client.get(f"/projects/{project.id}/codebook").text
    assert "positions for NVivo (UTF-16)" in page and "export/project.qdpx?positions=utf16" in page
    download = client.get(f"/projects/{project.id}/export/project.qdpx?positions=utf16")
    assert download.status_code == 200 and "-nvivo.qdpx" in download.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        chosen = etree.fromstring(archive.read("project.qde")).find(".//{*}PlainTextSelection")
    assert (int(chosen.get("startPosition")), int(chosen.get("endPosition"))) == (start + 2, start + 8)
    assert client.get(f"/projects/{project.id}/export/project.qdpx?positions=bytes").status_code == 422
    again = client.post("/projects/import", data={"name": "Back from NVivo", "nvivo": "true"},
                        files={"file": ("p.qdpx", download.content)})
    assert again.status_code == 200
    copy = store.find_project(session, name="Back from NVivo")
    coding = store.project_codings(session, project_id=copy.id)[0]
    assert store.get_document(session, document_id=coding.document_id).text[coding.start:coding.end] == "Nobody"


def test_the_import_page_names_the_sources_the_archive_lacks(client, session):
    data = shared_file("fixtures", "refi", "atlasti8.4-mac_standard-project_NO-SOURCES.qdpx").read_bytes()
    page = client.post("/projects/import", data={"name": "Breakfast"}, files={"file": ("atlas8.qdpx", data)})
    assert page.status_code == 200 and "Missing from the archive" in page.text
    assert "source &#39;Simon.docx&#39; is not in the archive" in page.text
    assert "3 codings could not be placed: bacon and eggs at 688–907" in page.text
    assert len(store.project_codes(session, project_id=store.find_project(session, name="Breakfast").id)) == 14
