"""The local engine: read inputs, process each article, add it to the corpus, report.

One bad input never stops the run: its failure is counted, recorded in the store and
reported. Each article is committed on its own, so a run killed at any moment loses
nothing it counted, and a rerun skips what is stored ("unchanged") without reprocessing.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..corpus import Corpus
from ..document import RawArticle
from ..errors import InputError
from ..ingest import Failure, iter_paths, read_file
from ..settings import Settings


class Progress(Protocol):
    def start(self, files: int) -> None: ...
    def file_done(self) -> None: ...
    def article_done(self, outcome: str) -> None: ...


@dataclass
class IngestReport:
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def ingest(corpus: Corpus, paths: Iterable[str | Path], progress: Progress | None = None,
           workers: int = 1) -> IngestReport:
    return ingest_batches(corpus, *file_batches(corpus, paths), progress, workers)


def file_batches(corpus: Corpus, paths: Iterable[str | Path]) -> tuple[Iterator[Iterable[RawArticle | Failure]], int]:
    """The files under `paths` as batches of raw articles (read lazily, one file at a time), and their count."""
    files = list(iter_paths(paths))
    batches = ([path] if isinstance(path, Failure) else read_file(path, corpus.settings.max_article_bytes)
               for path in files)
    return batches, len(files)


def ingest_batches(
    corpus: Corpus, batches: Iterable[Iterable[RawArticle | Failure]], count: int, progress: Progress | None = None,
    workers: int = 1,
) -> IngestReport:
    """Ingest `count` batches (files, or a stream) of raw articles or their failures, in order.
    `workers` > 1: the pipeline runs in that many processes (see `ProcessPool`)."""
    if workers > 1:
        from . import dask  # its arrival-order loop; dask itself is not needed for a local pool

        with ProcessPool(workers) as pool:
            return dask.ingest_batches(corpus, batches, count, progress, client=pool)
    report = IngestReport()
    started = time.perf_counter()
    if progress:
        progress.start(count)
    for items in batches:
        for item in items:
            outcome = _ingest_one(corpus, item, report)
            if progress:
                progress.article_done(outcome)
        if progress:
            progress.file_done()
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(corpus: Corpus, item: RawArticle | Failure, report: IngestReport) -> str:
    if isinstance(item, RawArticle):
        try:
            result = corpus.add(item)
        except InputError as error:
            item = Failure(error.source, error.reason)
        else:
            report.count(result.outcome)
            return result.outcome
    report.failed.append(item)
    corpus.record_failure(item.source, item.reason)
    return "failed"


class ProcessPool:
    """The pure per-article pipeline in `workers` local processes, the corpus writer staying
    in this one: each worker builds its Pipeline once (models load lazily, per language, on
    one thread each, as the cores are the workers'), and results are linked and stored in
    arrival order, so stories are those of one process. It offers what the Dask engine's
    loop asks of a client (submit, nthreads), so both engines share that loop."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")  # no copy of this process's open database
        self.workers = workers
        self.executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread)

    def nthreads(self) -> dict[int, int]:
        return {n: 1 for n in range(self.workers)}

    def submit(self, function, *args, pure: bool = True) -> Future:
        """`function(*args)` in a worker; settings passed along get one embedding thread."""
        args = tuple(dataclasses.replace(a, threads=1) if isinstance(a, Settings) else a for a in args)
        return self.executor.submit(function, *args)

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(cancel_futures=True)


def _one_thread() -> None:
    """A worker's numeric libraries use one thread: the other cores run the other workers."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
