"""Undo on a transcript reaches only that transcript; its label and its message name the code and quote the words."""

import re

import pytest
from sqlmodel import select

from coding import store
from coding.models import Event
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes

OFFSETS = re.compile(r"\d+\s*[–-]\s*\d+")
SLUGS = ("safety/confidentiality", "focus/social")


@pytest.fixture
def two(session, project, user):
    """Two transcripts: a coding on A first, then a later one on B."""
    first = store.import_document(session, project_id=project.id, user=user,
                                  transcript=read_transcript("pv44.txt", txt_bytes()))
    second = store.import_document(session, project_id=project.id, user=user, transcript=read_transcript(
        "pv45.txt", txt_bytes([("PV45", "It was the first place I could talk about it openly.")])))
    on_a = code_phrase(session, first, user, "Nobody judges you, and what is said", "safety/confidentiality")
    on_b = code_phrase(session, second, user, "the first place I could talk", "focus/social")
    return {"a": first, "b": second, "on_a": on_a, "on_b": on_b}


def _live(session, coding):
    session.expire_all()
    return not store.get_coding(session, coding_id=coding.id).removed


def test_undo_on_a_transcript_leaves_the_later_coding_on_another_alone(session, project, user, two):
    event = store.undo_last(session, project_id=project.id, user=user, document_id=two["a"].id)
    assert event is not None and event.document_id == two["a"].id
    assert not _live(session, two["on_a"]) and _live(session, two["on_b"])
    assert store.undo_last(session, project_id=project.id, user=user, document_id=two["a"].id) is None
    assert _live(session, two["on_b"])
    assert len(session.exec(select(Event).where(Event.kind == "undo")).all()) == 1


def test_the_undo_label_names_the_code_and_quotes_the_words(session, project, user, two):
    hint = store.undo_hint(session, project_id=project.id, user=user, document_id=two["a"].id)
    assert hint == "Confidentiality on “Nobody judges you, and…”"
    assert not OFFSETS.search(hint) and not any(slug in hint for slug in SLUGS)
    other = store.undo_hint(session, project_id=project.id, user=user, document_id=two["b"].id)
    assert other == "Social focus on “the first place I…”"


def test_the_undo_button_on_a_transcript_offers_only_its_own_change(client, project, two):
    page = client.get(f"/documents/{two['a'].id}").text
    button = re.search(r'<button[^>]*id="undo".*?</button>', page, re.S).group(0)
    assert "Undo: Confidentiality on “Nobody judges you, and…”" in button
    assert "Social focus" not in button and not OFFSETS.search(button.split(">", 1)[1])


def test_posting_undo_from_a_transcript_undoes_there_and_says_what_it_did(client, session, project, two):
    response = client.post(f"/projects/{project.id}/undo", params={"document_id": two["a"].id},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Removed Confidentiality from “Nobody judges you, and…”" in response.text
    assert not OFFSETS.search(response.text.split("<", 1)[0]) and "safety/confidentiality" not in response.text
    assert not _live(session, two["on_a"]) and _live(session, two["on_b"])
    assert '<span id="coding-count" hx-swap-oob="outerHTML">0</span>' in response.text
    again = client.post(f"/projects/{project.id}/undo", params={"document_id": two["a"].id},
                        headers={"HX-Request": "true"})
    assert again.text == "Nothing to undo on this transcript"
    assert _live(session, two["on_b"])


def test_undoing_a_removal_puts_the_coding_back_and_says_so(client, session, project, two):
    client.post(f"/codings/{two['on_b'].id}/remove", headers={"HX-Request": "true"})
    response = client.post(f"/projects/{project.id}/undo", params={"document_id": two["b"].id},
                           headers={"HX-Request": "true"})
    assert "Put back Social focus on “the first place I…”" in response.text
    assert _live(session, two["on_b"]) and _live(session, two["on_a"])


def test_coding_updates_the_header_count(client, session, project, two):
    start = two["b"].text.index("talk about it")
    response = client.post(f"/documents/{two['b'].id}/codings", data={"start": start, "end": start + 13,
                                                                      "code": "safety"}, headers={"HX-Request": "true"})
    assert '<span id="coding-count" hx-swap-oob="outerHTML">2</span>' in response.text
    assert "Undo: Safety on “talk about it”" in response.text


def test_saving_a_memo_offers_to_undo_it_and_undoing_restores_it(client, session, project, two):
    saved = client.post(f"/codings/{two['on_b'].id}/memo", data={"memo": "said it twice"},
                        headers={"HX-Request": "true"}).text
    assert "Memo saved" in saved and "Undo: the memo on Social focus at “the first place I…”" in saved
    response = client.post(f"/projects/{project.id}/undo", params={"document_id": two["b"].id},
                           headers={"HX-Request": "true"})
    assert "Restored the memo on Social focus at “the first place I…”" in response.text
    session.expire_all()
    assert store.get_coding(session, coding_id=two["on_b"].id).memo == ""


def test_codebook_changes_are_undone_from_the_codebook_never_from_a_transcript(client, session, project, two):
    client.post(f"/projects/{project.id}/codes/safety", data={"name": "Feeling safe"})
    page = client.get(f"/documents/{two['a'].id}").text
    assert "Feeling safe" not in re.search(r'<button[^>]*id="undo".*?</button>', page, re.S).group(0)
    client.post(f"/projects/{project.id}/undo", params={"document_id": two["a"].id}, headers={"HX-Request": "true"})
    session.expire_all()
    assert store.get_code(session, project_id=project.id, key="safety").name == "Feeling safe"
    assert not _live(session, two["on_a"]) and _live(session, two["on_b"])

    codebook = client.get(f"/projects/{project.id}/codebook").text
    assert "Undo: the change to code Feeling safe" in codebook
    answer = client.post(f"/projects/{project.id}/codebook/undo", headers={"HX-Request": "true"}).text
    assert "Restored code Safety as it was." in answer
    session.expire_all()
    assert store.get_code(session, project_id=project.id, key="safety").name == "Safety"
    assert _live(session, two["on_b"])
    again = client.post(f"/projects/{project.id}/codebook/undo", headers={"HX-Request": "true"}).text
    assert "Nothing to undo in the codebook." in again and _live(session, two["on_b"])


@pytest.mark.parametrize("consensus", [0, 1, 2, 13])
def test_undo_passes_over_the_consensus_codings_reconciliation_wrote_after_the_coders_change(session, project, user,
                                                                                             two, consensus):
    """Consensus codings belong to a decision, not to Undo: however many came after, Undo offers the change
    before them."""
    consensus_layer = store.consensus_layer(session, project_id=project.id)
    safety = store.get_code(session, project_id=project.id, key="safety")
    for n in range(consensus):
        store.add_coding(session, document=two["a"], code=safety, user=user, start=n, end=n + 5,
                         origin="reconciliation", layer=consensus_layer)
    hint = store.undo_hint(session, project_id=project.id, user=user, document_id=two["a"].id)
    assert hint is not None and "Confidentiality" in hint
    undone = store.undo_last(session, project_id=project.id, user=user, document_id=two["a"].id)
    assert undone is not None and undone.payload["coding"] == two["on_a"].id
    assert _live(session, two["on_a"]) is False
