"""Code suggestions: explainable keyword evidence from the codebook, sharpened by the team's own coding.

Each top-level code has a bag of lemmas drawn from its codebook text (name, definition, profile, the
keyword patterns, and the same of its sub-codes). Coded examples add their lemmas to their code's bag
(and rejected suggestions take theirs away), so the model learns the team's vocabulary without ever
forgetting the framework's. A passage is scored against every code by two linear measures over its
lemmas — TF-IDF similarity and a smoothed language-model likelihood against general English — each
standardised across codes, blended, and turned into probabilities. Matches of the codebook's keyword
phrases are what a person is shown as the reason.

Ranking and suggesting are kept apart. Every code is ranked; a code is *suggested* only when the passage
holds two pieces of evidence of its meaning — distinct words that the code's own text (or the team's
examples of it) uses more than once and general English uses far less, or the code's keyword phrases — and
the passage is not small talk or talk about the interview itself (`smalltalk`). Scores are calibrated probabilities (Platt scaling fitted
by cross-validation on labelled quotes: `bench/suggest_eval.py --fit`), so a shown 0.6 is right about six
times in ten; `confidence` turns one into the plain word a coder sees.
"""

from __future__ import annotations

import functools
import hashlib
from bisect import bisect_left
from pathlib import Path
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

import numpy as np

from coding.codebook import codetree
from coding.codebook.frameworks import Framework
from coding.suggest import smalltalk
from coding.text import nlp

if TYPE_CHECKING:  # spaCy is imported when a codebook is first scored against (coding.text.nlp says why)
    from spacy.tokens import Doc

ALPHA = 0.5            # weight of an example's words against the framework's own
REJECT = 0.5           # share of ALPHA taken away by a rejected suggestion
LM_WEIGHT = 0.5        # blend of the language-model measure with TF-IDF similarity
SMOOTHING = 0.1        # weight of a code's own word distribution against general English
PATTERN_WEIGHT = 0.2   # weight of keyword-phrase matches, standardised like the other two measures
TEMPERATURE = 0.8      # softness of the probabilities made from blended scores
MIN_STRENGTH = 3.0     # log-likelihood ratio (nats) against general English a suggestion needs
# what counts as evidence of a code: a word at least e^0.5 times likelier under the code than in general
# English, that the code's text and examples use at least 1.5 times (so not a noun its text names once)
EVIDENCE_RATIO = 0.5
EVIDENCE_COUNT = 1.5
MIN_EVIDENCE = 2       # distinct evidence words a suggestion needs
MIN_CONTENT = 2        # content words a passage needs before anything is suggested for it
# everyday talk (everyday.txt): a code's words must speak for it by more than this many nats beyond what they
# speak for everyday talk, whose own word distribution weighs this much against general English
EVERYDAY_MARGIN = 0.0
EVERYDAY_SMOOTHING = 0.1
EVERYDAY = Path(__file__).with_name("everyday.txt")
CALIBRATION = (0.69, -0.52)  # Platt scaling of the blended probability: bench/suggest_eval.py --fit
# with the sentence encoder (coding.suggest.encoder): the weight of a passage's closeness to each code's
# own text against the words' measures, and the calibration of that blend (bench/suggest_eval.py --fit)
SEMANTIC_WEIGHT = 1.0
CALIBRATION_SEMANTIC = (0.48, -0.76)
THRESHOLD = 0.10       # calibrated probability at which a code is suggested (a project's default)
MAX_SHOWN = 2          # suggestions for one passage (one turn, on the page)
# the confidence words a coder sees, from the calibrated probability
CONFIDENCE = ((0.5, "likely"), (0.25, "possible"), (0.0, "unsure"))
SCORING = 2            # version of how suggestions are made: kept suggestions of another version are stale


_ARTICLES = frozenset({"a", "an", "the"})


@dataclass(frozen=True)
class CodeEvidence:
    """What the codebook says about one top-level code."""

    key: str
    name: str
    text: str
    patterns: tuple[str, ...]
    names: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # the keys of the code and every code under it
    passages: tuple[str, ...] = ()  # each member's name and definition, and each profile: what the encoder reads


