"""Suggestions inside a project: which to show a coder, accepting and rejecting, learning in the background.

A suggestion is never stored as a coding by itself: only `accept`, called on a person's action, makes one.
The learned model is plain data in `SuggestionModel` rows, so every worker builds the same scorer.
"""

import math
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from typing import Callable, Optional, Sequence

from sqlalchemy import bindparam, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from coding import recent, store
from coding.codebook import codetree
from coding.db import session_for
from coding.models import Code, Coding, Document, Event, Layer, Project, SuggestionDecision, SuggestionModel, User
from coding.suggest import cache, encoder, semantic
from coding.suggest.scoring import (CONFIDENCE, THRESHOLD, Example, Scorer, confidence, evidence_from_codes,
                                    fingerprint, learn)

RETRAIN_EVERY = 10  # new codings or decisions before the learned model is rebuilt
PANEL = 50  # suggestions listed at once in the document page's panel
_SCORERS: recent.Recent[Scorer] = recent.Recent(16, of_projects=True)  # by scorer key, the project's id first
_EVIDENCE: recent.Recent[tuple[list, str]] = recent.Recent(16)  # by the content of a codebook


@dataclass
class Shown:
    """A suggestion as a coder sees it."""

    start: int
    end: int
    code: Code
    score: float
    matched: list[str]

    @property
    def confidence(self) -> str:
        """The plain word for how likely the code is right: likely, possible or unsure."""
        return confidence(self.score)

    @property
    def title(self) -> str:
        """The hover text: code, confidence, and the words that triggered it."""
        words = ", ".join(self.matched) if self.matched else "the passage as a whole"
        return f"Suggested: {self.code.name} ({self.confidence}) · because of: {words}"


def owner_of_model(project: Project, user: Optional[User]) -> Optional[int]:
    """Whose model a user's suggestions come from: in a blind project each coder learns only from their
    own codings and the consensus (never from other coders'); otherwise the project shares one model."""
    return user.id if project.blind and user is not None else None


@store.built
def _newest(whole: bool, coder: bool):
    """A query for the newest learned model of the project (or of one coder, in a blind project): the whole
    row, or only its version (id and when it was trained) and the signals it was trained on."""
    columns = (SuggestionModel,) if whole else (SuggestionModel.id, SuggestionModel.trained_at,
                                                SuggestionModel.signals_seen)
    query = select(*columns).where(SuggestionModel.project_id == bindparam("project_id"))
    query = query.where(SuggestionModel.user_id == bindparam("user_id") if coder
                        else col(SuggestionModel.user_id).is_(None))
    return query.order_by(col(SuggestionModel.id).desc()).limit(1)


def _model_params(project_id: int, user_id: Optional[int]) -> dict:
    return {"project_id": project_id, **({"user_id": user_id} if user_id is not None else {})}


def latest_model(session: Session, *, project_id: int, user_id: Optional[int] = None) -> Optional[SuggestionModel]:
    """The newest learned model of the project (or of one coder, in a blind project)."""
    return session.exec(_newest(True, user_id is not None), params=_model_params(project_id, user_id)).first()


def _scorer_key(session: Session, *, project_id: int, user: Optional[User],
                codes: Optional[Sequence[Code]] = None, document: Optional[Document] = None) -> tuple:
    """What a scorer is built from: the project, its codebook's suggestion text, the model version, and (for a
    transcript whose sentences the encoder has read) the codebook's centroids."""
    project = store.get_project(session, project_id=project_id)
    codes = codes if codes is not None else store.project_codes(session, project_id=project_id)
    evidence, printed = _evidence(codes)
    owner = owner_of_model(project, user)
    found = store.records(session, _newest(False, owner is not None), **_model_params(project_id, owner))
    model = found[0] if found else None  # its version, not its word tables
    meaning = semantic.usable(session, document=document, fingerprint=printed) if document is not None else None
    key = (project_id, project.created_at, printed, model[0] if model else 0,
           model[1] if model else None, meaning.centroids_id if meaning else 0)
    load = (lambda: session.get(SuggestionModel, model[0])) if model else (lambda: None)
    return key, evidence, load, owner, meaning


