"""Wire agencies travel along links: a translation or copy of a signed story is that agency's.

The copy (the translation side, or the less original of two duplicates) takes the
original's agency when it names none itself, and a warning says where it came from.
"""

from __future__ import annotations

from typing import Protocol

from ..document import Document, Link, LinkKind
from .linker import originality

# Links that make one document a copy of the other.
COPYING = (LinkKind.TRANSLATION, LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE)


class StoredDocuments(Protocol):
    def document(self, doc_id: str) -> Document:
        """A stored document."""
        ...

    def update_metadata(self, doc: Document) -> None:
        """Write a stored document's changed metadata back."""
        ...


def share_agency(doc: Document, links: list[Link], stored: StoredDocuments) -> None:
    """Give the copy on each copying link the original's agency (the new `doc` in place,
    a stored document through `stored.update_metadata`)."""
    for link in links:
        if link.kind not in COPYING:
            continue
        other = stored.document(link.target if link.source == doc.id else link.source)
        if link.kind is LinkKind.TRANSLATION:
            original, copy = (doc, other) if link.source == doc.id else (other, doc)
        else:
            original, copy = sorted((other, doc), key=originality)
        if copy.agency is None and original.agency:
            copy.agency = original.agency
            copy.warnings.append(f"agency {original.agency} taken from {link.kind} source {original.id}")
            if copy is other:
                stored.update_metadata(copy)
