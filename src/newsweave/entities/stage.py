"""The entity stage: recognise mentions paragraph by paragraph, then resolve them."""

from __future__ import annotations

from typing import Protocol

from ..document import Document, Mention
from .places import Gazetteer
from .propagate import propagate
from .resolve import resolve


class Recognizer(Protocol):
    def mentions(self, text: str, language: str | None = None) -> list[Mention]:
        """Mentions in `text`, offsets into `text`."""
        ...

    def document_mentions(self, doc: Document) -> list[Mention]:
        """Mentions in every paragraph; offsets index the paragraph named by `paragraph`."""
        ...


def add_entities(doc: Document, recognizer: Recognizer, gazetteer: Gazetteer) -> Document:
    """Fill doc.entities with the canonical entities its paragraphs mention (each name the
    model found once is looked for in every paragraph: `propagate`)."""
    mentions = propagate([p.text for p in doc.paragraphs], recognizer.document_mentions(doc),
                         [p.language or doc.language for p in doc.paragraphs], gazetteer)
    doc.entities = resolve(mentions, doc.language, gazetteer)
    return doc
