"""The optional sentence encoder: its files are the ones measured, transcripts are read once in the background and
kept, suggestions use it only when the vectors are there, erasure takes the vectors too, and without it nothing
changes."""

import shutil
import threading

import numpy as np
import pytest
from sqlmodel import func, select

from coding import erasure, store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.jobs import work
from coding.models import CodebookVectors, Job, SentenceVectors
from coding.suggest import encoder, review, semantic
from coding.suggest.scoring import Scorer, evidence_from_framework
from coding.text.transcripts import read_transcript

pytestmark = pytest.mark.skipif(not encoder.available(), reason="the semantic extra is not installed")

EVIDENCE = evidence_from_framework(get_framework("side-by-side"))
TEXT = ("Interviewer: What was it like?\n\n"
        "PV8: We agreed ground rules at the very start, so what is said in the room stays in the room.\n\n"
        "Interviewer: And the others?\n\n"
        "PV8: They had been through the same things as me, so they understood without me explaining.\n\n"
        "PV8: Mostly we do gardening and cooking together, and then a cup of tea.\n")


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setenv("PEERFRAME_SEMANTIC", "on")


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def settled(client, url: str) -> None:
    """Open a page, then wait for the jobs it queued: run inline on SQLite in memory, by a thread otherwise."""
    assert client.get(url).status_code == 200
    for thread in threading.enumerate():
        if thread.name.startswith("peerframe-job-"):
            thread.join(120)


def test_sentence_vectors_are_unit_length_and_close_for_close_meanings():
    model = encoder.load()
    vectors = model.encode(["I felt safe in the group.", "The group felt like a safe place to me.",
                            "The train was cancelled this morning.", ""])
    assert vectors.shape == (4, encoder.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    batch = model.encode(["a few words", "a much longer sentence with many more words in it than the first"])
    alone = model.encode(["a few words"])
    assert np.allclose(batch[0], alone[0], atol=1e-4)  # padding a batch does not change a sentence's vector


def test_an_encoder_file_that_is_not_the_one_measured_is_refused(tmp_path, monkeypatch):
    model, tokenizer = encoder.files()
    shutil.copy(tokenizer, tmp_path / "tokenizer.json")
    (tmp_path / "model.onnx").write_bytes(model.read_bytes()[:-16] + b"\0" * 16)
    with pytest.raises(encoder.EncoderUnavailable, match="sha256"):
        encoder.Encoder(tmp_path / "model.onnx", tmp_path / "tokenizer.json")
    monkeypatch.setenv("PEERFRAME_ENCODER", str(tmp_path / "nothing here"))
    assert not encoder.available() and not encoder.enabled()


def test_the_encoder_sharpens_the_ranking_and_never_lets_small_talk_through():
    words, blended = Scorer(EVIDENCE), Scorer(EVIDENCE, encoder=encoder.load())
    text = "They had been through the same things as me, so they understood without me explaining."
    assert blended.rank(text)[0].code == "experience-in-common"
    for line in ("Can you hear me okay?", "The kettle was broken.", "We had biscuits."):
        assert blended.suggested(blended.rank(line)) == words.suggested(words.rank(line)) == []
    stored = {(u.start, u.end): v for u, v in zip(words.units(text, [(0, len(text))]),
                                                 encoder.load().encode([text]))}
    from_store = Scorer(EVIDENCE, centroids=blended.centroids).units(text, [(0, len(text))], stored)
    assert [(u.code, u.score) for u in from_store] == [(u.code, u.score) for u in
                                                       blended.units(text, [(0, len(text))])]


def test_a_transcript_is_read_once_in_the_background_then_its_suggestions_use_the_vectors(client, on, session,
                                                                                          project, user):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv8.txt", TEXT.encode()))
    before = [(s.code.key, s.start, s.score) for s in review.document_suggestions(session, document=document,
                                                                                   user=user)]
    assert before and count(session, SentenceVectors) == 0
    settled(client, f"/documents/{document.id}/suggestions")  # the job is queued after the answer
    session.expire_all()
    jobs = session.exec(select(Job).where(Job.kind == work.ENCODE)).all()
    assert [j.status for j in jobs] == ["done"], [j.message for j in jobs]
    rows = session.exec(select(SentenceVectors).where(SentenceVectors.document_id == document.id)).all()
    spans = [tuple(span) for row in rows for span in row.spans]
    assert (document.text.index("They had"), document.text.index("explaining.") + len("explaining.")) in spans
    assert count(session, CodebookVectors) == 1
    after = [(s.code.key, s.start, s.score) for s in review.document_suggestions(session, document=document,
                                                                                  user=user)]
    assert after != before  # scored again with the encoder's measure
    assert {key for key, _, _ in after} <= {c.id for c in get_framework("side-by-side").codes}
    settled(client, f"/documents/{document.id}/suggestions")
    session.expire_all()
    assert count(session, Job) == 1  # read once
    code = store.get_code(session, project_id=project.id, key="safety")
    store.update_code(session, code=code, user=user,
                      definition="Feeling safe: ground rules, confidentiality, trust in the room.")
    settled(client, f"/documents/{document.id}/suggestions")
    session.expire_all()
    assert count(session, CodebookVectors) == 2 and count(session, SentenceVectors) == len(rows)  # codebook only


def test_a_retrained_model_scores_again_from_the_stored_vectors_without_the_encoder(client, on, session, project,
                                                                                     user, monkeypatch):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv8.txt", TEXT.encode()))
    settled(client, f"/documents/{document.id}/suggestions")
    session.expire_all()
    encoded = [(s.code.key, s.start, s.score) for s in review.document_suggestions(session, document=document,
                                                                                    user=user)]

    def refuse():
        raise AssertionError("scoring loaded the encoder")

    monkeypatch.setattr(encoder, "load", refuse)
    start = document.text.index("Mostly")
    store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key="focus"),
                     user=user, start=start, end=start + 30)
    review.retrain(session, project_id=project.id)
    again = [(s.code.key, s.start, s.score) for s in review.document_suggestions(session, document=document,
                                                                                  user=user)]
    assert again and again != encoded  # scored again under the new model, from the kept vectors
    assert count(session, Job) == 1
    monkeypatch.setenv("PEERFRAME_SEMANTIC", "off")
    words = [(s.code.key, s.start, s.score) for s in review.document_suggestions(session, document=document,
                                                                                  user=user)]
    assert words != again  # the encoder's measure is in the scores, not words alone


