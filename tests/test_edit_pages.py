"""The page routes that change a coding in place, move a code, and count codes: who may, and what is refused."""

import re

import pytest
from sqlmodel import select

from coding import store
from coding.db import session_for
from coding.models import Coding, Event
from coding.team import accounts
from tests import test_routes_team
from tests.test_routes_team import PASSWORD, signed_in

team = test_routes_team.team  # the team world (the team server, team_app, is in conftest)

HX = {"HX-Request": "true"}


def _db(app):
    return session_for(app.state.engine)


@pytest.fixture
def coded(team_app, team):
    """The coder's coding of "A friend told me" (Social focus) on transcript X, and a second coder's on the same words."""
    with _db(team_app) as session:
        document = store.get_document(session, document_id=team["doc_x"])
        lead = accounts.find_user(session, name="lead")
        other = accounts.create_user(session, name="coder2", password=PASSWORD)
        accounts.set_member(session, project_id=team["x"], user=other, role="coder", by=lead)
        accounts.assign(session, document=document, coder=other, by=lead)
        start = document.text.index("A friend told me")
        codes = {k: store.get_code(session, project_id=team["x"], key=k) for k in ("focus/social", "safety")}
        mine = store.add_coding(session, document=document, code=codes["focus/social"],
                                user=accounts.find_user(session, name="coder"), start=start, end=start + 16)
        theirs = store.add_coding(session, document=document, code=codes["safety"], user=other, start=start,
                                  end=start + 16)
        return {"mine": mine.id, "theirs": theirs.id, "start": start, "text": document.text}


def _stored(app, coding_id):
    with _db(app) as session:
        coding = session.get(Coding, coding_id)
        return coding.start, coding.end, coding.code_id


def _changes(app):
    with _db(app) as session:
        return len(session.exec(select(Event).where(Event.kind.in_(("coding.resized", "coding.recoded", "code.moved")))).all())


def test_the_coder_resizes_their_coding_and_the_page_redraws_its_turn_and_counts(team_app, team, coded):
    coder = signed_in(team_app, "coder")
    end = coded["text"].index("I felt safe") + len("I felt safe")
    response = coder.post(f"/codings/{coded['mine']}/span", data={"start": coded["start"], "end": end}, headers=HX)
    assert response.status_code == 200, response.text
    start, stored_end, _ = _stored(team_app, coded["mine"])
    assert coded["text"][start:stored_end] == "A friend told me. I felt safe"
    assert "The span of “A friend told me.…” is saved" in response.text
    assert 'id="coding-panel"' in response.text and "A friend told me. I felt safe" in response.text
    assert re.search(r'id="count-\d+" hx-swap-oob', response.text)
    assert "Undo: span of Social focus on “A friend told me.…”" in response.text


def test_a_nudge_moves_one_end_by_a_word(team_app, team, coded):
    coder = signed_in(team_app, "coder")
    assert coder.post(f"/codings/{coded['mine']}/span", data={"move": "end-later"}, headers=HX).status_code == 200
    start, end, _ = _stored(team_app, coded["mine"])
    assert coded["text"][start:end] == "A friend told me. I"
    assert coder.post(f"/codings/{coded['mine']}/span", data={"move": "start-later"}, headers=HX).status_code == 200
    start, end, _ = _stored(team_app, coded["mine"])
    assert coded["text"][start:end] == "friend told me. I"


def test_the_coder_recodes_in_place_and_undo_on_the_transcript_restores_the_code(team_app, team, coded):
    coder = signed_in(team_app, "coder")
    before = _stored(team_app, coded["mine"])
    response = coder.post(f"/codings/{coded['mine']}/code", data={"code": "safety/confidentiality"}, headers=HX)
    assert response.status_code == 200 and "Changed to Confidentiality" in response.text
    assert _stored(team_app, coded["mine"])[:2] == before[:2] and _stored(team_app, coded["mine"])[2] != before[2]
    undone = coder.post(f"/projects/{team['x']}/undo", params={"document_id": team["doc_x"]}, headers=HX)
    assert undone.status_code == 200
    assert "Changed Confidentiality on “A friend told me” back to Social focus" in undone.text
    assert _stored(team_app, coded["mine"]) == before


@pytest.mark.parametrize("who, coding, status", [
    ("viewer", "mine", 403),        # a viewer changes nothing
    ("lead", "mine", 403),          # the lead sees the coder's coding but it is not in the lead's layer
    ("coder", "theirs", 404),       # blind: another coder's coding does not exist for this coder
    ("outsider", "mine", 404),      # not a member of the project
    ("coder", "coding_y", 404),     # another project's coding
])
def test_the_wrong_person_is_refused_and_nothing_changes(team_app, team, coded, who, coding, status):
    coding_id = team["coding_y"] if coding == "coding_y" else coded[coding]
    client = signed_in(team_app, who)
    before = _stored(team_app, coding_id)
    for path, data in ((f"/codings/{coding_id}/span", {"start": 0, "end": 20}),
                       (f"/codings/{coding_id}/code", {"code": "choice-and-control"})):
        response = client.post(path, data=data, headers=HX)
        assert response.status_code == status, (path, response.text)
    assert _stored(team_app, coding_id) == before and _changes(team_app) == 0


