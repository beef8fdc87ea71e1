"""The corpus: documents linked and clustered as they arrive, persisted in the store.

`Corpus.add` is incremental: it finds candidates in in-memory indexes (rebuilt from the
store on open), writes the document, its raw input, its links and its story in one
transaction, then updates the indexes. Two corpora in one process share nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .document import (
    Document,
    DocumentSummary,
    EntityDetail,
    EntityDocument,
    EntitySummary,
    Failure,
    Page,
    RawArticle,
    SearchHit,
    SearchPage,
    Story,
    StoryDetail,
    Storyline,
    StorylineDetail,
    SummarySentence,
    Why,
)
from .embed import make_embedder
from .entities.namesakes import match_people
from .errors import InputError, NotFound
from .ingest.feeds import FeedState
from .ingest.values import raw_article
from .link.agency import share_agency
from .link.index import NearDuplicateIndex, VectorIndex
from .link.linker import find_links
from .pipeline import PIPELINE_VERSION, Pipeline
from .search import Filters, Search
from .search.semantic import SemanticIndex
from .settings import Settings
from .store import reads
from .store.sqlite import SQLiteStore
from .stories.assign import assign_story, refresh_story
from .stories.cluster import EventViews
from .stories.members import in_time_order, member_origins, member_roles
from .stories.threads import thread_stories
from .stories.timeline import timeline

Outcome = Literal["ingested", "updated", "unchanged"]
_SUMMARY_FIELDS = list(DocumentSummary.__dataclass_fields__)


@dataclass
class AddResult:
    outcome: Outcome
    id: str
    story: int | None = None


class StoredStories:
    """Each stored document's story, read from the store when asked (story assignment reads a
    few per arrival; nothing is held). Writes are no-ops: `set_story` already stored them.
    Documents being added (hidden from the indexes) are not counted yet."""

    def __init__(self, store: SQLiteStore, hidden: set[str]) -> None:
        self.store = store
        self.hidden = hidden

    def get(self, doc_id: str, default: int | None = None) -> int | None:
        story = self.store.story_of(doc_id)
        return default if story is None else story

    def __getitem__(self, doc_id: str) -> int | None:
        if self.store.source_of(doc_id) is None:
            raise KeyError(doc_id)
        return self.store.story_of(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.store.source_of(doc_id) is not None

    def __len__(self) -> int:
        return self.store.count() - sum(1 for d in self.hidden if d in self)

    def __setitem__(self, doc_id: str, story: int | None) -> None:
        pass

    def update(self, *_: Any, **__: Any) -> None:
        pass

    def pop(self, doc_id: str, default: Any = None) -> Any:
        return default


class Corpus:
    def __init__(self, path: str | Path, settings: Settings | None = None, pipeline: Pipeline | None = None) -> None:
        self.settings = settings or Settings()
        self.store = SQLiteStore(path)
        self._pipeline = pipeline
        self._search: Search | None = None  # made on the first search
        self._pairs: Any = None  # the event-similarity scorer `why` reads, made on first need
        self._background: Any = None  # the shipped entity counts storylines weigh rarity with
        self._views = EventViews(lambda doc_id: self.store.document(doc_id, arrays=True))
        self._load_indexes()

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = Pipeline(self.settings)
        return self._pipeline

    def _encode_sentences(self, texts: list[str]) -> Any:
        """Sentence vectors for story summaries, from the embedder the documents' vectors came
        from (the pipeline's, or one of the same kind made on first need)."""
        if self._pipeline is not None:
            return self._pipeline.embedder.encode(texts)
        if getattr(self, "_sentence_embedder", None) is None:
            self._sentence_embedder = make_embedder(self.settings.embedder, self.settings.threads, self.settings.cache_dir)
        return self._sentence_embedder.encode(texts)

    def _load_indexes(self) -> None:
        """The candidate indexes read the store (and the vector index file beside it) when
        asked: opening reads nothing from the documents, whatever the corpus's size."""
        self.near = NearDuplicateIndex(self.settings.near_duplicate_jaccard, self.settings.minhash_permutations, self.store)
        self.store.configure_bands(self.near.banding, self.near.keys)
        memory = self.store.path in ("", ":memory:") or self.store.path.startswith("file::memory:")
        self._ann = SemanticIndex(self.store.db, None if memory else self.store.path + ".vectors.usearch",
                                  make_embedder(self.settings.embedder, 1).name)
        self.vectors = VectorIndex(self._ann, self.store)
        self.story_of = StoredStories(self.store, self.vectors.hidden)

    def _catch_up(self) -> None:
        """Another process wrote since we last looked: the indexes read what is stored (the
        vector index catches up by seq on its next lookup); cached event views may be stale."""
        self._views.clear()

    # -- adding ---------------------------------------------------------------------------

    def status_of(self, raw: RawArticle) -> Outcome | None:
        """'unchanged' if this exact input is stored at this source already, else None."""
        known = self.store.known_source(raw.source)
        return "unchanged" if known and known[1] == raw.sha256 else None

    def add(self, item: RawArticle | Document | str | bytes, from_raw: RawArticle | None = None, **hints: Any) -> AddResult:
        """Add one article (raw input, processed document, or text/bytes) to the corpus.
        `from_raw`: the input a processed Document was made from elsewhere (a Dask worker),
        stored with it as a raw input is, so reprocess can redo it. A failure recorded for the
        input's source by an earlier run is cleared once the input is stored."""
        if isinstance(item, (str, bytes)):
            item = raw_article(item, **hints)
        raw = item if isinstance(item, RawArticle) else from_raw
        if isinstance(item, RawArticle) and self.status_of(item) == "unchanged":
            result = AddResult("unchanged", self.store.known_source(item.source)[0])
        else:
            result = self._insert(self.pipeline.process(item) if item is raw else item, raw)
        if raw is not None:
            self.store.clear_failure(raw.source)
        return result

    def replace(self, raw: RawArticle) -> AddResult:
        """Process a raw input again and replace its stored document (for reprocessing)."""
        return self._insert(self.pipeline.process(raw), raw)

    def _insert(self, doc: Document, raw: RawArticle | None) -> AddResult:
        """Store one document in one transaction: its old version out, its raw input, people,
        links and agency, then its story and every story it touched; then the indexes."""
        with self.store.transaction():  # the write lock first: what follows sees every writer's work
            if self.store.changed_elsewhere():
                self._catch_up()
            clash = self.store.source_of(doc.id)
            if clash is not None and clash != doc.source:
                raise InputError(doc.source, f"duplicate id {doc.id!r}: already used by {clash}")
            known = self.store.known_source(doc.source)
            outcome: Outcome = "updated" if known else "ingested"
            touched: set[int] = set()
            old_story = None
            if known:
                old_story = self.store.delete_document(known[0])
                if old_story is not None:
                    touched.add(old_story)
            if raw is not None:
                self.store.put_raw(raw.sha256, raw.data, raw.source)
            self._forget(doc.id)
            match_people(doc, self.store)
            links = find_links(
                doc, self.vectors, self.near,
                [i for i in self.store.ids_with_content(doc.content_sha256) if i != doc.id],
                lambda other: self.store.document(other, arrays=True), self.settings,
            )
            share_agency(doc, links, self.store)
            self.store.put_document(doc, dict(raw.hints) if raw else {}, PIPELINE_VERSION)
            self.store.put_entities(doc)
            self.store.put_links(links)
            story = assign_story(doc, links, self.story_of, self.vectors, self.store, self.settings, old_story, self._views)
            touched.add(story)
            for sid in touched:
                refresh_story(self.store, sid, doc if sid == story else None, self._encode_sentences)
            thread_stories(self.store, touched, len(self), self.background_rarity, self.settings)
        self._remember(doc, story)
        return AddResult(outcome, doc.id, story)

    def _remember(self, doc: Document, story: int) -> None:
        """The document is stored (bands and story with it): candidates may include it again."""
        self.vectors.show(doc.id)

    def _forget(self, doc_id: str) -> None:
        """Until it is stored, a document arriving is no candidate for itself."""
        self.vectors.hide(doc_id)
        self._views.drop(doc_id)

    def record_failure(self, source: str, reason: str) -> None:
        self.store.record_failure(source, reason)

    # -- watched feeds ---------------------------------------------------------------------

    def feed_state(self, source: str) -> FeedState | None:
        """What `newsweave watch` knows of a source (validators, failures, next poll), if anything."""
        row = self.store.feed_row(source)
        if row is None:
            return None
        return FeedState(row["source"], row["etag"], row["last_modified"], _moment(row["last_poll"]),
                         row["last_status"], row["failures"], _moment(row["next_poll"]))

    def save_feed_state(self, state: FeedState) -> None:
        self.store.put_feed({
            "source": state.source, "etag": state.etag, "last_modified": state.last_modified,
            "last_poll": state.last_poll.isoformat() if state.last_poll else None,
            "last_status": state.last_status, "failures": state.failures,
            "next_poll": state.next_poll.isoformat() if state.next_poll else None,
        })

    def seen_feed_items(self, feed: str, items: list[str]) -> set[str]:
        """Which of a feed's items (guids, links, file versions) were taken in before."""
        return self.store.seen_feed_items(feed, items)

    def mark_feed_item(self, feed: str, item: str, doc_id: str | None) -> None:
        """Remember that a feed's item was taken in (as `doc_id`, or as a failure: None)."""
        self.store.put_feed_item(feed, item, doc_id)

    def stored_id(self, source: str) -> str | None:
        """The id of the document stored from this source, if one is."""
        known = self.store.known_source(source)
        return known[0] if known else None

    # -- reading --------------------------------------------------------------------------

    def document(self, key: str) -> Document:
        return self.store.document(self.store.resolve(key))

    def view(self, key: str) -> dict[str, Any]:
        """One document as `show --json` prints it: record, links, story and raw hash."""
        doc = self.document(key)
        record = doc.to_dict()
        record["links"] = [link.seen_from(doc.id) for link in self.store.links_of(doc.id)]
        record["story"] = self.store.story_of(doc.id)
        return record

    def documents(
        self, *, lang: str | None = None, date_from: Any = None, date_to: Any = None, entity: str | None = None,
        story: int | None = None, agency: str | None = None, limit: int | None = None, cursor: str | None = None,
    ) -> Page[DocumentSummary]:
        """Documents in arrival order, filtered as search filters; `limit` None: all of them.
        SearchError for a bad date, limit or cursor."""
        filters = Filters.make(lang, date_from, date_to, entity, story, agency)
        rows, after = reads.documents(self.store.db, filters, limit, cursor)
        return Page([DocumentSummary(*(r[name] for name in _SUMMARY_FIELDS)) for r in rows], after)

    def stories(
        self, *, lang: str | None = None, date_from: Any = None, date_to: Any = None, entity: str | None = None,
        newest_first: bool = False, limit: int | None = None, cursor: str | None = None,
    ) -> Page[Story]:
        """Stories by first date (or newest first), those with a member matching the filters."""
        filters = Filters.make(lang, date_from, date_to, entity)
        rows, after = reads.stories(self.store.db, filters, newest_first, limit, cursor)
        return Page([self._story(row) for row in rows], after)

    def _story(self, row: Any) -> Story:
        return Story(row["id"], row["title"], reads.story_documents(self.store.db, row["id"]),
                     json.loads(row["languages"]), row["start"], row["end"], row["storyline_id"])

    def entities(
        self, *, type: str | None = None, story: int | None = None, document: str | None = None,
        limit: int | None = None, cursor: str | None = None,
    ) -> Page[EntitySummary]:
        """Canonical entities, most documents first; of one type, or named in one story or document."""
        rows, after = reads.entities(self.store.db, type, story, document, limit, cursor)
        return Page([
            EntitySummary(r["id"], r["name"], r["type"], r["country"], r["latitude"], r["longitude"], r["given"],
                          r["documents"], r["mentions"], sorted(set((r["variants"] or "").split(","))))
            for r in rows
        ], after)

    def entity(self, entity_id: str) -> EntityDetail:
        """One entity: variants by language, documents, mentions per day, entities seen with it."""
        row, mentions = reads.entity(self.store.db, entity_id)
        if row is None:
            raise NotFound(f"no entity with id {entity_id!r} (try `newsweave entities`)")
        variants: dict[str, set[str]] = {}
        documents: dict[str, EntityDocument] = {}
        timeline: dict[str, int] = {}
        for m in mentions:
            variants.setdefault(m["language"] or "?", set()).add(m["text"])
            if m["doc_id"] not in documents:
                documents[m["doc_id"]] = EntityDocument(m["doc_id"], m["title"], m["published"], 0)
                if m["published"]:
                    day = m["published"][:10]
                    timeline[day] = timeline.get(day, 0) + 1
            documents[m["doc_id"]].mentions += 1
        seen_with = [dict(r) for r in reads.companions(self.store.db, entity_id)]
        return EntityDetail(
            row["id"], row["name"], row["type"], row["country"], row["latitude"], row["longitude"], row["given"],
            {k: sorted(v) for k, v in sorted(variants.items())}, list(documents.values()),
            dict(sorted(timeline.items())), seen_with,
        )

    def failures(self) -> list[Failure]:
        """Inputs that could not become documents, oldest first."""
        return [Failure(r["source"], r["reason"], r["at"]) for r in reads.failures(self.store.db)]

    def story(self, story_id: int) -> tuple[Story, list[tuple[Document, str]]]:
        """A story and its members in time order, each with its role. The id of a story merged
        into another names the survivor."""
        story_id = self.store.resolve_story(story_id)
        row = self.store.story_row(story_id)
        docs = [self.store.document(i) for i in self.store.story_documents(story_id)]
        links = self.store.links_within([d.id for d in docs])
        roles = member_roles(docs, links)
        members = [(d, roles[d.id]) for d in in_time_order(docs)]
        return self._story_detail(self._story(row), members, member_origins(docs, links)), members

    def _story_detail(self, story: Story, members: list[tuple[Document, str]], origins: dict[str, str]) -> StoryDetail:
        """The story with its stored summary and headline and its members' timeline."""
        stored = self.store.story_summary(story.id) or {}
        return StoryDetail(
            **{name: getattr(story, name) for name in Story.__dataclass_fields__},
            headline=story.title, language=stored.get("language"),
            summary=[SummarySentence(s["text"], s["document"]) for s in stored.get("sentences", [])],
            timeline=timeline(members, origins),
        )

    # -- storylines and why -----------------------------------------------------------------

    def storylines(self, *, limit: int | None = None, cursor: str | None = None) -> Page[Storyline]:
        """Storylines by first date (undated last), each with its stories in time order."""
        rows, after = reads.storylines(self.store.db, limit, cursor)
        return Page([self._storyline(row) for row in rows], after)

    def storyline(self, storyline_id: int, with_timeline: bool = True) -> StorylineDetail:
        """A storyline, its stories in time order, and the timeline of all their members
        (`with_timeline=False`: left empty, so no member document is read)."""
        found = self._storyline(self.store.storyline_row(storyline_id))
        stories = [self._story(self.store.story_row(i)) for i in found.stories]
        if not with_timeline:
            return StorylineDetail(**vars(found), members=stories, timeline=[])
        docs = [self.store.document(d) for story in stories for d in story.documents]
        links = self.store.links_within([d.id for d in docs])
        roles = member_roles(docs, links)
        days = timeline([(d, roles[d.id]) for d in in_time_order(docs)], member_origins(docs, links))
        return StorylineDetail(**vars(found), members=stories, timeline=days)

    def _storyline(self, row: Any) -> Storyline:
        return Storyline(row["id"], row["title"], self.store.storyline_stories(row["id"]), row["start"], row["end"],
                         json.loads(row["languages"]))

    def why(self, a: str, b: str) -> Why:
        """Whether two documents (ids, sources or prefixes) share a story or storyline, and why:
        the story decision's score for the pair and each signal's part in it, the threshold,
        the event model's similarity over their stored vectors and entities, their links and
        the entities both name."""
        from .stories.cluster import DECISION_BIAS, DECISION_WEIGHTS, decision_score, decision_signals
        from .stories.pairs import PairScorer
        from .stories.signals import EntityRarity
        from .stories.threads import corpus_rarity

        ids = [self.store.resolve(a), self.store.resolve(b)]
        docs = [self.store.document(i, arrays=True) for i in ids]
        if self._pairs is None:
            self._pairs = PairScorer(self._pipeline, rarity=EntityRarity(0, {}), settings=self.settings)
        keys = {e.id for d in docs for e in d.entities}
        self._pairs.rarity = corpus_rarity(self.store, keys, len(self), self.background_rarity)
        score = self._pairs.documents(*docs)
        decision = decision_signals(*docs)
        contributions = {name: round(w * max(decision[name], 0.0), 4) for name, w in DECISION_WEIGHTS.items()}
        stories = [self.store.story_of(i) for i in ids]
        storylines = [self.store.storyline_of(s) if s is not None else None for s in stories]
        names = {e.id: e for e in docs[0].entities}
        shared = [{"id": e.id, "name": names[e.id].name, "type": e.type} for e in docs[1].entities if e.id in names]
        return Why(
            ids, stories[0] is not None and stories[0] == stories[1],
            storylines[0] is not None and storylines[0] == storylines[1],
            round(decision_score(decision), 4), self.settings.story_similarity, "story_decision",
            {k: round(v, 4) for k, v in decision.items()},
            [link.seen_from(ids[0]) for link in self.store.links_of(ids[0]) if ids[1] in (link.source, link.target)],
            stories, storylines, shared, {**contributions, "bias": DECISION_BIAS},
            {"similarity": round(score.similarity, 4),
             "signals": {k: None if v is None else round(v, 4) for k, v in score.signals.items()}},
        )

    @property
    def background_rarity(self):
        """The entity document counts shipped with the event model: rarity's prior."""
        if self._background is None:
            from .stories.event_model import shipped_rarity

            self._background = shipped_rarity()
        return self._background

    def stored_inputs(self, outdated_only: bool = True) -> Iterator[RawArticle]:
        """The stored raw inputs, in arrival order, to process again: by default only those of
        documents an older pipeline version made."""
        for row in self.store.raw_inputs():
            if not outdated_only or row["pipeline_version"] != PIPELINE_VERSION:
                yield RawArticle(bytes(row["data"]), row["source"], row["kind"], row["url"], json.loads(row["hints"]))

    def search(
        self, query: str, *, lang: str | None = None, date_from: Any = None, date_to: Any = None,
        entity: str | None = None, story: int | None = None, agency: str | None = None, limit: int = 20,
        group_by_story: bool = False, cursor: str | None = None, mode: str = "all",
    ) -> SearchPage:
        """Documents matching `query` by keyword or meaning (in any language), best first, filtered;
        dates are YYYY-MM-DD on `published`, inclusive; `mode` "keyword" or "semantic" uses one
        ranking alone. SearchError for a malformed query, date, cursor or mode."""
        filters = Filters.make(lang, date_from, date_to, entity, story, agency)
        return self.searcher.search(query, filters, limit, group_by_story, cursor, mode)

    def similar(self, key: str, limit: int = 10) -> list[SearchHit]:
        """The documents nearest in meaning to one (an id, source or prefix), in any language."""
        return self.searcher.similar(self.store.resolve(key), limit)

    @property
    def searcher(self) -> Search:
        """Keyword and semantic search over this corpus; its vector index lives beside the
        database (`<db>.vectors.usearch`) and loads on the first semantic query."""
        if self._search is None:
            # A query is one short text: on one thread USE encodes it in ~5 ms, on two it waits on
            # the other (28-77 ms measured while the second core was busy). A pipeline's is reused.
            embedder = self._pipeline.embedder if self._pipeline else make_embedder(self.settings.embedder, 1, self.settings.cache_dir)
            memory = self.store.path in ("", ":memory:") or self.store.path.startswith("file::memory:")
            self._search = Search(self.store.db, None if memory else self.store.path + ".vectors.usearch",
                                  embedder.name, embedder.encode)
            self._search.semantic = self._ann  # one vector index for links and search
        return self._search

    def __len__(self) -> int:
        return self.store.count()

    def close(self) -> None:
        self._ann.close()
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _moment(value: str | None) -> dt.datetime | None:
    """A stored ISO time (UTC) as an aware datetime."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
