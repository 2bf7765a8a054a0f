"""Code suggestions: ranking, explanations, learning from examples, units in transcripts, the command."""

import gzip
import json

import pytest
from typer.testing import CliRunner

from coding.codebook.frameworks import get_framework
from coding.suggest.examples import LineError, read_examples, read_passages
from coding.suggest.scoring import Example, Scorer, calibrated, code_for_name, evidence_from_framework
from coding.text import nlp
from server.cli import app

EVIDENCE = evidence_from_framework(get_framework("side-by-side"))
TOP = [c.id for c in get_framework("side-by-side").codes]


@pytest.fixture(scope="module")
def scorer():
    return Scorer(EVIDENCE)


def test_ranking_covers_every_top_level_code_as_calibrated_probabilities(scorer):
    ranked = scorer.rank("We agreed ground rules at the start, so what is said in the room stays in the room.")
    assert sorted(r.code for r in ranked) == sorted(TOP)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    assert all(0 < r.score < 1 for r in ranked)
    # calibration shrinks the engine's confidence: a clear passage's best code is likely, not certain
    assert 0.5 <= ranked[0].score < 0.9


@pytest.mark.parametrize("text, code, word", [
    ("We agreed ground rules at the start, so I felt safe to talk.", "safety", "ground rules"),
    ("Mostly we do gardening and cooking together, and a walk on Fridays.", "focus", "gardening"),
    ("The charity gave us the venue for free and paid for our training and supervision.", "organisational-support", "charity"),
    ("You can only join if you have a diagnosis of bipolar.", "membership", "diagnosis"),
])
def test_clear_passages_rank_their_code_first_and_say_why(scorer, text, code, word):
    best = scorer.rank(text)[0]
    assert best.code == code
    assert any(word in m for m in best.matched)
    assert code in scorer.suggested(scorer.rank(text))


def test_text_with_no_known_words_ranks_evenly_and_suggests_nothing(scorer):
    ranked = scorer.rank("Thursday, or maybe Wednesday.")
    assert {r.score for r in ranked} == {round(float(calibrated(1 / len(TOP))), 4)}
    assert scorer.suggested(ranked) == []


def test_examples_teach_the_teams_vocabulary_and_rejections_take_it_back(scorer):
    text = "The zorblat was brilliant this week."
    assert scorer.rank(text)[0].code != "safety"
    taught = Scorer(EVIDENCE, [Example("our zorblat keeps everyone okay", ["safety/confidentiality"])] * 3)
    assert taught.rank(text)[0].code == "safety"
    assert taught.examples == 3
    untaught = Scorer(EVIDENCE, [Example("our zorblat keeps everyone okay", ["safety"])] * 3
                      + [Example("our zorblat keeps everyone okay", ["safety"], rejected=True)] * 6)
    assert untaught.rank(text)[0].code != "safety"


def test_units_are_sentences_of_the_given_turns_with_code_point_offsets(scorer):
    text = ("Interviewer: Did the ground rules make you feel safe in the room?\n\n"
            "PV1: 😊 Honestly yes. We agreed ground rules at the start, so what is said stays in the room. "
            "Then we go home.")
    participant_turn = (text.index("😊"), len(text))
    units = scorer.units(text, [participant_turn])
    assert [(u.code, text[u.start:u.end]) for u in units] == [
        ("safety", "We agreed ground rules at the start, so what is said stays in the room.")]
    question = scorer.units(text, [(13, text.index("\n"))])
    assert [(u.start, u.end) for u in question] == [(13, text.index("\n"))]  # only ever inside the given spans


def test_sentence_starts_match_the_sentencizer():
    text = 'I felt safe. Really! Did you? Yes... and then "ok." Next (fine.) Then. Last one'
    doc = nlp.pipeline()(text)
    assert nlp.sentence_starts(nlp.pipeline().make_doc(text)).tolist() == [t.i for t in doc if t.is_sent_start]


def test_the_pipeline_lemmatises_with_the_lookup_table():
    doc = nlp.pipeline()("She felt judged")
    assert [t.lemma_ for t in doc] == ["She", "feel", "judge"]
    assert nlp.lemma("felt") == "feel"


def test_word_probabilities_are_the_tables_values_and_the_floor_for_unknown_words():
    table = nlp._read_table("lexeme_prob")
    words = ["peer", "support", "the", "facilitator", "kindness", "zzqxv-not-a-word", "", "café", "Peer"]
    expected = [table.get(w, min(table.values())) for w in words]
    assert nlp.word_probabilities().of(words).tolist() == expected
    small = nlp.Probabilities.from_table({"safe": -8.5, "heard": -9.25})
    assert small.of(["heard", "unheard", "safe"]).tolist() == [-9.25, -9.25, -8.5]
    assert small.of([]).tolist() == [] and nlp.Probabilities.from_table({}).of(["any"]).tolist() == [0.0]