def test_the_vectors_are_written_all_at_once_or_not_at_all(session, project, user, monkeypatch):
    text = "".join(f"PV{n}: I felt safe because the group kept its ground rules, week {n}.\n\n" for n in range(200))
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("long.txt", text.encode()))
    model = encoder.load()
    calls = []

    def failing(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            raise RuntimeError("the machine ran out of memory")
        return encoder.Encoder.encode(model, texts)

    monkeypatch.setattr(model, "encode", failing)
    with pytest.raises(RuntimeError):
        semantic.encode_document(session, document=document, block=64, model=model)
    session.rollback()
    assert count(session, SentenceVectors) == 0


def test_erasing_a_transcript_or_project_erases_its_vectors(client, on, session, project, user, tmp_path):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv8.txt", TEXT.encode()))
    settled(client, f"/documents/{document.id}/suggestions")
    session.expire_all()
    assert count(session, SentenceVectors) > 0
    erasure.erase_document(session, document=document, user=user, confirm=document.name, media=tmp_path)
    assert count(session, SentenceVectors) == 0
    erasure.erase_project(session, project=project, user=user, confirm=project.name, media=tmp_path)
    assert count(session, CodebookVectors) == 0


def test_with_the_encoder_off_no_job_is_started_and_words_alone_suggest(app, client, session, project, user):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv8.txt", TEXT.encode()))
    with session_for(app.state.engine) as other:
        assert work.encode(app.state.jobs, other, document=document, user=user) is None
    assert client.get(f"/documents/{document.id}/suggestions").status_code == 200
    session.expire_all()
    assert count(session, Job) == 0 and count(session, SentenceVectors) == 0


def test_the_panel_says_while_the_encoder_is_still_reading_the_transcript(app, client, on, session, project, user,
                                                                          monkeypatch):
    from coding.jobs import runner

    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("pv8.txt", TEXT.encode()))
    held = []
    monkeypatch.setattr(runner.Runner, "start", lambda self, *args, **kwargs: held.append(kwargs))  # queue, never run
    page = client.get(f"/documents/{document.id}").text
    assert 'id="suggestions-reading"' in page and "Suggested:" in page  # words alone meanwhile
    assert held and held[0]["kind"] == work.ENCODE
    monkeypatch.undo()
    monkeypatch.setenv("PEERFRAME_SEMANTIC", "on")
    settled(client, f"/documents/{document.id}/suggestions")
    assert 'id="suggestions-reading"' not in client.get(f"/documents/{document.id}").text
