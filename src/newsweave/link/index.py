"""In-memory candidate indexes over the corpus: MinHash LSH and a vector matrix.

Candidates come from two indexes: datasketch's MinHashLSH (bands derived from the Jaccard
threshold) for near duplicates, and an exact cosine search over the document vectors for
translations and related articles. Exact search is a single matrix product: below a few
hundred thousand documents it is faster than building an ANN graph and has no recall loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH

from ..fingerprints import as_lean


@dataclass
class Neighbour:
    id: str
    cosine: float


class VectorIndex:
    """Document vectors in a growable matrix; ids keep their rows."""

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, doc_id: str, vector: np.ndarray) -> None:
        if doc_id in self._rows:
            self.remove(doc_id)
        if self._size == len(self._matrix):
            grown = np.zeros((max(64, 2 * len(self._matrix)), self.dim), dtype=np.float32)
            grown[: self._size] = self._matrix[: self._size]
            self._matrix = grown
        self._matrix[self._size] = vector
        self._ids.append(doc_id)
        self._rows[doc_id] = self._size
        self._size += 1

    def remove(self, doc_id: str) -> None:
        row = self._rows.pop(doc_id, None)
        if row is not None:
            self._matrix[row] = 0.0  # a zero row scores 0 and is never returned
            self._ids[row] = ""

    def nearest(self, vector: np.ndarray, k: int, min_cosine: float) -> list[Neighbour]:
        if self._size == 0:
            return []
        scores = self._matrix[: self._size] @ vector
        k = min(k, self._size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [
            Neighbour(self._ids[i], float(scores[i]))
            for i in top
            if scores[i] >= min_cosine and self._ids[i]
        ]


class NearDuplicateIndex:
    """MinHash LSH keyed by document id, with the signatures kept for exact estimates."""

    def __init__(self, threshold: float, permutations: int) -> None:
        self.lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
        self.signatures: dict[str, np.ndarray] = {}

    def add(self, doc_id: str, signature: np.ndarray) -> None:
        self.remove(doc_id)
        self.lsh.insert(doc_id, as_lean(signature))
        self.signatures[doc_id] = signature

    def remove(self, doc_id: str) -> None:
        if doc_id in self.signatures:
            self.lsh.remove(doc_id)
            del self.signatures[doc_id]

    def candidates(self, signature: np.ndarray) -> list[str]:
        return list(self.lsh.query(as_lean(signature)))
