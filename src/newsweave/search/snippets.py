"""Snippets: a short window of a document's text around the query's terms, hits marked.

The marks are two characters news text does not use (⟦ and ⟧, removed from the text first,
so every mark is ours). A snippet stays data: the CLI and the web UI split it with
`marked_parts` and escape each part, so article text is never read as markup.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .query import Query, Term

MARK_OPEN, MARK_CLOSE = "\u27e6", "\u27e7"
WIDTH = 240  # characters of text around the first hit: two or three lines of a result list
_BEFORE = 60  # how much of the text before the first hit is kept for context
MAX_CHARS = 20_000  # hits are looked for this far into a text (a long article's opening pages)


def snippet(text: str, query: Query | None, width: int = WIDTH) -> str:
    """The part of `text` around the query's first hit (the opening if none), hits marked."""
    text = " ".join(text[:MAX_CHARS].replace(MARK_OPEN, "").replace(MARK_CLOSE, "").split())
    pattern = _query_pattern(query.terms) if query else None
    folded, first = _first_hit(text, pattern) if pattern else ("", None)  # the window, then hits in it
    start = 0
    if first:
        start = max(0, first.start() - _BEFORE)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    spans = [m.span() for m in pattern.finditer(folded, start, end) if m.end() > m.start()] if first else []
    out, cursor = [], start
    for a, b in spans:
        if a < cursor or b > end:
            continue
        out += [text[cursor:a], MARK_OPEN, text[a:b], MARK_CLOSE]
        cursor = b
    out.append(text[cursor:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


# Folding costs more than the search itself; most first hits are in an article's opening, so
# the text is folded in growing prefixes until one holds a hit well before its end.
_PREFIXES = (1_000, 4_000)
_REACH = 500 + WIDTH  # past a prefix's last hit start: the longest query (500 characters) and a window


def _first_hit(text: str, pattern: re.Pattern) -> tuple[str, re.Match | None]:
    """The folded text (a prefix of it, when that settles it) and the first hit in it.
    A hit starting `_REACH` before the prefix's end is the first in the whole text too (any
    earlier one would end inside the prefix), and its window lies inside the prefix."""
    for size in _PREFIXES:
        if size >= len(text):
            break
        folded = fold(text[:size])
        first = pattern.search(folded)
        if first and first.start() < size - _REACH:
            return folded, first
    folded = fold(text)
    return folded, pattern.search(folded)


def marked_parts(snippet_text: str) -> list[tuple[str, bool]]:
    """The snippet as (text, is_hit) pieces, for a renderer to escape and style."""
    parts = []
    for i, piece in enumerate(re.split(f"[{MARK_OPEN}{MARK_CLOSE}]", snippet_text)):
        if piece:
            parts.append((piece, i % 2 == 1))
    return parts


def hits(text: str, query: Query) -> list[tuple[int, int]]:
    """Character spans of `text` the query's terms match, in order, not overlapping;
    matched as the index matches: case and diacritics folded, words whole unless a prefix."""
    return [m.span() for m in _query_pattern(query.terms).finditer(fold(text)) if m.end() > m.start()]


@lru_cache(maxsize=256)
def _query_pattern(terms: tuple[Term, ...]) -> re.Pattern:
    """Every term in one alternation (longest first, so a phrase wins over its first word):
    one pass over the text."""
    ordered = sorted(terms, key=lambda t: -len(t.text))
    return re.compile("|".join(f"(?:{term_pattern(t).pattern})" for t in ordered))


@lru_cache(maxsize=1024)
def term_pattern(term: Term) -> re.Pattern:
    """A pattern finding the term in folded text: words whole (or as a prefix), CJK as a
    substring. Stdlib re, as every new query compiles its terms and the regex package
    compiled them slower than the search itself ran."""
    folded = fold(term.text)
    if term.cjk:
        return re.compile(re.escape(folded))
    words = re.findall(r"\w+", folded)
    body = r"\W+".join(re.escape(w) for w in words)
    return re.compile(r"(?<!\w)" + body + (r"\w*" if term.prefix else r"(?!\w)"))


def fold(text: str) -> str:
    """Text case- and diacritic-folded character for character (same length, so an index in
    it is an index in `text`): "Gespräche" -> "gesprache", as FTS5's unicode61 folds."""
    return text.translate(_FOLDED)


class _FoldTable(dict):
    """str.translate table filled on first sight of a character: its letter without marks,
    lower-cased, where that is one character; the character lower-cased (or as is) else."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
        lower = char.lower()
        folded = ord(base) if len(base) == 1 else ord(lower) if len(lower) == 1 else code
        self[code] = folded
        return folded


_FOLDED = _FoldTable()
