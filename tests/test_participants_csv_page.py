"""Participant attributes from CSV in two steps: a preview of every change, then Apply; blanks change nothing."""

import pytest

from coding import store
from coding.models import Event
from sqlmodel import select

HX = {"HX-Request": "true"}


@pytest.fixture
def people(session, project, user):
    store.set_attributes(session, project_id=project.id, user=user,
                         rows=[("PV44", {"approach": "online", "region": "Leeds"}), ("PV45", {"approach": "group"})])


def _state(session, project) -> dict:
    session.expire_all()
    return {p.label: dict(p.attributes) for p in store.list_participants(session, project_id=project.id)}


def _events(session) -> int:
    return len(session.exec(select(Event)).all())


def test_upload_shows_a_preview_and_changes_nothing(client, session, project, people):
    before, events = _state(session, project), _events(session)
    data = "participant;approach;region\nPV44;group;\nPV45;;York\nPV99;online;Hull\n".encode()
    response = client.post(f"/projects/{project.id}/attributes", files={"file": ("people.csv", data)}, headers=HX)
    assert response.status_code == 200
    page = response.text
    assert 'id="attribute-preview"' in page
    assert "<del>online</del> → <ins>group</ins>" in page            # PV44 approach, old → new
    assert "<del>—</del> → <ins>York</ins>" in page                  # PV45 region, was empty
    assert "<del>Leeds</del>" not in page and "unchanged" in page    # a blank leaves Leeds as it is
    assert 'id="unknown-participants"' in page and "PV99" in page and "not a participant" in page
    assert _state(session, project) == before and _events(session) == events


def test_apply_keeps_blanks_and_leaves_unknown_participants_out(client, session, project, people):
    text = "participant;approach;region\nPV44;group;\nPV45;;York\nPV99;online;Hull\n"
    response = client.post(f"/projects/{project.id}/attributes/apply", data={"name": "people.csv", "text": text},
                           headers=HX)
    assert response.status_code == 200 and "Attributes changed for 2 participant(s)" in response.text
    assert _state(session, project) == {"PV44": {"approach": "group", "region": "Leeds"},
                                        "PV45": {"approach": "group", "region": "York"}}


def test_apply_creates_unknown_participants_only_when_asked(client, session, project, people):
    text = "participant,approach\nPV99,online\n"
    client.post(f"/projects/{project.id}/attributes/apply", data={"name": "p.csv", "text": text,
                                                                  "create_unknown": "true"}, headers=HX)
    assert _state(session, project)["PV99"] == {"approach": "online"}


def test_a_semicolon_file_never_makes_a_participant_called_after_a_column(client, session, project, people):
    text = "participant;group\nPV44;peer\n"
    client.post(f"/projects/{project.id}/attributes/apply", data={"name": "p.csv", "text": text,
                                                                  "create_unknown": "true"}, headers=HX)
    state = _state(session, project)
    assert set(state) == {"PV44", "PV45"} and state["PV44"]["group"] == "peer"


@pytest.mark.parametrize("data, words", [
    (b"participant\nPV1\n", "at least one attribute column"),
    (b"participant,approach\nPV1,online\nPV2\n", "line 3: 1 values for 2 columns"),
])
def test_errors_show_inside_the_form(client, session, project, people, data, words):
    before = _state(session, project)
    response = client.post(f"/projects/{project.id}/attributes", files={"file": ("p.csv", data)}, headers=HX)
    assert response.status_code == 422
    form = response.text.split('id="attribute-upload"')[1].split("</form>")[0]
    assert 'id="attributes-error"' in form and words in form and "p.csv" in form
    assert _state(session, project) == before
