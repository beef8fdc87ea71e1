"""Drop paragraphs a scraper printed twice: doubled blocks and doubled headlines.

A scraper's copy repeats a *run* of paragraphs (seed 000 prints paragraphs 2-10 twice) or
a paragraph right after itself (a headline printed twice). A paragraph that recurs on its
own, between different neighbours, is the author's: an interview asking each guest the
same question, an embedded tweet's signature line. Those stay (the article-extraction
gold keeps them: dropping them cost 0.003 F1 there).
"""

from __future__ import annotations

from ..document import Document, Removed, paragraph_key

# Shorter paragraphs may repeat by design (list items, "Meal 1", a Q&A's labels); a
# scraper's doubled block or headline is longer than this (in letters, any script).
MIN_REPEAT_CHARS = 30
# A scraper doubles a block (seed 000: nine paragraphs); a run of two repeats by design too
# (a meal plan's dish and portion lines, a question and a stock answer).
MIN_REPEATED_RUN = 3


def drop_repeated_paragraphs(doc: Document) -> Document:
    """Drop copies that follow their original or sit in a repeated run; record them."""
    keys = [paragraph_key(p.text) for p in doc.paragraphs]
    first: dict[str, int] = {}
    copies: set[int] = set()
    for i, key in enumerate(keys):
        if len(key) < MIN_REPEAT_CHARS:
            continue
        j = first.setdefault(key, i)
        if j != i and (j == i - 1 or _run(keys, i, j) >= MIN_REPEATED_RUN):
            copies.add(i)
    for i in sorted(copies):
        doc.removed.append(Removed(doc.paragraphs[i].text, "repeated paragraph"))
    doc.paragraphs = [p for i, p in enumerate(doc.paragraphs) if i not in copies]
    return doc


def _run(keys: list[str], i: int, j: int) -> int:
    """How many consecutive paragraphs around i repeat those around j (j < i), i included."""
    length = 1
    for step in (-1, 1):
        a, b = i + step, j + step
        while 0 <= b < a < len(keys) and b != i and keys[a] == keys[b] and len(keys[a]) >= MIN_REPEAT_CHARS:
            length += 1
            a, b = a + step, b + step
    return length
