"""`process(raw) -> Document`: the pure per-article pipeline, a list of named stages.

read (decode; extract then repair for HTML, repair then split for text) → repeats →
metadata → boilerplate → hints → body → language → entities → embed → fingerprint. Each
stage is a `Document -> Document` callable that declares the fields it needs and sets;
the pipeline runs them in order and keeps each one's time and document count
(`Pipeline.profile`). Models load on first use and are held by the `Pipeline` object,
never by the module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any

from .clean import lineclass
from .clean.boilerplate import BoilerplateFilter
from .clean.dates import date_from_text
from .clean.encoding import BadContent, decode
from .clean.metadata import extract_text_metadata, later_update
from .clean.mojibake import repair
from .clean.paragraphs import split_paragraphs
from .clean.repeats import drop_repeated_paragraphs
from .document import Document, Paragraph, RawArticle, Reading
from .embed import Embedder, embed_document, make_embedder
from .entities.places import Gazetteer
from .entities.recognizers import make_recognizer
from .entities.stage import Recognizer, add_entities
from .errors import ConfigError, InputError
from .fingerprints import fingerprint
from .language import LanguageIdentifier
from .settings import Settings

# Enough text to tell the language for the metadata stage's date parsing.
_LANGUAGE_SAMPLE = 1000

# Bump when a stage changes its output, so stored documents can be found and reprocessed.
PIPELINE_VERSION = "13"

# What a new document holds before its first stage: identity, and what it is read from.
_GIVEN = frozenset({"id", "source", "raw_sha256", "kind", "reading"})
# `Pipeline.clean` runs the stages up to and including this one: text and metadata, no vectors.
CLEANED = "body"


@dataclasses.dataclass(frozen=True)
class Stage:
    """One named step of `process`: `run(doc)` enriches and returns the document.

    `needs` names the fields it reads and `sets` those it writes, so an order in which a
    stage would read what no earlier stage set is refused (`check_order`).
    """

    name: str
    run: Callable[[Document], Document]
    needs: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()


@dataclasses.dataclass
class StageTiming:
    """Time spent in one stage and the documents it ran on (failures included)."""

    name: str
    documents: int = 0
    seconds: float = 0.0

    @property
    def ms_per_document(self) -> float:
        return 1000 * self.seconds / self.documents if self.documents else 0.0


def check_order(stages: Iterable[Stage]) -> None:
    """ConfigError if a stage needs a field that no stage before it sets (or names repeat)."""
    available, seen = set(_GIVEN), set()
    for stage in stages:
        if stage.name in seen:
            raise ConfigError(f"pipeline stage {stage.name!r} appears twice; stage names must be unique")
        seen.add(stage.name)
        missing = [need for need in stage.needs if need not in available]
        if missing:
            raise ConfigError(
                f"pipeline stage {stage.name!r} needs {', '.join(missing)}, which no stage before it sets; "
                "move it after the stage that does"
            )
        available.update(stage.sets)


def profile_table(timings: list[StageTiming]) -> list[str]:
    """The profile as aligned text lines: stage, docs, seconds, ms/doc, share of the total."""
    total = sum(t.seconds for t in timings)
    rows = [(t.name, t.documents, t.seconds, t.ms_per_document, t.seconds / total if total else 0.0) for t in timings]
    documents = timings[0].documents if timings else 0
    rows.append(("total", documents, total, 1000 * total / documents if documents else 0.0, 1.0 if total else 0.0))
    width = max(len("stage"), *(len(row[0]) for row in rows))
    lines = [f"{'stage':<{width}} {'docs':>7} {'seconds':>9} {'ms/doc':>9} {'share':>7}"]
    for name, docs, seconds, ms, share in rows:
        lines.append(f"{name:<{width}} {docs:>7} {seconds:>9.2f} {ms:>9.2f} {share:>7.1%}")
    return lines


class Pipeline:
    """The per-article stages with their models; one per process, reused for every article."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        recognizer: Recognizer | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or make_embedder(self.settings.embedder, self.settings.threads, self.settings.cache_dir)
        self._prepared = False  # whether `process` has asked the embedder to start loading
        self.languages = LanguageIdentifier()
        # The line model reads USE-multilingual vectors: share the encoder when it is that one.
        shared = self.embedder if self.embedder.name == lineclass.ENCODER else None
        self.boilerplate = BoilerplateFilter(encoder=shared)
        self._recognizer = recognizer
        self.gazetteer = Gazetteer(self.settings.cache_dir)
        self.stages = self._default_stages()
        check_order(self.stages)
        self.reset_profile()

    @property
    def recognizer(self) -> Recognizer:
        if self._recognizer is None:
            self._recognizer = make_recognizer(self.settings.recognizer, self.settings.cache_dir)
        return self._recognizer

    def _default_stages(self) -> list[Stage]:
        settings = self.settings
        stages = [
            Stage("read", self._read, ("reading",),
                  ("paragraphs", "repairs", "title", "url", "site_name", "authors", "agency", "published", "updated")),
            Stage("repeats", drop_repeated_paragraphs, ("paragraphs",), ("paragraphs", "removed")),
            Stage("metadata", self._metadata, ("paragraphs", "reading"),
                  ("paragraphs", "removed", "title", "url", "authors", "agency", "dateline", "published", "updated")),
            # Looked up on each call, so a caller may swap `pipeline.boilerplate` (bench/boilerplate.py does).
            Stage("boilerplate", lambda doc: self.boilerplate(doc), ("paragraphs", "kind"),
                  ("paragraphs", "captions", "removed")),
            Stage("hints", _apply_hints, ("reading",), ("title", "url", "published", "updated", "language", "warnings")),
            Stage(CLEANED, _require_body, ("paragraphs", "captions"), ("paragraphs", "captions")),
            Stage("language", lambda doc: self.languages(doc, hint=doc.language), ("paragraphs",), ("language",)),
            Stage("dates", date_from_text, ("paragraphs", "language", "reading"), ("published", "date_source")),
        ]
        if settings.entities:
            stages.append(Stage("entities", lambda doc: add_entities(doc, self.recognizer, self.gazetteer),
                                ("paragraphs", "language"), ("entities",)))
        stages += [
            Stage("embed", lambda doc: embed_document(doc, self.embedder), ("paragraphs", "title"),
                  ("vector", "paragraph_vectors")),
            Stage("fingerprint", lambda doc: fingerprint(doc, settings.shingle_words, settings.minhash_permutations),
                  ("paragraphs",), ("minhash",)),
        ]
        return stages

    def process(self, raw: RawArticle, today: dt.date | None = None) -> Document:
        """Turn one raw article into a clean, understood Document; InputError if it cannot."""
        if not self._prepared:  # the embedder loads in the background while the first article is cleaned
            self._prepared = True
            prepare = getattr(self.embedder, "prepare", None)
            if prepare is not None:
                prepare()
        try:
            return self._run(raw, today, self.stages)
        except BadContent as bad:
            raise InputError(raw.source, bad.reason) from None

    def clean(self, raw: RawArticle, today: dt.date | None = None) -> Document:
        """The model-free part of `process` (its stages up to `body`): bytes to clean
        paragraphs and metadata. BadContent if no article can be read from them."""
        names = [stage.name for stage in self.stages]
        end = names.index(CLEANED) + 1 if CLEANED in names else len(names)
        return self._run(raw, today, self.stages[:end])

    def profile(self) -> list[StageTiming]:
        """Seconds and documents per stage since the pipeline was made or last reset, in the
        order of `stages` (then any stage since taken out of the list)."""
        names = [stage.name for stage in self.stages]
        names += [name for name in self._timings if name not in names]
        return [dataclasses.replace(self._timings.get(name) or StageTiming(name)) for name in names]

    def reset_profile(self) -> None:
        self._timings = {stage.name: StageTiming(stage.name) for stage in self.stages}

    def _run(self, raw: RawArticle, today: dt.date | None, stages: list[Stage]) -> Document:
        doc = Document(id=raw.id, source=raw.source, raw_sha256=raw.sha256, kind=raw.kind, reading=Reading(raw, today))
        clock = time.perf_counter
        try:
            for stage in stages:
                timing = self._timings.get(stage.name) or self._timings.setdefault(stage.name, StageTiming(stage.name))
                started = clock()
                try:
                    doc = stage.run(doc)
                finally:
                    timing.seconds += clock() - started
                    timing.documents += 1
        finally:
            doc.reading = None
        return doc

    # -- the cleaning stages that need the pipeline's own models ---------------------------

    def _read(self, doc: Document) -> Document:
        """Decode the bytes; extract the article (HTML) or split the text into paragraphs."""
        raw, today = doc.reading.raw, doc.reading.today
        if len(raw.data) > self.settings.max_article_bytes:
            raise BadContent(
                f"article is {len(raw.data) / 1e6:.1f} MB, over the limit of "
                f"{self.settings.max_article_bytes / 1e6:.1f} MB for one article "
                "(raise max_article_bytes if it really is one article)"
            )
        if raw.kind == "html":  # trafilatura (~0.15 s to import) only where there is HTML to read
            from .clean.extract import declared_charset, extract_html
        declared = raw.hints.get("charset") or (declared_charset(raw.data) if raw.kind == "html" else None)
        text, _encoding = decode(raw.data, declared, guess_language=lambda t: self.languages.identify(t)[0])
        if raw.kind == "html":
            extract_html(doc, text, raw.url, today)
            _repair_extracted(doc)  # the article only: repairing all the markup costs 4× more
        else:
            text, doc.repairs = repair(text)
            doc.paragraphs = [Paragraph(p) for p in split_paragraphs(text)]
        return doc

    def _metadata(self, doc: Document) -> Document:
        sample = doc.body[:_LANGUAGE_SAMPLE]  # the text as it is now, before metadata lines leave it
        return extract_text_metadata(doc, doc.reading.today, lambda: self.languages.identify(sample)[0])


