"""Suggestions are scored once per transcript block and model version, kept in the database, and never stale:
answers and codings are taken out on every view, and a new model, codebook or interviewer choice re-scores."""

import pytest
from sqlmodel import func, select

from coding import store
from coding.models import SuggestionCache
from coding.suggest import review
from coding.suggest.scoring import Scorer
from coding.text.transcripts import read_transcript
from tests.test_suggestions import RULES, TEXT


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv5.txt", TEXT.encode()))


@pytest.fixture
def scored(monkeypatch):
    """How many times a transcript's text was scored."""
    calls = []
    original = Scorer.units

    def counting(self, text, spans, vectors=None):
        calls.append(text)
        return original(self, text, spans, vectors)

    monkeypatch.setattr(Scorer, "units", counting)
    return calls


def shown(session, document, user):
    return [(s.code.key, document.text[s.start:s.end]) for s in
            review.document_suggestions(session, document=document, user=user)]


def test_page_views_after_the_first_read_the_kept_suggestions(client, session, document, user, scored):
    for _ in range(3):
        assert "Suggested: Safety" in client.get(f"/documents/{document.id}").text
    assert len(scored) == 1
    assert session.exec(select(func.count()).select_from(SuggestionCache)).one() == 1


def test_an_answer_or_a_coding_takes_a_suggestion_out_without_scoring_again(session, project, document, user, scored):
    assert [k for k, _ in shown(session, document, user)] == ["safety", "focus"]
    start = document.text.index(RULES)
    review.reject(session, document=document, user=user, code_key="safety", start=start, end=start + len(RULES))
    assert [k for k, _ in shown(session, document, user)] == ["focus"]
    at = document.text.index("Mostly gardening")
    store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key="focus"),
                     user=user, start=at, end=at + 16)
    assert shown(session, document, user) == []
    assert len(scored) == 1


def test_a_new_model_or_interviewer_choice_scores_again_and_drops_the_old_rows(session, project, document, user,
                                                                                scored):
    shown(session, document, user)
    review.retrain(session, project_id=project.id, user_id=user.id)  # a blind project: the coder's own model
    shown(session, document, user)
    assert len(scored) == 2
    store.set_interviewers(session, document=document, user=user, speakers=[])
    assert ("safety", "We agreed ground rules at the start, so I felt safe.") in shown(session, document, user)
    assert len(scored) == 3
    assert session.exec(select(func.count()).select_from(SuggestionCache)).one() == 1


def test_a_codebook_change_scores_again(session, project, document, user, scored):
    shown(session, document, user)
    code = store.get_code(session, project_id=project.id, key="focus")
    store.update_code(session, code=code, user=user, definition=code.definition + " Gardening and allotments.")
    shown(session, document, user)
    assert len(scored) == 2


def test_a_limited_list_scores_only_as_far_as_it_needs(session, project, user, scored):
    turns = "\n\n".join(f"PV5: We agreed ground rules at the very start of week {i}, so what is said stays in the room."
                        for i in range(200))
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("long.txt", turns.encode()))
    assert len(review.document_suggestions(session, document=document, user=user, limit=5)) == 5
    assert len(scored) == 1  # one block of turns, not the whole transcript
    assert len(review.document_suggestions(session, document=document, user=user)) == 200
    assert len(scored) == 4
