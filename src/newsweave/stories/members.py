"""What a story shows: its headline, its members' roles, its languages and dates."""

from __future__ import annotations

import numpy as np

from ..document import Document, Link, LinkKind

# A headline built from a lead sentence is cut to this many words.
_HEADLINE_WORDS = 14


def member_roles(docs: list[Document], links: list[Link]) -> dict[str, str]:
    """Mark each member original, translation (of a member) or duplicate (of an earlier one)."""
    order = {d.id: i for i, d in enumerate(docs)}
    roles = {d.id: "original" for d in docs}
    for link in links:
        if link.source not in order or link.target not in order:
            continue
        if link.kind is LinkKind.TRANSLATION:
            roles[link.target] = "translation"
        elif link.kind in (LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE):
            later = max(link.source, link.target, key=order.__getitem__)
            if roles[later] == "original":
                roles[later] = "duplicate"
    return roles


def headline(docs: list[Document], roles: dict[str, str], centre: np.ndarray | None) -> str | None:
    """The title of the most central original member; else its lead sentence, shortened."""
    originals = [d for d in docs if roles.get(d.id) == "original"] or docs

    def centrality(doc: Document) -> float:
        return float(doc.vector @ centre) if centre is not None and doc.vector is not None else 0.0

    ranked = sorted(originals, key=centrality, reverse=True)
    for doc in ranked:
        if doc.title:
            return doc.title
    for doc in ranked:
        if doc.paragraphs:
            words = doc.paragraphs[0].text.split()
            lead = " ".join(words[:_HEADLINE_WORDS])
            return lead + ("…" if len(words) > _HEADLINE_WORDS else "")
    return None


def date_range(docs: list[Document]) -> tuple[str | None, str | None]:
    dates = sorted(d.published for d in docs if d.published)
    return (dates[0], dates[-1]) if dates else (None, None)


def languages(docs: list[Document]) -> list[str]:
    return sorted({d.language for d in docs if d.language})


def in_time_order(docs: list[Document]) -> list[Document]:
    """Dated members by date, then undated ones in arrival order."""
    return sorted(docs, key=lambda d: (d.published is None, d.published or ""))