def _evidence(codes: Sequence[Code]) -> tuple[list, str]:
    """The codebook's suggestion evidence and its fingerprint, made once per process for each content of the
    codebook."""
    signature = tuple((c.key, c.parent_key, c.name, c.definition, c.profile, tuple(c.patterns or ()),
                       tuple(c.aliases or ()), c.retired) for c in codes)
    def make() -> tuple[list, str]:
        evidence = evidence_from_codes(codes)
        return evidence, fingerprint(evidence)
    return _EVIDENCE.made(signature, make)


def codebook_fingerprint(session: Session, *, project_id: int) -> tuple[list, str]:
    """The project's codebook as suggestion evidence, and its fingerprint."""
    return _evidence(store.project_codes(session, project_id=project_id))


def scorer_for(session: Session, *, project_id: int, user: Optional[User] = None) -> Scorer:
    """The scorer for the project's current codebook and the user's model, built once per process."""
    key, evidence, model, _, _ = _scorer_key(session, project_id=project_id, user=user)
    return _scorer(key, evidence, model)


def _scorer(key: tuple, evidence, model: Callable[[], Optional[SuggestionModel]],
            centroids: Callable[[], Optional[object]] = lambda: None) -> Scorer:
    """The scorer for `key`, built once per process (`model` loads the learned model and `centroids` the
    codebook's, only when needed)."""
    def make() -> Scorer:
        learned = model()
        return Scorer(evidence, learned=learned.bags if learned else {}, centroids=centroids())
    return _SCORERS.made(key, make)


def forget(project_id: int) -> None:
    """Drop all this process keeps of a project (after an erasure: its scorers were built from its text, and
    its suggestions and rendered turns hold words of it), and the codebook evidence it holds (keyed by
    content, not project: all of it goes)."""
    recent.forget(project_id)
    _EVIDENCE.drop()


def set_threshold(session: Session, *, project: Project, user: User, threshold: float) -> Project:
    """Set the calibrated score from which the project's coders are shown a suggestion (from the engine's own
    floor, `scoring.THRESHOLD`, to 0.95), logged as an event."""
    if not (math.isfinite(threshold) and THRESHOLD <= threshold <= 0.95):
        raise store.Invalid(f"the suggestion threshold must be between {THRESHOLD} and 0.95, not {threshold}")
    threshold = round(threshold, 2)
    if project.suggest_threshold != threshold:
        session.add(Event(project_id=project.id, user_id=user.id, kind="project.suggest_threshold",
                          payload={"from": project.suggest_threshold, "to": threshold}))
        project.suggest_threshold = threshold
        session.add(project)
        session.commit()
        session.refresh(project)
    return project


def _readable_layers(session: Session, *, project_id: int, user_id: Optional[int]) -> Optional[set[int]]:
    """The layers a model may learn from: all, or the coder's own and the consensus layer."""
    if user_id is None:
        return None
    layers = session.exec(select(Layer).where(Layer.project_id == project_id)).all()
    return {layer.id for layer in layers if layer.kind == "consensus" or layer.user_id == user_id}


def signal_count(session: Session, *, project_id: int, user_id: Optional[int] = None) -> int:
    """Codings ever made plus suggestion decisions that the (project's or coder's) model may learn from."""
    query = (select(func.count()).select_from(Coding).join(Document, col(Document.id) == Coding.document_id)
             .where(Document.project_id == project_id))
    decisions = select(func.count()).select_from(SuggestionDecision).where(SuggestionDecision.project_id == project_id)
    layers = _readable_layers(session, project_id=project_id, user_id=user_id)
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
        decisions = decisions.where(SuggestionDecision.user_id == user_id)
    return int(session.exec(query).one()) + int(session.exec(decisions).one())


