"""The codebook's counts and example quotes (`first_quotes`) are exactly what the quote search finds, summed up:
for every reader and every choice of layers."""

from collections import Counter

import pytest

from coding import store
from coding.analysis.counts import Coded
from coding.analysis.retrieval import QuoteFilter, coder_choice, find_quotes, first_quotes, quote_page
from coding.team.visibility import EVERYTHING, Scope
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes
from tests.test_plain_labels import world  # noqa: F401 (a fixture: two coders and a decision)


def _other_transcript(session, project, user, cara):
    document = store.import_document(session, project_id=project.id, user=user, transcript=read_transcript(
        "pv45 interview.txt", txt_bytes([("PV45", "I chose when to speak and nobody pushed me. I felt safe there.")])))
    code_phrase(session, document, cara, "I chose when to speak", "choice-and-control")
    code_phrase(session, document, user, "I felt safe there", "safety")
    return document


@pytest.mark.parametrize("layer", ["", "all", "consensus", "cara", "bob"])
def test_the_codebook_sums_up_what_the_quote_search_finds(session, project, user, world, layer):
    other = _other_transcript(session, project, user, world["cara"])
    layers = {layer: layer} | {"cara": coder_choice(world["cara"].id), "bob": coder_choice(world["bob"].id)}
    layer_ids = {owner.id: layer_id for layer_id, owner in store.layer_owners(session, project_id=project.id).items()}
    readers = [EVERYTHING, Scope(documents=frozenset({other.id})),
               Scope(own=frozenset({layer_ids[world["cara"].id]})),
               Scope(own=frozenset({layer_ids[world["bob"].id]}), revealed=frozenset({world["document"].id}))]
    for scope in readers:
        found = find_quotes(session, project_id=project.id, wanted=QuoteFilter(layer=layers[layer]), scope=scope)
        firsts, counts = first_quotes(session, project_id=project.id, wanted=QuoteFilter(layer=layers[layer]),
                                      scope=scope)
        assert counts == Counter(q.code_key for q in found)
        expected = []
        for q in found:
            if q.code_key not in {e.code_key for e in expected}:
                expected.append(q)
        assert firsts == expected
    everyone = first_quotes(session, project_id=project.id, wanted=QuoteFilter(layer="all"), scope=EVERYTHING)[1]
    assert sum(everyone.values()) == 6  # Cara's 2, Bob's 2, the lead's 1 and the consensus coding


@pytest.mark.parametrize("wanted", [QuoteFilter(layer="all"), QuoteFilter(codes=["safety"], layer="all"),
                                    QuoteFilter(text="safe", layer="all"), QuoteFilter(layer="consensus")])
def test_quotes_are_made_as_they_are_read_and_counts_read_the_same_passages(session, project, user, world, wanted):
    """A page reads a slice of the quotes and the analysis page counts them without their text: each gives
    what making every quote gives."""
    _other_transcript(session, project, user, world["cara"])
    found = find_quotes(session, project_id=project.id, wanted=wanted, scope=EVERYTHING)
    every = list(found)
    assert every and len(found) == len(every) and found[1:3] == every[1:3] and found[-1] == every[-1]
    assert [q.text for q in every] == [" ".join(store.get_document(session, document_id=q.document_id)
                                                .text[q.start:q.end].split()) for q in every]
    assert found.coded() == [Coded(q.coding_id, q.document_id, q.start, q.end, q.code_key, q.participant,
                                   q.attributes) for q in every]


def test_a_page_of_quotes_from_the_database_is_that_page_of_what_the_search_finds(session, project, user, world):
    """The quotes page asks the database for one page; it must hold what finding every quote and cutting out
    that page gives, for every reader, layer and filter, and say how many there are in all."""
    other = _other_transcript(session, project, user, world["cara"])
    store.set_attributes(session, project_id=project.id, user=user, rows=[("PV45", {"approach": "online"})])
    # codebook order is no longer the order codes were made in
    store.move_code(session, project_id=project.id, user=user, key="safety", parent_key="choice-and-control")
    layer_ids = {owner.id: layer_id for layer_id, owner in store.layer_owners(session, project_id=project.id).items()}
    readers = [EVERYTHING, Scope(documents=frozenset({other.id})), Scope(documents=frozenset()),
               Scope(own=frozenset({layer_ids[world["cara"].id]})),
               Scope(own=frozenset({layer_ids[world["bob"].id]}), revealed=frozenset({world["document"].id}))]
    filters = [QuoteFilter(), QuoteFilter(layer="all"), QuoteFilter(layer="consensus"),
               QuoteFilter(layer=coder_choice(world["cara"].id)), QuoteFilter(codes=["safety"], layer="all"),
               QuoteFilter(codes=["safety", "choice-and-control"], layer="all"),
               QuoteFilter(document_ids=[other.id], layer="all"), QuoteFilter(attributes={"approach": "online"}),
               QuoteFilter(attributes={"approach": ""}, layer="all"), QuoteFilter(text="SAFE", layer="all"),
               QuoteFilter(codes=["safety", "choice-and-control"], match="all", layer="all")]
    seen = 0
    for scope in readers:
        for wanted in filters:
            every = list(find_quotes(session, project_id=project.id, wanted=wanted, scope=scope))
            seen += len(every)
            for first, size in ((0, 200), (0, 1), (1, 2), (3, 5), (50, 10)):
                page, total = quote_page(session, project_id=project.id, wanted=wanted, scope=scope, first=first,
                                         size=size)
                assert total == len(every) and page == every[first:first + size], (scope, wanted, first)
    assert seen > 20
