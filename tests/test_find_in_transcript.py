"""Find in the transcript: the whole text is searched on the server, case and accents aside, and hits come
back as exact code-point offsets (emoji and right-to-left text included), only inside turns' text."""

import pytest

from coding import store
from coding.text.transcripts import read_transcript
from coding.workspace import finding
from tests.builders import txt_bytes

TURNS = [("Interviewer", "Was the CAFÉ group good? 😊"),
         ("PV9", "Yes 😊😊 the cafe\u0301 group, the Café — مَرْحَبا and مرحبا بكم, Ärger gone."),
         ("PV10", "I only ever went to one café.")]


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("find.txt", txt_bytes(TURNS)))


def found(client, document, query):
    response = client.get(f"/documents/{document.id}/find", params={"q": query})
    assert response.status_code == 200
    return response.json()


def test_hits_are_exact_code_point_offsets_case_and_accents_aside(client, document):
    answer = found(client, document, "cafe")
    texts = [document.text[start:end] for start, end in answer["hits"]]
    assert texts == ["CAFÉ", "café", "Café", "café"]  # imported text is NFC: "e" + U+0301 is stored as "é"
    assert answer["total"] == 4 and answer["summary"] == "4 found"
    start, end = answer["hits"][0]
    assert document.text[:start].endswith("Was the ") and end - start == 4


def test_arabic_with_and_without_short_vowels_and_after_emoji(client, document):
    answer = found(client, document, "مرحبا")
    assert [document.text[s:e] for s, e in answer["hits"]] == ["مَرْحَبا", "مرحبا"]
    assert [document.text[s:e] for s, e in found(client, document, "😊😊 THE")["hits"]] == ["😊😊 the"]
    assert [document.text[s:e] for s, e in found(client, document, "arger")["hits"]] == ["Ärger"]


def test_speaker_labels_are_not_searched(client, document):
    assert found(client, document, "interviewer")["hits"] == [] and found(client, document, "PV9")["hits"] == []


def test_nothing_found_and_phrases_across_spaces(client, document):
    assert found(client, document, "zebra") == {"query": "zebra", "hits": [], "total": 0, "summary": "not found"}
    assert [document.text[s:e] for s, e in found(client, document, "went  to")["hits"]] == ["went to"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}])
def test_a_missing_empty_or_overlong_query_is_refused(client, document, params):
    assert client.get(f"/documents/{document.id}/find", params=params).status_code == 422


def test_decomposed_accents_in_a_text_are_passed_over():
    assert finding.find("the cafe\u0301 and caf\u00e9", "CAFÉ").hits == [(4, 9), (14, 18)]


def test_counting_stops_at_the_limit_and_says_so():
    result = finding.find("ab " * (finding.COUNT_LIMIT + 50), "AB")
    assert len(result.hits) == finding.FIND_LIMIT and result.summary == "more than 10,000 found"
