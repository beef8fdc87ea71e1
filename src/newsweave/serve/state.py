"""The corpora a server reads and writes through, each opened on first use, behind a lock.

Reads go through a corpus whose connection is query-only (SQLite refuses any write on
it); writes through another, opened at the first write. SQLite serialises writers across
processes and WAL lets readers read while one writes; in one process, requests run on a
thread pool and one connection must not interleave transactions, so each corpus is used
by one request at a time, and a slow write (models processing an article) holds up no read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..corpus import Corpus
from ..pipeline import Pipeline
from ..settings import Settings

T = TypeVar("T")


class CorpusHolder:
    def __init__(self, db: str | Path, settings: Settings | None = None, pipeline: Pipeline | None = None) -> None:
        self.db = str(db)
        self.settings = settings or (pipeline.settings if pipeline else Settings())
        self.pipeline = pipeline or Pipeline(self.settings)  # one set of models (loaded lazily) for both
        self._reader: Corpus | None = None
        self._writer: Corpus | None = None
        self._read_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def __call__(self, work: Callable[[Corpus], T]) -> T:
        """Run `work` on the query-only corpus, alone."""
        with self._read_lock:
            if self._reader is None:
                self._reader = Corpus(self.db, self.settings, pipeline=self.pipeline)
                self._reader.store.db.execute("PRAGMA query_only=ON")
            return work(self._reader)

    def write(self, work: Callable[[Corpus], T]) -> T:
        """Run `work` on the writing corpus, alone."""
        with self._write_lock:
            if self._writer is None:
                self._writer = Corpus(self.db, self.settings, pipeline=self.pipeline)
            return work(self._writer)

    def close(self) -> None:
        with self._read_lock, self._write_lock:
            for corpus in (self._reader, self._writer):
                if corpus is not None:
                    corpus.close()
            self._reader = self._writer = None