def training_examples(session: Session, *, project_id: int, user_id: Optional[int] = None) -> list[Example]:
    """Live codings' passages with their codes, and rejected suggestions as counter-examples — all of the
    project's, or (a blind coder's model) only the coder's own and the consensus layer's."""
    codes = {c.id: c.key for c in store.project_codes(session, project_id=project_id)}
    texts = {d.id: d.text for d in store.list_documents(session, project_id=project_id)}
    layers = _readable_layers(session, project_id=project_id, user_id=user_id)
    examples = [Example(texts[c.document_id][c.start:c.end], [codes[c.code_id]])
                for c in store.project_coding_records(session, project_id=project_id)
                if layers is None or c.layer_id in layers]
    query = select(SuggestionDecision).where(SuggestionDecision.project_id == project_id,
                                             col(SuggestionDecision.accepted).is_(False))
    if user_id is not None:
        query = query.where(SuggestionDecision.user_id == user_id)
    examples += [Example(texts[d.document_id][d.start:d.end], [codes[d.code_id]], rejected=True)
                 for d in session.exec(query)]
    return examples


def retrain(session: Session, *, project_id: int, user_id: Optional[int] = None) -> SuggestionModel:
    """Learn now from what the model may read, and store the result as a new version."""
    seen = signal_count(session, project_id=project_id, user_id=user_id)
    evidence = evidence_from_codes(store.project_codes(session, project_id=project_id))
    examples = training_examples(session, project_id=project_id, user_id=user_id)
    model = SuggestionModel(project_id=project_id, user_id=user_id, examples=len(examples), signals_seen=seen,
                            bags=learn(evidence, examples))
    session.add(model)
    session.commit()
    session.refresh(model)
    return model


def due_for_training(session: Session, *, project_id: int, user_id: Optional[int] = None) -> bool:
    """True when enough has been coded or decided since the model was last trained (read without the
    model's word tables: this runs after every coding)."""
    found = store.records(session, _newest(False, user_id is not None), **_model_params(project_id, user_id))
    seen = signal_count(session, project_id=project_id, user_id=user_id)
    return seen - (found[0].signals_seen if found else 0) >= RETRAIN_EVERY


def retrain_if_due(engine: Engine, project_id: int, user_id: Optional[int] = None) -> Optional[SuggestionModel]:
    """Background task after a coder's change: retrain the model that change feeds, when due."""
    with session_for(engine) as session:
        project = store.get_project(session, project_id=project_id)
        owner = user_id if project.blind else None
        if due_for_training(session, project_id=project_id, user_id=owner):
            return retrain(session, project_id=project_id, user_id=owner)
    return None


# --- what a coder sees ----------------------------------------------------------------------------

def _decided(session: Session, *, document_id: int, user: User, start: int, end: int) -> set[tuple[int, int, int]]:
    rows = store.records(session, _decisions(), document_id=document_id, user_id=user.id, start=start, end=end)
    return {tuple(row) for row in rows}


@store.built
def _decisions():
    return select(SuggestionDecision.start, SuggestionDecision.end, SuggestionDecision.code_id).where(
        SuggestionDecision.document_id == bindparam("document_id"), SuggestionDecision.user_id == bindparam("user_id"),
        SuggestionDecision.start >= bindparam("start"), SuggestionDecision.end <= bindparam("end"))