@dataclass
class Example:
    """A passage a person coded (or rejected a suggestion for), as training signal."""

    text: str
    codes: list[str]
    rejected: bool = False


@dataclass
class Ranked:
    """One code's score for a passage, with the words that triggered it."""

    code: str
    score: float
    matched: list[str] = field(default_factory=list)
    strong: bool = False
    evidence: int = 0  # distinct words of the passage that are evidence of the code's meaning


def evidence_from_framework(framework: Framework) -> list[CodeEvidence]:
    """One evidence record per top-level code of a framework (the same as a fresh project's codebook)."""
    return evidence_from_codes([
        SimpleNamespace(key=c.id, parent_key=c.parent, name=c.name, definition=c.definition, profile=c.profile,
                        patterns=c.patterns, aliases=c.aliases, retired=False)
        for c in framework.walk()])


def evidence_from_codes(codes: Sequence) -> list[CodeEvidence]:
    """One evidence record per live top-level code of a codebook (rows with key, name, definition, ...).

    A code's names are its key, name and aliases, then its sub-codes' names: labelled examples may name
    a sub-theme (such as "Shared cultural background") for its top-level code.
    """
    tops = [c for c in codes if c.parent_key is None and not c.retired]
    top_of = codetree.tops(codes)
    found = []
    for top in tops:
        family = [c for c in codes if not c.retired and top_of[c.key] == top.key]
        text = " ".join(f"{c.name} {c.definition} {c.profile or ''}" for c in family)
        patterns = tuple(dict.fromkeys(p for c in family for p in (c.patterns or [])))
        names = (top.key, top.name, *(top.aliases or []),
                 *(n for c in family if c is not top for n in (c.name, *(c.aliases or []))))
        passages = tuple(p for c in family for p in (f"{c.name}. {c.definition}", c.profile) if p and p.strip())
        found.append(CodeEvidence(top.key, top.name, text, patterns, names, tuple(c.key for c in family), passages))
    return found


def learn(evidence: Sequence[CodeEvidence], examples: Iterable[Example]) -> dict[str, dict[str, float]]:
    """What examples add to (or, rejected, take from) each top-level code's words: the learned model.

    Plain data (JSON-ready), so a project's model can be stored and shared by every server worker.
    """
    known = {item.key for item in evidence}
    learned: dict[str, Counter] = {}
    count = 0
    for example in examples:
        targets = {top_for(evidence, code) for code in example.codes} & known
        if not targets:
            continue
        count += 1
        weight = -REJECT * ALPHA if example.rejected else ALPHA
        words = Counter(nlp.content_lemmas(example.text))
        for target in targets:
            bag = learned.setdefault(target, Counter())
            for term, n in words.items():
                bag[term] += weight * n
    result: dict[str, dict[str, float]] = {key: dict(bag) for key, bag in learned.items()}
    result["__examples__"] = {"count": count}
    return result


def top_for(evidence: Sequence[CodeEvidence], key: str) -> str:
    """The top-level code a code lies under in this codebook (by its tree, so a moved code counts where it is now)."""
    for item in evidence:
        if key in item.members:
            return item.key
    return top_level(key)


def top_level(key: str) -> str:
    """The top-level code a code belongs to (`safety/confidentiality` → `safety`)."""
    return key.split("/", 1)[0]


def fingerprint(evidence: Sequence[CodeEvidence]) -> str:
    """A short hash that changes whenever the codebook text behind suggestions changes."""
    digest = hashlib.sha256()
    for item in evidence:
        digest.update(repr((item.key, item.text, item.patterns)).encode("utf-8"))
    return digest.hexdigest()[:16]


def calibrated(probability, semantic: bool = False):
    """The calibrated probability (a number or an array) for the engine's blended probability."""
    a, b = CALIBRATION_SEMANTIC if semantic else CALIBRATION
    p = np.clip(probability, 1e-6, 1 - 1e-6)
    return 1 / (1 + np.exp(-(a * np.log(p / (1 - p)) + b)))


def confidence(score: float) -> str:
    """The plain word for a calibrated score: likely, possible or unsure."""
    return next(word for floor, word in CONFIDENCE if score >= floor)


