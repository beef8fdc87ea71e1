"""Evidence for links: which paragraphs two documents share."""

from __future__ import annotations

from ..clean.repeats import paragraph_key
from ..document import Document


def shared_paragraphs(a: Document, b: Document) -> list[list[int]]:
    """Index pairs of paragraphs that are the same text (up to case and punctuation)."""
    where = {}
    for j, paragraph in enumerate(b.paragraphs):
        where.setdefault(paragraph_key(paragraph.text), j)
    return [[i, where[key]] for i, p in enumerate(a.paragraphs) if (key := paragraph_key(p.text)) in where]
