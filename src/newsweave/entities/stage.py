"""The entity stage: recognise mentions paragraph by paragraph, then resolve them."""

from __future__ import annotations

from typing import Protocol

from ..document import Document, Mention
from .places import Gazetteer
from .resolve import resolve


class Recognizer(Protocol):
    def mentions(self, text: str, language: str | None = None) -> list[Mention]:
        """Mentions in `text`, offsets into `text`."""
        ...

    def document_mentions(self, doc: Document) -> list[Mention]:
        """Mentions in every paragraph; offsets index the paragraph named by `paragraph`."""
        ...


def add_entities(doc: Document, recognizer: Recognizer, gazetteer: Gazetteer) -> Document:
    """Fill doc.entities with the canonical entities its paragraphs mention."""
    doc.entities = resolve(recognizer.document_mentions(doc), doc.language, gazetteer)
    return doc
