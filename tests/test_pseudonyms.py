"""Pseudonymisation: replacing names in text and quotes, and suggesting personal data to review."""

import copy
import re
from dataclasses import dataclass, replace

import pytest

from coding.analysis.pseudonyms import Candidate, apply, apply_to_quotes, suggest
from coding.analysis.retrieval import Quote
from coding.text.transcripts import read_transcript
from tests.conftest import shared_file

THORNTON = [("Sarah", "Anna", "name"), ("Sarah Thornton", "Anna Turner", "name"), ("Thornton", "Turner", "name")]


@pytest.mark.parametrize("text, pairs, expected", [
    ("I'm Sarah Thornton. Sarah said hi.", THORNTON, "I'm Anna Turner. Anna said hi."),
    ("SARAH THORNTON and sarah", THORNTON, "Anna Turner and Anna"),
    ("Sarah's mum and Sarah’s dad; Thornton's desk", THORNTON, "Anna's mum and Anna’s dad; Turner's desk"),
    ("Sarahs, Rosarah and Sarah2 stay", THORNTON, "Sarahs, Rosarah and Sarah2 stay"),
    ("Sarah\nThornton, Sarah  Thornton", THORNTON, "Anna Turner, Anna Turner"),
    ("sarah_thornton_feedback.docx", THORNTON, "Anna Turner_feedback.docx"),
    ("s.thornton@hartwellbs.co.uk", THORNTON, "s.Turner@hartwellbs.co.uk"),
    ("Zoë met Zoëy and ZOË", [("Zoë", "Zara", "name")], "Zara met Zoëy and Zara"),
    ("Ångström's lab, Angstrom", [("Ångström", "Berg", "name")], "Berg's lab, Angstrom"),
    ("Karen O’Brien-Kingsley and O'Brien", [("Karen O'Brien-Kingsley", "Kay Smith", "name"),
                                            ("O'Brien", "Smith", "name")], "Kay Smith and Smith"),
    ("Anna met Sarah", [("Anna", "Sarah", "name"), ("Sarah", "Anna", "name")], "Sarah met Anna"),
    ("Call (020) 7946 0958.", [("(020) 7946 0958", "[phone]", "phone")], "Call [phone]."),
    ("in Fetcham, near St. Wilfred's", [("fetcham", "Townsville", "place"), ("St. Wilfred", "St Cuthbert", "place")],
     "in Townsville, near St Cuthbert's"),
    ("nothing to do", [], "nothing to do"),
    ("nothing to do", [("", "X", "name"), ("  ", "Y", "name")], "nothing to do"),
    ("", THORNTON, ""),
])
def test_apply_replaces_whole_words_longest_first_keeping_the_replacement_case(text, pairs, expected):
    assert apply(text, pairs) == expected


def test_apply_takes_rows_with_original_and_replacement_and_plain_pairs():
    @dataclass
    class Row:
        original: str
        replacement: str
        kind: str = "name"

    assert apply("Grace and Will", [Row("Grace", "Gail"), ("Will", "Wes")]) == "Gail and Wes"


def test_apply_normalises_decomposed_input():
    decomposed = "Zoe\u0308"  # "Zoë" as e + combining diaeresis
    assert apply(f"{decomposed} said", [("Zoë", "Zara")]) == "Zara said"
    assert apply("Zoë said", [(decomposed, "Zara")]) == "Zara said"


def make_quote(**changes) -> Quote:
    base = Quote(coding_id=1, document_id=1, document="sarah_thornton_interview.txt", code_key="safety",
                 code_name="Safety", code_path=["Safety"], colour="#cccccc",
                 text="Sarah's manager Grace was kind.", start=0, end=31, participant="Sarah",
                 attributes={"approach": "online", "site": "Fetcham"}, coder="Rebecca",
                 memo="Ask Sarah Thornton about Grace.")
    return replace(base, **changes)


