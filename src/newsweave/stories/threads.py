"""Threading stories into storylines as stories form and change: the store-facing half of
storylines.py (which decides; this reads profiles and writes the outcome).

Cost per changed story is bounded whatever the corpus size: a profile reads at most
PROFILE_MEMBERS members, and the candidates are the latest stories naming the story's
CANDIDATE_ENTITIES most telling entities, never a scan of every story.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Protocol

import numpy as np

from ..settings import Settings
from .signals import EntityRarity
from .storylines import (
    StoryProfile,
    best_storyline,
    story_entities,
    storyline_centroid,
    storyline_span,
    storyline_title,
    weighted,
)

# A story's profile reads its latest 50 members: a story's actors show in a few dozen reports.
PROFILE_MEMBERS = 50
# Candidates: the latest stories naming one of the story's 5 most telling entities (rarity x
# share), 10 per entity. A story of the same affair names its rarest actors.
CANDIDATE_ENTITIES = 5
STORIES_PER_ENTITY = 10
# A storyline's title reads its latest 20 stories.
TITLE_STORIES = 20


class StorylineStore(Protocol):
    """What threading reads and writes (the corpus store provides it)."""

    def story_profile_row(self, story_id: int): ...
    def story_mentions(self, story_id: int, members: int) -> tuple[int, list[tuple[str, str]]]: ...
    def stories_naming(self, entity_id: str, exclude: int, limit: int) -> list[int]: ...
    def entity_document_counts(self, keys: Iterable[str]) -> dict[str, int]: ...
    def entity_names(self, keys: Iterable[str]) -> dict[str, str]: ...
    def new_storyline(self) -> int: ...
    def set_storyline(self, story_id: int, storyline_id: int | None) -> None: ...
    def storyline_stories(self, storyline_id: int) -> list[int]: ...
    def save_storyline(self, storyline_id: int, title: str | None, start: str | None, end: str | None,
                       languages: list[str], centroid: np.ndarray | None) -> None: ...
    def delete_storyline(self, storyline_id: int) -> None: ...
    def take_stale_storylines(self) -> set[int]: ...


def corpus_rarity(store: StorylineStore, keys: Iterable[str], documents: int, background: EntityRarity,
                  counts: Mapping[str, int] | None = None) -> EntityRarity:
    """Entity rarity over the corpus with the shipped counts as a background: in a corpus of
    five documents every shared entity is 'common'; the background keeps a shared country
    commoner than a shared minister until the corpus is large enough to say so itself.
    `counts`: corpus document counts already read (the rest are read)."""
    keys = set(keys)
    known = dict(counts or {})
    known.update(store.entity_document_counts(keys - known.keys()))
    return EntityRarity(
        background.documents + documents,
        {k: background.counts.get(k, 0) + known.get(k, 0) for k in keys},
    )


def profile(store: StorylineStore, story_id: int, entities: bool = True) -> StoryProfile | None:
    """A stored story's profile (None: no such story)."""
    row = store.story_profile_row(story_id)
    if row is None:
        return None
    named: dict[str, float] = {}
    members = 0
    if entities:
        members, mentions = store.story_mentions(story_id, PROFILE_MEMBERS)
        named = story_entities(mentions, members)
    centroid = None if row["centroid"] is None else np.frombuffer(row["centroid"], dtype="<f4")
    return StoryProfile(row["id"], named, centroid, row["start"], row["end"], row["storyline_id"],
                        json.loads(row["languages"]), members)


def thread_stories(store: StorylineStore, story_ids: Iterable[int], documents: int,
                   background: EntityRarity, settings: Settings) -> None:
    """Put each of these (new or changed) stories in its storyline, then bring every storyline
    that gained or lost a story up to date. `documents`: how many documents the corpus holds."""
    changed: set[int] = set()
    for story_id in sorted(set(story_ids)):
        story = profile(store, story_id)
        if story is None:
            continue
        ids, counts = _candidates(store, story, documents, background)
        rows = [p for p in (profile(store, i, entities=False) for i in ids) if p is not None]
        # Its own storyline's stories first: while one still qualifies the story stays, and
        # the other candidates need not be read (a growing story mostly stays).
        mates = [r.id for r in rows if story.storyline is not None and r.storyline == story.storyline]
        chosen = None
        for group in (mates, [r.id for r in rows if r.id not in mates]):
            candidates = [p for p in (profile(store, i) for i in group) if p is not None]
            if not candidates:
                continue
            keys = {k for s in [story, *candidates] for k in s.entities}
            rarity = corpus_rarity(store, keys, documents, background, counts)
            chosen, _ = best_storyline(story, candidates, rarity, settings.storyline_similarity,
                                       settings.storyline_window_days)
            if chosen is not None:
                break
        if chosen is None:
            alone = story.storyline is not None and store.storyline_stories(story.storyline) == [story.id]
            chosen = story.storyline if alone else store.new_storyline()
        if chosen != story.storyline:
            store.set_storyline(story.id, chosen)
            if story.storyline is not None:
                changed.add(story.storyline)
        changed.add(chosen)
    for storyline_id in sorted(changed | store.take_stale_storylines()):
        refresh_storyline(store, storyline_id, background)


def _candidates(store: StorylineStore, story: StoryProfile, documents: int,
                background: EntityRarity) -> tuple[list[int], dict[str, int]]:
    """The candidate stories' ids, and the corpus counts of the story's entities."""
    counts = store.entity_document_counts(story.entities)
    rarity = corpus_rarity(store, story.entities, documents, background, counts)
    # The most telling entities that another story can share: one only this story names finds nothing.
    shared = {k: w for k, w in weighted(story.entities, rarity).items()
              if counts.get(k, 0) > round(story.entities[k] * story.members)}
    telling = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATE_ENTITIES]
    ids: dict[int, None] = {}
    for key, _ in telling:
        ids.update(dict.fromkeys(store.stories_naming(key, story.id, STORIES_PER_ENTITY)))
    return list(ids), counts


def refresh_storyline(store: StorylineStore, storyline_id: int, background: EntityRarity) -> None:
    """Recompute a storyline's title, dates, languages and centroid (one left without stories is deleted)."""
    story_ids = store.storyline_stories(storyline_id)
    if not story_ids:
        store.delete_storyline(storyline_id)
        return
    rows = [p for p in (profile(store, i, entities=False) for i in story_ids) if p is not None]
    recent = [p for p in (profile(store, i) for i in story_ids[-TITLE_STORIES:]) if p is not None]
    keys = {k for p in recent for k in p.entities}
    title = storyline_title(store.entity_names(keys), recent, _background_only(background, keys))
    start, end = storyline_span(rows)
    languages = sorted({lang for p in rows for lang in p.languages})
    store.save_storyline(storyline_id, title, start, end, languages, storyline_centroid(rows))


def _background_only(background: EntityRarity, keys: Iterable[str]) -> EntityRarity:
    """Rarity for ordering a title's names (ties only): the background table is enough."""
    counts: Mapping[str, int] = {k: background.counts.get(k, 0) for k in keys}
    return EntityRarity(background.documents, counts)
