"""The sentence encoder inside a project: vectors made once, in the background, and read by scoring.

A transcript's sentences (every turn's, so a change of who is an interviewer needs no new vectors) are encoded
by a job (`coding.jobs.work`, kind "encode") after import or when suggestions are first asked for, and kept
as `SentenceVectors` rows, one per block of turns (the blocks of `cache`). The centroid of each code's own
text is kept per content of the codebook as `CodebookVectors`. Scoring uses the encoder's measure only when
both are there (`Semantic`); until then it uses words alone, so a page never waits for the encoder. Suggestion
blocks are keyed by which of the two it had, so they are scored again once the vectors arrive.
"""

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from coding import recent, store
from coding.models import CodebookVectors, Document, SentenceVectors, Turn
from coding.suggest import encoder
from coding.suggest.scoring import CodeEvidence, code_centroids
from coding.text import nlp

_CENTROIDS: recent.Recent[np.ndarray] = recent.Recent(16, of_projects=True)  # (project, vectors row id)
_BLOCKS: recent.Recent[dict] = recent.Recent(256, of_projects=True)  # (project, document, block) -> vectors


@dataclass(frozen=True)
class Semantic:
    """What scoring a transcript under one codebook can read of the encoder: the codes' centroids (by their
    row) and the transcript's stored sentence vectors."""

    project_id: int
    document_id: int
    centroids_id: int

    def centroids(self, session: Session) -> np.ndarray:
        def make() -> np.ndarray:
            row = session.get(CodebookVectors, self.centroids_id)
            return np.frombuffer(row.vectors, dtype=np.float32).reshape(len(row.keys), encoder.DIMENSIONS)
        return _CENTROIDS.made((self.project_id, self.centroids_id), make)

    def vectors(self, session: Session, block: int) -> dict[tuple[int, int], np.ndarray]:
        """The block's sentence vectors by their (start, end) in the transcript."""
        def make() -> dict[tuple[int, int], np.ndarray]:
            row = session.exec(select(SentenceVectors).where(SentenceVectors.document_id == self.document_id,
                                                             SentenceVectors.model == encoder.NAME,
                                                             SentenceVectors.block == block)).first()
            if row is None or not row.spans:
                return {}
            found = np.frombuffer(row.vectors, dtype=np.float16).reshape(len(row.spans), encoder.DIMENSIONS)
            return {(int(a), int(b)): found[n].astype(np.float32) for n, (a, b) in enumerate(row.spans)}
        return _BLOCKS.made((self.project_id, self.document_id, block), make)


def _centroids_row():
    """The id of the codebook centroids kept for a project and codebook content (parameters project_id,
    fingerprint)."""
    return select(CodebookVectors.id).where(CodebookVectors.project_id == bindparam("project_id"),
                                            CodebookVectors.fingerprint == bindparam("fingerprint"),
                                            CodebookVectors.model == encoder.NAME).limit(1)


@store.built
def _state():
    """The codebook's centroid row for this content, and whether the transcript has its vectors."""
    centroids = _centroids_row().scalar_subquery()
    encoded = (select(SentenceVectors.id).where(SentenceVectors.document_id == bindparam("document_id"),
                                                SentenceVectors.model == encoder.NAME)
               .limit(1).scalar_subquery())
    return select(centroids, encoded)


@store.built
def _kept_centroids():
    return _centroids_row()


def state(session: Session, *, document: Document, fingerprint: str) -> tuple[Optional[int], bool]:
    """(the codebook's centroid row or None, whether the transcript's sentences are encoded)."""
    row = store.records(session, _state(), project_id=document.project_id, fingerprint=fingerprint,
                        document_id=document.id)[0]
    return row[0], row[1] is not None


def usable(session: Session, *, document: Document, fingerprint: str) -> Optional[Semantic]:
    """What scoring may read of the encoder for this transcript and codebook, or None (words alone)."""
    if not encoder.enabled():
        return None
    centroids, encoded = state(session, document=document, fingerprint=fingerprint)
    return Semantic(document.project_id, document.id, centroids) if centroids is not None and encoded else None


def sentence_blocks(session: Session, *, document: Document, block: int) -> list[tuple[int, list[list[int]]]]:
    """Each block of `block` turns with the (start, end) of every sentence in its turns."""
    turns = list(session.exec(select(Turn).where(Turn.document_id == document.id).order_by(col(Turn.seq))))
    found = []
    for first in range(0, len(turns), block):
        group = turns[first:first + block]
        lo, hi = group[0].start, group[-1].end
        spans = nlp.sentence_spans(document.text[lo:hi], [(t.start - lo, t.end - lo) for t in group])
        found.append((first // block, [[a + lo, b + lo] for a, b in spans]))
    return found


def encode_codebook(session: Session, *, project_id: int, evidence: Sequence[CodeEvidence], fingerprint: str,
                    model: encoder.Encoder) -> int:
    """Keep the centroids of this codebook content (once); returns their row's id."""
    kept = store.records(session, _kept_centroids(), project_id=project_id, fingerprint=fingerprint)
    if kept:
        return kept[0][0]
    centroids = code_centroids(evidence, model)
    row = CodebookVectors(project_id=project_id, fingerprint=fingerprint, model=encoder.NAME,
                          keys=[item.key for item in evidence], vectors=centroids.astype(np.float32).tobytes())
    session.add(row)
    session.commit()
    return row.id


def encode_document(session: Session, *, document: Document, block: int, model: encoder.Encoder,
                    progress=lambda fraction, message: None) -> int:
    """Encode every sentence of the transcript and keep the vectors, all blocks in one transaction (so that a
    transcript is either wholly encoded or not at all); returns how many sentences."""
    blocks = sentence_blocks(session, document=document, block=block)
    total = sum(len(spans) for _, spans in blocks) or 1
    rows, done = [], 0
    for number, spans in blocks:
        vectors = model.encode([document.text[a:b] for a, b in spans]) if spans else np.zeros((0, encoder.DIMENSIONS))
        rows.append(SentenceVectors(document_id=document.id, model=encoder.NAME, block=number, spans=spans,
                                    vectors=vectors.astype(np.float16).tobytes()))
        done += len(spans)
        progress(0.05 + 0.9 * done / total, f"{done} of {total} sentences read for suggestions")
    session.execute(delete(SentenceVectors).where(col(SentenceVectors.document_id) == document.id,
                                                  col(SentenceVectors.model) == encoder.NAME))
    session.add_all(rows)
    session.commit()
    return done
