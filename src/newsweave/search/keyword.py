"""Keyword ranking with SQLite FTS5 and BM25 over the tables schema migration 4 keeps in step.

Words (unicode61, diacritics folded: "Gesprache" finds "Gespräche") cover every document;
Chinese, Japanese and Korean terms are looked up by substring in the trigram table, as
those scripts do not separate words with spaces. A term shorter than a trigram cannot use
that index: it is matched with LIKE there (a scan of those documents), and only when the
query has no longer terms, as a one-character term beside others cost seconds a query.

Each match comes with the share of the query's terms it holds (counted in FTS5's own
highlights). A keyword hit must hold enough of them ("minimum should match", as Lucene
has it): all terms of a one- or two-term query, else two or a third of them, whichever is
more (`enough`). With half of a longer query required, a pasted headline missed reports of
the same event told in other words (bench/search.py: recall@10 0.896 with half, 0.907 with
a third; a third of every term, common ones included, would match every article by its
"for" and "at", which is why common terms are left out first).

Terms many documents hold ("der", "the", "for": stop words found by counting, in any
language) are left out when the query has rarer ones, and the share counts the terms
searched. They say little about what an article is about, and ranking every document
holding them cost 150 ms a query at 100,000 documents (the rarer terms alone: 5 ms). A
query of such terms only needs them all.
"""

from __future__ import annotations

import math
import sqlite3

import regex

from ..errors import SearchError
from .filters import Filters
from .query import Query, Term
from .snippets import fold, term_pattern

# A headline says what an article is about in a few words, so a term there counts for
# twice a term in the body (BM25 column weights: title, body).
_RANK = "bm25(2.0, 1.0)"
_OPEN, _CLOSE = "\x02", "\x03"  # highlight marks: control characters clean text does not hold
_MARKED = regex.compile(_OPEN + "(.*?)" + _CLOSE, regex.S)
# A term in more documents than this is common. Scoring cost grows with the documents the
# searched terms find (BM25 over 1,500 of them costs ~15 ms); at a quarter of a percent
# they find a few hundred, and a corpus under 250 documents has no common term. On the
# SemEval bench (2,502 documents) this left recall@10 at 0.896 and raised cross-lingual
# recall@10 from 0.878 to 0.915.
COMMON_DOCUMENTS, COMMON_SHARE = 250, 0.0025
_TOKEN = regex.compile(r"\w+")


def enough(terms: int) -> float:
    """The share of `terms` searched terms a document must hold to be a keyword hit: every
    term of a one- or two-term query, else two terms or a third of them, whichever is more.
    Common terms are not searched when rarer ones are, so what is left of a pasted headline
    is names and topic words, and a report of the same event in other words holds few."""
    return 1.0 if terms <= 2 else max(2, math.ceil(terms / 3)) / terms


