"""Keyword ranking with SQLite FTS5 and BM25 over the tables schema migration 4 keeps in step.

Words (unicode61, diacritics folded: "Gesprache" finds "Gespräche") cover every document;
Chinese, Japanese and Korean terms are looked up by substring in the trigram table, as
those scripts do not separate words with spaces. Terms shorter than a trigram are matched
with LIKE there (a scan of those documents only).

Each match comes with the share of the query's terms it holds (counted in FTS5's own
highlights). A keyword hit must hold enough of them ("minimum should match", as Lucene
has it): all terms of a one- or two-term query, half of a longer one; otherwise a headline
used as a query would match every article by its "for" and "at".

Terms most documents hold are "common" (as Lucene's CommonTermsQuery has them): they
count in BM25 and in the share of terms, but only the other terms find candidates. Ranking
every document holding "der" or "the" cost 150 ms a query at 100,000 documents; scoring
only those holding a rarer term costs a few.
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
# A term in more documents than this is common. Scoring cost grows with the documents a
# term finds; below a thousand it stays in milliseconds, and in a small corpus no term is
# common, so its ranking is plain BM25 over every term.
COMMON_DOCUMENTS, COMMON_SHARE = 1000, 0.01
_TOKEN = regex.compile(r"\w+")


def enough(query: Query) -> float:
    """The share of the query's terms a document must hold to be a keyword hit."""
    total = len(query.terms)
    return 1.0 if total <= 2 else math.ceil(total / 2) / total


def keyword_matches(db: sqlite3.Connection, query: Query, filters: Filters, depth: int) -> dict[int, float]:
    """Document seq -> the share of the query's terms it holds, for the `depth` best by BM25
    (words, then CJK), in that order."""
    found: dict[int, int] = {}
    words = _words_expression(db, query.word_terms)
    if words:
        for seq, count in _match(db, "search_words", words, filters, depth, query.word_terms):
            found[seq] = count
    long_cjk = tuple(t for t in query.cjk_terms if len(t.text) >= 3)
    if long_cjk:
        for seq, count in _match(db, "search_cjk", " OR ".join(t.fts() for t in long_cjk), filters, depth, long_cjk):
            found[seq] = found.get(seq, 0) + count
    for term in query.cjk_terms:
        if len(term.text) < 3:
            for seq in _like(db, term.text, filters, depth):
                found[seq] = found.get(seq, 0) + 1
    return {seq: count / len(query.terms) for seq, count in found.items()}


def _words_expression(db: sqlite3.Connection, terms: tuple[Term, ...]) -> str | None:
    """The MATCH expression: any rare term finds a document, every term scores it; a query of
    common terms only needs them all."""
    if not terms:
        return None
    every = " OR ".join(t.fts() for t in terms)
    common = _common(db, terms)
    rare = [t for t in terms if t not in common]
    if not rare:
        return " AND ".join(t.fts() for t in terms)
    finding = " OR ".join(t.fts() for t in rare)
    return f"({finding}) AND ({every})" if common else finding


def _common(db: sqlite3.Connection, terms: tuple[Term, ...]) -> set[Term]:
    """The terms (not prefixes: the user asked for them) whose rarest word most documents hold."""
    documents = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    cutoff = max(COMMON_DOCUMENTS, COMMON_SHARE * documents)
    if documents <= cutoff:
        return set()
    words = {t: _TOKEN.findall(fold(t.text)) for t in terms if not t.prefix}
    wanted = sorted({w for ws in words.values() for w in ws})
    if not wanted:
        return set()
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocabulary USING fts5vocab(main, search_words, row)")
    frequency = dict(db.execute(
        f"SELECT term, doc FROM temp.search_vocabulary WHERE term IN ({','.join('?' * len(wanted))})", wanted))
    return {t for t, ws in words.items() if ws and min(frequency.get(w, 0) for w in ws) > cutoff}


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
        pieces = " | ".join(fold(piece) for text in row[1:] for piece in _MARKED.findall(text or ""))
        counted.append((row[0], sum(1 for p in patterns if p.search(pieces))))
    return counted


def _like(db: sqlite3.Connection, text: str, filters: Filters, depth: int) -> list[int]:
    where, params = filters.where("d")
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.execute(
        "SELECT f.rowid FROM search_cjk f JOIN documents d ON d.seq = f.rowid "
        f"WHERE (f.title LIKE ? ESCAPE '\\' OR f.body LIKE ? ESCAPE '\\') AND {where} "
        "ORDER BY length(f.body) LIMIT ?",  # the shorter a text holding the term, the more it is about it
        [pattern, pattern, *params, depth],
    )
    return [row[0] for row in rows]
