"""Suggestions a coder can trust: none on small talk or interview procedure, none on one loose word, at most two
for a passage or turn, and scores that mean what they say (calibrated on the labelled quotes)."""

import json
import random
from pathlib import Path

import numpy as np
import pytest

from coding.codebook.frameworks import get_framework
from coding.suggest import smalltalk
from coding.suggest.examples import read_examples
from coding.suggest.scoring import EVERYDAY, MAX_SHOWN, Scorer, confidence, evidence_from_framework, top_level
from tests.conftest import SHARED

EVIDENCE = evidence_from_framework(get_framework("side-by-side"))
DATA = Path(__file__).parent / "data"
QUOTES = SHARED / "eval" / "dev_quotes.jsonl"


def lines(name: str) -> list[str]:
    """The lines of a small-talk file: the engine's own everyday talk, or the check set it never learned from."""
    path = EVERYDAY if name == "everyday" else DATA / name
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def quotes():
    found = []
    for line in QUOTES.read_text(encoding="utf-8").splitlines():
        examples, _ = read_examples([line], EVIDENCE)
        if examples and json.loads(line)["section_kind"] != "bame":
            found.append(examples[0])
    return found


@pytest.fixture(scope="module")
def scorers(quotes):
    return {"keyword only": Scorer(EVIDENCE), "with examples": Scorer(EVIDENCE, quotes)}


@pytest.mark.parametrize("name", ["everyday", "small_talk_check.txt"])
@pytest.mark.parametrize("kind", ["keyword only", "with examples"])
def test_at_most_one_small_talk_line_in_forty_gets_a_suggestion(scorers, name, kind):
    scorer = scorers[kind]
    talk = lines(name)
    got = [line for line in talk if scorer.suggested(scorer.rank(line))]
    assert len(talk) >= 100
    assert len(got) * 40 <= len(talk), got


@pytest.mark.parametrize("text", ["Yeah, I can hear you.", "We had biscuits.", "The kettle was broken.",
                                  "Can you hear me?", "Is it recording?", "Take your time."])
def test_the_lines_that_taught_coders_to_ignore_suggestions_get_none(scorers, text):
    for scorer in scorers.values():
        ranked = scorer.rank(text)
        assert scorer.suggested(ranked) == [], (text, ranked[:2])


def test_one_incidental_word_is_not_evidence_but_the_codes_own_words_are(scorers):
    scorer = scorers["keyword only"]
    # "kettle" appears once in the codebook's text of Safety: it still ranks the code, but is not evidence
    kettle = scorer.rank("The kettle was broken.")
    assert kettle[0].code == "safety" and kettle[0].evidence < 2
    safe = scorer.rank("I felt safe there because the ground rules meant nobody would judge me.")
    assert safe[0].code == "safety" and safe[0].evidence >= 2
    assert scorer.suggested(safe)[0] == "safety"


@pytest.mark.parametrize("text, expected", [
    ("Can you hear me okay?", True), ("Sorry, you're on mute.", True), ("Is it recording now?", True),
    ("Take your time, there's no rush.", True), ("Would you like a cup of tea?", True),
    ("Is there anything else you'd like to add?", True), ("Thank you so much for your time.", True),
    ("I felt heard in that group for the first time in years.", False),
    ("We just have a cup of tea and a chat, and nobody pushes you to talk.", False),
    ("I could take my time there and nobody ever rushed me into saying anything.", False),
])
def test_talk_about_the_interview_itself_is_told_from_talk_about_the_group(text, expected):
    assert smalltalk.procedural(text) is expected


def test_a_turn_that_starts_with_procedure_still_gets_its_substantive_sentence_suggested(scorers):
    scorer = scorers["keyword only"]
    text = ("Can you hear me now? Good. What I liked was that the ground rules made the room feel safe, "
            "and what was said there stayed confidential.")
    units = scorer.units(text, [(0, len(text))])
    assert units and all(u.start >= text.index("What") for u in units)
    assert "safety" in {u.code for u in units}


def test_a_turn_shows_at_most_its_two_best_suggestions(scorers):
    scorer = scorers["keyword only"]
    sentences = ["We agreed ground rules at the start, so what is said in the room stays in the room.",
                 "The facilitator keeps the discussion going and makes sure everyone gets a turn to speak.",
                 "The charity gives us the venue for free and pays for our training and supervision.",
                 "You can only join if you have a diagnosis of bipolar, it is a closed membership."]
    text = " ".join(sentences)
    for sentence in sentences:  # each alone gets a suggestion
        assert scorer.units(sentence, [(0, len(sentence))])
    together = scorer.units(text, [(0, len(text))])
    assert len(together) == MAX_SHOWN
    alone = sorted((u for s in sentences for u in scorer.units(s, [(0, len(s))])), key=lambda u: -u.score)
    assert sorted(u.score for u in together) == sorted(u.score for u in alone[:MAX_SHOWN])
    apart = scorer.units(text, [(0, len(sentences[0])), (len(sentences[0]) + 1, len(text))])
    assert len(apart) > MAX_SHOWN  # the limit is per turn


def test_the_command_suggests_at_most_two_codes_each_with_evidence(scorers):
    scorer = scorers["with examples"]
    ranked = scorer.rank("The facilitator had lived experience like mine and the ground rules made it feel safe, "
                         "so I could share things I never tell anyone.")
    suggested = scorer.suggested(ranked)
    assert 1 <= len(suggested) <= MAX_SHOWN
    by_code = {r.code: r for r in ranked}
    assert all(by_code[c].evidence >= 2 for c in suggested)
    assert scorer.suggested(ranked, threshold=0.99) == []


def test_scores_are_calibrated_on_held_out_quotes(quotes):
    """Cross-validated: codes shown at 0.25 or more are right about as often as their scores say."""
    order = list(range(len(quotes)))
    random.Random(0).shuffle(order)
    pairs = []
    for fold in range(5):
        held = set(order[fold::5])
        scorer = Scorer(EVIDENCE, [quotes[i] for i in order if i not in held])
        for i in sorted(held):
            gold = {top_level(c) for c in quotes[i].codes}
            pairs += [(r.score, r.code in gold) for r in scorer.rank(quotes[i].text)]
    scores = np.array([s for s, _ in pairs])
    right = np.array([r for _, r in pairs], dtype=float)
    for low, high in ((0.1, 0.25), (0.25, 0.5), (0.5, 1.0)):
        band = (scores >= low) & (scores < high)
        assert band.sum() >= 10
        assert abs(scores[band].mean() - right[band].mean()) <= 0.12, (low, high)


@pytest.mark.parametrize("score, word", [(0.8, "likely"), (0.5, "likely"), (0.3, "possible"), (0.12, "unsure")])
def test_a_score_is_shown_as_a_plain_word(score, word):
    assert confidence(score) == word


def test_the_quick_check_before_the_procedure_phrases_never_changes_an_answer(quotes):
    from coding.demo import DEMO_DIR
    from coding.text import nlp

    texts = [line for name in ("everyday", "small_talk_check.txt") for line in lines(name)]
    demo = [path.read_text(encoding="utf-8") for path in sorted(DEMO_DIR.glob("*.txt"))]
    for text in [q.text for q in quotes] + demo:
        texts += [text[a:b] for a, b in nlp.sentence_spans(text, [(0, len(text))])]
    assert len(texts) > 500
    assert [smalltalk.procedural(t) for t in texts] == [smalltalk.procedural(t, quick=False) for t in texts]
    assert sum(smalltalk.procedural(t) for t in texts) >= 40