def _repair_extracted(doc: Document) -> None:
    """Repair title and paragraphs as one text, so evidence in one part counts for all."""
    parts = [doc.title or ""] + [p.text for p in doc.paragraphs]
    fixed, doc.repairs = repair("\n".join(parts))
    lines = fixed.split("\n")
    if len(lines) == len(parts):
        doc.title = lines[0] or None
        for paragraph, line in zip(doc.paragraphs, lines[1:], strict=True):
            paragraph.text = line


def _apply_hints(doc: Document) -> Document:
    """Metadata the container stated beats metadata we guessed; a stated language is kept
    for the language stage (which would otherwise guess it)."""
    raw, today = doc.reading.raw, doc.reading.today or dt.date.today()
    hints: dict[str, Any] = raw.hints
    doc.url = raw.url or doc.url
    if hints.get("title"):
        doc.title = " ".join(str(hints["title"]).split())
    for field in ("published", "updated"):
        if not hints.get(field):
            continue
        try:  # a stated date wins if it is a real date, not in the future
            stated = dt.date.fromisoformat(str(hints[field])[:10])
        except ValueError:
            doc.warnings.append(f"ignored unreadable {field} date {hints[field]!r}")
        else:
            if stated <= today:
                setattr(doc, field, stated.isoformat())
    doc.updated = later_update(doc.published, doc.updated)
    doc.language = hints.get("language") or None
    return doc


def _require_body(doc: Document) -> Document:
    """A picture story's caption is its article; a document with no text left is refused."""
    if not doc.paragraphs and doc.captions:
        doc.paragraphs, doc.captions = [Paragraph(c) for c in doc.captions], []
    if not doc.paragraphs:
        raise BadContent("no article text left after removing boilerplate")
    return doc
