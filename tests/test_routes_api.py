"""The JSON API: projects, imports with turns, codings, refusals, OpenAPI."""

import io
import json

import pytest
from docx import Document as WordDocument

from tests.builders import docx_bytes, odt_bytes, txt_bytes
from tests.conftest import shared_file


@pytest.fixture
def project_id(client):
    response = client.post("/api/projects", json={"name": "API project", "framework": "side-by-side"})
    assert response.status_code == 201
    return response.json()["id"]


def upload(client, project_id, name, data, **form):
    return client.post(f"/api/projects/{project_id}/documents", files={"file": (name, data)}, data=form)


def test_projects_are_created_and_listed(client, project_id):
    assert [p["name"] for p in client.get("/api/projects").json()] == ["API project"]
    codes = client.get(f"/api/projects/{project_id}/codes").json()
    assert codes[0]["id"] == "experience-in-common" and codes[0]["definition"]


def test_unknown_framework_and_duplicate_name_are_clear_errors(client, project_id):
    response = client.post("/api/projects", json={"name": "X", "framework": "nope"})
    assert response.status_code == 422 and "available" in response.json()["detail"]
    response = client.post("/api/projects", json={"name": "API project"})
    assert response.status_code == 409 and "already exists" in response.json()["detail"]


@pytest.mark.parametrize("name, data", [
    ("pv44.docx", docx_bytes()), ("pv44.odt", odt_bytes()), ("pv44.txt", txt_bytes()),
])
def test_transcripts_import_with_their_turns(client, project_id, name, data):
    response = upload(client, project_id, name, data, participant="PV44", attributes='{"approach": "online"}')
    assert response.status_code == 201, response.text
    document = client.get(f"/api/documents/{response.json()['id']}").json()
    turns = [(t["speaker"], document["text"][t["start"]:t["end"]]) for t in document["turns"]]
    assert turns[1] == ("PV44", "A friend told me. I felt safe there because everyone had been through something similar.")
    assert [t["speaker"] for t in document["turns"]] == ["Interviewer", "PV44", "Interviewer", "PV44"]
    assert document["turns"][0]["interviewer"] is True
    assert document["participant"] == "PV44" and document["participant_attributes"] == {"approach": "online"}


def test_vtt_imports_with_speakers_and_cue_times(client, project_id):
    path = shared_file("fixtures", "transcripts", "bristlenose_climbing_research_S1.vtt")
    response = upload(client, project_id, path.name, path.read_bytes())
    assert response.status_code == 201
    turns = client.get(f"/api/documents/{response.json()['id']}").json()["turns"]
    assert {t["speaker"] for t in turns} == {"Sarah Chen", "Tom Baker"}
    assert turns[0]["cue_start_ms"] == 2400


def test_codings_round_trip_and_appear_in_the_word_export_with_tags(client, project_id):
    doc = upload(client, project_id, "pv44.txt", txt_bytes(), participant="PV44",
                 attributes='{"approach": "online"}').json()
    text = client.get(f"/api/documents/{doc['id']}").json()["text"]
    quote = "what is said in the room stays in the room"
    start = text.index(quote)
    response = client.post(f"/api/documents/{doc['id']}/codings",
                           json={"start": start, "end": start + len(quote), "code_id": "safety/confidentiality",
                                 "memo": "confidentiality"})
    assert response.status_code == 201, response.text
    listed = client.get(f"/api/projects/{project_id}/codings").json()
    assert [(c["code_id"], c["text"], c["coder"], c["memo"]) for c in listed] == [
        ("safety/confidentiality", quote, "local", "confidentiality")]
    export = client.get(f"/projects/{project_id}/export/quotes.docx")
    assert export.status_code == 200
    word = WordDocument(io.BytesIO(export.content))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert f"“{quote}”" in cells and "(PV44, online)" in cells
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Safety › Confidentiality" in headings


def test_delete_removes_a_coding_from_the_list(client, project_id):
    doc = upload(client, project_id, "pv44.txt", txt_bytes()).json()
    coding = client.post(f"/api/documents/{doc['id']}/codings", json={"start": 0, "end": 5, "code_id": "safety"}).json()
    assert client.delete(f"/api/codings/{coding['id']}").status_code == 204
    assert client.get(f"/api/projects/{project_id}/codings").json() == []
    assert client.delete(f"/api/codings/{coding['id']}").status_code == 404


@pytest.mark.parametrize("body, status, words", [
    ({"start": 0, "end": 99999, "code_id": "safety"}, 422, "not inside the document"),
    ({"start": 0, "end": 5, "code_id": "no-such-code"}, 404, "no code 'no-such-code'"),
    ({"start": "a", "end": 5, "code_id": "safety"}, 422, "start"),
])
def test_bad_codings_get_clear_json_errors(client, project_id, body, status, words):
    doc = upload(client, project_id, "pv44.txt", txt_bytes()).json()
    response = client.post(f"/api/documents/{doc['id']}/codings", json=body)
    assert response.status_code == status
    assert words in response.json()["detail"]


def corrupt_docx() -> bytes:
    good = docx_bytes()
    return good[: len(good) // 2]


@pytest.mark.parametrize("name, data, words", [
    ("corrupt.docx", corrupt_docx(), "damaged"),
    ("binary.txt", bytes(range(256)) * 8, "binary"),
    ("empty.txt", b"", "empty"),
    ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, "password-protected"),
])
def test_bad_files_are_refused_and_nothing_is_stored(client, project_id, name, data, words):
    upload(client, project_id, "good.txt", txt_bytes())
    before = client.get(f"/api/projects/{project_id}/documents").json()
    response = upload(client, project_id, name, data)
    assert 400 <= response.status_code < 500
    assert name in response.json()["detail"] and words in response.json()["detail"]
    assert client.get(f"/api/projects/{project_id}/documents").json() == before


def test_the_same_file_twice_is_a_conflict(client, project_id):
    assert upload(client, project_id, "a.txt", txt_bytes()).status_code == 201
    response = upload(client, project_id, "b.txt", txt_bytes())
    assert response.status_code == 409 and "already in the project as 'a.txt'" in response.json()["detail"]


def test_bad_attributes_json_is_refused(client, project_id):
    response = upload(client, project_id, "a.txt", txt_bytes(), attributes="{not json")
    assert response.status_code == 422 and "JSON object" in response.json()["detail"]
    assert client.get(f"/api/projects/{project_id}/documents").json() == []


def test_missing_things_are_404_json(client):
    for path in ("/api/projects/999", "/api/documents/999", "/api/projects/999/codings"):
        response = client.get(path)
        assert response.status_code == 404 and "detail" in response.json()


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/projects", "/api/projects/{project_id}/documents", "/api/documents/{document_id}",
                 "/api/documents/{document_id}/codings", "/api/projects/{project_id}/codings",
                 "/api/codings/{coding_id}"):
        assert path in spec["paths"]
    assert not [p for p in spec["paths"] if not p.startswith("/api/")]


def test_participant_attributes_can_be_set(client, project_id):
    response = client.put(f"/api/projects/{project_id}/participants/PV9", json={"attributes": {"approach": "group"}})
    assert response.json() == {"label": "PV9", "attributes": {"approach": "group"}}
    assert json.dumps(client.get(f"/api/projects/{project_id}/participants").json()) == json.dumps(
        [{"label": "PV9", "attributes": {"approach": "group"}}])
