"""The JSON API's suggestions, find and outline: a script does what a coder does on the document page, under the
same rules (only coders answer suggestions, only the lead sees the overview, nothing stored on a refusal)."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Coding, Event, SuggestionDecision
from coding.team import accounts
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes

TURNS = [("Interviewer", "What made the group work for you?"),
         ("PV44", "I felt safe there. Nobody judged me and what we said stayed confidential, so I could trust them."),
         ("Interviewer", "And the people running it?"),
         ("PV44", "The facilitator had been through it too, they had lived experience like mine, so I felt understood.")]


@pytest.fixture
def world(team_app):
    """A lead, a coder assigned to one transcript, a viewer; each with an API token."""
    with session_for(team_app.state.engine) as session:
        lead = store.ensure_user(session, name="lead")
        coder, viewer = store.ensure_user(session, name="cara"), store.ensure_user(session, name="vic")
        project = store.create_project(session, name="Study", framework=get_framework("side-by-side"), user=lead)
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
        accounts.set_member(session, project_id=project.id, user=viewer, role="viewer", by=lead)
        document = store.import_document(session, project_id=project.id, user=lead,
                                         transcript=read_transcript("pv44.txt", txt_bytes(TURNS)))
        accounts.assign(session, document=document, coder=coder, by=lead)
        tokens = {n: accounts.create_token(session, user=u, name="t")[0]
                  for n, u in (("lead", lead), ("cara", coder), ("vic", viewer))}
    return {"app": team_app, "project": project.id, "document": document.id, "text": document.text,
            "tokens": tokens}


def api(world, who: str) -> TestClient:
    return TestClient(world["app"], headers={"Authorization": f"Bearer {world['tokens'][who]}"})


def stored(world) -> dict:
    with session_for(world["app"].state.engine) as session:
        return {m.__name__: session.exec(select(func.count()).select_from(m)).one()
                for m in (Coding, SuggestionDecision, Event)}


def test_a_coder_lists_accepts_and_rejects_suggestions_and_answered_ones_are_gone(world):
    cara, doc = api(world, "cara"), world["document"]
    listed = cara.get(f"/api/documents/{doc}/suggestions").json()
    assert listed, "a transcript about feeling safe and understood gets suggestions"
    for s in listed:
        assert s["text"] == world["text"][s["start"]:s["end"]] and 0 < s["score"] <= 1
    first, second = listed[0], listed[1]
    answer = cara.post(f"/api/documents/{doc}/suggestions/accept", json={
        "start": first["start"], "end": first["end"], "code_id": first["code_id"], "score": first["score"]})
    assert answer.status_code == 201
    coding = answer.json()
    assert (coding["start"], coding["end"], coding["code_id"]) == (first["start"], first["end"], first["code_id"])
    assert coding["origin"] == "suggestion" and coding["coder"] == "cara"
    rejected = cara.post(f"/api/documents/{doc}/suggestions/reject", json={
        "start": second["start"], "end": second["end"], "code_id": second["code_id"]})
    assert rejected.status_code == 200 and rejected.json()["rejected"] is True
    after = {(s["start"], s["end"], s["code_id"]) for s in cara.get(f"/api/documents/{doc}/suggestions").json()}
    assert (first["start"], first["end"], first["code_id"]) not in after
    assert (second["start"], second["end"], second["code_id"]) not in after
    codings = cara.get(f"/api/documents/{doc}/codings").json()
    assert any(c["id"] == coding["id"] for c in codings)
    overview = api(world, "lead").get(f"/api/projects/{world['project']}/suggestions").json()
    assert sum(row["accepted"] for row in overview["codes"]) == 1
    assert sum(row["rejected"] for row in overview["codes"]) == 1


@pytest.mark.parametrize("body, status", [
    ({"start": 5, "end": 2, "code_id": "safety"}, 422),        # backwards
    ({"start": 0, "end": 10**6, "code_id": "safety"}, 422),    # past the end of the text
    ({"start": 0, "end": 10, "code_id": "no-such-code"}, 404),
    ({"start": 0, "end": 10, "code_id": "safety", "score": "NaN"}, 422),
    ({"start": 0, "end": 10}, 422),                            # no code
])
def test_a_bad_answer_is_refused_naming_the_field_and_stores_nothing(world, body, status):
    before = stored(world)
    for verb in ("accept", "reject"):
        answer = api(world, "cara").post(f"/api/documents/{world['document']}/suggestions/{verb}", json=body)
        assert answer.status_code == status, (verb, answer.text)
        assert answer.json()["detail"]
    assert stored(world) == before


def test_a_viewer_may_not_answer_suggestions_and_only_the_lead_sees_the_overview(world):
    before = stored(world)
    body = {"start": 0, "end": 10, "code_id": "safety"}
    vic = api(world, "vic")
    assert vic.get(f"/api/documents/{world['document']}/suggestions").status_code == 403
    assert vic.post(f"/api/documents/{world['document']}/suggestions/accept", json=body).status_code == 403
    assert api(world, "cara").get(f"/api/projects/{world['project']}/suggestions").status_code == 403
    assert api(world, "cara").post(f"/api/projects/{world['project']}/suggestions/retrain").status_code == 403
    assert stored(world) == before
    retrained = api(world, "lead").post(f"/api/projects/{world['project']}/suggestions/retrain")
    assert retrained.status_code == 200 and "signals" in retrained.json()


def test_find_gives_offsets_into_the_text_and_never_matches_a_speaker_label(world):
    reader = api(world, "vic")
    found = reader.get(f"/api/documents/{world['document']}/find", params={"q": "felt"}).json()
    assert found["total"] == 2 and [world["text"][a:b].lower() for a, b in found["hits"]] == ["felt", "felt"]
    assert reader.get(f"/api/documents/{world['document']}/find", params={"q": "PV44"}).json()["total"] == 0
    assert reader.get(f"/api/documents/{world['document']}/find", params={"q": ""}).status_code == 422
    assert reader.get(f"/api/documents/{world['document']}/find", params={"q": "x" * 201}).status_code == 422


def test_the_outline_lists_turns_with_their_first_words_and_which_are_coded(world):
    cara = api(world, "cara")
    start = world["text"].index("The facilitator")
    assert cara.post(f"/api/documents/{world['document']}/codings",
                     json={"start": start, "end": start + 15, "code_id": "facilitation"}).status_code == 201
    outline = cara.get(f"/api/documents/{world['document']}/outline").json()
    assert outline["total"] == 4 and outline["next"] is None
    assert [t["speaker"] for t in outline["turns"]] == ["Interviewer", "PV44", "Interviewer", "PV44"]
    assert [t["coded"] for t in outline["turns"]] == [False, False, False, True]
    assert outline["turns"][1]["opening"].startswith("I felt safe there.")
    later = cara.get(f"/api/documents/{world['document']}/outline", params={"from": 3}).json()
    assert [t["seq"] for t in later["turns"]] == [3]
    assert cara.get(f"/api/documents/{world['document']}/outline", params={"from": -1}).status_code == 422


def test_the_lead_sets_how_sure_a_suggestion_must_be_and_coders_see_only_those(world):
    cara, lead, doc, project = api(world, "cara"), api(world, "lead"), world["document"], world["project"]
    listed = cara.get(f"/api/documents/{doc}/suggestions").json()
    assert listed and all(s["confidence"] in ("likely", "possible", "unsure") for s in listed)
    assert lead.get(f"/api/projects/{project}/suggestions").json()["threshold"] == pytest.approx(0.1)
    top = max(s["score"] for s in listed)
    answer = lead.put(f"/api/projects/{project}/suggestions/threshold", json={"threshold": round(top, 2) + 0.01})
    assert answer.status_code == 200 and answer.json()["threshold"] == pytest.approx(round(top, 2) + 0.01)
    assert cara.get(f"/api/documents/{doc}/suggestions").json() == []
    lead.put(f"/api/projects/{project}/suggestions/threshold", json={"threshold": 0.1})
    assert cara.get(f"/api/documents/{doc}/suggestions").json() == listed
    with session_for(world["app"].state.engine) as session:
        changes = session.exec(select(Event).where(Event.kind == "project.suggest_threshold")).all()
    assert [(e.payload["from"], e.payload["to"]) for e in changes] == [(0.1, round(top, 2) + 0.01),
                                                                       (round(top, 2) + 0.01, 0.1)]


@pytest.mark.parametrize("who, body, status", [
    ("cara", {"threshold": 0.5}, 403), ("vic", {"threshold": 0.5}, 403),
    ("lead", {"threshold": 0.05}, 422), ("lead", {"threshold": 1.5}, 422), ("lead", {"threshold": "NaN"}, 422),
    ("lead", {"threshold": "high"}, 422), ("lead", {}, 422),
])
def test_a_threshold_from_someone_else_or_out_of_range_is_refused_and_nothing_changes(world, who, body, status):
    before = stored(world)
    answer = api(world, who).put(f"/api/projects/{world['project']}/suggestions/threshold", json=body)
    assert answer.status_code == status and answer.json()["detail"]
    assert stored(world) == before
    assert api(world, "lead").get(f"/api/projects/{world['project']}/suggestions").json()["threshold"] == 0.1


def test_the_overview_counts_answers_by_the_confidence_they_were_shown_with(world):
    cara, doc = api(world, "cara"), world["document"]
    for s, verb in zip(cara.get(f"/api/documents/{doc}/suggestions").json(), ("accept", "reject")):
        cara.post(f"/api/documents/{doc}/suggestions/{verb}",
                  json={"start": s["start"], "end": s["end"], "code_id": s["code_id"], "score": s["score"]})
        word = s["confidence"]
        band = next(b for b in api(world, "lead").get(f"/api/projects/{world['project']}/suggestions").json()
                    ["confidence"] if b["confidence"] == word)
        assert band["accepted" if verb == "accept" else "rejected"] >= 1
        assert band["low"] <= s["score"] and band["mean_score"] is not None
