"""Coders' status per transcript: set by the coder, logged and undoable; agreement and reconciliation count only
coders who said they are done, so an assigned lead who coded nothing no longer drags agreement down."""

import pytest

from coding import store
from coding.team import accounts, progress, reconcile, agreement_report, visibility
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, mark_done, txt_bytes


@pytest.fixture
def team(session, project, user):
    """Ann and Bob code one transcript alike; the lead (the local user) is assigned too and codes nothing."""
    ann = store.ensure_user(session, name="ann", display_name="Ann Smith")
    bob = store.ensure_user(session, name="bob", display_name="Bob Okafor")
    for coder in (ann, bob):
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=user)
    document = store.import_document(session, project_id=project.id, user=user, participant="PV44",
                                     transcript=read_transcript("Interview 3.txt", txt_bytes()))
    for coder in (ann, bob, user):
        accounts.assign(session, document=document, coder=coder, by=user)
    for coder in (ann, bob):
        code_phrase(session, document, coder, "I felt safe there", "safety")
        code_phrase(session, document, coder, "Nobody judges you", "freedom-to-be-oneself")
    return {"document": document, "ann": ann, "bob": bob}


@pytest.mark.parametrize("stored, coded, expected", [
    (None, False, "not started"), (None, True, "in progress"), ("in progress", False, "in progress"),
    ("done", False, "done"), ("done", True, "done"), ("not started", True, "in progress"),
])
def test_a_status_reads_done_only_when_said_and_in_progress_from_the_first_coding(stored, coded, expected):
    assert store.document_status.effective(stored, coded) == expected


def test_the_first_coding_makes_a_transcript_in_progress_and_done_never_goes_back(session, project, user, team):
    document, ann = team["document"], team["ann"]
    other = store.import_document(session, project_id=project.id, user=user,
                                  transcript=read_transcript("other.txt", txt_bytes() + b" More."))
    accounts.assign(session, document=other, coder=ann, by=user)
    assert store.status_of(session, document_id=other.id, user=ann) == "not started"
    code_phrase(session, other, ann, "I felt safe there", "safety")
    assert store.status_of(session, document_id=other.id, user=ann) == "in progress"
    store.set_status(session, document=document, user=ann, state="done")
    code_phrase(session, document, ann, "stays in the room", "safety/confidentiality")
    assert store.status_of(session, document_id=document.id, user=ann) == "done"
    assert store.statuses(session, document_ids=[document.id])[document.id] == {
        ann.id: "done", team["bob"].id: "in progress", user.id: "not started"}


def test_marking_done_is_logged_in_words_and_undone_per_transcript(session, project, team):
    document, ann = team["document"], team["ann"]
    store.set_status(session, document=document, user=ann, state="done")
    event = store.list_events(session, project_id=project.id, kind="document.status")[0]
    assert (event.user_id, event.document_id, event.payload) == (ann.id, document.id,
                                                                {"before": "in progress", "after": "done"})
    assert store.describe(event, store.Wording(session, project_id=project.id)) == "marked “Interview 3.txt” done"
    assert store.undo_hint(session, project_id=project.id, user=ann, document_id=document.id) == \
        "marking the transcript done"
    undone = accounts.undo(session, project_id=project.id, user=ann, role="coder", document_id=document.id)
    assert store.undone_message(session, event=undone) == "The transcript is in progress again"
    assert store.status_of(session, document_id=document.id, user=ann) == "in progress"


@pytest.mark.parametrize("state, message", [("finished", "one of not started, in progress, done"),
                                            ("not started", "already coded")])
def test_a_wrong_status_is_refused_and_nothing_is_stored(session, project, team, state, message):
    with pytest.raises(store.Invalid, match=message):
        store.set_status(session, document=team["document"], user=team["ann"], state=state)
    assert store.list_events(session, project_id=project.id, kind="document.status") == []


def test_an_assigned_lead_who_coded_nothing_does_not_drag_agreement_down(session, project, user, team):
    document = team["document"]
    mark_done(session, document, team["ann"], team["bob"])
    assert list(reconcile.coder_layers(session, document=document)) == ["ann", "bob"]
    assert reconcile.disagreements(session, document=document) == []
    report = agreement_report.project_reliability(session, project_id=project.id)
    assert report.coders == ["ann", "bob"] and report.pooled.alpha == pytest.approx(1.0)
    assert [o.reason for _, people in report.left_out for o in people] == [
        "local has not marked this transcript done (not started)"]


def test_before_the_fix_the_idle_lead_would_count_as_disagreeing(session, project, user, team):
    """The same world with the lead marked done too: the lead's empty layer is compared and disagrees."""
    mark_done(session, team["document"], team["ann"], team["bob"], user)
    assert len(reconcile.disagreements(session, document=team["document"])) == 2
    assert agreement_report.project_reliability(session, project_id=project.id).pooled.alpha < 0.5


def test_coders_not_done_are_left_out_of_reconciling_and_fewer_than_two_means_no_figures(session, project, team):
    document = team["document"]
    mark_done(session, document, team["ann"])
    assert list(reconcile.coder_layers(session, document=document)) == ["ann"]
    assert reconcile.disagreements(session, document=document) == []
    assert [o.reason for o in reconcile.left_out(session, document=document)] == [
        "Bob Okafor has not marked this transcript done (in progress)",
        "local has not marked this transcript done (not started)"]
    report = agreement_report.project_reliability(session, project_id=project.id)
    assert report.coders == [] and report.pooled is None


def test_a_blind_coder_sees_only_their_own_status_until_the_transcript_is_revealed(session, project, user, team):
    document, ann = team["document"], team["ann"]
    mark_done(session, document, team["bob"])

    def seen(who, role):
        scope = visibility.scope_for(session, project=project, user=who, role=role)
        return {s.user.name: s.state for s in progress.statuses(session, document_ids=[document.id], scope=scope,
                                                                  user=who)[document.id]}

    assert seen(ann, "coder") == {"ann": "in progress"}
    assert seen(user, "lead") == {"ann": "in progress", "bob": "done", "local": "not started"}
    accounts.set_revealed(session, document=document, by=user, revealed=True)
    assert seen(ann, "coder")["bob"] == "done"
    store.set_blind(session, project=project, user=user, blind=False)
    accounts.set_revealed(session, document=document, by=user, revealed=False)
    assert seen(ann, "coder")["bob"] == "done"


def test_progress_counts_done_coder_transcripts():
    assert progress.Progress(4, 9).text == "4 of 9 done"
