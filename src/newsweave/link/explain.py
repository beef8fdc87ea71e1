"""Evidence for links: which paragraphs two documents share."""

from __future__ import annotations

from ..document import Document, paragraph_key


def shared_paragraphs(a: Document, b: Document) -> list[list[int]]:
    """Index pairs of paragraphs that are the same text (up to case and punctuation)."""
    where = {}
    for j, paragraph in enumerate(b.paragraphs):
        where.setdefault(paragraph_key(paragraph.text), j)
    return [[i, where[key]] for i, p in enumerate(a.paragraphs) if (key := paragraph_key(p.text)) in where]


def shared_entities(a: Document, b: Document, limit: int = 10) -> list[dict[str, str]]:
    """Canonical entities both documents mention, most mentioned first."""
    theirs = {e.id: len(e.mentions) for e in b.entities}
    ours = [(len(e.mentions) + theirs[e.id], e) for e in a.entities if e.id in theirs]
    ours.sort(key=lambda pair: (-pair[0], pair[1].name))
    return [{"id": e.id, "name": e.name} for _, e in ours[:limit]]
