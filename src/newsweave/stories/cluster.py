"""Online event clustering: each arriving document joins a story or starts one.

A document that duplicates or translates another joins that document's story (and, if it
bridges two stories, they merge). Otherwise the candidates are the stories of its nearest
documents (vector index) and the latest stories naming its rarest entities (mentions
index): never a scan of every story, so the work per arrival stays flat as the corpus
grows. It joins the candidate story one of whose latest members it matches best, by the
story decision score below, if that clears `story_similarity` and its date (when known)
lies within `story_window_days` of the story's dated members; else it starts a story. A
document that clears `story_merge_similarity` for a second story too bridges them: the
caller merges them (assign.py, which records the merged-away id).

The story decision score of a pair is a logistic function of three event signals
(signals.py), each language independent: lead against body both ways (`lead_similarity`),
lead against lead, and the overlap of the numbers the texts name (a death toll, a
magnitude, a score: two similar events rarely share them). Its weights were fitted on ECB+
dev topics (two similar events per topic: the hard case) by `python -m
training.story_decision`, which also fits them on odd topics and scores even ones and vice
versa (docs/experiments.md). Two signals were left out on purpose: the SemEval-trained
event model (event_model.py) tells a topic's two events apart less well than the lead
signals alone (ROC AUC 0.77 against 0.89, ECB+ within-topic pairs), having learned
"similar news" from ratings that rate two earthquakes alike; and shared entities, which
join the reports of one affair (the seeds' four Russia and Taliban events) into one story
(that is what storylines are for).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..document import Document, Link, LinkKind
from ..link.index import Neighbour
from .signals import EntityRarity, jaccard, numbers
from .similarity import lead_similarity, lead_vector

# Links strong enough to put two documents into one story whatever else they say.
BINDING = (LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE, LinkKind.TRANSLATION)
# Compared with at most this many members (the most recent): bounded work per arrival.
MAX_MEMBERS_COMPARED = 20
# Entity candidates: the latest stories naming one of the document's rarest entities.
CANDIDATE_ENTITIES = 3
STORIES_PER_ENTITY = 5
# Entities that say little about which event it is (a country, a date) are no candidates' key.
_CANDIDATE_GROUPS = ("PER", "ORG", "LOC")

# The story decision: logistic weights over the pair signals, fitted on ECB+ dev topics
# 1-25 (all of them; held-out figures in docs/experiments.md) by training/story_decision.py.
DECISION_WEIGHTS = {"lead_body": 16.86, "lead_lead": 6.38, "numbers": 9.14}
DECISION_BIAS = -12.48


@dataclass(frozen=True)
class EventView:
    """What the story decision reads of a document: its paragraph vectors, their lead's mean,
    and the numbers its text names (made once per document, not once per pair)."""

    paragraphs: np.ndarray | None
    lead: np.ndarray | None
    numbers: frozenset[str]

    @classmethod
    def of(cls, doc: Document) -> EventView:
        return cls(doc.paragraph_vectors, lead_vector(doc.paragraph_vectors), frozenset(numbers(doc)))


class EventViews:
    """The event views of recently compared stored documents, the least recently used dropped
    past `capacity` (~40 KB each for a 20-paragraph article). A new arrival is compared with
    the latest members of the stories near it, so the same few hundred recur; reading and
    parsing each from the store again was most of the story decision's time."""

    def __init__(self, load: Callable[[str], Document], capacity: int = 2000) -> None:
        self._load, self._capacity = load, capacity
        self._views: OrderedDict[str, EventView] = OrderedDict()

    def __call__(self, doc_id: str) -> EventView:
        view = self._views.pop(doc_id, None) or EventView.of(self._load(doc_id))
        self._views[doc_id] = view
        if len(self._views) > self._capacity:
            self._views.popitem(last=False)
        return view

    def drop(self, doc_id: str) -> None:
        """Forget a document whose stored version is about to change."""
        self._views.pop(doc_id, None)

    def clear(self) -> None:
        self._views.clear()


def decision_signals(a: Document | EventView, b: Document | EventView) -> dict[str, float]:
    """The signals the story decision reads (0 where one cannot be measured)."""
    va = a if isinstance(a, EventView) else EventView.of(a)
    vb = b if isinstance(b, EventView) else EventView.of(b)
    return {
        "lead_body": lead_similarity(va.paragraphs, vb.paragraphs),
        "lead_lead": float(np.dot(va.lead, vb.lead)) if va.lead is not None and vb.lead is not None else 0.0,
        "numbers": jaccard(set(va.numbers), set(vb.numbers)) or 0.0,
    }


def decision_score(values: dict[str, float]) -> float:
    """How sure the story decision is that a pair reports one event, 0 … 1."""
    z = DECISION_BIAS + sum(w * max(values[name], 0.0) for name, w in DECISION_WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))


def bound_stories(doc: Document, links: list[Link], story_of: dict[str, int | None]) -> list[int]:
    """Stories this document is bound to by duplicate or translation links, oldest first."""
    bound = set()
    for link in links:
        if link.kind in BINDING:
            other = link.target if link.source == doc.id else link.source
            if story_of.get(other) is not None:
                bound.add(story_of[other])
    return sorted(bound)


def entity_keys(doc: Document, rarity: EntityRarity) -> list[str]:
    """The document's rarest people, organisations and places (below country level): the
    keys whose stories are candidates besides its nearest documents'."""
    keys = {e.id for e in doc.entities if e.type in _CANDIDATE_GROUPS and not e.id.startswith("loc:country:")}
    return sorted(keys, key=lambda k: (-rarity.weight(k), k))[:CANDIDATE_ENTITIES]


def candidate_stories(
    neighbours: list[Neighbour],
    story_of: dict[str, int | None],
    naming: Iterable[list[int]] = (),
) -> list[int]:
    """The stories of the nearest documents and those the entity index names, deduplicated."""
    found = {story_of.get(n.id) for n in neighbours}
    for stories in naming:
        found.update(stories)
    return sorted(found - {None})


def score_stories(
    doc: Document,
    candidates: list[int],
    members_of: Callable[[int], list[str]],
    view_of: Callable[[str], EventView],
    dates_of: Callable[[int], tuple[str | None, str | None]],
    window_days: int,
) -> list[tuple[float, int]]:
    """(score, story) for each candidate within the date window, best first: the best
    decision score against the story's latest MAX_MEMBERS_COMPARED members (a story's
    reports differ in what they tell first; a new one matches some of them closely)."""
    scored = []
    view = EventView.of(doc)
    for story in candidates:
        if not _within(doc.published, dates_of(story), window_days):
            continue
        members = members_of(story)[-MAX_MEMBERS_COMPARED:]
        if members:
            best = max(decision_score(decision_signals(view, view_of(m))) for m in members)
            scored.append((best, story))
    return sorted(scored, key=lambda s: (-s[0], s[1]))


def choose(scored: list[tuple[float, int]], threshold: float, merge_threshold: float) -> tuple[int | None, list[int]]:
    """The story to join (None: a new event) and the other stories this document bridges
    into it (each clearing `merge_threshold`, which is no lower than `threshold`)."""
    if not scored or scored[0][0] < threshold:
        return None, []
    bar = max(threshold, merge_threshold)
    return scored[0][1], [story for score, story in scored[1:] if score >= bar]


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
