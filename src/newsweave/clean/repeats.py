"""Drop paragraphs that repeat an earlier one (scrapers print blocks and titles twice)."""

from __future__ import annotations

import regex

from ..document import Document, Removed

_NOT_WORD = regex.compile(r"[\W_]+")
# Shorter paragraphs may repeat by design (list items, "Meal 1", a Q&A's questions); a
# scraper's doubled block or headline is longer than this (in letters, any script).
MIN_REPEAT_CHARS = 30


def paragraph_key(text: str) -> str:
    """What two copies of a paragraph share: letters and digits, case-folded."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def drop_repeated_paragraphs(doc: Document) -> Document:
    """Keep the first copy of every paragraph, in order; record the dropped copies."""
    seen: set[str] = set()
    kept = []
    for paragraph in doc.paragraphs:
        key = paragraph_key(paragraph.text)
        if len(key) >= MIN_REPEAT_CHARS and key in seen:
            doc.removed.append(Removed(paragraph.text, "repeated paragraph"))
            continue
        seen.add(key)
        kept.append(paragraph)
    doc.paragraphs = kept
    return doc
