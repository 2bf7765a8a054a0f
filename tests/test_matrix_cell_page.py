"""A matrix cell opens exactly the coded passages it counted, in overlap mode and in same-turn mode."""

import re
from html import unescape

import pytest

from coding import store
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes

TURNS = [
    ("Interviewer", "How did you first hear about the group?"),
    ("PV44", "A friend told me. I felt safe there because everyone had been through something similar."),
    ("Interviewer", "What keeps you going back?"),
    ("PV44", "Nobody judges you, and what is said in the room stays in the room."),
    ("Interviewer", "Who ran it?"),
    ("PV44", "A named facilitator ran it. I felt safe with her."),
]


@pytest.fixture
def seeded(session, project, user):
    document = store.import_document(session, project_id=project.id, user=user, participant="PV44",
                                     attributes={"approach": "online"},
                                     transcript=read_transcript("pv44.txt", txt_bytes(TURNS)))

    def code(phrase, key):
        code_phrase(session, document, user, phrase, key)
    code("A friend told me. I felt safe", "safety")          # same turn as the freedom coding, no overlap
    code("everyone had been through", "freedom-to-be-oneself")
    code("Nobody judges you", "freedom-to-be-oneself")       # alone in its turn
    code("stays in the room", "safety")                      # same turn as "Nobody judges you"
    code("A named facilitator", "facilitation/named-facilitator")
    code("I felt safe with her", "safety")                   # same turn, no overlap
    code("safe with her", "safety")                          # a second safety coding inside the one before
    code("I felt safe there", "facilitation/named-facilitator")  # overlaps both safety codings there
    return document


def _cells(page: str) -> list[tuple[str, int]]:
    """(link, passages promised) for every linked cell of the page's matrix."""
    found = re.findall(r'<a href="([^"]*quotes\?[^"]*)"[^>]*?data-passages="(\d+)"', page)
    found += [(h, p) for p, h in re.findall(r'<a [^>]*?data-passages="(\d+)"[^>]*?href="([^"]*quotes\?[^"]*)"', page)]
    return [(unescape(h), int(p)) for h, p in found]


@pytest.mark.parametrize("kind", ["values-decisions", "codes"])
@pytest.mark.parametrize("mode", ["overlap", "turn"])
def test_every_cell_opens_exactly_the_passages_it_promises(client, project, seeded, kind, mode):
    page = client.get(f"/projects/{project.id}/analysis?kind={kind}&mode={mode}").text
    matrix = page[page.index("<svg"):page.index("</svg>")]
    cells = _cells(matrix)
    assert cells, "the seeded matrix has linked cells"
    assert len(cells) == matrix.count("data-passages=") - matrix.count('data-passages="0"')
    for link, promised in cells:
        quotes = client.get(link).text
        shown = quotes.count("<blockquote>")
        assert shown == promised, f"{link} promises {promised} coded passages and opens {shown}"
        assert f"{promised} coded passage" in quotes


def test_a_same_turn_cell_counting_one_turn_opens_the_passages_of_that_turn(client, project, seeded):
    page = client.get(f"/projects/{project.id}/analysis?kind=codes&mode=turn").text
    matrix = page[page.index("<svg"):page.index("</svg>")]
    link = next(h for h, _ in _cells(matrix) if "code=safety" in h and "code=freedom-to-be-oneself" in h)
    assert "together=turn" in link
    quotes = client.get(link).text
    assert "0 coded passages" not in quotes
    assert "A friend told me" in quotes and "everyone had been through" in quotes
    assert "Nobody judges you" in quotes and "stays in the room" in quotes
    assert "speaker turn where the other code also occurs" in quotes
    assert "I felt safe with her" not in quotes  # no freedom coding in that turn


def test_a_diagonal_cell_counts_only_codings_that_meet_another_coding(client, project, seeded):
    page = client.get(f"/projects/{project.id}/analysis?kind=codes&mode=overlap").text
    matrix = page[page.index("<svg"):page.index("</svg>")]
    diagonal = [h for h, _ in _cells(matrix) if "code=safety&code=safety&" in h]
    quotes = client.get(diagonal[0]).text
    assert quotes.count("<blockquote>") == 2 and "A friend told me" not in quotes
