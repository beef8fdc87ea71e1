"""Search a corpus: keyword (FTS5, BM25) and cross-lingual semantic (ANN over the
embedder's vectors) candidates fused into one score (fusion.py), filtered, with snippets.

`Search` is what `Corpus.search` and `Corpus.similar` use; it holds the lazily loaded
semantic index and the embedder for queries. A query in one language finds articles in
another through the semantic ranking; the keyword ranking puts exact names and phrases
first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..document import SearchHit, SearchPage
from ..errors import SearchError
from .filters import Filters
from .fusion import fuse
from .keyword import Vocabulary, keyword_matches
from .query import Query, parse
from .semantic import SemanticIndex
from .snippets import MARK_CLOSE, MARK_OPEN, marked_parts, snippet

__all__ = ["MARK_CLOSE", "MARK_OPEN", "Filters", "Query", "Search", "marked_parts", "parse", "snippet"]

MAX_LIMIT = 100  # results per page
MAX_DEPTH = 1000  # how deep any ranking is read: a cursor cannot page past it
MODES = ("all", "keyword", "semantic")
RECENT_QUERIES = 256


class Search:
    """Searches over one store's connection; `encode` turns query texts into unit vectors."""

    def __init__(self, db: sqlite3.Connection, index_path: str | Path | None,
                 embedder_name: str, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.db = db
        self.encode = encode
        # A query's vector, remembered: a user paging through results, or a page and its
        # API twin, asks the same query again, and encoding it is a quarter of a search.
        self._query_vector = lru_cache(maxsize=RECENT_QUERIES)(lambda text: encode([text])[0])
        self.semantic = SemanticIndex(db, index_path, embedder_name)
        self.vocabulary = Vocabulary(db)

    def search(self, text: str, filters: Filters, limit: int = 20, group_by_story: bool = False,
               cursor: str | None = None, mode: str = "all") -> SearchPage:
        """One page of hits for `text`, best first; `cursor` is a previous page's `next`.
        `mode` "keyword" or "semantic" runs one ranking alone (exact words only, or meaning only)."""
        query = parse(text)
        offset = _offset(cursor)
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError(f"limit {limit} is out of range; give 1 to {MAX_LIMIT}")
        if mode not in MODES:
            raise SearchError(f"search mode {mode!r} is unknown; give one of {', '.join(MODES)}")
        depth = min(MAX_DEPTH, max(50, 2 * (offset + limit)))
        words, minimum = keyword_matches(self.db, query, filters, depth, self.vocabulary) if mode != "semantic" else ({}, 1.0)
        if mode == "keyword":  # BM25 order, the share of terms as score
            fused = [(seq, share) for seq, share in words.items() if share >= minimum]
        else:
            vector = self._query_vector(query.text)
            cosine = dict(self._nearest(vector, filters, depth))
            if mode == "all":
                cosine.update(self._cosines(vector, [s for s in words if s not in cosine]))
            fused = fuse(cosine, words if mode == "all" else {}, minimum)
        if group_by_story:
            fused = _grouped(fused, self._stories([seq for seq, _ in fused]))
        page = fused[offset: offset + limit]
        hits = self._hits(page, query)
        more = offset + limit < min(len(fused), MAX_DEPTH)
        return SearchPage(hits, str(offset + limit) if more else None)

    def similar(self, doc_id: str, limit: int = 10) -> list[SearchHit]:
        """The stored documents nearest a document's vector (itself left out), cosine as score:
        in any language, as the embedder puts translations together."""
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError(f"limit {limit} is out of range; give 1 to {MAX_LIMIT}")
        row = self.db.execute("SELECT seq, vector FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None or row[1] is None:
            return []
        vector = np.frombuffer(row[1], dtype="<f4")
        near = [(s, c) for s, c in self.semantic.search(vector, limit + 1) if s != row[0]][:limit]
        return self._hits(near, None)

    def _nearest(self, vector: np.ndarray, filters: Filters, depth: int) -> list[tuple[int, float]]:
        """Semantic neighbours passing the filters: the index is asked for more when filters
        are set, as it knows nothing of them (a narrow filter may keep few of its top ones)."""
        near = self.semantic.search(vector, depth * 4 if filters else depth)
        if not filters or not near:
            return near[:depth]
        where, params = filters.where("d")
        marks = ",".join("?" * len(near))
        kept = {r[0] for r in self.db.execute(
            f"SELECT d.seq FROM documents d WHERE d.seq IN ({marks}) AND {where}", [s for s, _ in near] + params)}
        return [(s, c) for s, c in near if s in kept][:depth]

    def _cosines(self, vector: np.ndarray, seqs: list[int]) -> dict[int, float]:
        """Exact cosines for keyword matches the semantic neighbours did not include."""
        if not seqs:
            return {}
        rows = self.db.execute(
            f"SELECT seq, vector FROM documents WHERE seq IN ({','.join('?' * len(seqs))})", seqs).fetchall()
        return {r[0]: float(np.frombuffer(r[1], dtype="<f4") @ vector) if r[1] else 0.0 for r in rows}

    def _stories(self, seqs: list[int]) -> dict[int, int | None]:
        stories: dict[int, int | None] = {}
        for chunk in range(0, len(seqs), 500):
            part = seqs[chunk: chunk + 500]
            rows = self.db.execute(
                f"SELECT seq, story_id FROM documents WHERE seq IN ({','.join('?' * len(part))})", part)
            stories.update({r[0]: r[1] for r in rows})
        return stories

    def _hits(self, scored: list[tuple[int, float]], query: Query | None) -> list[SearchHit]:
        if not scored:
            return []
        marks = ",".join("?" * len(scored))
        rows = {r["seq"]: r for r in self.db.execute(
            f"SELECT seq, id, title, language, published, story_id, json_extract(record, '$.text') AS text "
            f"FROM documents WHERE seq IN ({marks})", [s for s, _ in scored])}
        hits = []
        for seq, score in scored:
            row = rows.get(seq)
            if row is None:  # deleted between ranking and reading
                continue
            body = _body(row["text"] or "", row["title"])
            hits.append(SearchHit(row["id"], row["title"], row["language"], row["published"], row["story_id"],
                                  round(score, 6), snippet(body, query)))
        return hits


def _body(text: str, title: str | None) -> str:
    """The record's text without the headline that opens it (shown beside the snippet)."""
    return text[len(title) + 2:] if title and text.startswith(title) else text


def _offset(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or int(cursor) >= MAX_DEPTH:
        raise SearchError(f"cursor {cursor!r} is not one a search returned; start again without it")
    return int(cursor)


def _grouped(fused: list[tuple[int, float]], stories: dict[int, int | None]) -> list[tuple[int, float]]:
    """The same hits, each story's together, stories in the order of their best hit."""
    groups: dict[object, list[tuple[int, float]]] = {}
    for seq, score in fused:
        story = stories.get(seq)
        groups.setdefault(("story", story) if story is not None else ("doc", seq), []).append((seq, score))
    return [hit for group in groups.values() for hit in group]
