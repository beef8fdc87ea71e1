"""Sentence vectors: every paragraph gets one, and a huge document's cost is bounded."""

from __future__ import annotations

import hashlib

import numpy as np

from newsweave.document import Document, Paragraph
from newsweave.embed import EMBEDDED_ALONE, embed_document


class CountingEncoder:
    """A deterministic encoder that records what it was asked to encode (the bound under test
    is how many texts reach the model, not what the model makes of them)."""

    name = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:8] for t in texts]
        vectors = np.asarray(rows, dtype=np.float32) + 1
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _doc(paragraphs: int) -> Document:
    doc = Document(id="d", source="s", raw_sha256="0" * 64, kind="text")
    doc.title = "A title"
    doc.paragraphs = [Paragraph(f"Paragraph number {i} says something.") for i in range(paragraphs)]
    return doc


def test_a_news_length_document_encodes_title_and_each_paragraph_alone():
    encoder = CountingEncoder()
    doc = embed_document(_doc(12), encoder)
    assert encoder.seen == ["A title"] + [p.text for p in doc.paragraphs]
    assert doc.paragraph_vectors.shape == (12, 8)
    assert np.allclose(doc.paragraph_vectors[3], encoder.encode([doc.paragraphs[3].text])[0])


def test_a_huge_document_encodes_at_most_twice_the_bound_and_every_paragraph_has_a_vector():
    encoder = CountingEncoder()
    count = EMBEDDED_ALONE * 5 + 7
    doc = embed_document(_doc(count), encoder)
    assert len(encoder.seen) <= 1 + 2 * EMBEDDED_ALONE
    assert doc.paragraph_vectors.shape == (count, 8)
    # The first paragraphs (the lead, which story matching reads) are still encoded alone …
    assert np.allclose(doc.paragraph_vectors[0], encoder.encode([doc.paragraphs[0].text])[0])
    # … and a later paragraph shares its group's vector with its neighbours.
    late = EMBEDDED_ALONE + 1
    assert np.allclose(doc.paragraph_vectors[late], doc.paragraph_vectors[late + 1])
    assert doc.vector is not None and np.isclose(np.linalg.norm(doc.vector), 1.0)
