"""Comparing layers and reconciling them: items, decisions into the consensus layer, and reports using it."""

import io

import pytest
from docx import Document as WordDocument

from coding import store
from coding.analysis import retrieval
from coding.team import accounts, reconcile, agreement_report
from coding.team.visibility import EVERYTHING
from coding.text.transcripts import read_transcript
from server.routes import reconciling
from tests.builders import code_phrase, mark_done, txt_bytes


@pytest.fixture
def coded(session, project, user):
    """Two coders, ann and bob, on one transcript: they agree on one passage and disagree on two."""
    ann, bob = (store.ensure_user(session, name=n) for n in ("ann", "bob"))
    for coder in (ann, bob):
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=user)
    document = store.import_document(session, project_id=project.id, user=user, attributes={"approach": "group"},
                                     participant="PV44", transcript=read_transcript("pv44.txt", txt_bytes()))
    for coder in (ann, bob):
        accounts.assign(session, document=document, coder=coder, by=user)
    code_phrase(session, document, ann, "I felt safe there", "safety")
    code_phrase(session, document, bob, "felt safe there because", "safety")
    code_phrase(session, document, ann, "Nobody judges you", "freedom-to-be-oneself")
    code_phrase(session, document, bob, "stays in the room", "safety/confidentiality")
    mark_done(session, document, ann, bob)
    return document


def test_items_say_who_applied_each_code_in_each_unit(session, coded):
    found = [(i.code.key, sorted(i.applied), i.missing) for i in reconcile.items(session, document=coded)]
    assert found == [("safety", ["ann", "bob"], []), ("safety/confidentiality", ["bob"], ["ann"]),
                     ("freedom-to-be-oneself", ["ann"], ["bob"])]
    assert len(reconcile.disagreements(session, document=coded)) == 2


@pytest.mark.parametrize("decision, keep, expected", [
    ("keep", "bob", ["stays in the room"]),
    ("neither", None, []),
])
def test_decisions_write_the_consensus_layer_and_the_log(session, project, user, coded, decision, keep, expected):
    item = reconcile.disagreements(session, document=coded)[0]
    record = reconcile.decide(session, document=coded, lead=user, unit="turn", start=item.start, end=item.end,
                              code_key=item.code.key, decision=decision, keep=keep, reason="clearer reading")
    assert [coded.text[c.start:c.end] for c in reconcile.consensus_codings(session, document=coded)] == expected
    assert len(reconcile.disagreements(session, document=coded)) == 1
    event = store.list_events(session, project_id=project.id, kind="reconcile")[0]
    assert (event.user_id, event.payload["reason"], event.payload["consensus"]) == (
        user.id, "clearer reading", record.consensus_codings)
    with pytest.raises(store.Conflict, match="already been decided"):
        reconcile.decide(session, document=coded, lead=user, unit="turn", start=item.start, end=item.end,
                         code_key=item.code.key, decision="neither")


def test_adjusting_keeping_both_and_accepting_agreements(session, user, coded):
    first, second = reconcile.disagreements(session, document=coded)
    start = coded.text.index("what is said")
    reconcile.decide(session, document=coded, lead=user, unit="turn", start=first.start, end=first.end,
                     code_key=first.code.key, decision="adjust", span=(start, start + 12))
    reconcile.decide(session, document=coded, lead=user, unit="turn", start=second.start, end=second.end,
                     code_key=second.code.key, decision="both")
    assert reconcile.accept_agreements(session, document=coded, lead=user) == 1
    texts = sorted(coded.text[c.start:c.end] for c in reconcile.consensus_codings(session, document=coded))
    assert texts == ["I felt safe there because", "Nobody judges you", "what is said"]


@pytest.mark.parametrize("decision, keep, span, message", [
    ("keep", "carol", None, "did not apply"), ("maybe", None, None, "must be one of"),
    ("adjust", None, (5, 99999), "inside the transcript"),
])
def test_bad_decisions_are_refused_and_change_nothing(session, user, coded, decision, keep, span, message):
    item = reconcile.disagreements(session, document=coded)[0]
    with pytest.raises(store.Invalid, match=message):
        reconcile.decide(session, document=coded, lead=user, unit="turn", start=item.start, end=item.end,
                         code_key=item.code.key, decision=decision, keep=keep, span=span)
    assert reconcile.consensus_codings(session, document=coded) == []


def test_reports_read_the_consensus_layer_once_there_is_one(session, project, user, coded):
    def find(**wanted):
        return retrieval.find_quotes(session, project_id=project.id, wanted=retrieval.QuoteFilter(**wanted),
                                     scope=EVERYTHING)

    assert len(find()) == 4
    reconcile.accept_agreements(session, document=coded, lead=user)
    assert [(q.text, q.coder) for q in find()] == [("I felt safe there because", "Consensus")]
    bob = find(layer=retrieval.coder_choice(store.ensure_user(session, name="bob").id))
    assert sorted(q.text for q in bob) == ["felt safe there because", "stays in the room"]
    assert len(find(layer="all")) == 5