@pytest.mark.parametrize("path, data, status, words", [
    ("span", {"start": "abc", "end": 20}, 422, ""),
    ("span", {"start": 5}, 422, "say where the span starts and ends"),
    ("span", {"move": "sideways"}, 422, ""),
    ("span", {"start": 30, "end": 30}, 422, "not inside the document"),
    ("span", {"start": 0, "end": 10**6}, 422, "not inside the document"),
    ("span", {"start": -3, "end": 4}, 422, ""),
    ("span", {"move": "start-earlier"}, 422, "there is no word to move to"),
    ("code", {"code": "no-such-code"}, 404, "no code"),
    ("code", {}, 422, ""),
])
def test_malformed_changes_are_refused_in_words_and_nothing_changes(team_app, team, coded, path, data, status, words):
    coder = signed_in(team_app, "coder")
    if data == {"move": "start-earlier"}:  # first make the coding start at the transcript's first word
        with _db(team_app) as session:
            first = coded["text"].index("How")  # the turn's first word: "Interviewer:" is no part of it
            store.resize_coding(session, coding=store.get_coding(session, coding_id=coded["mine"]),
                                user=accounts.find_user(session, name="coder"), start=first, end=first + 3)
    before, changes = _stored(team_app, coded["mine"]), _changes(team_app)
    response = coder.post(f"/codings/{coded['mine']}/{path}", data=data, headers=HX)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"] if words else True
    assert _stored(team_app, coded["mine"]) == before and _changes(team_app) == changes


def test_white_space_is_refused_with_a_message(team_app, team, coded):
    gap = coded["text"].index("\n\n")
    response = signed_in(team_app, "coder").post(f"/codings/{coded['mine']}/span",
                                                 data={"start": gap, "end": gap + 2}, headers=HX)
    assert response.status_code == 422 and "or is empty" in response.json()["detail"]  # trimmed to nothing


def test_the_palette_counts_only_what_the_reader_may_see(team_app, team, coded):
    with _db(team_app) as session:
        social = store.get_code(session, project_id=team["x"], key="focus/social").id
        safety = store.get_code(session, project_id=team["x"], key="safety").id
    coder_page = signed_in(team_app, "coder").get(f"/documents/{team['doc_x']}").text
    assert re.search(rf'id="count-{social}"><span aria-hidden="true">1 · 1</span><span class="visually-hidden">'
                     r"1 coding in this transcript, 1 in the project", coder_page)
    # blind: the other coder's Safety coding is counted for nobody but them and the lead
    assert f'id="count-{safety}"><span aria-hidden="true">0 · 0</span>' in coder_page
    lead_page = signed_in(team_app, "lead").get(f"/documents/{team['doc_x']}").text
    assert f'id="count-{safety}"><span aria-hidden="true">1 · 1</span>' in lead_page


def test_the_codebook_counts_each_code_in_the_project(team_app, team, coded):
    page = signed_in(team_app, "lead").get(f"/projects/{team['x']}/codebook").text
    social = page[page.index('id="code-focus/social"'):]
    assert "· 1 coding in the project" in social[:800]


def test_the_lead_moves_a_code_and_undoes_it_from_the_codebook(team_app, team):
    lead = signed_in(team_app, "lead")
    response = lead.post(f"/projects/{team['x']}/move", data={"code": "safety/confidentiality", "parent": "focus"},
                         headers=HX)
    assert response.status_code == 200 and "Moved Confidentiality under Focus of peer support." in response.text
    assert re.search(r'class="node depth-1 just-added"\s+id="code-safety/confidentiality"', response.text)
    assert "Undo: moving code Confidentiality under Focus of peer support" in response.text
    undone = lead.post(f"/projects/{team['x']}/codebook/undo", headers=HX)
    assert "Moved code Confidentiality back under Safety." in undone.text
    with _db(team_app) as session:
        assert store.get_code(session, project_id=team["x"], key="safety/confidentiality").parent_key == "safety"


@pytest.mark.parametrize("who, data, status, words", [
    ("coder", {"code": "safety", "parent": "focus"}, 403, ""),
    ("outsider", {"code": "safety", "parent": "focus"}, 404, ""),
    ("lead", {"code": "safety", "parent": "safety/confidentiality"}, 422, "which lies under it"),
    ("lead", {"code": "safety", "parent": "safety"}, 422, "cannot go under itself"),
    ("lead", {"code": "safety", "parent": "no-such-code"}, 404, ""),
    ("lead", {"parent": "focus"}, 422, ""),
])
def test_wrong_moves_are_refused_and_the_codebook_is_unchanged(team_app, team, who, data, status, words):
    response = signed_in(team_app, who).post(f"/projects/{team['x']}/move", data=data, headers=HX)
    assert response.status_code == status, response.text
    if words:
        assert words in response.text and 'id="move-error"' in response.text
    with _db(team_app) as session:
        assert store.get_code(session, project_id=team["x"], key="safety").parent_key is None
    assert _changes(team_app) == 0


def test_the_activity_log_says_in_words_what_a_resize_a_recode_and_a_move_did(team_app, team, coded):
    coder = signed_in(team_app, "coder")
    coder.post(f"/codings/{coded['mine']}/span", data={"move": "end-later"}, headers=HX)
    coder.post(f"/codings/{coded['mine']}/code", data={"code": "safety"}, headers=HX)
    lead = signed_in(team_app, "lead")
    lead.post(f"/projects/{team['x']}/move", data={"code": "focus/social", "parent": "safety"}, headers=HX)
    page = lead.get(f"/projects/{team['x']}/activity").text
    assert "changed the span of Social focus on “A friend told me.…”" in page
    assert "changed Social focus to Safety on “A friend told me.…”" in page
    assert "moved code Social focus under Safety" in page
    assert "coding.re" not in page and "code.moved" not in page
