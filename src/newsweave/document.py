"""Core data types: what flows between stages. No I/O here.

A `RawArticle` is what a reader found (bytes plus where and hints); a `Document` is what
`process` made of it. Both are plain dataclasses so they pickle (for engines) and turn into
JSON (for the store, the CLI and export) without a framework.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

import numpy as np
import regex

_NOT_WORD = regex.compile(r"[\W_]+")
T = TypeVar("T")


def paragraph_key(text: str) -> str:
    """What two copies of a paragraph share: letters and digits, case-folded.

    Cleaning finds repeated paragraphs by it and linking shows shared ones, so it lives
    with the types both read."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


class LinkKind(StrEnum):
    """How two documents relate; the values are what the store and JSON hold."""

    DUPLICATE = "duplicate"
    NEAR_DUPLICATE = "near_duplicate"
    TRANSLATION = "translation"
    RELATED = "related"


@dataclass(frozen=True)
class RawArticle:
    """One article as found: the exact input bytes and where they came from.

    `kind` says how to read the bytes ("text" or "html"); `hints` carries metadata the
    container already gave (a JSONL record's title, published date, language, id; a WARC
    record's target URI), which the pipeline prefers over what it would guess.
    """

    data: bytes
    source: str
    kind: Literal["text", "html"] = "text"
    url: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def id(self) -> str:
        """The document id: the input's own id if it has one, else a hash of the source.

        Hashing the source (not the content) means a changed file keeps its id and
        replaces its old version, while the same bytes at two places are two documents
        linked as duplicates.
        """
        given = self.hints.get("id")
        if given is not None and str(given).strip():
            return str(given).strip()
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Reading:
    """What a document is being read from, while the cleaning stages need it: the raw
    article (bytes, kind, url, stated hints) and the day it is read (None: today)."""

    raw: RawArticle
    today: dt.date | None = None


@dataclass
class Paragraph:
    text: str
    language: str | None = None
    language_score: float = 0.0


@dataclass
class Mention:
    text: str
    start: int
    end: int
    type: str
    paragraph: int = 0


@dataclass
class Entity:
    id: str
    name: str
    type: str
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    mentions: list[Mention] = field(default_factory=list)
    given: str | None = None  # a person's given-name initial, folded: what tells namesakes apart

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        data = dict(data)
        data["mentions"] = [Mention(**m) for m in data.get("mentions", [])]
        return cls(**data)


@dataclass
class Removed:
    """A piece of input the cleaner dropped, and why: cleaning must be explainable."""

    text: str
    reason: str


