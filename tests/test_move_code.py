"""Moving a code under another parent: keys stay, the tree and the codebook order change, undo restores both."""

import pytest

from coding import store
from coding.codebook import codetree
from coding.suggest.scoring import evidence_from_codes
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes


def _keys(session, project):
    return [c.key for c in store.project_codes(session, project_id=project.id)]


def test_a_code_moves_with_its_sub_codes_after_its_new_parents_last_descendant(session, project, user):
    store.move_code(session, project_id=project.id, user=user, key="safety", parent_key="focus")
    codes = store.project_codes(session, project_id=project.id)
    keys = [c.key for c in codes]
    under_focus = [k for k in keys if "focus" in codetree.lineages(codes)[k]]
    assert under_focus[:5] == ["focus", "focus/social", "focus/activity", "focus/sharing-experiences",
                               "focus/educational"]
    assert under_focus[5] == "safety" and "safety/confidentiality" in under_focus
    depth = codetree.depths(codes)
    assert depth["safety"] == 1 and depth["safety/confidentiality"] == 2
    assert store.get_code(session, project_id=project.id, key="safety").parent_key == "focus"
    assert sorted(c.position for c in codes) == list(range(len(codes)))


def test_undo_puts_the_code_back_where_it_was_in_the_same_order(session, project, user):
    before = _keys(session, project)
    store.move_code(session, project_id=project.id, user=user, key="safety/confidentiality", parent_key=None)
    assert store.undo_hint(session, project_id=project.id, user=user, document_id=store.CODEBOOK) == \
        "moving code Confidentiality to the top level"
    event = store.undo_last(session, project_id=project.id, user=user, document_id=store.CODEBOOK)
    assert store.undone_message(session, event=event) == "Moved code Confidentiality back under Safety"
    session.expire_all()
    assert _keys(session, project) == before
    assert store.get_code(session, project_id=project.id, key="safety/confidentiality").parent_key == "safety"


@pytest.mark.parametrize("key, parent, refusal", [
    ("safety", "safety", store.Invalid),
    ("safety", "safety/confidentiality", store.Invalid),
    ("safety/challenges", "safety", store.Invalid),
    ("safety/confidentiality", "no-such-code", store.NotFound),
])
def test_cycles_no_ops_and_unknown_parents_are_refused(session, project, user, key, parent, refusal):
    before = _keys(session, project)
    with pytest.raises(refusal):
        store.move_code(session, project_id=project.id, user=user, key=key, parent_key=parent)
    session.expire_all()
    assert _keys(session, project) == before
    assert not store.list_events(session, project_id=project.id, kind="code.moved")


def test_a_sibling_of_the_same_name_is_refused(session, project, user):
    store.add_code(session, project_id=project.id, user=user, name="Confidentiality", parent_key="focus")
    with pytest.raises(store.Conflict, match="already a code called “Confidentiality” under Focus"):
        store.move_code(session, project_id=project.id, user=user, key="safety/confidentiality", parent_key="focus")


def test_a_moved_sub_code_counts_for_its_new_top_level_code(session, project, user):
    store.move_code(session, project_id=project.id, user=user, key="safety/confidentiality", parent_key="focus")
    evidence = {e.key: e for e in evidence_from_codes(store.project_codes(session, project_id=project.id))}
    assert "safety/confidentiality" in evidence["focus"].members
    assert "safety/confidentiality" not in evidence["safety"].members


def test_quotes_for_the_new_parent_include_the_moved_code(session, project, user):
    from coding.analysis.retrieval import QuoteFilter, find_quotes
    from coding.team.visibility import EVERYTHING
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv44.txt", txt_bytes()))
    code_phrase(session, document, user, "Nobody judges you", "safety/confidentiality")
    store.move_code(session, project_id=project.id, user=user, key="safety/confidentiality", parent_key="focus")
    found = find_quotes(session, project_id=project.id, wanted=QuoteFilter(codes=["focus"], layer="all"),
                        scope=EVERYTHING)
    assert [q.text for q in found] == ["Nobody judges you"]
    assert not find_quotes(session, project_id=project.id, wanted=QuoteFilter(codes=["safety"], layer="all"),
                           scope=EVERYTHING)
