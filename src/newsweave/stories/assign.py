"""Placing an arriving document in a story, and keeping each story's summary current.

`assign_story` binds the document to its linked originals' story (merging stories it
bridges) or, failing that, to the best candidate story of its nearest documents
(`cluster.best_story`), else a new one. `refresh_story` recomputes what a story shows.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..document import Document, Link, Story
from ..link.index import VectorIndex
from ..settings import Settings
from .cluster import best_story, bound_stories, centroid
from .members import date_range, headline, languages, member_roles

# Stories of this many nearest documents are the candidates for a new arrival: a story
# none of whose members is among its 30 nearest neighbours is not its event.
STORY_NEIGHBOURS = 30


class StoryStore(Protocol):
    """What story assignment reads and writes (the corpus store provides it)."""

    def document(self, doc_id: str, arrays: bool = False) -> Document: ...
    def paragraph_vectors(self, doc_id: str) -> np.ndarray | None: ...
    def links_within(self, doc_ids: list[str]) -> list[Link]: ...
    def new_story(self) -> int: ...
    def set_story(self, doc_ids: list[str], story_id: int) -> None: ...
    def save_story(self, story: Story, centroid: np.ndarray | None) -> None: ...
    def delete_story(self, story_id: int) -> None: ...
    def story_dates(self, story_id: int) -> tuple[str | None, str | None]: ...
    def story_documents(self, story_id: int) -> list[str]: ...


def assign_story(
    doc: Document,
    links: list[Link],
    story_of: dict[str, int | None],
    vectors: VectorIndex,
    store: StoryStore,
    settings: Settings,
) -> int:
    """The story `doc` joins (stored, and merged stories' members moved in `story_of`)."""
    bound = bound_stories(doc, links, story_of)
    if bound:
        story, merged = bound[0], bound[1:]
        for other in merged:  # this document bridges stories: they were one event
            members = store.story_documents(other)
            store.set_story(members, story)
            store.delete_story(other)
            story_of.update({m: story for m in members})
    else:
        story = best_story(
            doc,
            vectors.nearest(doc.vector, STORY_NEIGHBOURS, -1.0) if doc.vector is not None else [],
            story_of,
            store.story_documents,
            store.paragraph_vectors,
            store.story_dates,
            settings.story_similarity,
            settings.story_window_days,
        )
        if story is None:
            story = store.new_story()
    store.set_story([doc.id], story)
    return story


def refresh_story(store: StoryStore, story_id: int) -> None:
    """Recompute a story's centroid, headline, languages and dates from its members
    (a story left without members is deleted)."""
    docs = [store.document(i, arrays=True) for i in store.story_documents(story_id)]
    if not docs:
        store.delete_story(story_id)
        return
    centre = centroid([d.vector for d in docs if d.vector is not None])
    roles = member_roles(docs, store.links_within([d.id for d in docs]))
    start, end = date_range(docs)
    story = Story(story_id, headline(docs, roles, centre), [d.id for d in docs], languages(docs), start, end)
    store.save_story(story, centre)
