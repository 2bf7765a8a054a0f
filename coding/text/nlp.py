"""The one spaCy pipeline of the process, and the word tables it lemmatises with.

`spacy.blank("en")` with a sentencizer and the lookup lemmatizer of spacy-lookups-data: nothing is
downloaded. The hot path (suggesting over long transcripts) tokenises with the pipeline and maps
lower-case forms to lemmas through the same lookup table, which is several times faster than running
the lemmatizer token by token and gives the same lemmas.
"""

from __future__ import annotations

import array
import functools
import gzip
import importlib.util
import json
import os
import re
import threading
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

import numpy as np

if TYPE_CHECKING:  # spaCy itself is imported on first use (by the warm-up): the server starts without waiting for it
    from spacy.language import Language
    from spacy.tokens import Doc

# No parser or NER, so a Doc costs tens of bytes per character, not spaCy's feared gigabyte per 100,000:
# any transcript Peerframe accepts (coding.limits.Limits.text_chars) fits.
MAX_LENGTH = 50_000_000
JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*(-?[0-9.eE+-]+)')  # "word": number, escapes kept as written
LOOKUPS = Path(importlib.util.find_spec("spacy_lookups_data").origin).resolve().parent / "data"

T = TypeVar("T")


def once(make: Callable[[], T]) -> Callable[[], T]:
    """`make()`, made once per process: a thread that asks while another is making it waits for that one,
    rather than making a second copy beside it (the warm-up and the first page would otherwise both load
    the same tables at the same time, each taking twice as long)."""
    made: list[T] = []
    lock = threading.RLock()

    @functools.wraps(make)
    def get() -> T:
        if not made:
            with lock:
                if not made:
                    made.append(make())
        return made[0]
    return get


# Words that carry no code-specific meaning in interviews about peer support, on top of spaCy's list.
INTERVIEW_FILLERS = {
    "like", "know", "think", "yeah", "yes", "really", "just", "thing", "things", "get", "got", "go", "going",
    "say", "said", "lot", "kind", "sort", "mean", "way", "bit", "quite", "actually", "okay", "ok", "um",
    "erm", "er", "uh", "mm", "right", "well", "stuff", "little", "come", "want", "need", "time",
    "people", "peer", "support", "feel", "group",
}


