"""The one Corpus a server reads and writes through, opened on first use, behind a lock.

SQLite serialises writers across processes already; in one process, requests run on a
thread pool and one connection must not interleave transactions, so every call into the
corpus holds the lock.
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
        self.pipeline = pipeline
        self._corpus: Corpus | None = None
        self._lock = threading.Lock()

    def __call__(self, work: Callable[[Corpus], T]) -> T:
        """Run `work` on the corpus, alone."""
        with self._lock:
            if self._corpus is None:
                self._corpus = Corpus(self.db, self.settings, pipeline=self.pipeline)
            return work(self._corpus)

    def close(self) -> None:
        with self._lock:
            if self._corpus is not None:
                self._corpus.close()
                self._corpus = None
