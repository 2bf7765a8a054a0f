"""The team half of the JSON API: what a script does with members, users, assignments, the codebook, memos,
codings by layer, undo, number keys and the log; the role refusals; bad bodies; and that refusals store nothing."""

import pytest
from fastapi.testclient import TestClient

from coding import store
from coding.db import session_for
from coding.team import accounts
from tests.test_api_access import stored
from tests import test_routes_team
from tests.test_routes_team import PASSWORD

team = test_routes_team.team  # the team world (the team server, team_app, is in conftest)

QUOTE = "what is said in the room stays in the room"


def api(app, world, who: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {world['tokens'][who]}"})


def refused(app, answer, status: int, words: str, before: dict) -> None:
    """The answer is the refusal expected, naming what is wrong, and nothing was stored."""
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]
    assert stored(app) == before


def uid(app, name: str) -> int:
    """A user's id (the pages and the API name a coder's layer "coder:<id>")."""
    with session_for(app.state.engine) as session:
        return accounts.find_user(session, name=name).id


def span_of(app, world, phrase: str = QUOTE) -> tuple[int, int]:
    with session_for(app.state.engine) as session:
        text = store.get_document(session, document_id=world["doc_x"]).text
    return text.index(phrase), text.index(phrase) + len(phrase)


def code(app, world, who: str, key: str = "safety", phrase: str = QUOTE) -> dict:
    start, end = span_of(app, world, phrase)
    answer = api(app, world, who).post(f"/api/documents/{world['doc_x']}/codings",
                                       json={"start": start, "end": end, "code_id": key})
    assert answer.status_code == 201, answer.text
    return answer.json()


# --- members and users ------------------------------------------------------------------------------

def test_a_lead_adds_changes_and_removes_members(team_app, team):
    lead, x = api(team_app, team, "lead"), team["x"]
    assert [(m["id"], m["name"], m["role"]) for m in lead.get(f"/api/projects/{x}/members").json()] == [
        (uid(team_app, "lead"), "lead", "lead"), (uid(team_app, "coder"), "coder", "coder"),
        (uid(team_app, "viewer"), "viewer", "viewer")]
    added = lead.put(f"/api/projects/{x}/members/outsider", json={"role": "coder"})
    assert added.status_code == 200 and {"id": uid(team_app, "outsider"), "name": "outsider",
                                         "display_name": "outsider", "role": "coder"} in added.json()
    assert api(team_app, team, "outsider").get(f"/api/projects/{x}").status_code == 200
    lead.put(f"/api/projects/{x}/members/outsider", json={"role": "viewer"})
    assert ("outsider", "viewer") in [(m["name"], m["role"]) for m in lead.get(f"/api/projects/{x}/members").json()]
    assert lead.delete(f"/api/projects/{x}/members/outsider").status_code == 204
    assert api(team_app, team, "outsider").get(f"/api/projects/{x}").status_code == 404
    with session_for(team_app.state.engine) as session:
        kinds = [e.kind for e in store.list_events(session, project_id=x, kind="member.")]
    assert kinds == ["member.removed", "member.set", "member.set", "member.set", "member.set"]


@pytest.mark.parametrize("who, status", [("coder", 403), ("viewer", 403), ("outsider", 404)])
def test_only_a_lead_manages_members(team_app, team, who, status):
    client, x, before = api(team_app, team, who), team["x"], stored(team_app)
    refused(team_app, client.put(f"/api/projects/{x}/members/outsider", json={"role": "lead"}), status,
            "lead role" if status == 403 else "no project", before)
    refused(team_app, client.delete(f"/api/projects/{x}/members/viewer"), status,
            "lead role" if status == 403 else "no project", before)
    refused(team_app, client.get(f"/api/projects/{x}/members"), status,
            "lead role" if status == 403 else "no project", before)


@pytest.mark.parametrize("body, words", [({"role": "boss"}, "role:"), ({}, "role: Field required"),
                                         ({"role": 3}, "role:")])
def test_a_role_that_is_not_one_is_refused_naming_the_field(team_app, team, body, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, "lead").put(f"/api/projects/{team['x']}/members/outsider", json=body),
            422, words, before)


