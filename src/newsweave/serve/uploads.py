"""Files uploaded through the web form, read by the same readers as `newsweave ingest`
(.txt, .html, .jsonl/.json, .warc, RSS/Atom, and .gz of these), each article added to the
corpus and its outcome kept for the page: ingested, updated, unchanged or failed and why.

An upload has no path that stays put, so, as with stdin, each file's articles are named by
its content: `upload:<sha256 prefix>:<file name>` (then `#line` or `#record` as the reader
numbers them). The same file sent again is "unchanged"; a changed one is new."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..corpus import Corpus
from ..document import RawArticle
from ..errors import InputError
from ..ingest import Failure, read_file
from ..ingest.files import source_name

MAX_FILES = 20
# A form post waits for every article it carries to be processed (about a second each on two
# cores): past this many, the rest are reported and left for `newsweave ingest`.
MAX_ARTICLES = 100


@dataclass
class Article:
    source: str
    outcome: str  # ingested, updated, unchanged, failed, skipped
    id: str | None = None
    reason: str | None = None
    title: str | None = None
    story: int | None = None


@dataclass
class FileOutcome:
    name: str
    articles: list[Article] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(a.outcome for a in self.articles))


def safe_name(filename: str | None) -> str:
    """The uploaded file's own name, no folders, printable, short; its extensions kept
    (they tell the readers the format)."""
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        name = "upload"
    return name if len(name) <= 120 else name[:60] + "…" + name[-59:]


def ingest_files(corpus: Corpus, files: Iterable[tuple[str | None, BinaryIO]],
                 max_articles: int = MAX_ARTICLES) -> list[FileOutcome]:
    """Add the articles of each (file name, stream) to `corpus`; one outcome list per file.
    A failure is recorded in the corpus as `newsweave ingest` records it."""
    outcomes: list[FileOutcome] = []
    left = max_articles
    with tempfile.TemporaryDirectory(prefix="newsweave-upload-") as folder:
        for n, (filename, stream) in enumerate(files):
            name = safe_name(filename)
            path = Path(folder) / str(n) / name
            path.parent.mkdir()
            digest = hashlib.sha256()
            with path.open("wb") as out:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            here, label = source_name(path.resolve()), f"upload:{digest.hexdigest()[:16]}:{name}"
            result = FileOutcome(name)
            outcomes.append(result)
            for item in read_file(path, corpus.settings.max_article_bytes):
                source = label + item.source[len(here):] if item.source.startswith(here) else label
                if left <= 0:
                    result.articles.append(Article(source, "skipped", reason=(
                        f"an upload takes at most {max_articles} articles; the rest of this file was not "
                        "read (use `newsweave ingest` for large collections)")))
                    break
                left -= 1
                result.articles.append(_add(corpus, item, source))
    return outcomes


def _add(corpus: Corpus, item: RawArticle | Failure, source: str) -> Article:
    if isinstance(item, RawArticle):
        try:
            added = corpus.add(dataclasses.replace(item, source=source))
            return Article(source, added.outcome, added.id, title=corpus.document(added.id).title,
                           story=added.story)
        except InputError as error:
            reason = error.reason
    else:
        reason = item.reason
    corpus.record_failure(source, reason)
    return Article(source, "failed", reason=reason)

