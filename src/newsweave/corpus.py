"""The corpus: documents linked and clustered as they arrive, persisted in the store.

`Corpus.add` is incremental: it finds candidates in in-memory indexes (rebuilt from the
store on open), writes the document, its raw input, its links and its story in one
transaction, then updates the indexes. Two corpora in one process share nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .document import Document, Link, RawArticle, Story
from .entities.namesakes import match_people
from .errors import InputError
from .link.index import NearDuplicateIndex, VectorIndex
from .link.linker import find_links, originality
from .pipeline import PIPELINE_VERSION, Pipeline
from .settings import Settings
from .store.sqlite import SQLiteStore
from .stories.cluster import best_story, bound_stories, centroid
from .stories.members import date_range, headline, in_time_order, languages, member_roles

Outcome = Literal["ingested", "updated", "unchanged"]
# Stories of this many nearest documents are the candidates for a new arrival: a story
# none of whose members is among its 30 nearest neighbours is not its event.
STORY_NEIGHBOURS = 30


@dataclass
class AddResult:
    outcome: Outcome
    id: str
    story: int | None = None


class Corpus:
    def __init__(self, path: str | Path, settings: Settings | None = None, pipeline: Pipeline | None = None) -> None:
        self.settings = settings or Settings()
        self.store = SQLiteStore(path)
        self._pipeline = pipeline
        self._load_indexes()

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = Pipeline(self.settings)
        return self._pipeline

    def _load_indexes(self) -> None:
        self.vectors = VectorIndex()
        self.near = NearDuplicateIndex(self.settings.near_duplicate_jaccard, self.settings.minhash_permutations)
        self.story_of: dict[str, int | None] = {}
        for row in self.store.index_rows():
            self.story_of[row["id"]] = row["story_id"]
            if row["vector"] is not None:
                self.vectors.add(row["id"], np.frombuffer(row["vector"], dtype="<f4"))
            if row["minhash"] is not None:
                self.near.add(row["id"], np.frombuffer(row["minhash"], dtype="<u8"))

    # -- adding ---------------------------------------------------------------------------

    def status_of(self, raw: RawArticle) -> Outcome | None:
        """'unchanged' if this exact input is stored at this source already, else None."""
        known = self.store.known_source(raw.source)
        return "unchanged" if known and known[1] == raw.sha256 else None

    def add(self, item: RawArticle | Document | str | bytes, **hints: Any) -> AddResult:
        """Add one article (raw input, processed document, or text/bytes) to the corpus."""
        if isinstance(item, (str, bytes)):
            item = _raw_from_value(item, hints)
        if isinstance(item, RawArticle):
            if self.status_of(item) == "unchanged":
                return AddResult("unchanged", self.store.known_source(item.source)[0])
            raw, doc = item, self.pipeline.process(item)
        else:
            raw, doc = None, item
        return self._insert(doc, raw)

    def replace(self, raw: RawArticle) -> AddResult:
        """Process a raw input again and replace its stored document (for reprocessing)."""
        return self._insert(self.pipeline.process(raw), raw)

    def _insert(self, doc: Document, raw: RawArticle | None) -> AddResult:
        clash = self.store.source_of(doc.id)
        if clash is not None and clash != doc.source:
            raise InputError(doc.source, f"duplicate id {doc.id!r}: already used by {clash}")
        known = self.store.known_source(doc.source)
        outcome: Outcome = "updated" if known else "ingested"
        with self.store.transaction():
            touched: set[int] = set()
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
            self._share_agency(doc, links)
            self.store.put_document(doc, dict(raw.hints) if raw else {}, PIPELINE_VERSION)
            self.store.put_entities(doc)
            self.store.put_links(links)
            story = self._assign_story(doc, links)
            touched.add(story)
            for sid in touched:
                self._refresh_story(sid)
        self._remember(doc, story)
        return AddResult(outcome, doc.id, story)

    def _share_agency(self, doc: Document, links: list[Link]) -> None:
        """A translation or copy of a signed wire story is that agency's story too.

        The copy (the translation side, or the less original of two duplicates) takes the
        original's agency when it names none itself, and says where it came from.
        """
        for link in links:
            if link.kind not in ("translation", "duplicate", "near_duplicate"):
                continue
            other = self.store.document(link.target if link.source == doc.id else link.source)
            if link.kind == "translation":
                original, copy = (doc, other) if link.source == doc.id else (other, doc)
            else:
                original, copy = sorted((other, doc), key=originality)
            if copy.agency is None and original.agency:
                copy.agency = original.agency
                copy.warnings.append(f"agency {original.agency} taken from {link.kind} source {original.id}")
                if copy is other:
                    self.store.update_metadata(copy)

    def _assign_story(self, doc: Document, links: list[Link]) -> int:
        bound = bound_stories(doc, links, self.story_of)
        if bound:
            story, merged = bound[0], bound[1:]
            for other in merged:  # this document bridges stories: they were one event
                members = self.store.story_documents(other)
                self.store.set_story(members, story)
                self.store.delete_story(other)
                self.story_of.update({m: story for m in members})
        else:
            story = best_story(
                doc,
                self.vectors.nearest(doc.vector, STORY_NEIGHBOURS, -1.0) if doc.vector is not None else [],
                self.story_of,
                self.store.story_documents,
                self.store.paragraph_vectors,
                self.store.story_dates,
                self.settings.story_similarity,
                self.settings.story_window_days,
            )
            if story is None:
                story = self.store.new_story()
        self.store.set_story([doc.id], story)
        return story

    def _refresh_story(self, story_id: int) -> None:
        """Recompute a story's centroid, headline, languages and dates from its members."""
        docs = [self.store.document(i, arrays=True) for i in self.store.story_documents(story_id)]
        if not docs:
            self.store.delete_story(story_id)
            return
        centre = centroid([d.vector for d in docs if d.vector is not None])
        roles = member_roles(docs, self.store.links_within([d.id for d in docs]))
        start, end = date_range(docs)
        story = Story(story_id, headline(docs, roles, centre), [d.id for d in docs], languages(docs), start, end)
        self.store.save_story(story, centre)

    def _remember(self, doc: Document, story: int) -> None:
        self.story_of[doc.id] = story
        if doc.vector is not None:
            self.vectors.add(doc.id, doc.vector)
        if doc.minhash is not None:
            self.near.add(doc.id, doc.minhash)

    def _forget(self, doc_id: str) -> None:
        self.story_of.pop(doc_id, None)
        self.vectors.remove(doc_id)
        self.near.remove(doc_id)

    def record_failure(self, source: str, reason: str) -> None:
        self.store.record_failure(source, reason)

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

    def documents(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.store.document_rows()]

    def stories(self) -> list[Story]:
        stories = []
        for row in self.store.story_rows():
            stories.append(
                Story(row["id"], row["title"], self.store.story_documents(row["id"]),
                      json.loads(row["languages"]), row["start"], row["end"])
            )
        return stories

    def story(self, story_id: int) -> tuple[Story, list[tuple[Document, str]]]:
        """A story and its members in time order, each with its role."""
        row = self.store.story_row(story_id)
        docs = [self.store.document(i) for i in self.store.story_documents(story_id)]
        roles = member_roles(docs, self.store.links_within([d.id for d in docs]))
        story = Story(row["id"], row["title"], [d.id for d in docs], json.loads(row["languages"]), row["start"], row["end"])
        return story, [(d, roles[d.id]) for d in in_time_order(docs)]

    def __len__(self) -> int:
        return self.store.count()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _raw_from_value(value: str | bytes, hints: dict[str, Any]) -> RawArticle:
    data = value.encode("utf-8") if isinstance(value, str) else value
    kind = hints.pop("kind", None) or ("html" if data.lstrip()[:1] == b"<" else "text")
    url = hints.pop("url", None)
    source = hints.pop("source", None) or f"api:{RawArticle(data, '').sha256[:16]}"
    return RawArticle(data, source, kind, url, hints)
