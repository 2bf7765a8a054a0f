"""The suggestion workflow in a project: what a coder is shown, accepting, rejecting, learning, and
the promise that nothing is coded without a person."""

import pytest
from sqlmodel import func, select

from coding import store
from coding.models import Coding, Event, SuggestionDecision
from coding.suggest import review
from coding.text.transcripts import read_transcript

TEXT = ("Interviewer: Did you feel safe? We agreed ground rules at the start, so I felt safe.\n\n"
        "PV5: We agreed ground rules at the very start, so what is said in the room stays in the room.\n\n"
        "Interviewer: And what do you do?\n\n"
        "PV5: Mostly gardening and cooking together, then a cup of tea.\n")
RULES = "We agreed ground rules at the very start, so what is said in the room stays in the room."


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user, transcript=read_transcript("pv5.txt", TEXT.encode()))


def shown(session, document, user):
    return [(s.code.key, document.text[s.start:s.end]) for s in
            review.document_suggestions(session, document=document, user=user)]


def count_codings(session):
    return session.exec(select(func.count()).select_from(Coding)).one()


def test_participant_sentences_are_suggested_and_the_interviewer_is_skipped(session, document, user):
    assert shown(session, document, user) == [
        ("safety", RULES), ("focus", "Mostly gardening and cooking together, then a cup of tea.")]


def test_accepting_makes_a_coding_in_the_coders_layer_marked_as_suggested(session, project, document, user):
    start = document.text.index(RULES)
    coding = review.accept(session, document=document, user=user, code_key="safety", start=start,
                           end=start + len(RULES), score=0.9)
    assert coding.origin == "suggestion" and coding.created_by == user.id
    owner = store.layer_owners(session, project_id=project.id)[coding.layer_id]
    assert owner.name == "local"
    decision = session.exec(select(SuggestionDecision)).one()
    assert (decision.accepted, decision.coding_id) == (True, coding.id)
    kinds = [e.kind for e in store.list_events(session, project_id=project.id)][:2]
    assert kinds == ["suggestion.accepted", "coding.added"]
    assert [k for k, _ in shown(session, document, user)] == ["focus"]


def test_a_rejection_is_recorded_hides_the_suggestion_for_that_coder_only(session, document, user):
    start = document.text.index(RULES)
    review.reject(session, document=document, user=user, code_key="safety", start=start, end=start + len(RULES))
    assert [k for k, _ in shown(session, document, user)] == ["focus"]
    other = store.ensure_user(session, name="second")
    assert [k for k, _ in shown(session, document, other)] == ["safety", "focus"]
    event = session.exec(select(Event).where(Event.kind == "suggestion.rejected")).one()
    assert event.payload["code"] == "safety" and event.user_id == user.id


def test_a_passage_the_coder_already_coded_with_that_code_is_not_suggested(session, project, document, user):
    start = document.text.index("ground rules at the very")
    store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id,
                     key="safety/ground-rules"), user=user, start=start, end=start + 12)
    assert [k for k, _ in shown(session, document, user)] == ["focus"]


def test_retraining_happens_only_when_enough_is_new_and_changes_the_model(session, app, project, document, user):
    assert review.retrain_if_due(app.state.engine, project.id) is None
    code = store.get_code(session, project_id=project.id, key="human-connection")
    start = document.text.index("cup of tea")
    for _ in range(review.RETRAIN_EVERY):
        store.add_coding(session, document=document, code=code, user=user, start=start, end=start + 10)
    model = review.retrain_if_due(app.state.engine, project.id)
    assert model is not None and model.examples == review.RETRAIN_EVERY
    assert "tea" in model.bags["human-connection"]
    assert review.retrain_if_due(app.state.engine, project.id) is None
    scorer = review.scorer_for(session, project_id=project.id)
    assert scorer.examples == review.RETRAIN_EVERY


def test_acceptance_rates_per_code(session, project, document, user):
    start = document.text.index(RULES)
    review.accept(session, document=document, user=user, code_key="safety", start=start, end=start + len(RULES))
    tea = document.text.index("Mostly")
    review.reject(session, document=document, user=user, code_key="focus", start=tea, end=tea + 10)
    rates = {row.code.key: row.rate for row in review.acceptance(session, project_id=project.id)}
    assert rates["safety"] == 1.0 and rates["focus"] == 0.0 and rates["membership"] is None


