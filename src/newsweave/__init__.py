"""newsweave: a clean, linked record of what happened, from messy multilingual news.

    import newsweave
    doc = newsweave.process("MOSKAU (Reuters) – …")          # one article, no database
    corpus = newsweave.open("newsweave.db")                   # the embedded store
    corpus.add(open("article.html", "rb").read(), url="https://…")
    corpus.stories()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .corpus import AddResult, Corpus
from .document import Document, Link, Paragraph, RawArticle, Story
from .errors import ConfigError, InputError, NewsweaveError, NotFound, StoreError
from .ingest.values import raw_article
from .pipeline import Pipeline
from .settings import Settings
from .stories.pairs import similarity

__version__ = "0.1.0"
__all__ = [
    "AddResult", "ConfigError", "Corpus", "Document", "InputError", "Link", "NewsweaveError",
    "NotFound", "Paragraph", "Pipeline", "RawArticle", "Settings", "StoreError", "Story",
    "open", "process", "similarity",
]

_default_pipeline: Pipeline | None = None


def process(
    text_or_bytes: str | bytes,
    url: str | None = None,
    *,
    kind: str | None = None,
    source: str | None = None,
    pipeline: Pipeline | None = None,
    **hints: Any,
) -> Document:
    """Clean and understand one article (text or HTML, str or bytes) without a database.

    Models load on the first call and are reused (a convenience cache: results do not
    depend on it); pass your own `Pipeline` to control settings.
    """
    global _default_pipeline
    if pipeline is None:
        if _default_pipeline is None:
            _default_pipeline = Pipeline()
        pipeline = _default_pipeline
    return pipeline.process(raw_article(text_or_bytes, url, kind=kind, source=source, **hints))


def open(path: str | Path = "newsweave.db", settings: Settings | None = None) -> Corpus:
    """Open (or create) a corpus stored in one SQLite file."""
    return Corpus(path, settings or Settings.from_env())