def test_unknown_users_and_the_last_lead_are_refused(team_app, team):
    lead, x, before = api(team_app, team, "lead"), team["x"], stored(team_app)
    refused(team_app, lead.put(f"/api/projects/{x}/members/nobody", json={"role": "coder"}), 404,
            "no user called 'nobody'", before)
    refused(team_app, lead.delete(f"/api/projects/{x}/members/outsider"), 404, "not a member", before)
    refused(team_app, lead.delete(f"/api/projects/{x}/members/lead"), 422, "at least one lead", before)


def test_an_administrator_creates_users_who_can_then_sign_in(team_app, team):
    made = api(team_app, team, "lead").post("/api/users", json={"name": "sam", "password": PASSWORD,
                                                                "display_name": "Sam K"})
    assert made.status_code == 201 and made.json() == {"id": uid(team_app, "sam"), "name": "sam",
                                                       "display_name": "Sam K", "admin": False}
    page = TestClient(team_app).post("/login", data={"name": "sam", "password": PASSWORD}, follow_redirects=True)
    assert page.status_code == 200 and "Projects" in page.text


@pytest.mark.parametrize("who, body, status, words", [
    ("coder", {"name": "sam", "password": PASSWORD}, 403, "only an administrator"),
    ("lead", {"name": "sam"}, 422, "password: Field required"),
    ("lead", {"name": "sam", "password": "short"}, 422, "password needs at least"),
    ("lead", {"name": "two words", "password": PASSWORD}, 422, "one word"),
    ("lead", {"name": "coder", "password": PASSWORD}, 409, "already a user called 'coder'"),
])
def test_user_creation_refusals_store_nothing(team_app, team, who, body, status, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).post("/api/users", json=body), status, words, before)


# --- assignments ------------------------------------------------------------------------------------

def test_a_lead_gives_and_takes_back_transcripts(team_app, team):
    lead, coder, doc = api(team_app, team, "lead"), api(team_app, team, "coder"), team["doc_x"]
    assert lead.get(f"/api/projects/{team['x']}/assignments").json() == [{"document_id": doc, "coder": "coder"}]
    assert lead.delete(f"/api/documents/{doc}/assignments/coder").json() == []
    assert coder.get(f"/api/documents/{doc}").status_code == 404
    assert lead.put(f"/api/documents/{doc}/assignments/coder").json() == [{"document_id": doc, "coder": "coder"}]
    assert coder.get(f"/api/documents/{doc}").status_code == 200


def test_an_administrator_resets_a_password_and_the_user_is_signed_out_everywhere(team_app, team):
    browser = test_routes_team.signed_in(team_app, "coder")
    admin = api(team_app, team, "lead")
    listed = {u["name"]: u for u in admin.get("/api/users").json()}
    assert listed["coder"] == {"id": uid(team_app, "coder"), "name": "coder", "display_name": "coder",
                               "admin": False, "signed_in_on": 1}
    assert listed["lead"]["admin"] is True
    reset = admin.put("/api/users/coder/password", json={"password": "a brand new password"})
    assert reset.status_code == 200 and reset.json() == {"name": "coder", "sessions_ended": 1}
    assert browser.get("/", follow_redirects=False).headers["location"].startswith("/login")
    fresh = TestClient(team_app)
    assert fresh.post("/login", data={"name": "coder", "password": PASSWORD}).status_code != 303
    assert fresh.post("/login", data={"name": "coder", "password": "a brand new password"},
                      follow_redirects=False).status_code == 303
    assert api(team_app, team, "coder").get(f"/api/projects/{team['x']}").status_code == 200  # tokens stay
    assert admin.post("/api/users/coder/sessions/end").json() == {"name": "coder", "sessions_ended": 1}
    assert {u["name"]: u["signed_in_on"] for u in admin.get("/api/users").json()}["coder"] == 0