def test_reliability_per_code_pair_and_transcript(session, project, coded):
    for unit in ("turn", "sentence", "character"):
        report = agreement_report.project_reliability(session, project_id=project.id, unit=unit)
        assert report.coders == ["ann", "bob"]
        safety = next(row for row in report.codes if row.code.key == "safety")
        assert safety.overlap_f1 == pytest.approx(2 / 3)  # ann 1 span, bob 2 (a sub-code counts for its parent)
        assert safety.percent is not None and 0 < safety.percent <= 1
    turn = agreement_report.project_reliability(session, project_id=project.id, unit="turn")
    assert turn.pairs[0].a == "ann" and turn.pairs[0].items == 4 * 11
    assert turn.documents[0].disagreements == 2
    with pytest.raises(store.Invalid, match="unit must be one of"):
        agreement_report.project_reliability(session, project_id=project.id, unit="page")


def test_codes_nobody_used_are_not_applicable_not_perfect_agreement(client, session, project, coded):
    for unit in ("turn", "sentence", "character"):
        report = agreement_report.project_reliability(session, project_id=project.id, unit=unit)
        unused = next(row for row in report.codes if row.code.key == "choice-and-control")
        assert not unused.used and unused.alpha is None and unused.percent is None and unused.mean_kappa is None
    page = client.get(f"/projects/{project.id}/agreement").text
    row = page[page.index("Choice and control"):]
    row = row[:row.index("</tr>")]
    assert "Not applicable" in row and "1.00" not in row and "100%" not in row


def test_reconcile_pages_and_consensus_export(client, session, project, coded):
    assert "2</strong> disagreements left" in client.get(f"/documents/{coded.id}/reconcile").text
    item = reconcile.disagreements(session, document=coded)[0]
    page = client.post(f"/documents/{coded.id}/reconcile", data={
        "unit": "turn", "start": item.start, "end": item.end, "code": item.code.key, "decision": "keep:bob",
        "reason": "the rule is about confidentiality"}).text
    assert "Decided Confidentiality on “Nobody judges you, and…”: kept bob&#39;s coding" in page and "the rule is about confidentiality" in page
    client.post(f"/documents/{coded.id}/reconcile/agreed", data={"unit": "turn"})
    assert "⚑" in client.get(f"/documents/{coded.id}/compare").text
    agreement = client.get(f"/projects/{project.id}/agreement").text
    assert "Krippendorff" in agreement and "ann & bob" in agreement
    word = client.get(f"/projects/{project.id}/export/quotes.docx")
    cells = [c.text for t in WordDocument(io.BytesIO(word.content)).tables for r in t.rows for c in r.cells]
    assert "“stays in the room”" in cells and "“Nobody judges you”" not in cells  # consensus only
    assert "(PV44, group)" in cells


def test_an_item_shows_which_coder_covered_which_words(session, coded):
    item = next(i for i in reconcile.items(session, document=coded) if i.code.key == "safety")
    covered = {piece: who for piece, who in item.segments(coded.text) if who}
    assert covered == {"I ": ["ann"], "felt safe there": ["ann", "bob"], " because": ["bob"]}
    assert "".join(piece for piece, _ in item.segments(coded.text)) == coded.text[item.start:item.end]


def test_the_queue_shows_its_disagreements_a_page_at_a_time(client, session, coded, monkeypatch):
    """A long transcript has hundreds of disagreements: the page shows a page of them, and a decision taken on
    a later page answers with that page."""
    monkeypatch.setattr(reconciling, "ITEMS_PER_PAGE", 1)
    first, second = reconcile.disagreements(session, document=coded)
    one = client.get(f"/documents/{coded.id}/reconcile").text
    assert one.count('class="item card"') == 1 and f'data-start="{first.start}"' in one
    assert "Showing 1–1 of 2" in one and 'rel="next"' in one and 'rel="prev"' not in one
    two = client.get(f"/documents/{coded.id}/reconcile", params={"page": 2}).text
    assert f'data-code="{second.code.key}"' in two and 'name="page" value="2"' in two and 'rel="prev"' in two
    assert "2</strong> disagreements left" in two
    beyond = client.get(f"/documents/{coded.id}/reconcile", params={"page": 9}).text
    assert "Showing 2–2 of 2" in beyond  # past the end: the last page
    after = client.post(f"/documents/{coded.id}/reconcile", data={
        "unit": "turn", "start": first.start, "end": first.end, "code": first.code.key, "decision": "neither",
        "page": 2}).text
    assert "1</strong> disagreement left" in after and f'data-code="{second.code.key}"' in after
    assert "Showing" not in after  # one left: one page, no pager
    assert client.get(f"/documents/{coded.id}/reconcile", params={"page": 0}).status_code == 422
