"""Links from a new document to the corpus: duplicate, near duplicate, translation, related.

Each candidate gets at most one link, the strongest kind that holds, checked in order:
same clean text → duplicate; shingle Jaccard over the threshold → near duplicate;
different languages with aligned paragraphs → translation; close document vectors →
related. Every link carries its evidence (scores and the paragraphs that match).
"""

from __future__ import annotations

from collections.abc import Callable

from ..document import Document, Link, LinkKind
from ..fingerprints import jaccard
from ..settings import Settings
from .explain import shared_entities, shared_paragraphs
from .index import NearDuplicateIndex, VectorIndex
from .translations import alignment, is_translation

# How many nearest documents are examined for translation and related links. Translations
# of a document sit at the very top of its neighbours; "related" is meant as a short list.
NEIGHBOURS = 10
MAX_RELATED = 5


def originality(doc: Document) -> tuple:
    """Sort key: the likelier original comes first (dated earlier, signed, titled)."""
    return (doc.published is None, doc.published or "", doc.agency is None, doc.title is None)


def find_links(
    doc: Document,
    vectors: VectorIndex,
    near: NearDuplicateIndex,
    same_content: list[str],
    fetch: Callable[[str], Document],
    settings: Settings,
) -> list[Link]:
    links: dict[str, Link] = {}
    for other_id in same_content:
        if other_id != doc.id:
            links[other_id] = _symmetric(doc.id, other_id, LinkKind.DUPLICATE, 1.0, {"same": "clean text"})
    if doc.minhash is not None:
        for other_id in near.candidates(doc.minhash):
            if other_id == doc.id or other_id in links:
                continue
            score = jaccard(doc.minhash, near.signatures[other_id])
            if score >= settings.near_duplicate_jaccard:
                other = fetch(other_id)
                evidence = {
                    "jaccard": round(score, 4),
                    "shared_paragraphs": shared_paragraphs(doc, other),
                    "shared_entities": shared_entities(doc, other),
                }
                links[other_id] = _symmetric(doc.id, other_id, LinkKind.NEAR_DUPLICATE, score, evidence)
    if doc.vector is None:
        return list(links.values())
    related = 0
    for neighbour in vectors.nearest(doc.vector, NEIGHBOURS + 1, settings.related_cosine):
        if neighbour.id == doc.id or neighbour.id in links:
            continue
        other = fetch(neighbour.id)
        aligned = alignment(doc.paragraph_vectors, other.paragraph_vectors)
        evidence = {
            "cosine": round(neighbour.cosine, 4),
            **aligned.evidence(),
            "shared_entities": shared_entities(doc, other),
        }
        if doc.language != other.language and is_translation(aligned, settings.translation_alignment):
            original, translation = sorted((other, doc), key=originality)
            links[other.id] = Link(original.id, translation.id, LinkKind.TRANSLATION, aligned.score, evidence)
        elif related < MAX_RELATED:
            related += 1
            links[other.id] = _symmetric(doc.id, other.id, LinkKind.RELATED, neighbour.cosine, evidence)
    return list(links.values())


def _symmetric(a: str, b: str, kind: LinkKind, score: float, evidence: dict) -> Link:
    first, second = sorted((a, b))
    return Link(first, second, kind, score, evidence)
