"""A whole study through /api alone, as a script would run it with bearer tokens: a project, two coders, a
transcript, blind coding with disagreement, agreement, reconciliation, and the consensus in Word and REFI-QDA."""

import io
import zipfile

import pytest
from docx import Document as WordDocument
from fastapi.testclient import TestClient
from lxml import etree

from coding import store
from coding.db import session_for
from coding.team import accounts
from server.app import create_app
from server.settings import Settings
from tests.builders import txt_bytes
from tests.conftest import shared_file

TURNS = [("Interviewer", "How did you first hear about the group?"),
         ("PV44", "A friend told me. I felt safe there because everyone had been through something similar."),
         ("Interviewer", "What keeps you going back?"),
         ("PV44", "Nobody judges you, and what is said in the room stays in the room.")]
NEEDED = [("PUT", "/api/projects/{project_id}/members/{username}"),
          ("PUT", "/api/documents/{document_id}/assignments/{username}"),
          ("PUT", "/api/documents/{document_id}/status"),
          ("GET", "/api/projects/{project_id}/agreement"),
          ("POST", "/api/documents/{document_id}/reconciliation/decisions"),
          ("GET", "/api/projects/{project_id}/exports/{format}")]


def _has_routes(app, wanted) -> bool:
    """True when the app documents every (method, path) of `wanted` (every /api route is in its OpenAPI)."""
    paths = app.openapi()["paths"]
    return all(method.lower() in paths.get(path, {}) for method, path in wanted)


def _app(url: str = "sqlite://"):
    return create_app(Settings(database_url=url, secret_key="study-test-secret", single_user=False))


@pytest.fixture
def study(db_url):
    """The server and a bearer-token client for the lead and for each coder (accounts made as an administrator
    would, with the command line's functions); nothing else exists yet."""
    app = _app(db_url)
    with session_for(app.state.engine) as session:
        tokens = {name: accounts.create_token(session, user=store.ensure_user(session, name=name), name="study")[0]
                  for name in ("lead", "ann", "ben")}
    return app, {name: TestClient(app, headers={"Authorization": f"Bearer {token}"}) for name, token in tokens.items()}


def ok(response, status: int = 200):
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    return response.json() if response.content and "json" in response.headers.get("content-type", "") else response


@pytest.mark.skipif(not _has_routes(_app(), NEEDED), reason="the member and assignment routes are not in this build")
def test_a_whole_study_runs_through_the_api_alone(study):
    app, client = study
    lead, ann, ben = client["lead"], client["ann"], client["ben"]

    project = ok(lead.post("/api/projects", json={"name": "Peer support study"}), 201)["id"]
    for coder in ("ann", "ben"):
        ok(lead.put(f"/api/projects/{project}/members/{coder}", json={"role": "coder"}))
    document = ok(lead.post(f"/api/projects/{project}/documents", files={"file": ("pv44.txt", txt_bytes(TURNS))},
                            data={"participant": "PV44", "attributes": '{"approach": "online"}'}), 201)
    text, did = document["text"], document["id"]
    for coder in ("ann", "ben"):
        ok(lead.put(f"/api/documents/{did}/assignments/{coder}"))

    def code(who, phrase, key):
        start = text.index(phrase)
        return ok(who.post(f"/api/documents/{did}/codings",
                           json={"start": start, "end": start + len(phrase), "code_id": key}), 201)["id"]
    code(ann, "I felt safe there because", "safety")
    code(ben, "I felt safe there because", "safety")
    code(ann, "Nobody judges you", "freedom-to-be-oneself")
    code(ben, "what is said in the room stays in the room", "safety/confidentiality")
    assert [c["coder"] for c in ok(ann.get(f"/api/projects/{project}/codings"))] == ["ann", "ann"]  # blind
    for who in (ann, ben):
        # "status" is the agreed field; "state" is what older servers read (each ignores the other)
        ok(who.put(f"/api/documents/{did}/status", json={"status": "done", "state": "done"}))

    agreement = ok(lead.get(f"/api/projects/{project}/agreement"))
    assert agreement["coders"] == ["ann", "ben"] and agreement["pooled"]["alpha"] is not None
    assert agreement["documents"][0]["disagreements"] == 2  # turn 4: ann freedom, ben confidentiality
    assert ok(ann.get(f"/api/projects/{project}/agreement"), 403)

    queue = ok(lead.get(f"/api/documents/{did}/reconciliation"))
    assert {i["code"] for i in queue["waiting"]} == {"freedom-to-be-oneself", "safety/confidentiality"}
    for item in queue["waiting"]:
        applier = next(iter(item["applied"]))
        ok(lead.post(f"/api/documents/{did}/reconciliation/decisions",
                     json={"item": item["item"], "decision": "keep", "keep": applier,
                           "reason": f"{applier}'s reading fits the definition"}), 201)
    ok(lead.post(f"/api/documents/{did}/reconciliation/agreed", json={"unit": "turn"}))
    queue = ok(lead.get(f"/api/documents/{did}/reconciliation"))
    assert queue["waiting"] == [] and queue["agreed"] == []
    consensus = {c["text"] for c in queue["consensus"]}
    assert consensus == {"I felt safe there because", "Nobody judges you", "what is said in the room stays in the room"}

    word = ok(lead.get(f"/api/projects/{project}/exports/word-quotes", params={"layer": "consensus"}))
    assert word.headers["content-disposition"] == 'attachment; filename="peer-support-study-quotes.docx"'
    cells = [cell.text for table in WordDocument(io.BytesIO(word.content)).tables
             for row in table.rows for cell in row.cells]
    assert {f"“{passage}”" for passage in consensus} <= set(cells) and "(PV44, online)" in cells

    archive = ok(lead.get(f"/api/projects/{project}/exports/refi-qdpx"))
    assert archive.headers["content-disposition"].endswith('.qdpx"')
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        qde = etree.fromstring(zipped.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(shared_file("refi-qda", "Project.xsd"))))
    assert schema.validate(qde), schema.error_log
