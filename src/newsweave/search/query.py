"""A search query as typed: words, "quoted phrases" and prefix* terms, checked before SQLite
sees them, so a stray quote or operator is the user's error (SearchError), never a crash.

Terms are OR-ed and ranked by BM25: a document matching more (and rarer) terms ranks
higher, and a long headline used as a query still finds articles that share most of it.
Every term reaches FTS5 as a quoted string, so punctuation ("Russia-led", "AT&T") and
FTS5's own keywords (AND, NEAR) are searched as text, not read as syntax.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..errors import SearchError

MAX_QUERY_CHARS = 500  # a headline or two; longer input is not a query
_TOKEN = regex.compile(r'"([^"]*)"|([^\s"]+)')
_WORD = regex.compile(r"\w")
# Scripts written without spaces between words: searched by substring (trigram table).
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False

    @property
    def cjk(self) -> bool:
        return bool(_CJK.search(self.text))

    def fts(self) -> str:
        """The term as an FTS5 string (a phrase of its tokens), with * for a prefix."""
        return '"' + self.text.replace('"', '""') + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]

    @property
    def word_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.cjk)

    @property
    def cjk_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.cjk)

    def words_match(self) -> str | None:
        """The FTS5 MATCH expression for the words table, None if every term is CJK."""
        return " OR ".join(t.fts() for t in self.word_terms) or None


def parse(text: str) -> Query:
    """The query's terms; SearchError saying what is wrong with a malformed one."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"the query is {len(text)} characters long; at most {MAX_QUERY_CHARS} are searched")
    if text.count('"') % 2:
        raise SearchError('the query has an unmatched double quote; close the "phrase" or remove the quote')
    terms = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            if _WORD.search(phrase):
                terms.append(Term(" ".join(phrase.split()), phrase=True))
            continue
        prefix = word.endswith("*")
        stem = word[:-1] if prefix else word
        if "*" in stem or (prefix and not _WORD.search(stem)):
            raise SearchError(f"{word!r}: '*' marks a prefix and goes at the end of a word, as in tajik*")
        if _WORD.search(stem):
            terms.append(Term(stem, prefix=prefix))
    if not terms:
        raise SearchError("the query has no words to search for")
    return Query(text, tuple(terms))
