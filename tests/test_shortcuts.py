"""A coder's number keys 1–9: a fixed default, pins that hold across page loads, and refused pins."""

import re

import pytest

from coding import store
from coding.db import session_for
from coding.models import Code
from coding.workspace import shortcuts
from tests.builders import txt_bytes
from coding.text.transcripts import read_transcript
from tests import test_routes_team
from tests.test_routes_team import signed_in

team = test_routes_team.team  # the team world (the team server, team_app, is in conftest)


def _code(key: str, position: int, retired: bool = False) -> Code:
    return Code(project_id=1, key=key, parent_key=key.rpartition("/")[0] or None, name=key.title(),
                position=position, retired=retired)


HX = {"HX-Request": "true"}  # as htmx sends it: refusals answer in JSON words
CODES = [_code("safety", 0), _code("safety/trust", 1), _code("choice-and-control", 2), _code("old", 3, retired=True),
         _code("joy", 4)]


@pytest.mark.parametrize("pinned, expected", [
    (None, [(1, "safety"), (2, "choice-and-control"), (3, "joy")]),
    (["joy", None, "safety/trust"], [(1, "joy"), (3, "safety/trust")]),
    (["old", "gone", None, None, None, None, None, None, "choice-and-control"], [(9, "choice-and-control")]),
], ids=["default-top-level-in-order", "pinned-keep-their-numbers", "retired-and-unknown-leave-keys-free"])
def test_slots(pinned, expected):
    assert [(s.number, s.code.key) for s in shortcuts.slots(CODES, pinned)] == expected


@pytest.mark.parametrize("keys, number, key, expected", [
    (["a", "b", "c"], 3, "a", [None, "b", "a"]),
    (["a", "b", "c"], 2, None, ["a", None, "c"]),
    (["a", None, None], 2, "z", ["a", "z", None]),
], ids=["a-code-moves", "free-a-key", "pin-a-new-code"])
def test_repinned(keys, number, key, expected):
    assert shortcuts.repinned(keys, number, key) == expected


def _numbers(page: str) -> list[tuple[str, str]]:
    """The palette's numbered codes as (number, key), in the order the number row shows them."""
    return re.findall(r'class="pin" data-key="([^"]+)" data-shortcut="(\d)"', page)


def _document(client, project) -> int:
    page = client.get(f"/projects/{project.id}").text
    return int(page.split('href="/documents/')[1].split('"')[0])


@pytest.fixture
def with_document(session, user, project):
    store.import_document(session, project_id=project.id, user=user, transcript=read_transcript("pv.txt", txt_bytes()))
    return project


def test_the_default_keys_are_the_first_nine_top_level_codes_and_usage_does_not_move_them(client, session, user,
                                                                                           with_document):
    project = with_document
    document_id = _document(client, project)
    top = [c.key for c in store.project_codes(session, project_id=project.id) if c.parent_key is None][:9]
    before = _numbers(client.get(f"/documents/{document_id}").text)
    assert before == [(k, str(n)) for n, k in enumerate(top, start=1)]
    last = top[-1]
    for start in range(0, 60, 6):  # code the ninth code over and over
        client.post(f"/documents/{document_id}/codings", data={"start": start, "end": start + 5, "code": last})
    assert _numbers(client.get(f"/documents/{document_id}").text) == before


def test_a_pinned_code_keeps_its_number_on_every_load(client, session, with_document):
    project = with_document
    document_id = _document(client, project)
    answer = client.post(f"/projects/{project.id}/shortcuts", data={"slot": "4", "code": "safety/confidentiality"})
    assert answer.status_code == 200
    assert 'data-key="safety/confidentiality" data-shortcut="4"' in answer.text
    assert "Key 4 now codes Confidentiality" in answer.text
    # the code that was on 4 is gone from the keys; the others keep theirs
    page = client.get(f"/documents/{document_id}").text
    numbers = dict(_numbers(page))
    assert numbers["safety/confidentiality"] == "4" and len(numbers) == 9
    assert 'data-key="safety/confidentiality" data-name="confidentiality safety/confidentiality"\n        data-shortcut="4"' in page
    # moving it to 1 frees 4; freeing 1 leaves 1 free
    client.post(f"/projects/{project.id}/shortcuts", data={"slot": "1", "code": "safety/confidentiality"})
    freed = client.post(f"/projects/{project.id}/shortcuts", data={"slot": "1", "code": ""})
    assert "Key 1 is free" in freed.text
    numbers = dict(_numbers(client.get(f"/documents/{document_id}").text))
    assert "safety/confidentiality" not in numbers and "1" not in numbers.values() and "4" not in numbers.values()


@pytest.mark.parametrize("slot, code, status, words", [
    ("0", "safety", 422, "the number keys 1 to 9"),
    ("10", "safety", 422, "the number keys 1 to 9"),
    ("-1", "safety", 422, "the number keys 1 to 9"),
    ("nine", "safety", 422, "slot"),
    ("3", "no-such-code", 404, "no code 'no-such-code'"),
    ("3", "x" * 201, 422, "code"),
], ids=["zero", "over-nine", "negative", "not-a-number", "unknown-code", "too-long"])
def test_bad_pins_are_refused_in_words_and_change_nothing(client, session, user, with_document, slot, code, status,
                                                          words):
    project = with_document
    answer = client.post(f"/projects/{project.id}/shortcuts", data={"slot": slot, "code": code}, headers=HX)
    assert answer.status_code == status and words in answer.json()["detail"]
    session.refresh(user)
    assert shortcuts.pinned_keys(user, project.id) is None


def test_a_retired_code_cannot_be_pinned(client, session, user, with_document):
    project = with_document
    store.update_code(session, code=store.get_code(session, project_id=project.id, key="choice-and-control"), user=user,
                      retired=True)
    answer = client.post(f"/projects/{project.id}/shortcuts", data={"slot": "2", "code": "choice-and-control"}, headers=HX)
    assert answer.status_code == 422 and "retired" in answer.json()["detail"]


def test_only_a_coder_of_the_project_pins_and_only_its_own_codes(team_app, team):
    viewer = signed_in(team_app, "viewer")
    refused = viewer.post(f"/projects/{team['x']}/shortcuts", data={"slot": "1", "code": "safety"})
    assert refused.status_code == 403
    outsider = signed_in(team_app, "outsider")
    assert outsider.post(f"/projects/{team['x']}/shortcuts", data={"slot": "1", "code": "safety"}).status_code == 404
    coder = signed_in(team_app, "coder")
    with store_session(team_app) as session:
        y_only = store.add_code(session, project_id=team["y"], user=store.ensure_user(session, name="outsider"),
                                name="Only in Y")
    other = coder.post(f"/projects/{team['x']}/shortcuts", data={"slot": "1", "code": y_only.key})
    assert other.status_code == 404
    assert coder.post(f"/projects/{team['x']}/shortcuts", data={"slot": "1", "code": "choice-and-control"}).status_code == 200
    # the pin is the coder's own: the lead's keys are unchanged
    with store_session(team_app) as session:
        lead = store.ensure_user(session, name="lead")
        coder_user = store.ensure_user(session, name="coder")
        assert shortcuts.pinned_keys(lead, team["x"]) is None
        assert shortcuts.pinned_keys(coder_user, team["x"])[0] == "choice-and-control"


def store_session(app):
    return session_for(app.state.engine)
