"""The document page's coding stripes, highlight colours and memo markers, as HTML."""

import re

import pytest

from coding import store
from coding.codebook.palette import line, tint
from coding.team import accounts
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes

TURNS = [("Interviewer", "What made the group feel safe?"),
         ("PV44", "Nobody judges you there. What is said in the room stays in the room, and we wrote that together."),
         ("Interviewer", "Anything else?")]


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes(TURNS)))


def _turn(html: str, text: str) -> str:
    """The HTML of the turn whose text contains `text`."""
    for found in re.finditer(r'<div class="turn[^"]*" id="turn-\d+".*?\n</div>', html, re.S):
        if text in found.group(0):
            return found.group(0)
    raise AssertionError(f"no turn with {text!r}")


def _labels(turn_html: str) -> list[str]:
    return re.findall(r'class="stripe-label"[^>]*>\s*<span class="name">([^<]*)</span>', turn_html)


def test_each_code_in_a_turn_gets_one_stripe_with_its_name_in_order_of_its_first_passage(client, session, document,
                                                                                          user):
    code_phrase(session, document, user, "stays in the room", "safety/confidentiality")
    code_phrase(session, document, user, "Nobody judges you", "freedom-to-be-oneself/non-judgemental")
    code_phrase(session, document, user, "we wrote that together", "safety/confidentiality")
    turn = _turn(client.get(f"/documents/{document.id}").text, "Nobody judges")
    assert _labels(turn) == ["Non-judgemental attitude and respect for differences", "Confidentiality"]
    confidentiality = store.get_code(session, project_id=document.project_id, key="safety/confidentiality")
    stripe = re.search(r'<li class="stripe" style="--line:([^;]+);--tint:([^;]+);[^"]*">(.*?)</li>', turn.split(
        "Non-judgemental attitude", 1)[1], re.S)
    assert stripe.group(1) == line(confidentiality.colour) and stripe.group(2) == tint(confidentiality.colour)
    bars = re.findall(r'<span class="bar" data-s="(\d+)" data-e="(\d+)"', stripe.group(3))
    text = document.text
    assert [text[int(s):int(e)] for s, e in bars] == ["stays in the room", "we wrote that together"]
    assert "2 passages in this turn" in stripe.group(3)
    assert "stripes" not in _turn(client.get(f"/documents/{document.id}").text, "Anything else?")


def test_overlapping_codes_draw_one_underline_each_over_a_light_tint_and_count_the_rest(client, session, document,
                                                                                       user):
    keys = ["safety", "safety/confidentiality", "safety/ground-rules", "safety/safe-environments",
            "focus/social", "human-connection/community"]
    for key in keys:
        code_phrase(session, document, user, "in the room", key)
    turn = _turn(client.get(f"/documents/{document.id}").text, "Nobody judges")
    run = re.search(r'<span class="run coded[^"]*"[^>]*data-more="\+2"[^>]*style="([^"]*)"[^>]*>in the room</span>', turn)
    assert run, "the run with six codes says +2"
    codes = {c.key: c for c in store.project_codes(session, project_id=document.project_id)}
    style = run.group(1)
    assert f"background-color: {tint(codes['safety'].colour)}" in style
    drawn = re.findall(r"inset 0 -\d+px 0 (#[0-9a-f]{6})", style)
    assert drawn == [line(codes[k].colour) for k in keys[:4]]
    assert len(set(drawn)) == 4, "each code's underline has its own colour"
    assert len(_labels(turn)) == 6


def test_a_memo_shows_a_marker_after_its_passage_and_saving_one_re_renders_the_turn(client, session, document, user):
    coding = code_phrase(session, document, user, "stays in the room", "safety/confidentiality")
    page = client.get(f"/documents/{document.id}").text
    assert "memo-mark" not in page and "has a memo" not in page
    response = client.post(f"/codings/{coding.id}/memo", data={"memo": "  Echoes the ground rules\nthey wrote.  "},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Memo saved" in response.text
    turn = _turn(response.text, "Nobody judges")
    assert 'hx-swap-oob="outerHTML"' in turn
    mark = re.search(r'>stays in the room</span><button type="button" class="memo-mark"[^>]*>', turn)
    assert mark, "the marker follows the passage's last words"
    assert 'aria-label="has a memo: Confidentiality: Echoes the ground rules they wrote."' in mark.group(0)
    assert "has a memo" in _turn(client.get(f"/documents/{document.id}").text, "Nobody judges")
    assert ", has a memo" in turn.split('class="stripe-label"', 1)[1].split("</button>", 1)[0]
    cleared = client.post(f"/codings/{coding.id}/memo", data={"memo": ""}, headers={"HX-Request": "true"})
    assert "memo-mark" not in _turn(cleared.text, "Nobody judges")


def test_a_long_memo_shows_only_its_start(client, session, document, user):
    coding = code_phrase(session, document, user, "Nobody judges you", "safety")
    client.post(f"/codings/{coding.id}/memo", data={"memo": "word " * 60})
    turn = _turn(client.get(f"/documents/{document.id}").text, "Nobody judges")
    memo = re.search(r'data-memo="Safety: ([^"]*)"', turn).group(1)
    assert memo.endswith("…") and len(memo) <= 80


def test_stripes_follow_the_layers_the_lead_has_on_screen(client, session, project, document, user):
    cara = store.ensure_user(session, name="cara", display_name="Cara Jones")
    accounts.set_member(session, project_id=project.id, user=cara, role="coder", by=user)
    accounts.assign(session, document=document, coder=cara, by=user)
    code_phrase(session, document, cara, "Nobody judges you", "freedom-to-be-oneself/non-judgemental")
    code_phrase(session, document, user, "stays in the room", "safety/confidentiality")
    both = _turn(client.get(f"/documents/{document.id}").text, "Nobody judges")
    assert _labels(both) == ["Non-judgemental attitude and respect for differences", "Confidentiality"]
    assert "coded by Cara Jones" in both
    mine = _turn(client.get(f"/documents/{document.id}", params={"layers": [f"coder:{user.id}"]}).text,
                 "Nobody judges")
    assert _labels(mine) == ["Confidentiality"]
