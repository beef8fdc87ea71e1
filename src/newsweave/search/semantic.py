"""Cross-lingual semantic ranking: the query's vector against document vectors through a
persistent approximate-nearest-neighbour index (usearch HNSW, cosine, float16 vectors).

Why usearch: measured at 100,000 512-d unit vectors on this 2-core machine (numbers in
bench/search.py's docstring), sqlite-vec's brute-force scan inside the database answers
about 5 queries/s (float32, exact) and its int8 table is no faster, far below the 50/s
target, and Python's stdlib sqlite3 here cannot load extensions at all; usearch's HNSW
answers hundreds per second on one thread (float16, expansion 256: recall@10 0.96 against
exact search at 335 queries/s). Its int8 vectors halve the file (66 MB against 117 MB)
but lose recall (0.83 at the same expansion), so the vectors stay float16.

Paragraph vectors were measured and left out: on the SemEval bench a headline finds its
same-event partner in the top 10 by document vectors 0.855, by first-paragraph vectors
0.785, by the best of the first three 0.813, and fusing them in lowers recall; indexing
them would also multiply the index by the paragraphs per article.

The index is a cache derived from the vectors stored in SQLite: it lives beside the
database (`<db>.vectors.usearch`, keys are the documents' seq) with a small JSON of what
it holds (embedder, high-water seq, and one stored document's seq and id, so an index left
beside a deleted and re-created database is not mistaken for its own); it loads on the
first semantic query and takes in only the documents stored after its high-water mark, so
nothing is rebuilt at start.
A replaced or deleted document's seq is gone from the store: its hits are dropped (and
removed from the index) when a query meets them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

import numpy as np

INDEX_DTYPE = "f16"
# HNSW search breadth: at 100k documents 256 gives recall@10 0.96 (128: 0.91, 64: 0.81)
# at hundreds of queries per second; it grows to the count asked for.
EXPANSION = 256
# Save after this many new documents (and on close): writing the whole index after each
# added document would cost more than catching up with a thousand of them on load.
SAVE_EVERY = 1000
_FORMAT = 1


class SemanticIndex:
    """Document vectors (keyed by seq) in an HNSW index persisted at `path` (None: memory only)."""

    def __init__(self, db: sqlite3.Connection, path: str | Path | None, embedder: str) -> None:
        self.db = db
        self.path = Path(path) if path else None
        self.embedder = embedder
        self._index = None
        self._seen = 0  # high-water seq: every stored vector up to here is in the index
        self._unsaved = 0
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._index is not None

    @property
    def high_water(self) -> int:
        """The last document seq the index has taken in (0 before it loads)."""
        return self._seen

    def __len__(self) -> int:
        return 0 if self._index is None else len(self._index)

    @property
    def meta_path(self) -> Path | None:
        return self.path.with_name(self.path.name + ".json") if self.path else None

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """(seq, cosine) of the `count` stored documents nearest `vector`, best first."""
        with self._lock:
            self._catch_up()
            if len(self._index) == 0:
                return []
            self._index.expansion_search = max(EXPANSION, count)
            matches = self._index.search(np.asarray(vector, dtype=np.float32), min(count, len(self._index)), threads=1)
            found = [(int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances, strict=True)]
            live = _live(self.db, [k for k, _ in found])
            for key, _ in found:
                if key not in live:  # replaced or deleted since it was indexed
                    self._index.remove(key)
            return [(k, s) for k, s in found if k in live]

    def _catch_up(self) -> None:
        if self._index is None:
            self._load()
        top = self.db.execute("SELECT max(seq) FROM documents").fetchone()[0] or 0  # first: a later write waits
        if top <= self._seen:
            return
        rows = self.db.execute(
            "SELECT seq, vector FROM documents WHERE seq > ? AND seq <= ? AND vector IS NOT NULL ORDER BY seq",
            (self._seen, top),
        ).fetchall()
        if rows:
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            vectors = np.stack([np.frombuffer(r[1], dtype="<f4") for r in rows])
            if self._index.ndim != vectors.shape[1]:
                self._index = _new_index(vectors.shape[1])
            if len(self._index):  # a save cut short may have left some of them in the index
                fresh = ~np.asarray(self._index.contains(keys), dtype=bool)
                keys, vectors = keys[fresh], vectors[fresh]
            if len(keys):
                self._index.add(keys, vectors, threads=2)
        self._seen = top
        self._unsaved += max(1, len(rows))
        if self._unsaved >= SAVE_EVERY:
            self._save()

    def _load(self) -> None:
        """The saved index if it holds this embedder's vectors, else an empty one to fill."""
        self._index, self._seen = _new_index(512), 0
        if self.path is None or not self.path.exists() or not self.meta_path.exists():
            return
        try:
            meta = json.loads(self.meta_path.read_text())
            if meta.get("format") != _FORMAT or meta.get("embedder") != self.embedder or not self._ours(meta):
                return
            if "bytes" in meta and self.path.stat().st_size != meta["bytes"]:  # another writer's file
                return
            index = _new_index(int(meta["ndim"]))
            index.load(str(self.path))
            self._index, self._seen = index, int(meta["seq"])
        except (OSError, ValueError, KeyError, RuntimeError):  # a damaged cache is rebuilt, not fatal
            self._index, self._seen = _new_index(512), 0

    def _save(self) -> None:
        """Write index then its JSON, each through a renamed temporary (readers never see half a file);
        a folder we cannot write keeps the index in memory only."""
        if self.path is None or self._index is None:
            return
        check = self.db.execute(
            "SELECT seq, id FROM documents WHERE seq <= ? ORDER BY seq DESC LIMIT 1", (self._seen,)).fetchone()
        meta = {"format": _FORMAT, "embedder": self.embedder, "ndim": int(self._index.ndim),
                "dtype": INDEX_DTYPE, "seq": self._seen, "check": list(check) if check else None}
        try:
            temporary = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
            self._index.save(str(temporary))
            meta["bytes"] = temporary.stat().st_size  # pairs this JSON with this file (two writers save)
            os.replace(temporary, self.path)
            temporary = self.meta_path.with_name(self.meta_path.name + f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(meta))
            os.replace(temporary, self.meta_path)
            self._unsaved = 0
        except (OSError, RuntimeError):
            pass

    def _ours(self, meta: dict) -> bool:
        """Whether a saved index was made from this database: SQLite never hands out a seq
        twice (AUTOINCREMENT), so this one must have reached the saved mark, and the document
        saved as a check must still be there under its id (or deleted since)."""
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name='documents'").fetchone()
        if int(meta["seq"]) > (row[0] if row else 0):
            return False
        if meta.get("check"):
            seq, doc_id = meta["check"]
            stored = self.db.execute("SELECT id FROM documents WHERE seq=?", (seq,)).fetchone()
            return stored is None or stored[0] == doc_id
        return True

    def close(self) -> None:
        with self._lock:
            if self._unsaved:
                self._save()


def _new_index(ndim: int):
    from usearch.index import Index  # loaded on the first semantic query, not at import

    return Index(ndim=ndim, metric="cos", dtype=INDEX_DTYPE)


def _live(db: sqlite3.Connection, keys: list[int]) -> set[int]:
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    return {row[0] for row in db.execute(f"SELECT seq FROM documents WHERE seq IN ({marks})", keys)}
