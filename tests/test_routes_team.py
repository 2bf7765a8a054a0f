"""A team server: sign-in, CSRF, bearer tokens, roles, and projects invisible to non-members."""

import re

import pytest
from fastapi.testclient import TestClient

from coding import store
from coding.db import session_for
from coding.team import accounts, signin
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes
from tests.conftest import csrf_token

PASSWORD = "a long enough password"


@pytest.fixture
def team(team_app):
    """An administrator (lead of project X), a coder and a viewer of X, and an outsider who leads project Y."""
    from coding.db import session_for
    from coding.codebook.frameworks import get_framework

    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        people = {n: accounts.create_user(session, name=n, password=PASSWORD) for n in ("coder", "viewer", "outsider")}
        x = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
        y = store.create_project(session, name="Y", framework=get_framework("side-by-side"), user=people["outsider"])
        accounts.set_member(session, project_id=x.id, user=people["coder"], role="coder", by=lead)
        accounts.set_member(session, project_id=x.id, user=people["viewer"], role="viewer", by=lead)
        docs = {}
        for project, owner in ((x, lead), (y, people["outsider"])):
            docs[project.name] = store.import_document(session, project_id=project.id, user=owner,
                                                       transcript=read_transcript("pv44.txt", txt_bytes()))
        accounts.assign(session, document=docs["X"], coder=people["coder"], by=lead)
        coding = store.add_coding(session, document=docs["Y"], code=store.get_code(session, project_id=y.id,
                                  key="safety"), user=people["outsider"], start=20, end=30)
        tokens = {n: accounts.create_token(session, user=u, name="t")[0]
                  for n, u in [("lead", lead), *people.items()]}
        return {"x": x.id, "y": y.id, "doc_x": docs["X"].id, "doc_y": docs["Y"].id, "coding_y": coding.id,
                "tokens": tokens}


def signed_in(app, name: str) -> TestClient:
    client = TestClient(app)
    page = client.post("/login", data={"name": name, "password": PASSWORD}, follow_redirects=True)
    assert page.status_code == 200, page.text
    client.headers["X-CSRF-Token"] = csrf_token(page.text)
    return client