def test_apply_to_quotes_returns_new_quotes_and_leaves_the_input_alone():
    quotes = [make_quote(), make_quote(coding_id=2, participant=None, text="Nothing here.")]
    before = copy.deepcopy(quotes)
    pairs = THORNTON + [("Grace", "Gail", "name"), ("Fetcham", "Townsville", "place")]
    result = apply_to_quotes(quotes, pairs)
    assert quotes == before
    assert all(new is not old for new, old in zip(result, quotes))
    first = result[0]
    assert first.text == "Anna's manager Gail was kind."
    assert first.memo == "Ask Anna Turner about Gail."
    assert first.document == "Anna Turner_interview.txt"
    assert first.participant == "Anna" and first.tag(("site",)) == "(Anna, Townsville)"
    assert first.attributes == {"approach": "online", "site": "Townsville"}
    assert first.coder == "Rebecca" and first.code_key == "safety"
    assert result[1].participant is None and result[1].text == "Nothing here."
    first.code_path.append("changed")
    first.attributes["site"] = "changed"
    assert quotes == before


def found(text: str, kind: str) -> list[str]:
    return [c.text for c in suggest(text, this_year=2025) if c.kind == kind]


@pytest.mark.parametrize("text, kind, expected", [
    ("Mail s.thornton@hartwellbs.co.uk or Jo+work@example.org.", "email",
     ["Jo+work@example.org", "s.thornton@hartwellbs.co.uk"]),
    ("Ring 07700 900123, +44 20 7946 0958 or (020) 7946 0958.", "phone",
     ["(020) 7946 0958", "+44 20 7946 0958", "07700 900123"]),
    ("Or +1 (555) 010-4477, or 01632 960001.", "phone", ["+1 (555) 010-4477", "01632 960001"]),
    ("Card 4532 0123 4567 8901 and 60-16-13, nothing else: 2024 was 12 months.", "phone", []),
    ("See https://example.org/a?b=1, www.example.com and linkedin.com/in/sarah-92.", "url",
     ["https://example.org/a?b=1", "linkedin.com/in/sarah-92", "www.example.com"]),
    ("Office at GU2 4AB, also SW1A 1AA; not KV68 NPR.", "postcode", ["GU2 4AB", "SW1A 1AA"]),
    ("Born 14th of March 1987, or 14/03/87, or 1975-05-02; met on 2025-11-14 and 3 May 2024.", "date",
     ["14/03/87", "14th of March 1987", "1975-05-02"]),
    ("Follow @sarahthornton92 but not me@example.org.", "handle", ["@sarahthornton92"]),
    ("NI AB 12 34 56 C, NHS 943 476 5919, IBAN GB29 NWBK 6016 1331 9268 19.", "id",
     ["943 476 5919", "AB 12 34 56 C", "GB29 NWBK 6016 1331 9268 19"]),
])
def test_suggest_finds_each_kind_of_personal_data(text, kind, expected):
    assert sorted(found(text, kind), key=str.casefold) == sorted(expected, key=str.casefold)


@pytest.mark.parametrize("text, expected", [
    ("I met my friend Joe Bloggs on Monday in January.", ["Joe Bloggs"]),
    ("Yesterday I saw Grace. Grace was late.", ["Grace"]),  # at a sentence start only counted once seen mid-sentence
    ("Yesterday it rained. Then we left.", []),
    ("The NHS in England is, I think, fine; we watched the BBC with Mum.", []),
    ("I asked Dr Patel and Mrs. O'Neill, then Fatimah bint Khalid.", ["Dr Patel", "Fatimah bint Khalid",
                                                                        "Mrs. O'Neill"]),
    ("Dr. Ahmed arrived.", ["Dr. Ahmed"]),
    ("It was Bazza's idea, and Bazza agreed.", ["Bazza"]),
    ("We did GCSEs and ADHD tests with Zoë Ångström.", ["Zoë Ångström"]),
    ("Fine. (laughs) Honest answer, said Frank.", ["Frank"]),  # a stage direction does not end a sentence
    ("We met the Group, and the group was kind to Pauline.", ["Pauline"]),  # mostly lower case: a common word
    ("You're kind, Jo. You've been there, With Jo.", ["Jo"]),
])
def test_suggest_finds_names_not_at_sentence_start_and_not_common_words(text, expected):
    assert sorted(found(text, "name")) == sorted(expected)