@pytest.mark.parametrize("who, method, path, body, status, words", [
    ("coder", "get", "/api/users", None, 403, "only an administrator"),
    ("coder", "put", "/api/users/viewer/password", {"password": "a takeover password"}, 403, "only an administrator"),
    ("coder", "post", "/api/users/lead/sessions/end", None, 403, "only an administrator"),
    ("lead", "put", "/api/users/viewer/password", {"password": "short"}, 422, "at least 8 characters"),
    ("lead", "put", "/api/users/nobody/password", {"password": "a long new password"}, 404, "no user called"),
    ("lead", "put", "/api/users/viewer/password", {}, 422, "password: Field required"),
    ("lead", "post", "/api/users/nobody/sessions/end", None, 404, "no user called"),
])
def test_account_refusals_change_nothing(team_app, team, who, method, path, body, status, words):
    with session_for(team_app.state.engine) as session:
        hashes = {u.name: u.password_hash for u in store.list_users(session)}
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).request(method.upper(), path, json=body), status, words, before)
    with session_for(team_app.state.engine) as session:
        assert {u.name: u.password_hash for u in store.list_users(session)} == hashes


@pytest.mark.parametrize("who, user, status, words", [
    ("coder", "coder", 403, "lead role"), ("outsider", "coder", 404, "no document"),
    ("lead", "viewer", 422, "not a coder"), ("lead", "nobody", 404, "no user called"),
])
def test_assignment_refusals_store_nothing(team_app, team, who, user, status, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).put(f"/api/documents/{team['doc_x']}/assignments/{user}"), status,
            words, before)


# --- the codebook -----------------------------------------------------------------------------------

def test_a_lead_edits_the_codebook_and_undoes_the_last_change(team_app, team):
    lead, x = api(team_app, team, "lead"), f"/api/projects/{team['x']}"
    added = lead.post(f"{x}/codes", json={"name": "Feeling heard", "parent": "safety", "definition": "listened to"})
    assert added.status_code == 201 and added.json()["id"] == "safety/feeling-heard"
    key = f"{x}/codes/safety/feeling-heard"
    changed = lead.patch(key, json={"name": "Being heard", "colour": "#2a7ab0"}).json()
    assert (changed["id"], changed["name"], changed["colour"]) == ("safety/feeling-heard", "Being heard", "#2a7ab0")
    assert lead.post(f"{key}/retire").json()["retired"] is True
    assert lead.post(f"{key}/restore").json()["retired"] is False
    moved = lead.post(f"{key}/move", json={"parent": None}).json()
    assert (moved["id"], moved["parent"]) == ("safety/feeling-heard", None)
    assert "Being heard" in lead.get(f"{x}/codebook/undo").json()["next"]
    undone = lead.post(f"{x}/codebook/undo").json()
    assert "Being heard" in undone["undone"]
    codes = {c["id"]: c for c in lead.get(f"{x}/codes").json()}
    assert codes["safety/feeling-heard"]["parent"] == "safety"


def test_merging_recodes_every_coding_and_retires_the_code(team_app, team):
    coding = code(team_app, team, "coder", key="safety/confidentiality")
    merged = api(team_app, team, "lead").post(f"/api/projects/{team['x']}/codes/safety/confidentiality/merge",
                                              json={"into": "safety"})
    assert merged.status_code == 200 and merged.json()["recoded"] == 1
    assert {c["id"]: c["retired"] for c in merged.json()["codes"]}["safety/confidentiality"] is True
    listed = api(team_app, team, "coder").get(f"/api/documents/{team['doc_x']}/codings").json()
    assert [(c["id"], c["code_id"]) for c in listed] == [(coding["id"], "safety")]


@pytest.mark.parametrize("method, path, body, status, words", [
    ("post", "codes", {"name": "New"}, 403, "lead role"),
    ("patch", "codes/safety", {"name": "Safe"}, 403, "lead role"),
    ("post", "codes/safety/retire", None, 403, "lead role"),
    ("post", "codes/safety/move", {"parent": "focus"}, 403, "lead role"),
    ("post", "codes/safety/merge", {"into": "focus"}, 403, "lead role"),
])
def test_a_coder_cannot_change_the_codebook(team_app, team, method, path, body, status, words):
    before = stored(team_app)
    answer = api(team_app, team, "coder").request(method.upper(), f"/api/projects/{team['x']}/{path}", json=body)
    refused(team_app, answer, status, words, before)


