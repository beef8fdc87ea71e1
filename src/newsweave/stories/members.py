"""What a story's members are to it: their roles, the originals they copy, their languages and dates
(the headline and summary: summary.py)."""

from __future__ import annotations

from ..document import Document, Link, LinkKind


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


def date_range(docs: list[Document]) -> tuple[str | None, str | None]:
    dates = sorted(d.published for d in docs if d.published)
    return (dates[0], dates[-1]) if dates else (None, None)


def languages(docs: list[Document]) -> list[str]:
    return sorted({d.language for d in docs if d.language})


def in_time_order(docs: list[Document]) -> list[Document]:
    """Dated members by date, then undated ones in arrival order."""
    return sorted(docs, key=lambda d: (d.published is None, d.published or ""))


def member_origins(docs: list[Document], links: list[Link]) -> dict[str, str]:
    """Each member that copies another (a translation, a duplicate) → the original it copies,
    followed to the first report (a translation of a duplicate belongs to the duplicate's original)."""
    order = {d.id: i for i, d in enumerate(docs)}
    parent: dict[str, str] = {}
    for link in links:
        if link.source not in order or link.target not in order:
            continue
        if link.kind is LinkKind.TRANSLATION:
            parent.setdefault(link.target, link.source)
        elif link.kind in (LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE):
            earlier, later = sorted((link.source, link.target), key=order.__getitem__)
            parent.setdefault(later, earlier)
    origins = {}
    for doc_id in parent:
        root, seen = doc_id, {doc_id}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        origins[doc_id] = root
    return origins
