"""Candidate indexes over the stored corpus, read where they live instead of rebuilt at start.

Near duplicates: MinHash LSH with datasketch's banding (bands and rows derived from the
Jaccard threshold as `MinHashLSH` derives them), its band keys kept in the store (one row
per band, indexed) and looked up per arrival with one query: the candidates are exactly
those an in-memory `MinHashLSH` over the same documents returns.

Translations, related articles and story candidates: the document vectors' approximate
nearest-neighbour index (usearch HNSW, search/semantic.py) that search also uses, loaded
on the first lookup and caught up from the store by seq. Its candidates are re-scored
with the stored float32 vectors, and more are asked for than are kept, so the cosines
and the cut are those of an exact search.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

import numpy as np

# The HNSW index is asked for this many more neighbours than are kept: with the exact
# re-scoring below, a neighbour the graph ranks a little too low still makes the cut.
OVERFETCH = 2
EXTRA = 10


@dataclass
class Neighbour:
    id: str
    cosine: float


class NeighbourSource(Protocol):
    """An ANN index over stored document vectors, keyed by seq (search.semantic.SemanticIndex)."""

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]: ...


class VectorStore(Protocol):
    def vectors_by_seq(self, seqs: list[int]) -> list[tuple[int, str, np.ndarray]]: ...


class VectorIndex:
    """Nearest stored documents by cosine, through an ANN index, re-scored exactly.
    A document being replaced is hidden from the time it is forgotten until it is stored
    again, as an in-memory index without it would be."""

    def __init__(self, ann: NeighbourSource, store: VectorStore) -> None:
        self.ann = ann
        self.store = store
        self.hidden: set[str] = set()

    def hide(self, doc_id: str) -> None:
        self.hidden.add(doc_id)

    def show(self, doc_id: str) -> None:
        self.hidden.discard(doc_id)

    def nearest(self, vector: np.ndarray, k: int, min_cosine: float) -> list[Neighbour]:
        wanted = OVERFETCH * (k + len(self.hidden)) + EXTRA
        seqs = [seq for seq, _ in self.ann.search(vector, wanted)]
        if not seqs:
            return []
        found = [(doc_id, float(stored @ vector)) for _, doc_id, stored in self.store.vectors_by_seq(seqs)
                 if doc_id not in self.hidden]
        found.sort(key=lambda hit: -hit[1])
        return [Neighbour(doc_id, cosine) for doc_id, cosine in found[:k] if cosine >= min_cosine]


class BandStore(Protocol):
    def band_candidates(self, keys: list[int]) -> list[tuple[str, np.ndarray]]: ...


def lsh_shape(threshold: float, permutations: int) -> tuple[int, int]:
    """(bands, rows per band) as datasketch's MinHashLSH chooses them (equal weights on
    false positives and negatives). datasketch imports scipy (~1 s): only when needed."""
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, permutations, 0.5, 0.5)


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per band: the band's number and its MinHash values hashed."""
    data = np.ascontiguousarray(signature, dtype="<u8")
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(data[band * rows:(band + 1) * rows].tobytes(), digest_size=8,
                                 person=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


class NearDuplicateIndex:
    """MinHash LSH whose band keys live in the store; `signatures` holds the last lookup's
    candidates' signatures (for the exact Jaccard estimate)."""

    def __init__(self, threshold: float, permutations: int, store: BandStore) -> None:
        self.threshold, self.permutations = threshold, permutations
        self.store = store
        self.signatures: dict[str, np.ndarray] = {}
        self._shape: tuple[int, int] | None = None  # worked out on first use, not at open

    @property
    def shape(self) -> tuple[int, int]:
        if self._shape is None:
            self._shape = lsh_shape(self.threshold, self.permutations)
        return self._shape

    def banding(self) -> str:
        """What the store records of the banding its keys were made with (a change remakes them)."""
        bands, rows = self.shape
        return f"blake2b/{bands}x{rows}/{self.permutations}"

    def keys(self, signature: np.ndarray) -> list[int]:
        return band_keys(signature, *self.shape)

    def candidates(self, signature: np.ndarray) -> list[str]:
        self.signatures = dict(self.store.band_candidates(self.keys(signature)))
        return list(self.signatures)

