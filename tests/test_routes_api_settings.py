"""Blind coding and a transcript's settings through the JSON API: who may change them, bad bodies, and that
refusals store nothing."""

import pytest

from tests import test_routes_team
from tests.test_routes_api_team import api, code, refused
from tests.test_api_access import stored

team = test_routes_team.team  # the team world (the team server, team_app, is in conftest)


def test_a_lead_codes_blind_and_reveals_a_transcript(team_app, team):
    mine = code(team_app, team, "coder")
    code(team_app, team, "lead", key="focus", phrase="Nobody judges you")
    lead, coder, doc = api(team_app, team, "lead"), api(team_app, team, "coder"), team["doc_x"]
    assert lead.put(f"/api/projects/{team['x']}/blind", json={"blind": True}).json() == {"blind": True}
    assert [c["id"] for c in coder.get(f"/api/documents/{doc}/codings").json()] == [mine["id"]]
    revealed = lead.put(f"/api/documents/{doc}/revealed", json={"revealed": True})
    assert revealed.status_code == 200 and revealed.json()["revealed"] is True
    assert len(coder.get(f"/api/documents/{doc}/codings").json()) == 2
    assert coder.get(f"/api/documents/{doc}/settings").json()["blind"] is True


def test_a_lead_sets_speakers_and_the_participant(team_app, team):
    lead, doc = api(team_app, team, "lead"), team["doc_x"]
    both = lead.put(f"/api/documents/{doc}/speakers", json={"interviewers": [], "interpreted": ["PV44"]}).json()
    assert (both["interviewer_speakers"], both["interpreted_speakers"]) == ([], ["PV44"])
    one = lead.put(f"/api/documents/{doc}/speakers", json={"interviewers": ["Interviewer"]}).json()
    assert (one["interviewer_speakers"], one["interpreted_speakers"]) == (["Interviewer"], ["PV44"])
    settings = lead.put(f"/api/documents/{doc}/participant", json={"participant": "PV44"}).json()
    assert settings["participant"] == "PV44"
    assert api(team_app, team, "coder").get(f"/api/documents/{doc}").json()["participant"] == "PV44"
    assert lead.put(f"/api/documents/{doc}/participant", json={"participant": ""}).json()["participant"] is None


@pytest.mark.parametrize("who, path, body, status, words", [
    ("coder", "projects/{x}/blind", {"blind": True}, 403, "lead role"),
    ("outsider", "projects/{x}/blind", {"blind": True}, 404, "no project"),
    ("lead", "projects/{x}/blind", {"blind": "yes"}, 422, "blind:"),
    ("coder", "documents/{doc_x}/revealed", {"revealed": True}, 403, "lead role"),
    ("lead", "documents/{doc_x}/revealed", {}, 422, "revealed: Field required"),
    ("viewer", "documents/{doc_x}/speakers", {"interviewers": ["PV44"]}, 403, "lead role"),
    ("lead", "documents/{doc_x}/speakers", {"interviewers": ["Nobody"]}, 422, "'Nobody' is not a speaker"),
    ("lead", "documents/{doc_x}/speakers", {"interviewers": [], "interpreted": ["Nobody"]}, 422, "'Nobody'"),
    ("lead", "documents/{doc_x}/speakers", {"interpreted": "PV44"}, 422, "interpreted:"),
    ("outsider", "documents/{doc_x}/participant", {"participant": "PV9"}, 404, "no document"),
    ("lead", "documents/{doc_x}/participant", {"participant": "x" * 81}, 422, "participant:"),
])
def test_settings_refusals_store_nothing(team_app, team, who, path, body, status, words):
    before = stored(team_app)
    refused(team_app, api(team_app, team, who).put("/api/" + path.format(**team), json=body), status, words, before)
