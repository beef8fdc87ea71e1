"""Storylines: the stories of one ongoing affair (the same main actors and places over weeks,
months or years), threaded online as stories form and change. Pure logic, no I/O.

An affair is who and where, more than what happened: two stories of one affair name the same
rare people, organisations and places (canonical entity keys, so across languages too),
while their events differ. So a story's profile is its entities, each weighted by how rare
it is (`EntityRarity`) times the share of the story's members naming it, and its centroid.
Two stories are one affair when their weighted entity overlap and their centroid cosine are
both high enough (`affair_similarity`: their geometric mean). A story joins the storyline of
its most similar candidate story (one link is enough: an affair moves on, and its first and
latest stories may share little) when that clears `storyline_similarity` and the stories lie
within `storyline_window_days` of each other; else it starts a storyline.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .signals import EntityRarity, weighted_overlap


@dataclass
class StoryProfile:
    """What a story shows of its affair."""

    id: int
    entities: Mapping[str, float]  # entity key -> share of the story's members naming it (0 … 1]
    centroid: np.ndarray | None
    start: str | None = None
    end: str | None = None
    storyline: int | None = None
    languages: list[str] = field(default_factory=list)
    members: int = 0  # how many members `entities` was read from


def affair_similarity(a: StoryProfile, b: StoryProfile, rarity: EntityRarity) -> float:
    """How strongly two stories belong to one affair, 0 … 1: the geometric mean of their
    rarity-weighted entity overlap and their centroid cosine (both must agree: a shared
    country alone, or one topic's vocabulary alone, is no affair)."""
    overlap = weighted_overlap(weighted(a.entities, rarity), weighted(b.entities, rarity)) or 0.0
    cosine = float(a.centroid @ b.centroid) if a.centroid is not None and b.centroid is not None else 0.0
    return math.sqrt(max(overlap, 0.0) * max(cosine, 0.0))


def weighted(entities: Mapping[str, float], rarity: EntityRarity) -> dict[str, float]:
    return {key: share * rarity.weight(key) for key, share in entities.items()}


def within_window(a: StoryProfile, b: StoryProfile, window_days: int) -> bool:
    """Whether the stories' date spans lie within `window_days` of each other (undated: yes)."""
    if not (a.start and a.end and b.start and b.end):
        return True
    gap = max(_day(a.start) - _day(b.end), _day(b.start) - _day(a.end)).days
    return gap <= window_days


def best_storyline(
    story: StoryProfile, candidates: Iterable[StoryProfile], rarity: EntityRarity,
    threshold: float, window_days: int,
) -> tuple[int | None, float]:
    """The storyline `story` belongs to (None: a new one) and the similarity that decided it.

    A story already in a storyline stays there while one of its other stories still
    qualifies (ids do not flicker as members arrive); else it joins the best qualifying one."""
    scores: dict[int, float] = {}
    for other in candidates:
        if other.id == story.id or other.storyline is None or not within_window(story, other, window_days):
            continue
        score = affair_similarity(story, other, rarity)
        if score >= threshold and score > scores.get(other.storyline, -1.0):
            scores[other.storyline] = score
    if story.storyline in scores:
        return story.storyline, scores[story.storyline]
    if not scores:
        return None, 0.0
    best = max(sorted(scores), key=scores.__getitem__)
    return best, scores[best]


def story_entities(mentions: Iterable[tuple[str, str]], members: int) -> dict[str, float]:
    """Entity key -> share of a story's members naming it, from (document id, entity key) pairs."""
    if members <= 0:
        return {}
    named = Counter(key for _, key in set(mentions))
    return {key: n / members for key, n in named.items()}


def storyline_title(names: Mapping[str, str], stories: list[StoryProfile], rarity: EntityRarity,
                    size: int = 3) -> str | None:
    """The storyline's title: the names of the entities most of its stories name (rarer first
    among equals), e.g. "Taliban · Afghanistan · Russia"."""
    count: Counter[str] = Counter()
    for story in stories:
        count.update(story.entities.keys())
    ranked = sorted(count, key=lambda k: (-count[k], -rarity.weight(k), k))
    picked = [names[k] for k in ranked if k in names][:size]
    return " · ".join(picked) or None


def storyline_span(stories: list[StoryProfile]) -> tuple[str | None, str | None]:
    starts = [s.start for s in stories if s.start]
    ends = [s.end for s in stories if s.end]
    return (min(starts) if starts else None, max(ends) if ends else None)


def storyline_centroid(stories: list[StoryProfile]) -> np.ndarray | None:
    vectors = [s.centroid for s in stories if s.centroid is not None]
    if not vectors:
        return None
    mean = np.mean(np.stack(vectors), axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])
