"""Resizing and recoding a coding in place: one logged change each, refused when wrong, undone per transcript."""

import pytest
from sqlmodel import select

from coding import store
from coding.models import Event
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes()))


@pytest.fixture
def coding(session, document, user):
    return code_phrase(session, document, user, "Nobody judges you", "safety/confidentiality")


def _span(document, phrase):
    start = document.text.index(phrase)
    return start, start + len(phrase)


def _fresh(session, coding):
    session.expire_all()
    return store.get_coding(session, coding_id=coding.id)


def test_a_resize_moves_both_ends_logs_the_old_span_and_undo_puts_it_back(session, project, user, document, coding):
    start, end = _span(document, "Nobody judges you, and what is said")
    store.resize_coding(session, coding=coding, user=user, start=start, end=end)
    stored = _fresh(session, coding)
    assert document.text[stored.start:stored.end] == "Nobody judges you, and what is said"
    event = store.list_events(session, project_id=project.id, kind="coding.resized")[0]
    assert event.payload["before"] == dict(zip(("start", "end"), _span(document, "Nobody judges you")))
    assert store.describe(event, store.Wording(session, project_id=project.id)) == \
        "changed the span of Confidentiality on “Nobody judges you, and…”"
    hint = store.undo_hint(session, project_id=project.id, user=user, document_id=document.id)
    assert hint == "span of Confidentiality on “Nobody judges you, and…”"
    undo = store.undo_last(session, project_id=project.id, user=user, document_id=document.id)
    assert store.undone_message(session, event=undo) == "Put Confidentiality on “Nobody judges you” back as it was"
    assert store.touched(undo) == (start, end)
    stored = _fresh(session, coding)
    assert document.text[stored.start:stored.end] == "Nobody judges you" and not stored.removed


def test_a_recode_changes_only_the_code_and_undo_gives_the_old_one_back(session, project, user, document, coding):
    social = store.get_code(session, project_id=project.id, key="focus/social")
    store.recode_coding(session, coding=coding, user=user, code=social)
    stored = _fresh(session, coding)
    assert stored.code_id == social.id and document.text[stored.start:stored.end] == "Nobody judges you"
    hint = store.undo_hint(session, project_id=project.id, user=user, document_id=document.id)
    assert hint == "changing Confidentiality to Social focus on “Nobody judges you”"
    undo = store.undo_last(session, project_id=project.id, user=user, document_id=document.id)
    assert store.undone_message(session, event=undo) == \
        "Changed Social focus on “Nobody judges you” back to Confidentiality"
    assert _fresh(session, coding).code_id == store.get_code(session, project_id=project.id,
                                                             key="safety/confidentiality").id


@pytest.mark.parametrize("span", [(5, 5), (9, 3), (-1, 4), (0, 10**6)])
def test_bad_spans_are_refused_and_nothing_changes(session, project, user, document, coding, span):
    before = (coding.start, coding.end)
    with pytest.raises(store.Invalid, match="not inside the document"):
        store.resize_coding(session, coding=coding, user=user, start=span[0], end=span[1])
    assert (_fresh(session, coding).start, _fresh(session, coding).end) == before
    assert not store.list_events(session, project_id=project.id, kind="coding.resized")


def test_white_space_alone_is_refused(session, user, document, coding):
    gap = document.text.index("\n\n")
    with pytest.raises(store.Invalid, match="white space"):
        store.resize_coding(session, coding=coding, user=user, start=gap, end=gap + 2)


def test_someone_elses_coding_cannot_be_resized_or_recoded(session, project, document, coding):
    other = store.ensure_user(session, name="cara")
    with pytest.raises(store.NotYours):
        store.resize_coding(session, coding=coding, user=other, start=0, end=5)
    with pytest.raises(store.NotYours):
        store.recode_coding(session, coding=coding, user=other,
                            code=store.get_code(session, project_id=project.id, key="focus/social"))
    assert _fresh(session, coding).start == document.text.index("Nobody")


def test_a_recode_refuses_a_retired_code_a_double_and_a_removed_coding(session, project, user, document, coding):
    social = store.get_code(session, project_id=project.id, key="focus/social")
    store.update_code(session, code=social, user=user, retired=True)
    with pytest.raises(store.Invalid, match="retired"):
        store.recode_coding(session, coding=coding, user=user, code=social)
    code_phrase(session, document, user, "Nobody judges you", "safety/ground-rules")
    with pytest.raises(store.Invalid, match="already coded"):
        store.recode_coding(session, coding=coding, user=user,
                            code=store.get_code(session, project_id=project.id, key="safety/ground-rules"))
    store.remove_coding(session, coding=coding, user=user)
    with pytest.raises(store.NotFound):
        store.resize_coding(session, coding=coding, user=user, start=0, end=5)
    kinds = {e.kind for e in session.exec(select(Event).where(Event.project_id == project.id))}
    assert "coding.recoded" not in kinds and "coding.resized" not in kinds
