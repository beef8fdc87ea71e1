"""Placing an arriving document in a story, and keeping each story's summary current.

`assign_story` binds the document to its linked originals' story (merging stories it
bridges) or, failing that, to the best candidate story (`best_story`: candidates from the
vector and entity indexes, decided by cluster.py), else a new one. `refresh_story`
recomputes what a story shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

import numpy as np

from ..clean.dates import infer_date
from ..document import Document, Link, LinkKind, Story
from ..link.index import VectorIndex
from ..settings import Settings
from .cluster import (
    STORIES_PER_ENTITY,
    EventViews,
    bound_stories,
    candidate_stories,
    choose,
    entity_keys,
    score_stories,
)
from .event_model import shipped_rarity
from .members import date_range, member_roles
from .summary import Encode, SummaryState, add_member, candidates, demote, finish, nearest_originals
from .threads import corpus_rarity

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
    def links_of(self, doc_id: str) -> list[Link]: ...
    def update_metadata(self, doc: Document) -> None: ...
    def story_summary(self, story_id: int) -> dict[str, Any] | None: ...
    def count(self) -> int: ...
    def stories_naming(self, entity_id: str, exclude: int, limit: int) -> list[int]: ...
    def entity_document_counts(self, keys: Iterable[str]) -> dict[str, int]: ...
    def save_story_summary(self, story_id: int, summary: dict[str, Any]) -> None: ...
    def redirect_story(self, old_id: int, new_id: int) -> None: ...


def assign_story(
    doc: Document,
    links: list[Link],
    story_of: dict[str, int | None],
    vectors: VectorIndex,
    store: StoryStore,
    settings: Settings,
    previous: int | None = None,
    views: EventViews | None = None,
) -> int:
    """The story `doc` joins (stored, and merged stories' members moved in `story_of`).
    `previous`: the story a replaced version of `doc` was in; if that story is now empty and
    `doc` starts a story, it takes that id back (reprocessing keeps unchanged stories' ids).
    `views`: the caller's cache of stored documents' event views (one is made if none)."""
    bound = bound_stories(doc, links, story_of)
    if bound:
        story, merged = bound[0], bound[1:]
        for other in merged:  # this document bridges stories: they were one event
            members = store.story_documents(other)
            store.set_story(members, story)
            store.delete_story(other)
            store.redirect_story(other, story)  # the merged-away id keeps naming the event
            story_of.update({m: story for m in members})
    else:
        story, bridged = best_story(doc, story_of, vectors, store, settings, views)
        for other in bridged:  # clears the bar for a second story too: one event, told twice
            members = store.story_documents(other)
            store.set_story(members, story)
            store.delete_story(other)
            store.redirect_story(other, story)
            story_of.update({m: story for m in members})
        if story is None:
            reuse = previous is not None and not store.story_documents(previous)
            story = previous if reuse else store.new_story()
    store.set_story([doc.id], story)
    return story


def best_story(
    doc: Document, story_of: dict[str, int | None], vectors: VectorIndex, store: StoryStore, settings: Settings,
    views: EventViews | None = None,
) -> tuple[int | None, list[int]]:
    """The story `doc` reports on (None: a new event) and other stories it bridges into it.
    Candidates: the stories of its nearest documents and the latest stories naming its
    rarest entities (cluster.py decides among them)."""
    neighbours = vectors.nearest(doc.vector, STORY_NEIGHBOURS, -1.0) if doc.vector is not None else []
    rarity = corpus_rarity(store, {e.id for e in doc.entities}, store.count(), _shipped_rarity())
    naming = [store.stories_naming(key, -1, STORIES_PER_ENTITY) for key in entity_keys(doc, rarity)]
    scored = score_stories(
        doc, candidate_stories(neighbours, story_of, naming), store.story_documents,
        views or EventViews(lambda m: store.document(m, arrays=True)), store.story_dates, settings.story_window_days,
    )
    return choose(scored, settings.story_similarity, settings.story_merge_similarity)


_shipped_rarity = cache(shipped_rarity)


def refresh_story(store: StoryStore, story_id: int, added: Document | None = None, encode: Encode | None = None) -> None:
    """Bring a story's centroid, headline, summary, languages and dates up to date.

    The usual case, one new member `added` to a story whose stored summary state covers all
    the others, reads only `added` (summary.py keeps what the others contributed); else (a
    merge, a removal, no state yet) every member is read again. `encode` gives sentences
    their vectors (the pipeline's embedder). A story left without members is deleted."""
    ids = store.story_documents(story_id)
    if not ids:
        store.delete_story(story_id)
        return
    state = SummaryState.from_json(store.story_summary(story_id))
    if added is not None and state is not None and ids[-1] == added.id and state.covers(ids[:-1]):
        start, end = store.story_dates(story_id)
        _date_from_story(store, added, start)
        role = _arrival_role(store, state, added, set(ids[:-1]))
        add_member(state, added, role, encode)
        dates = sorted(d for d in (start, end, added.published) if d)
        if start is None and dates:  # the story's first date: its undated members may resolve against it
            still = []
            for undated in (store.document(i) for i in state.undated):
                if _date_from_story(store, undated, dates[0]):
                    dates.append(undated.published)
                else:
                    still.append(undated.id)
            state.undated, dates = still, sorted(dates)
        start, end = (dates[0], dates[-1]) if dates else (None, None)
    else:
        docs = [store.document(i, arrays=True) for i in ids]
        first, _ = date_range(docs)
        for doc in docs:
            _date_from_story(store, doc, first)
        state = SummaryState()
        roles = member_roles(docs, store.links_within(ids))
        for doc in docs:
            add_member(state, doc, roles[doc.id], encode, sentences=False)
        for doc in nearest_originals(docs, roles, state.centroid):
            state.pool += candidates(doc, encode)
        start, end = date_range(docs)
    finish(state)
    story = Story(story_id, state.headline, ids, sorted(state.languages), start, end)
    store.save_story(story, state.centroid)
    store.save_story_summary(story_id, state.to_json())


def _date_from_story(store: StoryStore, doc: Document, first: str | None) -> bool:
    """An undated member's weekday or "yesterday" resolved against its story's first date
    (stored, so date filters see it); whether it found one."""
    if doc.published is not None or first is None:
        return False
    found = infer_date([p.text for p in doc.paragraphs], doc.language, dt.date.today(), anchor=first)
    if found:
        doc.published, doc.date_source = found.date, "story"
        store.update_metadata(doc)
    return found is not None


def _arrival_role(store: StoryStore, state: SummaryState, doc: Document, earlier: set[str]) -> str:
    """The new member's role among the earlier ones (as `member_roles` gives it); an earlier
    member it turns out to be the original of is a translation now, and leaves the summary."""
    role = "original"
    for link in store.links_of(doc.id):
        other = link.target if link.source == doc.id else link.source
        if other not in earlier:
            continue
        if link.kind is LinkKind.TRANSLATION and link.target == doc.id:
            role = "translation"
        elif link.kind is LinkKind.TRANSLATION:
            demote(state, other, store.document(other).language)
        elif link.kind in (LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE) and role == "original":
            role = "duplicate"
    return role