@dataclass
class Document:
    """One understood article. Vectors and fingerprints are numpy arrays (not in JSON)."""

    id: str
    source: str
    raw_sha256: str
    kind: str = "text"
    title: str | None = None
    published: str | None = None  # ISO 8601 date (YYYY-MM-DD)
    updated: str | None = None  # the last update the source states, when later than `published`
    # Where `published` came from when the article states no date (None: stated): "text" (its
    # own dateline or lead, clean/dates.py) or "story" (a weekday or "yesterday" resolved
    # against its story's first date). Such a date is inferred, and shown so.
    date_source: str | None = None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    dateline: str | None = None
    site_name: str | None = None
    language: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    vector: np.ndarray | None = field(default=None, repr=False)
    paragraph_vectors: np.ndarray | None = field(default=None, repr=False)
    minhash: np.ndarray | None = field(default=None, repr=False)
    # Set while the pipeline reads the document, gone once it is clean; never stored.
    reading: Reading | None = field(default=None, repr=False, compare=False)

    @property
    def body(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def text(self) -> str:
        """The clean article as a reader sees it: headline (if any), then the body."""
        parts = ([self.title] if self.title else []) + [p.text for p in self.paragraphs]
        return "\n\n".join(parts)

    @property
    def words(self) -> int:
        return sum(len(p.text.split()) for p in self.paragraphs)

    @property
    def content_sha256(self) -> str:
        """Hash of the normalised body: equal for exact duplicates whatever the wrapper."""
        normal = " ".join(self.body.casefold().split())
        return hashlib.sha256(normal.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of everything but the numeric arrays."""
        data = asdict(self)
        for name in ("vector", "paragraph_vectors", "minhash", "reading"):
            data.pop(name)
        data["text"] = self.text
        data["words"] = self.words
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        data = {k: v for k, v in data.items() if k in _DOCUMENT_FIELDS}
        data["paragraphs"] = [Paragraph(**p) for p in data.get("paragraphs", [])]
        data["removed"] = [Removed(**r) for r in data.get("removed", [])]
        data["entities"] = [Entity.from_dict(e) for e in data.get("entities", [])]
        return cls(**data)


_DOCUMENT_FIELDS = {f for f in Document.__dataclass_fields__} - {
    "vector",
    "paragraph_vectors",
    "minhash",
    "reading",
}


@dataclass
class Link:
    """A relation between two documents, with the evidence that supports it.

    For a translation, `source` is the document judged original and `target` its
    translation; other kinds are symmetric and stored with source < target.
    """

    source: str
    target: str
    kind: LinkKind
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kind = LinkKind(self.kind)  # a stored or typed string becomes the enum; unknown kinds fail

    def seen_from(self, doc_id: str) -> dict[str, Any]:
        other = self.target if doc_id == self.source else self.source
        view = {"kind": self.kind, "other": other, "score": round(self.score, 4)}
        if self.kind is LinkKind.TRANSLATION:
            view["direction"] = "original_of" if doc_id == self.source else "translation_of"
        view["evidence"] = self.evidence
        return view


class Record:
    """A read model's JSON form is its fields as they are: `to_dict` for every such type."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Story(Record):
    id: int
    title: str | None
    documents: list[str]
    languages: list[str]
    start: str | None
    end: str | None
    storyline: int | None = None  # the storyline (ongoing affair) the story belongs to


@dataclass
class Storyline(Record):
    """The stories of one ongoing affair (the same main actors and places over weeks to
    months), its stories in time order."""

    id: int
    title: str | None
    stories: list[int]
    start: str | None
    end: str | None
    languages: list[str]


@dataclass
class StorylineDetail(Storyline):
    """One storyline as `Corpus.storyline` reads it: its stories (`members`, in time order) and
    the timeline of all their members together."""

    members: list[Story] = field(default_factory=list)
    timeline: list[TimelineDay] = field(default_factory=list)


@dataclass
class Why(Record):
    """Whether two documents share a story or storyline, and the evidence: the story decision's
    score for the pair (`similarity`, against `threshold`: a document joins a story when it
    reaches it against one of the story's latest members), each signal it read and what each
    adds to the decision's log-odds (`contributions`, with the bias), the SemEval-trained event
    model's view of the pair (`event_model`: similarity and its signals), the links between them
    and the entities both name."""

    documents: list[str]
    same_story: bool
    same_storyline: bool
    similarity: float
    threshold: float
    decided_by: str
    signals: dict[str, float | None]
    links: list[dict[str, Any]]
    stories: list[int | None]
    storylines: list[int | None]
    shared_entities: list[dict[str, Any]] = field(default_factory=list)
    contributions: dict[str, float] = field(default_factory=dict)
    event_model: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchHit(Record):
    """One search result: a document, its fused score and a snippet with the hits marked
    (newsweave.search.snippets: ⟦…⟧ marks, kept as data for the reader to render)."""

    id: str
    title: str | None
    language: str | None
    published: str | None
    story: int | None
    score: float
    snippet: str


@dataclass
class SearchPage:
    """A page of search hits, best first, and the cursor of the next page (None: the last)."""

    hits: list[SearchHit]
    next: str | None = None

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> SearchHit:
        return self.hits[index]


# -- read models: what Corpus's read methods return (the CLI and the server only format them)


@dataclass
class Page(Generic[T]):
    """One page of a list and the cursor of the next (None: the last page)."""

    results: list[T]
    next: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index: int) -> T:
        return self.results[index]


@dataclass
class DocumentSummary(Record):
    """A document as lists show it: no text, no arrays."""

    id: str
    source: str
    language: str | None
    title: str | None
    published: str | None
    agency: str | None
    words: int
    story: int | None
    url: str | None


@dataclass
class StoryMember(Record):
    """A story's member in its timeline: what it is to the story (original, translation, duplicate …)."""

    id: str
    role: str
    published: str | None
    language: str | None
    title: str | None
    lead: str = ""


@dataclass
class SummarySentence(Record):
    """One sentence of a story's extractive summary and the member it was taken from."""

    text: str
    document: str


@dataclass
class TimelineEntry(Record):
    """A member on its story's timeline. `role`: original (a first report), follow-up (a later
    original report), translation or duplicate (of `first_report`); `inferred`: the date was
    read from its text or story (`date_source`), not stated."""

    document: str
    role: str
    first_report: str
    published: str | None
    inferred: bool
    date_source: str | None
    language: str | None
    source: str
    title: str | None
    lead: str = ""


@dataclass
class TimelineDay(Record):
    """One day of a timeline (None: undated members), developments in the order first reported."""

    day: str | None
    entries: list[TimelineEntry]


@dataclass
class StoryDetail(Story):
    """One story as `Corpus.story` reads it: its headline (`title`, from its members' titles
    in its main `language`), its extractive summary and its members' timeline."""

    headline: str | None = None
    language: str | None = None
    summary: list[SummarySentence] = field(default_factory=list)
    timeline: list[TimelineDay] = field(default_factory=list)


@dataclass
class EntitySummary(Record):
    """A canonical entity with how many documents and mentions name it, and its surface forms."""

    id: str
    name: str
    type: str
    country: str | None
    latitude: float | None
    longitude: float | None
    given: str | None
    documents: int
    mentions: int
    variants: list[str]


@dataclass
class EntityDocument:
    id: str
    title: str | None
    published: str | None
    mentions: int


@dataclass
class EntityDetail(Record):
    """One entity: its names by language, the documents naming it (arrival order), mentions
    per published day, and the entities named with it most often."""

    id: str
    name: str
    type: str
    country: str | None
    latitude: float | None
    longitude: float | None
    given: str | None
    variants: dict[str, list[str]]
    documents: list[EntityDocument]
    timeline: dict[str, int] = field(default_factory=dict)
    seen_with: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Failure(Record):
    """An input that could not become a document, and why."""

    source: str
    reason: str
    at: str