def document_suggestions(session: Session, *, document: Document, user: User, start: int = 0,
                         end: Optional[int] = None, limit: Optional[int] = None,
                         codes: Optional[Sequence[Code]] = None) -> list[Shown]:
    """The suggestions this coder has not yet answered, scored at the project's threshold or above, for the
    participants' turns in [start, end), in text order (only the first `limit`, when given: the rest of a long
    transcript is then not even scored). `codes` are the project's codes, when the caller has them already."""
    end = len(document.text) if end is None else end
    turns = store.turn_range(session, document_id=document.id, start=start, end=end)
    if turns is None:
        return []
    lo, hi = turns[0].start, turns[1].end
    codes = list(codes) if codes is not None else store.project_codes(session, project_id=document.project_id)
    by_key = {c.key: c for c in codes}
    top_of = codetree.tops(codes)
    family = {c.id: top_of[c.key] for c in codes}
    scorer_key, evidence, model, owner, meaning = _scorer_key(session, project_id=document.project_id, user=user,
                                                              codes=codes, document=document)
    decided = _decided(session, document_id=document.id, user=user, start=lo, end=hi)
    layer = _own_layer(session, document=document, user=user)
    threshold = store.get_project(session, project_id=document.project_id).suggest_threshold
    shown: list[Shown] = []
    centroids = (lambda: meaning.centroids(session)) if meaning else (lambda: None)
    for units in cache.blocks(session, document=document, owner_id=owner,
                              key=cache.key_for(document, scorer_key),
                              scorer=lambda: _scorer(scorer_key, evidence, model, centroids),
                              first=turns[0].seq, last=turns[1].seq + 1,
                              vectors=(lambda block: meaning.vectors(session, block)) if meaning else None):
        open_ = [(begin, stop, by_key[key], score, matched) for begin, stop, key, score, matched in units
                 if key in by_key and score >= threshold and lo <= begin and stop <= hi
                 and (begin, stop, by_key[key].id) not in decided]
        if not open_:
            continue
        # the coder's own codings that could hide one of these: over their stretch, in their codes' families
        families = {family[code.id] for _, _, code, _, _ in open_}
        mine = _Coded(store.coding_spans(session, document_id=document.id, start=min(u[0] for u in open_),
                                         end=max(u[1] for u in open_), layers={layer},
                                         code_ids={c.id for c in codes if family[c.id] in families})
                      if layer is not None else [], family)
        for begin, stop, code, score, matched in open_:
            if mine.overlaps(code.key, begin, stop):
                continue
            shown.append(Shown(begin, stop, code, score, matched))
            if limit is not None and len(shown) >= limit:
                return shown
    return shown


def encoder_reading(session: Session, *, document: Document, codes: Optional[Sequence[Code]] = None) -> bool:
    """True while the optional sentence encoder has yet to read this transcript (or its codebook as it now
    is): its suggestions come from words alone until then."""
    if not encoder.enabled():
        return False
    _, printed = _evidence(codes if codes is not None else store.project_codes(session, project_id=document.project_id))
    return semantic.usable(session, document=document, fingerprint=printed) is None


def _own_layer(session: Session, *, document: Document, user: User) -> Optional[int]:
    """The id of the coder's own layer in the transcript's project, if they have one."""
    found = store.records(session, _coder_layer(), project_id=document.project_id, user_id=user.id)
    return found[0][0] if found else None


@store.built
def _coder_layer():
    return select(Layer.id).where(Layer.project_id == bindparam("project_id"), Layer.kind == "coder",
                                  Layer.user_id == bindparam("user_id"))


class _Coded:
    """A coder's own codings over a stretch, by top-level code key, asked whether a span overlaps one of them."""

    def __init__(self, spans: Sequence[tuple[int, int, int]], family: dict[int, str]):
        by_key: dict[str, list[tuple[int, int]]] = {}
        for start, end, code_id in spans:
            by_key.setdefault(family[code_id], []).append((start, end))
        self._index = {}  # key -> (starts in order, the furthest end among the codings up to each)
        for key, found in by_key.items():
            found.sort()
            self._index[key] = ([start for start, _ in found], list(accumulate((end for _, end in found), max)))

    def overlaps(self, key: str, start: int, end: int) -> bool:
        starts, reach = self._index.get(key, ((), ()))
        before = bisect_left(starts, end)  # the codings that start before the span ends
        return before > 0 and reach[before - 1] > start


def _decide(session: Session, *, document: Document, user: User, code: Code, start: int, end: int,
            score: float, coding: Optional[Coding]) -> SuggestionDecision:
    decision = SuggestionDecision(project_id=document.project_id, document_id=document.id, user_id=user.id,
                                  code_id=code.id, start=start, end=end, score=score, accepted=coding is not None,
                                  coding_id=coding.id if coding else None)
    session.add(decision)
    session.add(Event(project_id=document.project_id, user_id=user.id, document_id=document.id,
                      kind="suggestion.accepted" if coding else "suggestion.rejected",
                      payload={"code": code.key, "start": start, "end": end, "score": score,
                               "coding": coding.id if coding else None}))
    session.commit()
    session.refresh(decision)
    return decision