def bearer(app, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_a_fresh_server_asks_for_an_administrator(team_app):
    client = TestClient(team_app)
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    assert client.get("/login", follow_redirects=False).headers["location"] == "/setup"
    page = client.post("/setup", data={"name": "ada", "password": PASSWORD, "confirm": PASSWORD},
                       follow_redirects=True)
    assert page.status_code == 200 and "Projects" in page.text
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/login"
    refused = TestClient(team_app).post("/setup", data={"name": "eve", "password": PASSWORD, "confirm": PASSWORD})
    assert refused.status_code == 403


def test_without_sign_in_pages_redirect_and_the_api_answers_401(team_app, team):
    client = TestClient(team_app)
    assert client.get(f"/projects/{team['x']}", follow_redirects=False).status_code == 303
    response = client.get("/api/projects")
    assert response.status_code == 401 and "Bearer" in response.json()["detail"]
    assert bearer(team_app, "pf_not-a-token").get("/api/projects").status_code == 401


def test_the_session_cookie_is_httponly_and_samesite_lax(team_app, team):
    response = TestClient(team_app).post("/login", data={"name": "lead", "password": PASSWORD}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # plain HTTP here
    https = TestClient(team_app, base_url="https://testserver").post(
        "/login", data={"name": "lead", "password": PASSWORD}, follow_redirects=False)
    assert "Secure" in https.headers["set-cookie"]


def test_wrong_passwords_are_throttled(team_app, team):
    client = TestClient(team_app)
    for _ in range(signin.MAX_FAILURES):
        assert client.post("/login", data={"name": "coder", "password": "nope nope"}).status_code == 401
    response = client.post("/login", data={"name": "coder", "password": PASSWORD})
    assert response.status_code == 429 and "try again" in response.text


def test_a_state_changing_request_without_the_csrf_token_is_refused(team_app, team):
    client = signed_in(team_app, "lead")
    del client.headers["X-CSRF-Token"]
    for method, path, kwargs in [
        ("post", "/projects", {"data": {"name": "Z"}}),
        ("post", "/api/projects", {"json": {"name": "Z"}}),
        ("post", f"/documents/{team['doc_x']}/codings", {"data": {"start": 20, "end": 30, "code": "safety"}}),
        ("delete", f"/api/codings/{team['coding_y']}", {}),
    ]:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 403, path
    assert [p["name"] for p in client.get("/api/projects").json()] == ["X"]  # nothing was created
    client.headers["X-CSRF-Token"] = "forged"
    assert client.post("/api/projects", json={"name": "Z"}).status_code == 403
    ok = signed_in(team_app, "lead").post("/api/projects", json={"name": "Z"})
    assert ok.status_code == 201


def test_a_form_may_carry_the_token_as_a_field(team_app, team):
    client = signed_in(team_app, "lead")
    token = client.headers.pop("X-CSRF-Token")
    response = client.post("/projects", data={"name": "From a form", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_bearer_tokens_need_no_csrf_token_and_act_as_their_user(team_app, team):
    client = bearer(team_app, team["tokens"]["coder"])
    text = client.get(f"/api/documents/{team['doc_x']}").json()["text"]
    start = text.index("Nobody judges you")
    response = client.post(f"/api/documents/{team['doc_x']}/codings",
                           json={"start": start, "end": start + 17, "code_id": "safety"})
    assert response.status_code == 201 and response.json()["coder"] == "coder"


def fill(path: str, team: dict) -> str:
    return (path.replace("{project_id}", str(team["y"])).replace("{document_id}", str(team["doc_y"]))
            .replace("{coding_id}", str(team["coding_y"])).replace("{label}", "PV44"))


def test_a_member_of_x_gets_404_from_every_api_route_of_y(team_app, team):
    spec = TestClient(team_app).get("/openapi.json").json()
    scoped = [(path, method) for path, item in spec["paths"].items() for method in item
              if re.search(r"\{(project_id|document_id|coding_id)\}", path)]
    assert len(scoped) >= 10
    for name in ("lead", "coder", "viewer"):
        client = bearer(team_app, team["tokens"][name])
        for path, method in scoped:
            body = {"json": {"start": 0, "end": 5, "code_id": "safety", "attributes": {"a": "b"}}}
            if method == "post" and path.endswith("/documents"):
                body = {"files": {"file": ("x.txt", txt_bytes())}}
            response = client.request(method.upper(), fill(path, team), **(body if method in ("post", "put") else {}))
            assert response.status_code == 404, (name, method, path, response.status_code, response.text)
        assert team["y"] not in [p["id"] for p in client.get("/api/projects").json()]
    owner = bearer(team_app, team["tokens"]["outsider"])
    assert owner.get(f"/api/projects/{team['y']}/codings").status_code == 200


def test_pages_of_another_project_are_404_too(team_app, team):
    client = signed_in(team_app, "coder")
    for path in (f"/projects/{team['y']}", f"/documents/{team['doc_y']}", f"/projects/{team['y']}/quotes",
                 f"/projects/{team['y']}/codebook", f"/projects/{team['y']}/export/quotes.docx"):
        assert client.get(path).status_code == 404, path


def test_roles_limit_what_members_can_do(team_app, team):
    viewer = bearer(team_app, team["tokens"]["viewer"])
    assert viewer.get(f"/api/projects/{team['x']}/codings").status_code == 200
    refused = viewer.post(f"/api/documents/{team['doc_x']}/codings", json={"start": 20, "end": 30, "code_id": "safety"})
    assert refused.status_code == 403 and "coder role" in refused.json()["detail"]
    coder = bearer(team_app, team["tokens"]["coder"])
    upload = coder.post(f"/api/projects/{team['x']}/documents", files={"file": ("n.txt", b"PV1: new words here")})
    assert upload.status_code == 403 and "lead role" in upload.json()["detail"]
    assert signed_in(team_app, "coder").get(f"/projects/{team['x']}/team").status_code == 403


def test_a_coder_sees_only_assigned_transcripts_and_their_own_layer(team_app, team):
    lead = bearer(team_app, team["tokens"]["lead"])
    other = lead.post(f"/api/projects/{team['x']}/documents", files={"file": ("other.txt", b"PV2: other words")})
    text = lead.get(f"/api/documents/{team['doc_x']}").json()["text"]
    start = text.index("Nobody judges you")
    lead.post(f"/api/documents/{team['doc_x']}/codings", json={"start": start, "end": start + 17, "code_id": "focus"})
    coder = bearer(team_app, team["tokens"]["coder"])
    assert [d["id"] for d in coder.get(f"/api/projects/{team['x']}/documents").json()] == [team["doc_x"]]
    assert coder.get(f"/api/documents/{other.json()['id']}").status_code == 404
    assert coder.get(f"/api/projects/{team['x']}/codings").json() == []  # blind: the lead's coding is hidden
    page = signed_in(team_app, "coder").get(f"/documents/{team['doc_x']}").text
    assert 'class="run coded' not in page and "Blind coding" in page
    lead_page = signed_in(team_app, "lead")
    lead_page.post(f"/documents/{team['doc_x']}/reveal", data={"revealed": "true"})
    assert [c["code_id"] for c in coder.get(f"/api/projects/{team['x']}/codings").json()] == ["focus"]


def test_leads_manage_members_on_the_team_page(team_app, team):
    lead = signed_in(team_app, "lead")
    assert "viewer" in lead.get(f"/projects/{team['x']}/team").text
    response = lead.post(f"/projects/{team['x']}/members", data={"name": "outsider", "role": "viewer"})
    assert response.status_code == 200 and "outsider" in response.text
    assert bearer(team_app, team["tokens"]["outsider"]).get(f"/api/projects/{team['x']}").status_code == 200
    missing = lead.post(f"/projects/{team['x']}/members", data={"name": "ghost", "role": "coder"},
                        headers={"HX-Request": "true"})
    assert missing.status_code == 404 and "no user called 'ghost'" in missing.json()["detail"]


def test_tokens_can_be_created_and_revoked_in_the_browser(team_app, team):
    client = signed_in(team_app, "viewer")
    page = client.post("/account/tokens", data={"name": "my script"}).text
    token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert bearer(team_app, token).get("/api/projects").status_code == 200
    token_id = re.findall(r"/account/tokens/(\d+)/revoke", page)[0]
    client.post(f"/account/tokens/{token_id}/revoke")
    assert bearer(team_app, token).get("/api/projects").status_code == 401


def test_a_viewer_or_another_projects_coding_cannot_have_its_memo_set(team_app, team):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        ours = code_phrase(session, store.get_document(session, document_id=team["doc_x"]), lead, "A friend told me",
                           "safety").id
    viewer, lead_client = signed_in(team_app, "viewer"), signed_in(team_app, "lead")
    assert viewer.post(f"/codings/{ours}/memo", data={"memo": "a viewer's note"}).status_code == 403
    elsewhere = lead_client.post(f"/codings/{team['coding_y']}/memo", data={"memo": "not my project"})
    assert elsewhere.status_code == 404 and "memo-mark" not in elsewhere.text
    assert lead_client.post("/codings/not-a-number/memo", data={"memo": "x"}).status_code == 422
    with session_for(team_app.state.engine) as session:
        assert store.get_coding(session, coding_id=ours).memo == ""
        assert store.get_coding(session, coding_id=team["coding_y"]).memo == ""