@once
def pipeline() -> Language:
    """The cached pipeline: blank English, sentencizer, lookup lemmatizer."""
    import spacy

    nlp = spacy.blank("en")
    nlp.max_length = MAX_LENGTH
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def _read_table(name: str) -> dict:
    with gzip.open(LOOKUPS / f"en_{name}.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


@once
def lemma_table() -> dict[str, str]:
    """Form → lemma, the table the lookup lemmatizer uses."""
    return _read_table("lemma_lookup")


@once
def forms_of() -> dict[str, list[str]]:
    """Lemma → every lower-case form that lemmatises to it (the inverse of the lookup table)."""
    inverse: dict[str, list[str]] = {}
    for form, lemma in lemma_table().items():
        if form.islower():
            inverse.setdefault(lemma.lower(), []).append(form)
    return inverse


@once
def sorted_forms() -> list[str]:
    """Every lower-case alphabetic word the lookup table knows, sorted (for prefix patterns)."""
    return sorted({form for form in lemma_table() if form.isalpha() and form.islower()})


class Probabilities:
    """Log probability of each word in general English (a background model for scoring), for a million
    words. Kept as two arrays (each word's 64-bit spaCy hash, sorted, and its value): about 16 MB, where a
    dict of them holds about 160 MB for as long as the server runs. The hash is the same in every process,
    so the arrays are saved once (`save`) and later processes `load` them in milliseconds."""

    def __init__(self, hashes: np.ndarray, values: np.ndarray):
        order = np.argsort(hashes)
        self._hashes, self._values = hashes[order], values[order]
        self.floor = float(values.min()) if len(values) else 0.0  # what a word the table lacks is given

    @classmethod
    def from_table(cls, table: dict[str, float]) -> Probabilities:
        return cls(_hashes(table), np.fromiter(table.values(), dtype=np.float64, count=len(table)))

    @classmethod
    def from_json(cls, text: str) -> Probabilities:
        """From the table's JSON object text (`{"word": -3.5, ...}`), read pair by pair: parsed whole, the
        million-entry dict would leave the process about 50 MB bigger for good, though it is freed at once."""
        from spacy.strings import hash_string

        hashes, values = array.array("Q"), array.array("d")
        for pair in JSON_PAIR.finditer(text):
            word = pair.group(1)
            hashes.append(hash_string(json.loads(f'"{word}"') if "\\" in word else word))
            values.append(float(pair.group(2)))
        return cls(np.frombuffer(hashes, dtype=np.uint64), np.frombuffer(values, dtype=np.float64))

    def save(self, path: Path) -> None:
        """Write the arrays to `path` (atomically: a reader never sees half a file, and a write that fails, as
        on a full disk, leaves no draft behind)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(draft, "wb") as out:
                np.savez(out, hashes=self._hashes, values=self._values)
            os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> Probabilities:
        """The arrays `save` wrote; OSError or ValueError for a file that is missing or not such arrays."""
        try:
            with np.load(path, allow_pickle=False) as kept:
                hashes, values = kept["hashes"], kept["values"]
        except (zipfile.BadZipFile, KeyError, EOFError) as exc:
            raise ValueError(f"{path} does not hold word probabilities ({exc})") from exc
        if hashes.dtype != np.uint64 or values.dtype != np.float64 or hashes.shape != values.shape:
            raise ValueError(f"{path} does not hold word probabilities")
        return cls(hashes, values)

    def of(self, words: Sequence[str]) -> np.ndarray:
        """The log probability of each word, the floor for those the table does not know."""
        wanted = _hashes(words)
        at = np.minimum(np.searchsorted(self._hashes, wanted), max(len(self._hashes) - 1, 0))
        known = self._hashes[at] == wanted if len(self._hashes) else np.zeros(len(words), dtype=bool)
        return np.where(known, self._values[at] if len(self._values) else 0.0, self.floor)


def _hashes(words) -> np.ndarray:
    from spacy.strings import hash_string

    return np.fromiter((hash_string(word) for word in words), dtype=np.uint64, count=len(words))


def probabilities_from(source: Path, kept: Path) -> Probabilities:
    """The probabilities saved at `kept` if that file is there and sound, else read from the gzipped JSON
    table `source` and saved at `kept` for the next process (where it cannot be written, only read)."""
    try:
        return Probabilities.load(kept)
    except (OSError, ValueError):
        pass
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        made = Probabilities.from_json(handle.read())
    try:
        made.save(kept)
    except OSError:
        pass  # a read-only home: every process reads the table, as it would without this copy
    return made


@once
def word_probabilities() -> Probabilities:
    """The general-English word probabilities, read once per process (from this machine's saved copy once
    there is one: see `probabilities_from`)."""
    source = LOOKUPS / "en_lexeme_prob.json.gz"
    made = source.stat()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "peerframe"
    return probabilities_from(source, cache / f"lexeme-prob-{made.st_size}-{int(made.st_mtime)}.npz")


@once
def stop_words() -> frozenset[str]:
    """Function words and interview fillers."""
    return frozenset(pipeline().Defaults.stop_words | INTERVIEW_FILLERS)


def lemma(lower: str) -> str:
    """The lemma of a lower-case word by the lookup table."""
    return lemma_table().get(lower, lower).lower()


def content_lemmas(text: str) -> list[str]:
    """Lemmas of the words in a text that can tell codes apart (no stop words, numbers or punctuation)."""
    stops = stop_words()
    found = []
    for token in pipeline().tokenizer(text):
        lower = token.lower_
        if not token.is_alpha or len(lower) < 3 or lower in stops:
            continue
        base = lemma(lower)
        if base not in stops:
            found.append(base)
    return found


@once
def _sentence_ends() -> np.ndarray:
    strings = pipeline().vocab.strings
    return np.array(sorted(strings.add(ch) for ch in pipeline().get_pipe("sentencizer").punct_chars), dtype=np.uint64)


@once
def _closing_marks() -> np.ndarray:
    strings = pipeline().vocab.strings
    return np.array(sorted(strings.add(ch) for ch in ('"', "'", ")", "]", "”", "’", "»")), dtype=np.uint64)


def sentence_starts(doc: Doc) -> np.ndarray:
    """Indices of tokens that begin a sentence, by the sentencizer's own punctuation, computed in bulk.

    A token starts a sentence when the token before it ends one (".", "!", "?" and the other marks the
    sentencizer knows) and it is not itself such a mark. Same boundaries as running the sentencizer,
    without building a Python object per token.
    """
    from spacy.attrs import ORTH

    orth = doc.to_array([ORTH]).astype(np.uint64).reshape(-1)
    ends = np.isin(orth, _sentence_ends())
    closing = np.isin(orth, _closing_marks())
    ends[1:] |= closing[1:] & ends[:-1]  # a closing quote or bracket stays with its sentence
    starts = np.flatnonzero(ends[:-1] & ~ends[1:]) + 1
    return np.concatenate([[0], starts]) if len(orth) else starts


def warm_up() -> None:
    """Load the pipeline and word tables now (about a second, once per process) so that the first
    document page with suggestions does not wait for them."""
    pipeline()
    forms_of()
    sorted_forms()
    word_probabilities()
    _sentence_ends()
    _closing_marks()


def unit_bounds(token_starts: np.ndarray, sentence_starts: np.ndarray,
                spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges of the sentences inside the character spans (turns), a sentence cut where a span ends."""
    if not len(spans):
        return []
    firsts = np.searchsorted(token_starts, [s for s, _ in spans])
    lasts = np.searchsorted(token_starts, [e for _, e in spans])
    edges = np.union1d(np.union1d(firsts, lasts), sentence_starts)
    begins, ends = edges[:-1], edges[1:]
    order = np.argsort(firsts, kind="stable")
    firsts, lasts = firsts[order], lasts[order]
    owner = np.searchsorted(firsts, begins, side="right") - 1
    valid = owner >= 0
    inside = valid & (ends <= np.where(valid, lasts[np.maximum(owner, 0)], -1)) & (ends > begins)
    return list(zip(begins[inside].tolist(), ends[inside].tolist()))


def sentence_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans of the sentences inside the given spans (turns) of a text."""
    doc = pipeline().make_doc(text)
    if not len(doc):
        return []
    starts = doc.to_array(["IDX"]).astype(np.int64).reshape(-1)
    ends = starts + doc.to_array(["LENGTH"]).astype(np.int64).reshape(-1)
    return [(int(starts[a]), int(ends[b - 1])) for a, b in unit_bounds(starts, sentence_starts(doc), spans)]