@pytest.mark.parametrize("method, path, body, status, words", [
    ("post", "codes", {"name": ""}, 422, "name:"),
    ("post", "codes", {"definition": "no name"}, 422, "name: Field required"),
    ("post", "codes", {"name": "Safety"}, 409, "already a code called"),
    ("post", "codes", {"name": "New", "parent": "nope"}, 404, "no code 'nope'"),
    ("post", "codes", {"name": "New", "colour": "red"}, 422, "colour"),
    ("patch", "codes/safety", {}, 422, "say what to change"),
    ("patch", "codes/nope", {"name": "X"}, 404, "no code 'nope'"),
    ("post", "codes/safety/move", {}, 422, "parent: Field required"),
    ("post", "codes/safety/merge", {"into": "safety"}, 422, "into itself"),
])
def test_bad_codebook_edits_are_refused_naming_the_field(team_app, team, method, path, body, status, words):
    before = stored(team_app)
    answer = api(team_app, team, "lead").request(method.upper(), f"/api/projects/{team['x']}/{path}", json=body)
    refused(team_app, answer, status, words, before)


# --- memos ------------------------------------------------------------------------------------------

def test_transcript_and_project_memos(team_app, team):
    coder, lead, doc = api(team_app, team, "coder"), api(team_app, team, "lead"), team["doc_x"]
    written = coder.put(f"/api/documents/{doc}/memo", json={"text": "PV44 talks about trust"})
    assert written.status_code == 200 and written.json()[0]["mine"] is True
    assert [(m["author"], m["text"]) for m in lead.get(f"/api/documents/{doc}/memo").json()] == [
        ("coder", "PV44 talks about trust")]
    made = coder.post(f"/api/projects/{team['x']}/memos", json={"title": "Themes", "text": "trust"})
    assert made.status_code == 201
    memo = made.json()["id"]
    assert coder.put(f"/api/projects/{team['x']}/memos/{memo}", json={"title": "Themes", "text": "trust, safety"}
                     ).json()["text"] == "trust, safety"
    assert [m["text"] for m in lead.get(f"/api/projects/{team['x']}/memos").json()] == ["trust, safety"]
    before = stored(team_app)
    refused(team_app, lead.put(f"/api/projects/{team['x']}/memos/{memo}", json={"title": "Mine", "text": ""}), 403,
            "only the author", before)


@pytest.mark.parametrize("who, body, status, words", [
    ("viewer", {"text": "a note"}, 403, "coder role"),
    ("outsider", {"text": "a note"}, 404, "no document"),
    ("coder", {"text": "x" * (store.MEMO_LIMIT + 1)}, 422, "text:"),
    ("coder", {}, 422, "text: Field required"),
])
def test_transcript_memo_refusals_store_nothing(team_app, team, who, body, status, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).put(f"/api/documents/{team['doc_x']}/memo", json=body), status,
            words, before)


# --- codings by layer, editing, undo ----------------------------------------------------------------

def test_codings_are_read_by_layer(team_app, team):
    mine = code(team_app, team, "coder")
    theirs = code(team_app, team, "lead", key="focus", phrase="Nobody judges you")
    lead, path = api(team_app, team, "lead"), f"/api/documents/{team['doc_x']}/codings"
    coder, lead_layer, viewer = (f"coder:{uid(team_app, n)}" for n in ("coder", "lead", "viewer"))
    assert {(c["id"], c["layer"]) for c in lead.get(path).json()} == {(mine["id"], coder),
                                                                        (theirs["id"], lead_layer)}
    assert [c["id"] for c in lead.get(path, params={"layer": coder}).json()] == [mine["id"]]
    assert lead.get(path, params={"layer": "consensus"}).json() == []
    assert lead.get(path, params={"layer": viewer}).json() == []  # a member who has not coded
    outsider = uid(team_app, "outsider")
    for bad, words in (("everyone", "layer:"), ("coder:coder", "coder:<user id>"),
                       (f"coder:{outsider}", f"user {outsider} does not code"), ("coder:99999999999", "layer:")):
        answer = lead.get(path, params={"layer": bad})
        assert answer.status_code == 422 and words in answer.json()["detail"]


def test_a_blind_coder_reads_only_their_own_layer_whatever_they_ask_for(team_app, team):
    mine = code(team_app, team, "coder")
    code(team_app, team, "lead", key="focus", phrase="Nobody judges you")
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        store.set_blind(session, project=store.get_project(session, project_id=team["x"]), user=lead, blind=True)
    coder, path = api(team_app, team, "coder"), f"/api/documents/{team['doc_x']}/codings"
    for layer in ("all", f"coder:{uid(team_app, 'lead')}", f"coder:{uid(team_app, 'coder')}"):
        assert [c["id"] for c in coder.get(path, params={"layer": layer}).json()] == (
            [] if layer.endswith(f":{uid(team_app, 'lead')}") else [mine["id"]])


