"""Online event clustering: each arriving document joins a story or starts one.

A document that duplicates or translates another joins that document's story (and, if it
bridges two stories, they merge). Otherwise the stories of its nearest documents are
candidates; it joins the one whose members it matches best on average (average-link lead
similarity, see similarity.py), if that clears `story_similarity` and its date (when
known) lies within `story_window_days` of the story's dated members; else it starts one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from ..document import Document, Link, LinkKind
from ..link.index import Neighbour
from .similarity import lead_similarity

# Links strong enough to put two documents into one story whatever else they say.
BINDING = (LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE, LinkKind.TRANSLATION)
# Average-link over at most this many members (the most recent): bounded work per arrival.
MAX_MEMBERS_COMPARED = 20


def bound_stories(doc: Document, links: list[Link], story_of: dict[str, int | None]) -> list[int]:
    """Stories this document is bound to by duplicate or translation links, oldest first."""
    bound = set()
    for link in links:
        if link.kind in BINDING:
            other = link.target if link.source == doc.id else link.source
            if story_of.get(other) is not None:
                bound.add(story_of[other])
    return sorted(bound)


def best_story(
    doc: Document,
    neighbours: list[Neighbour],
    story_of: dict[str, int | None],
    members_of: Callable[[int], list[str]],
    paragraphs_of: Callable[[str], np.ndarray | None],
    dates_of: Callable[[int], tuple[str | None, str | None]],
    threshold: float,
    window_days: int,
) -> int | None:
    """The candidate story this document reports on, or None for a new event."""
    best, best_score = None, threshold
    candidates = {story_of.get(n.id) for n in neighbours} - {None}
    for story in sorted(candidates):
        if not _within(doc.published, dates_of(story), window_days):
            continue
        members = members_of(story)[-MAX_MEMBERS_COMPARED:]
        score = float(np.mean([lead_similarity(doc.paragraph_vectors, paragraphs_of(m)) for m in members]))
        if score >= best_score:
            best, best_score = story, score
    return best


def _within(date: str | None, span: tuple[str | None, str | None], window_days: int) -> bool:
    start, end = span
    if date is None or start is None or end is None:
        return True
    day = dt.date.fromisoformat(date)
    low = dt.date.fromisoformat(start) - dt.timedelta(days=window_days)
    high = dt.date.fromisoformat(end) + dt.timedelta(days=window_days)
    return low <= day <= high


def centroid(vectors: list[np.ndarray]) -> np.ndarray | None:
    if not vectors:
        return None
    mean = np.mean(np.stack(vectors), axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
