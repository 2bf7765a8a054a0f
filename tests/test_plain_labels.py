"""What people read about coders' work: names and quoted words in the activity log, reconciliation, comparison and
the Layers control; never slugs, user names, ids or offsets."""

import html
import re

import pytest

from coding import store
from coding.team import accounts, reconcile
from coding.text.transcripts import read_transcript
from coding.workspace.rendering import document_page
from tests.builders import code_phrase, mark_done, txt_bytes

OFFSETS = re.compile(r"\d+\s*–\s*\d+")
SLUGS = ("safety/confidentiality", "freedom-to-be-oneself", "keep:")


def visible(page: str) -> str:
    """The page's text as a reader sees it: no tags, no attributes, scripts and styles left out."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_plain(text: str) -> None:
    assert not OFFSETS.search(text), OFFSETS.search(text).group(0)
    for slug in SLUGS:
        assert slug not in text, slug
    assert not re.search(r"\b(cara|bob)\b", text), "a login name is shown instead of a display name"


@pytest.fixture
def world(session, project, user):
    """Two coders, Cara Jones and Bob Okafor, disagreeing on one transcript; the lead (the local user) decides one."""
    cara = store.ensure_user(session, name="cara", display_name="Cara Jones")
    bob = store.ensure_user(session, name="bob", display_name="Bob Okafor")
    for coder in (cara, bob):
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=user)
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv44 interview.txt", txt_bytes()))
    for coder in (cara, bob):
        accounts.assign(session, document=document, coder=coder, by=user)
    code_phrase(session, document, cara, "stays in the room", "safety/confidentiality")
    code_phrase(session, document, bob, "Nobody judges you", "freedom-to-be-oneself")
    code_phrase(session, document, bob, "I felt safe there", "safety")
    mark_done(session, document, cara, bob)
    item = next(i for i in reconcile.disagreements(session, document=document)
                if i.code.key == "safety/confidentiality")
    reconcile.decide(session, document=document, lead=user, unit="turn", start=item.start, end=item.end,
                     code_key=item.code.key, decision="keep", keep="cara", reason="clearer")
    return {"document": document, "cara": cara, "bob": bob}


def test_the_activity_log_names_codes_coders_and_transcripts_and_quotes_words(client, project, world):
    page = visible(client.get(f"/projects/{project.id}/activity").text)
    assert "Cara Jones" in page and "Bob Okafor" in page and "pv44 interview.txt" in page
    assert "coded Confidentiality on “stays in the room”" in page
    assert "reconciled Confidentiality on “Nobody judges you, and…”: kept Cara Jones's coding (clearer)" in page
    assert "assigned the transcript to Cara Jones" in page
    assert_plain(page)


def test_the_reconciliation_queue_and_decisions_name_coders_and_decisions(client, world):
    page = visible(client.get(f"/documents/{world['document'].id}/reconcile").text)
    assert "applied by Bob Okafor; not by Cara Jones" in page and "Keep Bob Okafor's" in page
    assert "kept Cara Jones's coding" in page and "coders: Bob Okafor, Cara Jones" in page
    assert "From" in page and "Nobody judges you,…" in page  # an adjusted span is chosen by its words
    assert_plain(page)


def test_a_decision_says_what_it_kept_in_words(client, session, world):
    document = world["document"]
    item = next(i for i in reconcile.disagreements(session, document=document) if i.code.key == "freedom-to-be-oneself")
    answer = client.post(f"/documents/{document.id}/reconcile", data={
        "unit": "turn", "start": item.start, "end": item.end, "code": item.code.key, "decision": "keep:bob"}).text
    message = visible(re.search(r'<p class="ok" role="status">.*?</p>', answer, re.S).group(0))
    assert "Decided Freedom" in message and "kept Bob Okafor's coding" in message
    assert_plain(message)


def test_the_comparison_heads_each_column_with_the_coders_name(client, world):
    page = visible(client.get(f"/documents/{world['document'].id}/compare").text)
    assert "Bob Okafor" in page and "Cara Jones" in page
    assert_plain(page)


def test_the_lead_chooses_the_layers_on_screen_and_hover_says_whose_coding_it_is(client, world):
    document, cara, bob = world["document"], world["cara"], world["bob"]
    page = client.get(f"/documents/{document.id}").text
    assert re.search(r'value="coder:%d" checked>\s*Cara Jones' % cara.id, page)
    assert re.search(r'value="coder:%d" checked>\s*Bob Okafor' % bob.id, page)
    assert re.search(r'value="consensus" checked>\s*Consensus', page)
    assert 'title="Freedom to be oneself (Bob Okafor)"' in page or "(Bob Okafor)" in page
    only_cara = client.get(f"/documents/{document.id}", params=[("layers", ""), ("layers", f"coder:{cara.id}")]).text
    assert "(Bob Okafor)" not in only_cara and "(Cara Jones)" in only_cara
    assert not re.search(r'value="coder:%d" checked' % bob.id, only_cara)
    assert '<span id="coding-count">1</span>' in only_cara
    nothing = client.get(f"/documents/{document.id}", params={"layers": ""}).text
    assert 'class="run coded"' not in nothing


def test_a_blind_coder_never_gets_another_coders_layer_by_asking_for_it(session, project, world):
    document, cara, bob = world["document"], world["cara"], world["bob"]
    allowed = accounts.visible_layers(session, project=project, document=document, user=cara, role="coder")
    page = document_page(session, document=document, user=cara, layers=allowed,
                         wanted=[f"coder:{bob.id}", "consensus", f"coder:{cara.id}"])
    coders = {c.layer_id for t in page.turns for r in t.runs for c in r.codings}
    assert coders == allowed and [c.label for c in page.layers] == ["Cara Jones"]
    assert all("Bob Okafor" not in r.title for t in page.turns for r in t.runs)


def test_an_adjusted_span_chosen_by_its_words_is_kept(client, session, world):
    document = world["document"]
    item = next(i for i in reconcile.disagreements(session, document=document) if i.code.key == "safety")
    page = client.get(f"/documents/{document.id}/reconcile").text
    form = page[page.index('data-code="safety"'):]
    start = re.search(r'<option value="(\d+)"[^>]*>felt safe there…', form).group(1)
    end = re.search(r'<option value="(\d+)"[^>]*>…I felt safe<', form).group(1)
    client.post(f"/documents/{document.id}/reconcile", data={"unit": "turn", "start": item.start, "end": item.end,
                                                             "code": "safety", "decision": "adjust",
                                                             "span_start": start, "span_end": end})
    kept = reconcile.consensus_codings(session, document=document)
    assert [document.text[c.start:c.end] for c in kept if c.code_id == item.code.id] == ["felt safe"]