class Vocabulary:
    """How many documents hold each word (FTS5's own counts), remembered until the corpus
    has grown by a hundredth: looking them up costs more than the search they speed up."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._counts: dict[str, int] = {}
        self._at = 0  # the document count the remembered counts belong to

    def documents(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def frequencies(self, words: list[str], documents: int) -> dict[str, int]:
        if abs(documents - self._at) > self._at / 100:
            self._counts, self._at = {}, documents
        wanted = [w for w in dict.fromkeys(words) if w not in self._counts]
        if wanted:
            self.db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocabulary USING fts5vocab(main, search_words, row)")
            found = dict(self.db.execute(
                f"SELECT term, doc FROM temp.search_vocabulary WHERE term IN ({','.join('?' * len(wanted))})", wanted))
            self._counts.update({w: found.get(w, 0) for w in wanted})
        return {w: self._counts[w] for w in words}


def keyword_matches(db: sqlite3.Connection, query: Query, filters: Filters, depth: int,
                    vocabulary: Vocabulary | None = None) -> tuple[dict[int, float], float]:
    """Document seq -> the share of the searched terms it holds, for the `depth` best by BM25
    (words, then CJK), in that order; and the share a keyword hit needs."""
    found: dict[int, int] = {}
    searched, words = _words_expression(vocabulary or Vocabulary(db), query.word_terms)
    if words:
        for seq, count in _match(db, "search_words", words, filters, depth, searched):
            found[seq] = count
    long_cjk = tuple(t for t in query.cjk_terms if len(t.text) >= 3)
    short_cjk = tuple(t for t in query.cjk_terms if len(t.text) < 3)
    if long_cjk:
        for seq, count in _match(db, "search_cjk", " OR ".join(t.fts() for t in long_cjk), filters, depth, long_cjk):
            found[seq] = found.get(seq, 0) + count
    if short_cjk and (searched or long_cjk):
        short_cjk = ()  # too short for the trigram index: searched alone, never beside indexed terms
    for term in short_cjk:
        for seq in _like(db, term.text, filters, depth):
            found[seq] = found.get(seq, 0) + 1
    total = len(searched) + len(long_cjk) + len(short_cjk)
    return {seq: count / total for seq, count in found.items()}, enough(total)


def _words_expression(vocabulary: Vocabulary, terms: tuple[Term, ...]) -> tuple[tuple[Term, ...], str | None]:
    """The terms searched and their MATCH expression: any of the rarer terms, or every term
    of a query that has only common ones."""
    if not terms:
        return (), None
    common = _common(vocabulary, terms)
    rare = tuple(t for t in terms if t not in common)
    if not rare:
        return terms, " AND ".join(t.fts() for t in terms)
    return rare, " OR ".join(t.fts() for t in rare)


def _common(vocabulary: Vocabulary, terms: tuple[Term, ...]) -> set[Term]:
    """The terms (not prefixes: the user asked for them) whose rarest word is common."""
    documents = vocabulary.documents()
    cutoff = max(COMMON_DOCUMENTS, COMMON_SHARE * documents)
    if documents <= cutoff:
        return set()
    words = {t: _TOKEN.findall(fold(t.text)) for t in terms if not t.prefix}
    frequency = vocabulary.frequencies([w for ws in words.values() for w in ws], documents)
    return {t for t, ws in words.items() if ws and min(frequency[w] for w in ws) > cutoff}


def _match(db: sqlite3.Connection, table: str, expression: str, filters: Filters, depth: int,
           terms: tuple[Term, ...] = ()) -> list[tuple[int, int]]:
    """(seq, how many of `terms` it holds) by BM25; the count from FTS5's own highlights."""
    where, params = filters.where("d")
    marked = (f", highlight({table}, 0, '{_OPEN}', '{_CLOSE}'), highlight({table}, 1, '{_OPEN}', '{_CLOSE}')"
              if terms else "")
    if filters:
        sql = (f"SELECT f.rowid{marked} FROM {table} f JOIN documents d ON d.seq = f.rowid WHERE {table} MATCH ? "
               f"AND f.rank MATCH '{_RANK}' AND {where} ORDER BY f.rank LIMIT ?")
    else:
        sql = f"SELECT rowid{marked} FROM {table} WHERE {table} MATCH ? AND rank MATCH '{_RANK}' ORDER BY rank LIMIT ?"
    try:
        rows = db.execute(sql, [expression, *(params if filters else []), depth]).fetchall()
    except sqlite3.OperationalError as error:  # parse() quotes every term, so this is rare
        raise SearchError(f"the query cannot be searched ({error})") from None
    if not terms:
        return [(row[0], 0) for row in rows]
    patterns = [term_pattern(t) for t in terms]
    counted = []
    for row in rows:
        pieces = fold(" | ".join({piece for text in row[1:] for piece in _MARKED.findall(text or "")}))
        counted.append((row[0], sum(1 for p in patterns if p.search(pieces))))
    return counted


def _like(db: sqlite3.Connection, text: str, filters: Filters, depth: int) -> list[int]:
    where, params = filters.where("d")
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.execute(
        "SELECT f.rowid FROM search_cjk f JOIN documents d ON d.seq = f.rowid "
        f"WHERE (f.title LIKE ? ESCAPE '\\' OR f.body LIKE ? ESCAPE '\\') AND {where} "
        "ORDER BY f.rowid DESC LIMIT ?",  # newest first: the scan stops at `depth` hits
        [pattern, pattern, *params, depth],
    )
    return [row[0] for row in rows]
