"""The document page keeps each turn's rendering, and its suggestions panel's, for as long as nothing they show
changes: whatever a reader changes shows on the next view, and nothing of an erased transcript is kept."""

import codecs

import pytest

from coding import erasure, recent, store
from coding.codebook.palette import line
from coding.text.transcripts import read_transcript
from coding.workspace.rendering import document_page, turn_views
from tests.builders import code_phrase, txt_bytes
from tests.test_stripes_page import _labels, _turn

TURNS = [("Interviewer", "What made the group feel safe?"),
         ("PV44", "Nobody judges you there. What is said in the room stays in the room, and we wrote that together."),
         ("Interviewer", "Anything else?")]
# another interview whose turns have the very speakers and lengths of TURNS, so its turns lie where theirs did
OTHER = [(speaker, codecs.encode(words, "rot13")) for speaker, words in TURNS]


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes(TURNS)))


def _page(client, document) -> str:
    answer = client.get(f"/documents/{document.id}")
    assert answer.status_code == 200
    return answer.text


def test_a_turn_seen_before_shows_each_change_to_its_codings_and_codes(client, session, document, user):
    coding = code_phrase(session, document, user, "stays in the room", "safety/confidentiality")
    assert _labels(_turn(_page(client, document), "Nobody judges")) == ["Confidentiality"]
    code = store.get_code(session, project_id=document.project_id, key="safety/confidentiality")

    store.update_code(session, code=code, user=user, name="Keeping it in the room")
    turn = _turn(_page(client, document), "Nobody judges")
    assert _labels(turn) == ["Keeping it in the room"] and "Confidentiality" not in turn

    assert line("#1b7f3a") not in _turn(_page(client, document), "Nobody judges")
    store.update_code(session, code=code, user=user, colour="#1b7f3a")
    assert line("#1b7f3a") in _turn(_page(client, document), "Nobody judges")

    store.set_memo(session, coding=coding, user=user, memo="said twice in the interview")
    turn = _turn(_page(client, document), "Nobody judges")
    assert 'class="memo-mark"' in turn and "said twice in the interview" in turn

    code_phrase(session, document, user, "Nobody judges you", "freedom-to-be-oneself/non-judgemental")
    assert len(_labels(_turn(_page(client, document), "Nobody judges"))) == 2

    store.remove_coding(session, coding=store.get_coding(session, coding_id=coding.id), user=user)
    turn = _turn(_page(client, document), "Nobody judges")
    assert _labels(turn) == ["Non-judgemental attitude and respect for differences"]
    assert "said twice in the interview" not in turn


def test_a_transcript_imported_after_an_erasure_under_the_same_id_shows_its_own_words(client, session, project,
                                                                                     document, user, tmp_path,
                                                                                     monkeypatch):
    user.preferences = {**(user.preferences or {}), "suggestions": False}  # so nothing but the words differs
    session.add(user)
    session.commit()
    assert "stays in the room" in _page(client, document)
    # as in a second server process, which the erasing one cannot tell to drop what it keeps
    monkeypatch.setattr(recent, "forget", lambda project_id: None)
    erasure.erase_document(session, document=document, user=user, confirm=document.name, media=tmp_path)
    after = store.import_document(session, project_id=project.id, user=user,
                                  transcript=read_transcript("pv52.txt", txt_bytes(OTHER)))
    page = _page(client, after)  # SQLite gives it the erased one's id again; PostgreSQL a new one
    assert codecs.encode("Nobody judges you there.", "rot13") in page
    assert "stays in the room" not in page and "Nobody judges" not in page


def test_an_erasure_leaves_nothing_of_the_project_kept_in_the_process(client, session, project, document, user,
                                                                       tmp_path):
    code_phrase(session, document, user, "stays in the room", "safety/confidentiality")
    _page(client, document)
    kept = [key for store_ in list(recent._OF_PROJECTS) for key in store_._values if key[0] == project.id]
    assert kept, "the page keeps its turns, panel and suggestions of the project"
    erasure.erase_document(session, document=document, user=user, confirm=document.name, media=tmp_path)
    assert not [key for store_ in list(recent._OF_PROJECTS) for key in store_._values if key[0] == project.id]


def test_the_turn_key_covers_what_a_lead_sees_of_whose_coding_it_is(session, document, user):
    """Two views of one turn differ in their keys when the owner names shown differ."""
    code_phrase(session, document, user, "stays in the room", "safety/confidentiality")
    page = document_page(session, document=document, user=user)
    coded = next(t for t in page.turns if t.turn.speaker == "PV44")
    codings = store.codings_overlapping(session, document_id=document.id, start=coded.turn.start,
                                        end=coded.turn.end)
    codes = {c.id: c for c in store.project_codes(session, project_id=document.project_id)}
    named = turn_views(document, [coded.turn], codings, codes, owners={codings[0].layer_id: "Cara Jones"})[0]
    assert named.key != turn_views(document, [coded.turn], codings, codes)[0].key
    assert any("Cara Jones" in run.title for run in named.runs)