def test_word_probabilities_read_pair_by_pair_are_those_of_the_parsed_table():
    table = {'say "hi"': -1.5, "café": -2.0, "back\\slash": -3e-2, "plain": -4, "tab\there": -7.25}
    words = [*table, "unknown"]
    for text in (json.dumps(table), json.dumps(table, ensure_ascii=False, indent=2)):
        read = nlp.Probabilities.from_json(text)
        assert read.of(words).tolist() == nlp.Probabilities.from_table(table).of(words).tolist()


def test_word_probabilities_are_saved_once_and_a_damaged_copy_is_read_again_from_the_table(tmp_path):
    table = {"safe": -8.5, "heard": -9.25, "café": -11.0}
    source, kept = tmp_path / "prob.json.gz", tmp_path / "cache" / "prob.npz"
    with gzip.open(source, "wt", encoding="utf-8") as out:
        json.dump(table, out)
    words = ["heard", "café", "unknown"]
    first = nlp.probabilities_from(source, kept)
    assert kept.exists() and first.of(words).tolist() == [-9.25, -11.0, -11.0]
    source.write_bytes(b"not read again")  # the next process reads the saved copy, not the table
    assert nlp.probabilities_from(source, kept).of(words).tolist() == [-9.25, -11.0, -11.0]
    with gzip.open(source, "wt", encoding="utf-8") as out:
        json.dump(table, out)
    kept.write_bytes(b"PK\x03\x04 half a file")
    assert nlp.probabilities_from(source, kept).of(words).tolist() == [-9.25, -11.0, -11.0]
    assert nlp.Probabilities.load(kept).of(["safe"]).tolist() == [-8.5]  # and the copy is whole again


def test_a_save_that_fails_halfway_leaves_the_old_copy_and_no_draft(tmp_path, monkeypatch):
    kept = tmp_path / "prob.npz"
    nlp.Probabilities.from_table({"safe": -8.5}).save(kept)

    def full_disk(out, **arrays):
        out.write(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nlp.np, "savez", full_disk)
    with pytest.raises(OSError, match="No space"):
        nlp.Probabilities.from_table({"safe": -1.0}).save(kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prob.npz"]
    monkeypatch.undo()
    assert nlp.Probabilities.load(kept).of(["safe"]).tolist() == [-8.5]


def test_section_names_and_aliases_map_to_codes():
    assert code_for_name(EVIDENCE, "Experience in common of social and emotional distress") == "experience-in-common"
    assert code_for_name(EVIDENCE, "Type of leadership") == "leadership"
    assert code_for_name(EVIDENCE, "Two-way interactions") == "two-way-interactions"
    assert code_for_name(EVIDENCE, "Reasons for engaging in peer support") is None


def test_reading_examples_reports_bad_lines_and_keeps_good_ones():
    lines = ['{"text": "felt safe", "codes": ["safety"]}', "not json", '{"text": "x", "codes": ["nope"]}',
             '{"text": "a quote", "section": "Membership type"}', '{"codes": ["safety"]}', "",
             '{"text": "y", "section": "Something else"}']
    examples, warnings = read_examples(lines, EVIDENCE, source="ex.jsonl")
    assert [(e.text, e.codes) for e in examples] == [("felt safe", ["safety"]), ("a quote", ["membership"])]
    assert [w.split(":")[0] for w in warnings] == ["ex.jsonl, line 2", "ex.jsonl, line 3", "ex.jsonl, line 5",
                                                   "ex.jsonl, line 7"]


def test_reading_passages_yields_errors_in_place():
    items = list(read_passages(['{"id": 1, "text": "a"}', "[1, 2]", '{"id": 3, "text": 5}']))
    assert items[0].text == "a"
    assert isinstance(items[1], LineError) and "line 2" in str(items[1])
    assert isinstance(items[2], LineError) and "line 3" in str(items[2])


def test_the_suggest_command_writes_one_json_line_per_passage(tmp_path):
    examples = tmp_path / "ex.jsonl"
    examples.write_text('{"text": "the zorblat was kind", "codes": ["human-connection"]}\n{"oops"\n')
    stdin = "\n".join([json.dumps({"id": "a", "text": "We agreed ground rules so I felt safe."}), "{bad",
                       json.dumps({"id": 7, "text": "The zorblat again."})])
    result = CliRunner().invoke(app, ["suggest", "--framework", "side-by-side", "--examples", str(examples)],
                                input=stdin)
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7]
    assert len(out[0]["ranked"]) == 11 and out[0]["ranked"][0]["code"] == "safety"
    assert out[0]["suggested"][0] == "safety" and "ground rules" in out[0]["ranked"][0]["matched"]
    assert out[1]["ranked"][0]["code"] == "human-connection"
    assert "standard input, line 2" in result.stderr and "ex.jsonl, line 2" in result.stderr
    top = CliRunner().invoke(app, ["suggest", "--top", "3"], input=stdin.splitlines()[0])
    assert len(json.loads(top.stdout)["ranked"]) == 3
