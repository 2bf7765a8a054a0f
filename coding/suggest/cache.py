"""Suggestions computed once per block of a transcript's turns and scorer, kept in the database so every
worker reads the same ones; what a coder has answered or coded is taken out afterwards, on each view.

A block's row is keyed by everything its suggestions depend on — the transcript (its text and turns never
change), which speakers are interviewers, the codebook's suggestion text, the model version and the version of the
scoring itself (`scoring.SCORING`) — so a row
is never stale: a change to any of them makes a new key, and the old rows of that model are dropped. For the
same reason each process keeps the blocks it has read lately, as read, so a page view does not decode them again
(an erasure drops a project's: `coding.recent.forget`).
"""

import hashlib
from typing import Callable, Iterator, Optional

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from coding import store
from coding.models import Document, SuggestionCache, utcnow
from coding.recent import Recent, of_document
from coding.suggest.scoring import SCORING, Scorer

BLOCK = 64   # turns scored together and kept as one row
BATCH = 16   # blocks read in one query
# (recent.of_document, key, block) -> the block's suggestions
_READ: Recent[list[list]] = Recent(1024, of_projects=True)


def key_for(document: Document, scorer_key: tuple) -> str:
    """The cache key of a transcript's suggestions under one scorer."""
    parts = (scorer_key, sorted(document.interviewer_speakers), BLOCK, SCORING)
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def _score(session: Session, *, document: Document, block: int, scorer: Scorer,
           vectors: Optional[dict[tuple[int, int], object]] = None) -> list[list]:
    turns = [t for t in store.turns_in(session, document_id=document.id, first=block * BLOCK,
                                       last=(block + 1) * BLOCK) if t.speaker not in document.interviewer_speakers]
    if not turns:
        return []
    lo, hi = turns[0].start, turns[-1].end  # tokenise only the block's stretch of text
    near = {(a - lo, b - lo): v for (a, b), v in vectors.items()} if vectors is not None else None
    return [[u.start + lo, u.end + lo, u.code, u.score, u.matched]
            for u in scorer.units(document.text[lo:hi], [(t.start - lo, t.end - lo) for t in turns], near)]


def _keep(session: Session, *, document: Document, owner_id: Optional[int], key: str, block: int,
          units: list[list]) -> None:
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(delete(SuggestionCache).where(SuggestionCache.document_id == document.id,
                                                  SuggestionCache.scorer_key != key,
                                                  (SuggestionCache.owner_id == owner_id) if owner_id is not None
                                                  else col(SuggestionCache.owner_id).is_(None)))
    session.execute(insert(SuggestionCache).values(document_id=document.id, owner_id=owner_id, scorer_key=key,
                                                   block=block, units=units, created_at=utcnow())
                    .on_conflict_do_nothing())
    session.commit()


@store.built
def _kept():
    return select(SuggestionCache.block, SuggestionCache.units).where(
        SuggestionCache.document_id == bindparam("document_id"), SuggestionCache.scorer_key == bindparam("key"),
        col(SuggestionCache.block).in_(bindparam("blocks", expanding=True)))


def blocks(session: Session, *, document: Document, owner_id: Optional[int], key: str,
           scorer: Callable[[], Scorer], first: int, last: int,
           vectors: Optional[Callable[[int], dict]] = None) -> Iterator[list[list]]:
    """The suggestions ([start, end, code key, score, matched words]) of each block holding turns
    [first, last), in text order; a block is scored (and kept) only when it is reached and not kept yet
    (with its stored sentence vectors, when `vectors` reads them)."""
    wanted = list(range(first // BLOCK, (last - 1) // BLOCK + 1)) if last > first else []
    transcript = (*of_document(document), key)
    read = {block: _READ.get((*transcript, block)) for block in wanted}
    for at in range(0, len(wanted), BATCH):
        batch = wanted[at:at + BATCH]
        missing = [block for block in batch if read[block] is None]
        kept = {block: units for block, units in store.records(session, _kept(), document_id=document.id,
                                                                key=key, blocks=missing)} if missing else {}
        for block in batch:
            units = read[block]
            if units is None:
                units = kept.get(block)
                if units is None:
                    units = _score(session, document=document, block=block, scorer=scorer(),
                                   vectors=vectors(block) if vectors else None)
                    _keep(session, document=document, owner_id=owner_id, key=key, block=block, units=units)
                _READ.put((*transcript, block), units)
            yield units