def test_a_coder_changes_memo_span_and_code_of_a_coding_in_one_request(team_app, team):
    coding = code(team_app, team, "coder")
    start, end = span_of(team_app, team, "stays in the room")
    changed = api(team_app, team, "coder").patch(f"/api/codings/{coding['id']}", json={
        "memo": "confidentiality", "start": start - 1, "end": end, "code_id": "safety/confidentiality"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["text"], body["code_id"], body["memo"], body["layer"]) == (
        "stays in the room", "safety/confidentiality", "confidentiality", f"coder:{uid(team_app, 'coder')}")
    with session_for(team_app.state.engine) as session:
        kinds = [e.kind for e in store.list_events(session, project_id=team["x"], kind="coding.")][:3]
    assert kinds == ["coding.memo", "coding.recoded", "coding.resized"]


def test_a_coding_change_refused_half_way_stores_none_of_it(team_app, team):
    coding = code(team_app, team, "coder")
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        store.update_code(session, code=store.get_code(session, project_id=team["x"], key="focus"), user=lead,
                          retired=True)
    start, end = span_of(team_app, team, "stays in the room")
    before = stored(team_app)
    answer = api(team_app, team, "coder").patch(f"/api/codings/{coding['id']}", json={
        "start": start, "end": end, "code_id": "focus", "memo": "never saved"})
    refused(team_app, answer, 422, "retired", before)
    listed = api(team_app, team, "coder").get(f"/api/documents/{team['doc_x']}/codings").json()
    assert [(c["text"], c["code_id"], c["memo"]) for c in listed] == [(QUOTE, "safety", "")]


@pytest.mark.parametrize("who, body, status, words", [
    ("lead", {"memo": "not mine"}, 403, "not in your layer"),
    ("viewer", {"memo": "not mine"}, 403, "coder role"),
    ("outsider", {"memo": "not mine"}, 404, "no coding"),
    ("coder", {"start": 3}, 422, "start and end"),
    ("coder", {}, 422, "say what to change"),
    ("coder", {"start": "3", "end": 9}, 422, "start:"),
    ("coder", {"start": 0, "end": 10 ** 6}, 422, "not inside the document"),
    ("coder", {"code_id": "nope"}, 404, "no code 'nope'"),
])
def test_coding_change_refusals_store_nothing(team_app, team, who, body, status, words):
    coding = code(team_app, team, "coder")
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).patch(f"/api/codings/{coding['id']}", json=body), status, words,
            before)


def test_undo_on_a_transcript_takes_back_the_callers_last_change_there(team_app, team):
    coder, path = api(team_app, team, "coder"), f"/api/documents/{team['doc_x']}/undo"
    assert coder.get(path).json() == {"next": None}
    code(team_app, team, "coder")
    assert "Safety" in coder.get(path).json()["next"]
    assert api(team_app, team, "lead").post(path).json() == {"undone": None, "next": None}
    undone = coder.post(path).json()
    assert "Safety" in undone["undone"] and undone["next"] is None
    assert coder.get(f"/api/documents/{team['doc_x']}/codings").json() == []
    assert coder.post(path).json() == {"undone": None, "next": None}


def test_undo_across_the_project_takes_back_the_callers_last_change_anywhere_in_it(team_app, team):
    lead, coder, x = api(team_app, team, "lead"), api(team_app, team, "coder"), f"/api/projects/{team['x']}"
    assert lead.post(f"{x}/codes", json={"name": "Feeling heard", "parent": "safety"}).status_code == 201
    code(team_app, team, "coder")
    assert "Safety" in coder.get(f"{x}/undo").json()["next"]
    assert "Feeling heard" in lead.get(f"{x}/undo").json()["next"]  # each undoes only their own change
    undone = coder.post(f"{x}/undo").json()
    assert "Safety" in undone["undone"] and undone["next"] is None
    assert coder.get(f"/api/documents/{team['doc_x']}/codings").json() == []
    assert "Feeling heard" in lead.post(f"{x}/undo").json()["undone"]
    assert "safety/feeling-heard" not in [c["id"] for c in lead.get(f"{x}/codes").json() if not c["retired"]]
    before = stored(team_app)
    refused(team_app, api(team_app, team, "outsider").post(f"{x}/undo"), 404, "no project", before)