def test_suggestions_are_counted_once_each_with_examples_most_frequent_first():
    text = "I told Grace. Then Grace told Will, and later grace's friend, Grace, told Sarah Thornton."
    candidates = suggest(text)
    assert candidates[0] == Candidate("Grace", "name", 3, candidates[0].examples)
    assert len(candidates[0].examples) == 3 and "told Grace." in candidates[0].examples[0]
    assert [c.text for c in candidates[1:]] == ["Sarah Thornton", "Will"]
    assert all(c.count == 1 for c in candidates[1:])


# ----- the planted-data transcripts --------------------------------------------------------------------

@pytest.fixture(scope="module")
def horror() -> str:
    path = shared_file("fixtures", "transcripts", "bristlenose_pii_horror_transcript.txt")
    return read_transcript(path.name, path.read_bytes()).text


def test_suggest_finds_the_planted_personal_data(horror):
    candidates = {(c.kind, c.text): c for c in suggest(horror)}
    for expected in [("email", "s.thornton@hartwellbs.co.uk"), ("email", "p.venkataraman@hartwellbs.co.uk"),
                     ("phone", "+44 7700 369258"), ("name", "Sarah Thornton"), ("name", "Rebecca Cheung"),
                     ("name", "Sarah"), ("name", "Priyanka Venkataraman"), ("name", "Karen O'Brien-Kingsley"),
                     ("name", "Bazza"), ("postcode", "GU2 4AB"), ("date", "14th of March 1987"),
                     ("url", "https://staging.hartwell-digital.co.uk/a11y-dashboard"),
                     ("handle", "@sarahthornton92"), ("id", "AB 12 34 56 C")]:
        assert expected in candidates, expected
    assert [text for kind, text in candidates if kind == "phone"] == ["+44 7700 369258"]
    assert candidates[("name", "Sarah")].count >= 4
    names = {text for kind, text in candidates if kind == "name"}
    assert not names & {"I", "I'm", "Monday", "Friday", "March", "NHS", "Yeah", "Right", "So", "Thanks"}


def test_replacing_the_suggested_names_removes_every_occurrence(horror):
    names = [c.text for c in suggest(horror) if c.kind == "name"]
    pairs = [(name, f"Person{i}", "name") for i, name in enumerate(names)]
    pairs += [("Thornton", "Turner", "name"), ("Cheung", "Chen", "name"), ("Willoughby", "Walker", "name"),
              ("s.thornton@hartwellbs.co.uk", "a.turner@example.org", "email"),
              ("@sarahthornton92", "@annaturner", "handle"), ("sthornton", "aturner", "name"),
              ("bwilloughby", "kwalker", "name")]
    result = apply(horror, pairs)
    for original, _, _ in pairs:
        assert not re.search(rf"(?<![^\W_]){re.escape(original)}(?![^\W_])", result, re.IGNORECASE), original
    for surname in ("thornton", "cheung", "willoughby", "bazza", "sarah"):
        assert surname not in result.lower()
    bazza = names.index("Bazza")
    assert f"Person{bazza}'s sister" in result
    assert result.count("Person") >= len(names)


def test_joe_bloggs_is_found_in_the_odt_transcript():
    path = shared_file("fixtures", "transcripts", "qualcoder_ID2.odt")
    text = read_transcript(path.name, path.read_bytes()).text
    assert ("name", "Joe Bloggs") in {(c.kind, c.text) for c in suggest(text)}
    assert "Joe Bloggs" not in apply(text, [("Joe Bloggs", "Jim Bell", "name")])
    assert "my father Jim Bell really" in apply(text, [("Joe Bloggs", "Jim Bell", "name")])


def test_rewrite_maps_span_offsets_into_the_replaced_text():
    from coding.analysis.pseudonyms import compile_pairs

    text = "Then Sarah Thornton met Joe at the café. Joe smiled."
    new, moved = compile_pairs([("Sarah Thornton", "[P1]"), ("Joe", "[P2]")]).rewrite(text)
    assert new == "Then [P1] met [P2] at the café. [P2] smiled."
    start, end = text.index("met"), text.index("café") + 4
    assert new[moved(start):moved(end, end=True)] == "met [P2] at the café"
    inside = text.index("Thornton")  # a span starting inside a name keeps the whole replacement
    assert new[moved(inside):moved(text.index(" met"), end=True)] == "[P1]"
    assert new[moved(text.index("smiled")):moved(len(text), end=True)] == "smiled."