def test_no_suggestion_becomes_a_coding_without_a_person(client, session, app, project, document, user):
    """Showing, reloading, toggling and retraining never store a coding; only an accept does."""
    before = count_codings(session)
    for _ in range(3):
        assert client.get(f"/documents/{document.id}").status_code == 200
        assert "Suggested: Safety" in client.get(f"/documents/{document.id}/suggestions").text
    review.retrain(session, project_id=project.id)
    client.post("/preferences/suggestions", data={"on": "false"})
    client.post("/preferences/suggestions", data={"on": "true"})
    client.get(f"/projects/{project.id}/suggestions")
    assert count_codings(session) == before
    start = document.text.index(RULES)
    response = client.post(f"/documents/{document.id}/suggestions/accept",
                           data={"start": start, "end": start + len(RULES), "code": "safety", "score": "0.9"})
    assert response.status_code == 200 and "Accepted" in response.text
    assert count_codings(session) == before + 1
    suggested = session.exec(select(Coding).where(Coding.origin == "suggestion")).all()
    decisions = session.exec(select(SuggestionDecision).where(SuggestionDecision.accepted)).all()
    assert {c.id for c in suggested} == {d.coding_id for d in decisions}


def test_rejecting_through_the_page_and_bad_requests(client, session, document):
    start = document.text.index(RULES)
    response = client.post(f"/documents/{document.id}/suggestions/reject",
                           data={"start": start, "end": start + len(RULES), "code": "safety"})
    assert response.status_code == 200 and "Rejected" in response.text
    bad = client.post(f"/documents/{document.id}/suggestions/reject", data={"start": 5, "end": 99999, "code": "safety"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "not inside the document" in bad.json()["detail"]
    missing = client.post(f"/documents/{document.id}/suggestions/accept", data={"start": 0, "end": 5, "code": "nope"},
                          headers={"HX-Request": "true"})
    assert missing.status_code == 404


def test_turning_suggestions_off_is_remembered_for_the_coder(client, session, user, document):
    client.post("/preferences/suggestions", data={"on": "false"})
    assert "Suggestions are hidden" in client.get(f"/documents/{document.id}/suggestions").text
    session.expire_all()
    assert store.ensure_user(session, name="local").preferences == {"suggestions": False}


def test_in_a_blind_project_no_coder_learns_from_anothers_codings(session, app, project, document, user):
    from coding.team import accounts

    ann, bob = (accounts.create_user(session, name=n, password="long enough pw") for n in ("ann", "bob"))
    for coder in (ann, bob):
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=user)
    before = shown(session, document, bob)
    start = document.text.index("cup of tea")
    code = store.get_code(session, project_id=project.id, key="choice-and-control")
    for _ in range(review.RETRAIN_EVERY + 2):
        store.add_coding(session, document=document, code=code, user=ann, start=start, end=start + 10)
    assert review.retrain_if_due(app.state.engine, project.id, ann.id).user_id == ann.id
    assert review.retrain_if_due(app.state.engine, project.id, bob.id) is None  # nothing of bob's to learn
    assert shown(session, document, bob) == before
    assert review.scorer_for(session, project_id=project.id, user=bob).examples == 0
    assert review.scorer_for(session, project_id=project.id, user=ann).examples == review.RETRAIN_EVERY + 2
    store.set_blind(session, project=project, user=user, blind=False)
    shared = review.retrain_if_due(app.state.engine, project.id, bob.id)
    assert shared is not None and shared.user_id is None  # open projects share one model


def test_the_lead_chooses_how_sure_suggestions_must_be_on_the_suggestions_page(client, session, project, document):
    page = client.get(f"/projects/{project.id}/suggestions").text
    assert 'id="threshold-value"' in page and "All with evidence" in page
    assert 'id="confidence"' in page and "likely" in page
    panel = client.get(f"/documents/{document.id}/suggestions").text
    words = {w for w in ("likely", "possible", "unsure") if f'class="confidence {w}"' in panel}
    assert words, "each listed suggestion shows its confidence as a word"
    assert client.post(f"/projects/{project.id}/suggestions/threshold", data={"value": "0.95"}).status_code == 204
    session.expire_all()
    assert store.get_project(session, project_id=project.id).suggest_threshold == 0.95
    assert "No suggestions left to review" in client.get(f"/documents/{document.id}/suggestions").text
    page = client.get(f"/projects/{project.id}/suggestions").text
    assert 'value="0.95" selected' in page  # a value not among the choices is still shown as chosen
    refused = client.post(f"/projects/{project.id}/suggestions/threshold", data={"value": "2"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "between" in refused.json()["detail"]
    session.expire_all()
    assert store.get_project(session, project_id=project.id).suggest_threshold == 0.95
