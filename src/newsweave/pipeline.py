"""`process(raw) -> Document`: the pure per-article pipeline.

decode → repair → split (text), or extract then repair (HTML) → drop repeats → metadata → boilerplate →
language → entities → embed → fingerprint. Each stage is a plain function of the document; models
are loaded on first use and held by the `Pipeline` object, never by the module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .clean import lineclass
from .clean.boilerplate import BoilerplateFilter
from .clean.encoding import BadContent, decode
from .clean.extract import declared_charset, extract_html
from .clean.metadata import extract_text_metadata, later_update
from .clean.mojibake import repair
from .clean.paragraphs import split_paragraphs
from .clean.repeats import drop_repeated_paragraphs
from .document import Document, Paragraph, RawArticle
from .embed import Embedder, embed_document, make_embedder
from .entities.places import Gazetteer
from .entities.recognizers import make_recognizer
from .entities.stage import Recognizer, add_entities
from .errors import InputError
from .fingerprints import fingerprint
from .language import LanguageIdentifier
from .settings import Settings

# Enough text to tell the language for the metadata stage's date parsing.
_LANGUAGE_SAMPLE = 1000

# Bump when a stage changes its output, so stored documents can be found and reprocessed.
PIPELINE_VERSION = "10"


class Pipeline:
    """The per-article stages with their models; one per process, reused for every article."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        recognizer: Recognizer | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or make_embedder(self.settings.embedder, self.settings.threads)
        self.languages = LanguageIdentifier()
        # The line model reads USE-multilingual vectors: share the encoder when it is that one.
        shared = self.embedder if self.embedder.name == lineclass.ENCODER else None
        self.boilerplate = BoilerplateFilter(encoder=shared)
        self._recognizer = recognizer
        self.gazetteer = Gazetteer(self.settings.cache_dir)

    @property
    def recognizer(self) -> Recognizer:
        if self._recognizer is None:
            self._recognizer = make_recognizer(self.settings.recognizer)
        return self._recognizer

    def process(self, raw: RawArticle, today: dt.date | None = None) -> Document:
        """Turn one raw article into a clean, understood Document; InputError if it cannot."""
        try:
            doc = self.clean(raw, today)
        except BadContent as bad:
            raise InputError(raw.source, bad.reason) from None
        self.languages(doc, hint=raw.hints.get("language"))
        if self.settings.entities:
            add_entities(doc, self.recognizer, self.gazetteer)
        embed_document(doc, self.embedder)
        return fingerprint(doc, self.settings.shingle_words, self.settings.minhash_permutations)

    def clean(self, raw: RawArticle, today: dt.date | None = None) -> Document:
        """The model-free part of `process`: bytes to clean paragraphs and metadata."""
        if len(raw.data) > self.settings.max_article_bytes:
            raise BadContent(
                f"article is {len(raw.data) / 1e6:.1f} MB, over the limit of "
                f"{self.settings.max_article_bytes / 1e6:.1f} MB for one article "
                "(raise max_article_bytes if it really is one article)"
            )
        declared = raw.hints.get("charset") or (declared_charset(raw.data) if raw.kind == "html" else None)
        text, _encoding = decode(raw.data, declared, guess_language=lambda t: self.languages.identify(t)[0])
        doc = Document(id=raw.id, source=raw.source, raw_sha256=raw.sha256, kind=raw.kind)
        if raw.kind == "html":
            extract_html(doc, text, raw.url, today)
            _repair_extracted(doc)  # the article only: repairing all the markup costs 4× more
        else:
            text, doc.repairs = repair(text)
            doc.paragraphs = [Paragraph(p) for p in split_paragraphs(text)]
        drop_repeated_paragraphs(doc)
        sample = doc.body[:_LANGUAGE_SAMPLE]  # the text as it is now, before metadata lines leave it
        extract_text_metadata(doc, today, lambda: self.languages.identify(sample)[0])
        self.boilerplate(doc)
        _apply_hints(doc, raw, today or dt.date.today())
        if not doc.paragraphs and doc.captions:  # a picture story: its caption is the article
            doc.paragraphs, doc.captions = [Paragraph(c) for c in doc.captions], []
        if not doc.paragraphs:
            raise BadContent("no article text left after removing boilerplate")
        return doc


def _repair_extracted(doc: Document) -> None:
    """Repair title and paragraphs as one text, so evidence in one part counts for all."""
    parts = [doc.title or ""] + [p.text for p in doc.paragraphs]
    fixed, doc.repairs = repair("\n".join(parts))
    lines = fixed.split("\n")
    if len(lines) == len(parts):
        doc.title = lines[0] or None
        for paragraph, line in zip(doc.paragraphs, lines[1:], strict=True):
            paragraph.text = line


def _apply_hints(doc: Document, raw: RawArticle, today: dt.date) -> None:
    """Metadata the container stated beats metadata we guessed."""
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