def test_undo_refusals_store_nothing(team_app, team):
    code(team_app, team, "coder")
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        accounts.set_member(session, project_id=team["x"], user=accounts.find_user(session, name="coder"),
                            role="viewer", by=lead)
    before = stored(team_app)
    refused(team_app, api(team_app, team, "coder").post(f"/api/documents/{team['doc_x']}/undo"), 403,
            "needs the coder role", before)
    refused(team_app, api(team_app, team, "outsider").post(f"/api/documents/{team['doc_x']}/undo"), 404,
            "no document", before)


# --- number keys, status, the log -------------------------------------------------------------------

def test_a_coder_pins_number_keys(team_app, team):
    coder, path = api(team_app, team, "coder"), f"/api/projects/{team['x']}/shortcuts"
    pinned = coder.post(path, json={"slot": 1, "code": "safety/confidentiality"})
    assert pinned.status_code == 200 and pinned.json()[0] == {"slot": 1, "code": "safety/confidentiality",
                                                              "name": "Confidentiality"}
    assert coder.get(path).json() == pinned.json()
    freed = coder.post(path, json={"slot": 1, "code": ""}).json()
    assert all(s["slot"] != 1 for s in freed)


@pytest.mark.parametrize("who, body, status, words", [
    ("viewer", {"slot": 1, "code": "safety"}, 403, "coder role"),
    ("outsider", {"slot": 1, "code": "safety"}, 404, "no project"),
    ("coder", {"slot": 10, "code": "safety"}, 422, "slot:"),
    ("coder", {"code": "safety"}, 422, "slot: Field required"),
    ("coder", {"slot": 1, "code": "nope"}, 404, "no code 'nope'"),
])
def test_number_key_refusals_store_nothing(team_app, team, who, body, status, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).post(f"/api/projects/{team['x']}/shortcuts", json=body), status,
            words, before)


def test_a_coder_says_done_with_the_agreed_field_name(team_app, team):
    answer = api(team_app, team, "coder").put(f"/api/documents/{team['doc_x']}/status", json={"status": "done"})
    assert answer.status_code == 200 and answer.json() == [{"coder": "coder", "name": "coder", "state": "done"}]


def test_the_log_filters_by_kind_person_transcript_and_time_a_page_at_a_time(team_app, team):
    code(team_app, team, "coder")
    code(team_app, team, "lead", key="focus", phrase="Nobody judges you")
    lead, path = api(team_app, team, "lead"), f"/api/projects/{team['x']}/events"
    everything = lead.get(path).json()["events"]
    assert everything[0]["kind"] == "coding.added" and everything[0]["user"] == "lead"
    assert "Focus" in everything[0]["description"]
    theirs = lead.get(path, params={"kind": "coding.", "user": "coder", "document": team["doc_x"]}).json()
    assert [(e["kind"], e["user"]) for e in theirs["events"]] == [("coding.added", "coder")]
    first = lead.get(path, params={"limit": 2}).json()
    assert len(first["events"]) == 2 and first["next_before"] == first["events"][-1]["id"]
    rest = lead.get(path, params={"limit": 500, "before": first["next_before"]}).json()
    assert [e["id"] for e in first["events"] + rest["events"]] == [e["id"] for e in everything]
    assert rest["next_before"] is None
    moment = everything[1]["at"]
    assert [e["id"] for e in lead.get(path, params={"since": moment}).json()["events"]] == [
        e["id"] for e in everything[:2]]
    assert [e["id"] for e in lead.get(path, params={"until": moment}).json()["events"]] == [
        e["id"] for e in everything[2:]]


@pytest.mark.parametrize("who, params, status, words", [
    ("coder", {}, 403, "lead role"), ("outsider", {}, 404, "no project"),
    ("lead", {"user": "nobody"}, 422, "user: there is no user called 'nobody'"),
    ("lead", {"limit": 0}, 422, "limit:"), ("lead", {"since": "yesterday"}, 422, "since:"),
])
def test_log_refusals(team_app, team, who, params, status, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).get(f"/api/projects/{team['x']}/events", params=params), status,
            words, before)