def _standardise(scores: np.ndarray) -> np.ndarray:
    mean = scores.mean(axis=-1, keepdims=True)
    spread = scores.std(axis=-1, keepdims=True)
    return (scores - mean) / np.where(spread > 0, spread, 1.0)


class Scorer:
    """Scores passages against the top-level codes of one codebook; built once, reused for every text."""

    def __init__(self, evidence: Sequence[CodeEvidence], examples: Iterable[Example] = (),
                 learned: Optional[dict[str, dict[str, float]]] = None, *,
                 centroids: Optional[np.ndarray] = None, encoder=None):
        """`centroids` (one unit vector per code, in evidence order) or `encoder` (which makes them from the
        codebook's passages, and encodes each ranked text) turn on the semantic measure; without either the
        scorer uses words alone."""
        self.evidence = list(evidence)
        self.keys = [item.key for item in self.evidence]
        self.encoder = encoder
        if centroids is None and encoder is not None:
            centroids = code_centroids(self.evidence, encoder)
        self.centroids = centroids
        if learned is None:
            learned = learn(self.evidence, examples)
        self.examples = int(learned.get("__examples__", {}).get("count", 0)) if learned else 0
        bags = []
        for item in self.evidence:
            bag = Counter(nlp.content_lemmas(item.text + " " + " ".join(item.patterns)))
            for term, n in (learned or {}).get(item.key, {}).items():
                bag[term] = max(0.0, bag[term] + n)
            bags.append(bag)
        self._build_weights(bags)
        self._build_matcher()

    def _build_weights(self, bags: list[Counter]) -> None:
        vocabulary = sorted({term for bag in bags for term, n in bag.items() if n > 0})
        self.vocabulary = {term: row for row, term in enumerate(vocabulary)}
        counts = np.zeros((len(vocabulary), len(bags)))
        for column, bag in enumerate(bags):
            for term, n in bag.items():
                if n > 0:
                    counts[self.vocabulary[term], column] = n
        present = (counts > 0).sum(axis=1)
        idf = np.log((1 + len(bags)) / (1 + present)) + 1
        tfidf = counts * idf[:, None]
        tfidf /= np.maximum(np.linalg.norm(tfidf, axis=0, keepdims=True), 1e-12)
        self.w_similarity = tfidf * idf[:, None]
        background = np.exp(nlp.word_probabilities().of(vocabulary))
        own = counts / np.maximum(counts.sum(axis=0, keepdims=True), 1e-12)
        self.w_likelihood = (np.log(SMOOTHING * own + (1 - SMOOTHING) * background[:, None])
                             - np.log(background)[:, None])
        self.idf = idf
        self._weights = np.hstack([self.w_similarity, self.w_likelihood])
        self._evidence = (self.w_likelihood >= EVIDENCE_RATIO) & (counts >= EVIDENCE_COUNT)
        # every lower-case form of every known lemma, as spaCy string hashes, for vectorised look-up
        strings = nlp.pipeline().vocab.strings
        stops = nlp.stop_words()
        pairs = {}
        inverse = nlp.forms_of()
        for term, row in self.vocabulary.items():
            for form in [term, *inverse.get(term, [])]:
                if form not in stops and len(form) >= 3 and form.isalpha():
                    pairs[strings.add(form)] = row
        hashes = np.array(sorted(pairs), dtype=np.uint64)
        self._hashes = hashes
        self._rows = np.array([pairs[int(h)] for h in hashes], dtype=np.int64)
        self._stops = np.array(sorted({strings.add(word) for word in stops}), dtype=np.uint64)
        self._everyday_hashes, self._everyday_ratio = _everyday_table()
        self._articles = np.array(sorted({strings.add(word) for word in _ARTICLES}), dtype=np.uint64)

    def _build_matcher(self) -> None:
        pipeline = nlp.pipeline()
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(pipeline.vocab, attr="LOWER")
        self.pattern_code: dict[int, tuple[int, str]] = {}
        inverse = nlp.forms_of()
        for column, item in enumerate(self.evidence):
            for pattern in item.patterns:
                phrases = self._expand(pattern, inverse)
                label = f"{item.key}::{pattern}"
                match_id = pipeline.vocab.strings.add(label)
                self.pattern_code[match_id] = (column, pattern.replace("*", ""))
                self.matcher.add(label, [pipeline.make_doc(p) for p in phrases])

    @staticmethod
    def _expand(pattern: str, inverse: dict[str, list[str]], limit: int = 40) -> list[str]:
        """Every inflected form of a phrase (its last word varied), and prefix words for `word*`."""
        words = pattern.split()
        last = words[-1]
        if last.endswith("*"):
            stem = last[:-1]
            words_sorted = nlp.sorted_forms()
            at = bisect_left(words_sorted, stem)
            variants = []
            while at < len(words_sorted) and words_sorted[at].startswith(stem) and len(variants) < limit:
                variants.append(words_sorted[at])
                at += 1
            variants = variants or [stem]
        else:
            variants = sorted({last, *inverse.get(nlp.lemma(last), [])})
        head = " ".join(w.rstrip("*") for w in words[:-1])
        return [f"{head} {v}".strip() for v in variants]

    # --- scoring --------------------------------------------------------------------------------

    def _token_rows(self, doc: Doc) -> np.ndarray:
        from spacy.attrs import LOWER

        hashes = doc.to_array([LOWER]).astype(np.uint64).reshape(-1)
        if not len(self._hashes):
            return np.full(len(hashes), -1)
        where = np.searchsorted(self._hashes, hashes)
        where = np.minimum(where, len(self._hashes) - 1)
        return np.where(self._hashes[where] == hashes, self._rows[where], -1)

    def _everyday(self, doc: Doc) -> np.ndarray:
        """Per token, how much likelier everyday talk makes it than general English (nats; 0 for words
        everyday talk does not use)."""
        from spacy.attrs import LOWER

        hashes = doc.to_array([LOWER]).astype(np.uint64).reshape(-1)
        where = np.minimum(np.searchsorted(self._everyday_hashes, hashes), len(self._everyday_hashes) - 1)
        return np.where(self._everyday_hashes[where] == hashes, self._everyday_ratio[where], 0.0)

    def _content(self, doc: Doc) -> np.ndarray:
        """1 for each token that is a content word (alphabetic, three letters or more, not a stop word)."""
        from spacy.attrs import IS_ALPHA, LENGTH, LOWER

        lower, alpha, length = doc.to_array([LOWER, IS_ALPHA, LENGTH]).T
        stop = np.isin(lower.astype(np.uint64), self._stops)
        return ((alpha == 1) & (length >= 3) & ~stop).astype(np.int64)

    def _evidence_counts(self, doc: Doc, rows: np.ndarray, bounds: Sequence[tuple[int, int]],
                         matches: Sequence[tuple[int, int, int, str]]) -> np.ndarray:
        """How much evidence of each code (units × codes) each unit of tokens holds: the code's distinct
        evidence words in it, plus one for each distinct keyword phrase of the code found there that has two
        or more words besides articles and one of the code's evidence words ("felt safe", not "the
        facilitator")."""
        found = np.zeros((len(bounds), len(self.keys)), dtype=np.int64)
        if not len(bounds):
            return found
        starts = np.array([b[0] for b in bounds])
        ends = np.array([b[1] for b in bounds])
        tokens = np.flatnonzero(rows >= 0)
        unit = np.searchsorted(starts, tokens, side="right") - 1
        inside = (unit >= 0) & (tokens < ends[np.maximum(unit, 0)])
        pairs = np.unique(unit[inside] * len(self.vocabulary) + rows[tokens[inside]])
        if len(pairs):
            np.add.at(found, pairs // len(self.vocabulary), self._evidence[pairs % len(self.vocabulary)])
        counted = set()
        wordy = None  # per token: a word that is not an article
        for start, column, end, text in matches:
            place = int(np.searchsorted(starts, start, side="right")) - 1
            if place < 0 or end > ends[place] or (place, column, text) in counted or end - start < 2:
                continue
            if wordy is None:
                from spacy.attrs import IS_ALPHA, LOWER

                lower, alpha = doc.to_array([LOWER, IS_ALPHA]).T
                wordy = (alpha == 1) & ~np.isin(lower.astype(np.uint64), self._articles)
            piece = rows[start:end]
            if wordy[start:end].sum() >= 2 and self._evidence[piece[piece >= 0], column].any():
                counted.add((place, column, text))
                found[place, column] += 1
        return found

    @staticmethod
    def _open(text: str, content: int) -> bool:
        """Whether a passage (its text, and how many content words it has) may get a suggestion at all: enough
        content, and not small talk (a passage of more words than `smalltalk.LONGEST` never is)."""
        return content >= MIN_CONTENT and (content > smalltalk.LONGEST or not smalltalk.procedural(text))

    def _probabilities(self, rows: np.ndarray, bounds: Sequence[tuple[int, int]],
                       pattern_counts: Optional[np.ndarray] = None,
                       vectors: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities (units × codes), and how strongly each unit's words speak for each code
        (log-likelihood ratio against general English). With `vectors` (one sentence vector per unit, zero
        where there is none) and the codebook's centroids, each unit's closeness to each code's own text is
        blended in."""
        known = rows >= 0
        # one row of weights per known token (both measures side by side, plus a count column),
        # summed per unit through a running total
        weights = self._weights[rows[known]]  # similarity | likelihood
        positions = np.flatnonzero(known)
        totals = np.vstack([np.zeros((1, weights.shape[1])), np.cumsum(weights, axis=0)])
        starts = np.searchsorted(positions, [b[0] for b in bounds])
        ends = np.searchsorted(positions, [b[1] for b in bounds])
        sums = totals[ends] - totals[starts]
        k = len(self.keys)
        strength = sums[:, k:]
        blended = (1 - LM_WEIGHT) * _standardise(sums[:, :k]) + LM_WEIGHT * _standardise(strength)
        if pattern_counts is not None and PATTERN_WEIGHT:
            blended = blended + PATTERN_WEIGHT * _standardise(pattern_counts)
        semantic = vectors is not None and self.centroids is not None
        if semantic:
            spread = blended.std(axis=1, keepdims=True)
            closeness = vectors @ self.centroids.T  # a unit with no vector is equally close to every code
            blended = ((_standardise(blended) + SEMANTIC_WEIGHT * _standardise(closeness))
                       * np.where(spread > 0, spread, 1.0))
        exp = np.exp((blended - blended.max(axis=1, keepdims=True)) / TEMPERATURE)
        return calibrated(exp / exp.sum(axis=1, keepdims=True), semantic), strength

    def _matches(self, doc: Doc) -> list[tuple[int, int, int, str]]:
        """(token start, column, token end, the codebook's phrase) for every keyword phrase in the doc."""
        codes = self.pattern_code
        return [(start, codes[match_id][0], end, codes[match_id][1]) for match_id, start, end in self.matcher(doc)]

    def _explain(self, doc: Doc, rows: np.ndarray, start: int, end: int, column: int,
                 matches: Sequence[tuple[int, int, int, str]]) -> list[str]:
        """The keyword phrases of this code found in tokens [start, end), then its strongest words."""
        words: list[str] = []
        mine = [m for m in matches if m[1] == column]
        if mine:
            kept: list[tuple[int, int, str]] = []
            for s, _, e, text in sorted(mine, key=lambda m: (m[0] - m[2], m[0])):  # longest first
                if not any(ks <= s and e <= ke for ks, ke, _ in kept):
                    kept.append((s, e, text))
            words = list(dict.fromkeys(text for _, _, text in sorted(kept)))
        piece = rows[start:end]
        positions = np.flatnonzero(piece >= 0)
        if len(positions) and len(words) < 6:
            weights = self.w_similarity[piece[positions], column]
            for index in np.argsort(-weights, kind="stable")[:12]:
                if len(words) >= 6 or weights[index] <= 0.02:
                    break
                word = doc[start + int(positions[index])].lower_
                if word not in words and not any(word in w.split() for w in words):
                    words.append(word)
        return words[:6]

    def rank(self, text: str) -> list[Ranked]:
        """Every top-level code for one passage, best first, with what triggered it."""
        doc = nlp.pipeline().make_doc(text)
        rows = self._token_rows(doc)
        matches = self._matches(doc)
        counts = np.zeros((1, len(self.keys)))
        for _, column, _, _ in matches:
            counts[0, column] += 1
        vectors = self.encoder.encode([text]) if self.encoder is not None and self.centroids is not None else None
        probabilities, strength = self._probabilities(rows, [(0, len(doc))], counts, vectors)
        if not (rows >= 0).any():
            even = round(float(calibrated(1 / len(self.keys))), 4)
            return [Ranked(self.keys[c], even) for c in range(len(self.keys))]
        order = np.argsort(-probabilities[0], kind="stable")
        open_ = self._open(text, int(self._content(doc).sum()))
        evidence = (self._evidence_counts(doc, rows, [(0, len(doc))], matches)[0] if open_
                    else np.zeros(len(self.keys)))
        # a code whose words speak for it hardly more than for everyday talk has no evidence
        evidence = np.where(strength[0] > self._everyday(doc).sum() + EVERYDAY_MARGIN, evidence, 0)
        return [Ranked(self.keys[c], round(float(probabilities[0, c]), 4),
                       self._explain(doc, rows, 0, len(doc), int(c), matches),
                       strong=bool(strength[0, c] >= MIN_STRENGTH), evidence=int(evidence[c]))
                for c in order]

    def suggested(self, ranked: Sequence[Ranked], threshold: float = THRESHOLD) -> list[str]:
        """The codes a person should look at (the best `MAX_SHOWN`): likely enough, with evidence of each
        code's meaning in the words, and the passage not small talk."""
        return [r.code for r in ranked if bool(passes(r.score, r.strong, r.evidence, threshold))][:MAX_SHOWN]

    def units(self, text: str, spans: Sequence[tuple[int, int]],
              vectors: Optional[dict[tuple[int, int], np.ndarray]] = None) -> list["UnitSuggestion"]:
        """Suggestions for the sentences inside the given spans (turns) of a long text, in one pass. `vectors`
        are the sentences' stored vectors, by their (start, end) in `text`; a scorer with its own encoder
        encodes the sentences instead."""
        doc = nlp.pipeline().make_doc(text)
        if not len(doc):
            return []
        rows = self._token_rows(doc)
        token_starts = doc.to_array(["IDX"]).astype(np.int64).reshape(-1)
        bounds = nlp.unit_bounds(token_starts, nlp.sentence_starts(doc), spans)
        if not bounds:
            return []
        matches = self._matches(doc)
        counts = np.zeros((len(bounds), len(self.keys)))
        unit_starts = np.array([b[0] for b in bounds])
        unit_ends = np.array([b[1] for b in bounds])
        by_unit: dict[int, list[tuple[int, int, int, str]]] = {}
        for match in matches:
            unit = int(np.searchsorted(unit_starts, match[0], side="right")) - 1
            if unit >= 0 and match[2] <= unit_ends[unit]:
                counts[unit, match[1]] += 1
                by_unit.setdefault(unit, []).append(match)
        token_ends = token_starts + doc.to_array(["LENGTH"]).astype(np.int64).reshape(-1)
        places = [(int(token_starts[b]), int(token_ends[e - 1])) for b, e in bounds]
        if vectors is None and self.encoder is not None and self.centroids is not None:
            vectors = dict(zip(places, self.encoder.encode([text[a:b] for a, b in places])))
        unit_vectors = None
        if vectors is not None and self.centroids is not None:
            unit_vectors = np.zeros((len(bounds), self.centroids.shape[1]))
            for n, place in enumerate(places):
                if place in vectors:
                    unit_vectors[n] = vectors[place]
        probabilities, strength = self._probabilities(rows, bounds, counts, unit_vectors)
        ordinary = np.concatenate([[0.0], np.cumsum(self._everyday(doc))])
        everyday = ordinary[unit_ends] - ordinary[unit_starts]
        # as in rank: a code whose words speak for it hardly more than for everyday talk has no evidence
        evidence = np.where(strength > everyday[:, None] + EVERYDAY_MARGIN,
                            self._evidence_counts(doc, rows, bounds, matches), 0)
        passing = passes(probabilities, strength >= MIN_STRENGTH, evidence)
        content = np.concatenate([[0], np.cumsum(self._content(doc))])
        turn_of = np.searchsorted(token_starts, [s for s, _ in spans], side="left")
        by_turn: dict[int, list[tuple[float, int, int]]] = {}  # turn -> (score, unit, column) of its candidates
        for unit in np.flatnonzero(passing.any(axis=1)).tolist():
            begin, end = bounds[unit]
            if not self._open(text[token_starts[begin]:token_ends[end - 1]], int(content[end] - content[begin])):
                continue
            columns = sorted(np.flatnonzero(passing[unit]).tolist(), key=lambda c: -probabilities[unit, c])
            turn = int(np.searchsorted(turn_of, begin, side="right")) - 1
            by_turn.setdefault(turn, []).extend((float(probabilities[unit, c]), unit, c) for c in columns[:MAX_SHOWN])
        # a turn shows only its best few suggestions, in text order; only those are explained
        found = []
        for candidates in by_turn.values():
            for score, unit, column in sorted(candidates, key=lambda c: -c[0])[:MAX_SHOWN]:
                begin, end = bounds[unit]
                found.append(UnitSuggestion(int(token_starts[begin]), int(token_ends[end - 1]), self.keys[column],
                                            round(score, 4),
                                            self._explain(doc, rows, begin, end, column, by_unit.get(unit, ()))))
        return sorted(found, key=lambda u: (u.start, -u.score))


@functools.cache
def _everyday_table() -> tuple[np.ndarray, np.ndarray]:
    """Every lower-case form of the words of everyday talk (everyday.txt), as spaCy string hashes in order, with
    the log ratio of their likelihood in everyday talk against general English."""
    lines = [line for line in EVERYDAY.read_text(encoding="utf-8").splitlines() if line.strip()
             and not line.startswith("#")]
    bag = Counter(word for line in lines for word in nlp.content_lemmas(line))
    words = sorted(bag)
    total = sum(bag.values())
    background = np.exp(nlp.word_probabilities().of(words))
    own = np.array([bag[w] / total for w in words])
    ratio = np.log(EVERYDAY_SMOOTHING * own + (1 - EVERYDAY_SMOOTHING) * background) - np.log(background)
    strings, inverse = nlp.pipeline().vocab.strings, nlp.forms_of()
    pairs = {strings.add(form): float(r) for word, r in zip(words, ratio) for form in {word, *inverse.get(word, [])}}
    hashes = np.array(sorted(pairs), dtype=np.uint64)
    return hashes, np.array([pairs[int(h)] for h in hashes])


def code_centroids(evidence: Sequence[CodeEvidence], encoder) -> np.ndarray:
    """One unit vector per code (in evidence order): the mean of its passages' sentence vectors."""
    texts = [list(item.passages) or [item.name] for item in evidence]
    flat = encoder.encode([t for group in texts for t in group])
    rows, at = [], 0
    for group in texts:
        mean = flat[at:at + len(group)].mean(axis=0)
        rows.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
        at += len(group)
    return np.array(rows, dtype=np.float32)


def passes(score, strong, evidence, threshold: float = THRESHOLD):
    """Whether a ranked code is suggested: likely enough, strong enough against general English, and with
    enough evidence of its meaning in the passage (numbers, or arrays of units × codes)."""
    return (score >= threshold) & strong & (evidence >= MIN_EVIDENCE)


@dataclass
class UnitSuggestion:
    """A suggested code for one sentence of a transcript."""

    start: int
    end: int
    code: str
    score: float
    matched: list[str]


def code_for_name(evidence: Sequence[CodeEvidence], name: str) -> Optional[str]:
    """The top-level code whose id, name or alias is this name (case and punctuation aside)."""
    def norm(text: str) -> str:
        return " ".join("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())
    wanted = norm(name)
    for item in evidence:
        if any(norm(n) == wanted for n in item.names):
            return item.key
    return None