def _finite(score: float) -> None:
    if not math.isfinite(score):
        raise store.Invalid(f"a suggestion's score must be a finite number, not {score}")


def accept(session: Session, *, document: Document, user: User, code_key: str, start: int, end: int,
           score: float = 0.0) -> Coding:
    """A person accepts a suggestion: a coding in their own layer, marked as from a suggestion."""
    _finite(score)
    code = store.get_code(session, project_id=document.project_id, key=code_key)
    coding = store.add_coding(session, document=document, code=code, user=user, start=start, end=end,
                              origin="suggestion")
    _decide(session, document=document, user=user, code=code, start=start, end=end, score=score, coding=coding)
    return coding


def reject(session: Session, *, document: Document, user: User, code_key: str, start: int, end: int,
           score: float = 0.0) -> SuggestionDecision:
    """A person rejects a suggestion: recorded, never shown to them again, and learned from."""
    _finite(score)
    code = store.get_code(session, project_id=document.project_id, key=code_key)
    if not (0 <= start < end <= len(document.text)):
        raise store.Invalid(f"the span {start}–{end} is not inside the document")
    return _decide(session, document=document, user=user, code=code, start=start, end=end, score=score, coding=None)


@dataclass
class CodeAcceptance:
    """How a code's suggestions fared."""

    code: Code
    accepted: int
    rejected: int

    @property
    def rate(self) -> Optional[float]:
        """Share accepted of those answered, or None before any answer."""
        answered = self.accepted + self.rejected
        return self.accepted / answered if answered else None


@dataclass
class BandAcceptance:
    """How the suggestions shown with one confidence word fared: the team's own check of the calibration."""

    word: str
    low: float
    high: float
    accepted: int
    rejected: int
    mean_score: Optional[float]

    @property
    def rate(self) -> Optional[float]:
        """Share accepted of those answered, or None before any answer."""
        answered = self.accepted + self.rejected
        return self.accepted / answered if answered else None


def acceptance_by_confidence(session: Session, *, project_id: int) -> list[BandAcceptance]:
    """For each confidence word, the answered suggestions shown with it: accepted, rejected, their mean score."""
    rows = session.exec(select(SuggestionDecision.score, SuggestionDecision.accepted)
                        .where(SuggestionDecision.project_id == project_id)).all()
    by_word: dict[str, list[tuple[float, bool]]] = {word: [] for _, word in CONFIDENCE}
    for score, accepted in rows:
        if 0.0 <= score <= 1.0:  # a score sent through the API may be any number; only those shown count
            by_word[confidence(score)].append((score, accepted))
    highs = [1.0] + [low for low, _ in CONFIDENCE[:-1]]
    return [BandAcceptance(word, low, high, sum(1 for _, a in by_word[word] if a),
                           sum(1 for _, a in by_word[word] if not a),
                           sum(s for s, _ in by_word[word]) / len(by_word[word]) if by_word[word] else None)
            for (low, word), high in zip(CONFIDENCE, highs)]


def acceptance(session: Session, *, project_id: int) -> list[CodeAcceptance]:
    """Per top-level code, how often coders accepted and rejected its suggestions."""
    codes = [c for c in store.project_codes(session, project_id=project_id) if c.parent_key is None]
    counts = {(code_id, accepted): n for code_id, accepted, n in session.exec(
        select(SuggestionDecision.code_id, SuggestionDecision.accepted, func.count())
        .where(SuggestionDecision.project_id == project_id)
        .group_by(SuggestionDecision.code_id, SuggestionDecision.accepted))}
    return [CodeAcceptance(c, counts.get((c.id, True), 0), counts.get((c.id, False), 0)) for c in codes]
