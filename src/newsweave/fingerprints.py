"""MinHash fingerprints of word shingles (datasketch), for near-duplicate search."""

from __future__ import annotations

import numpy as np
import regex

from .document import Document

_WORD = regex.compile(r"\w+")
# Fixed seed and hashing scheme: fingerprints must compare across runs, processes and
# machines, and stay readable from the store after a datasketch upgrade.
SEED = 1
SCHEME = "affine32"


def shingles(text: str, size: int) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def minhash_of(text: str, size: int, permutations: int) -> np.ndarray:
    from datasketch import MinHash  # imports scipy (~1 s): not for commands that only read

    sketch = MinHash(num_perm=permutations, seed=SEED, scheme=SCHEME)
    sketch.update_batch(list(shingles(text, size)))
    return sketch.hashvalues.astype(np.uint64)


def as_lean(values: np.ndarray):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def fingerprint(doc: Document, size: int, permutations: int) -> Document:
    doc.minhash = minhash_of(doc.body, size, permutations)
    return doc


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity of two shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)
