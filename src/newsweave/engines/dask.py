"""The Dask engine: the pure per-article pipeline on a Dask cluster, one writer in the client.

Workers turn RawArticles into Documents (each worker builds its Pipeline once and keeps it);
the client links and stores the results through one Corpus in the order the inputs arrived,
so stories come out as the local engine's. Inputs stored already ("unchanged") are never
sent out; at most `window` articles are in flight, so memory stays flat on any input size.
A failing input is reported and recorded, and the rest goes on, as in the local engine.

Workers need newsweave importable (the same version as the client): a LocalCluster started
here uses this interpreter; for a remote scheduler, install newsweave on its workers.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..corpus import Corpus
from ..document import Document, RawArticle
from ..errors import ConfigError, InputError
from ..ingest import Failure
from ..pipeline import Pipeline
from ..settings import Settings
from .local import IngestReport, Progress, file_batches

_FILE_DONE = object()  # a marker in the arrival-order queue: the file before it is all read


@dataclass
class DaskReport(IngestReport):
    workers: int = 0
    writer_seconds: float = 0.0  # wall time the client spent in Corpus.add (linking and storing)


# -- on the workers ------------------------------------------------------------------------

_worker_pipeline: tuple[Settings, Pipeline] | None = None


def _pipeline(settings: Settings) -> Pipeline:
    """This worker's Pipeline: built on its first article, reused for every later one."""
    global _worker_pipeline
    if _worker_pipeline is None or _worker_pipeline[0] != settings:
        _worker_pipeline = (settings, Pipeline(settings))
    return _worker_pipeline[1]


def process(raw: RawArticle, settings: Settings) -> Document | Failure:
    """One article through the pipeline (on a worker); a Failure if it is not an article."""
    try:
        return _pipeline(settings).process(raw)
    except InputError as error:
        return Failure(error.source, error.reason)


# -- in the client -------------------------------------------------------------------------


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Client of the scheduler at `scheduler`, or of a LocalCluster of `workers` processes
    (one thread each: the pipeline's models use their own threads) made for this run."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("the dask engine needs dask.distributed: pip install 'dask[distributed]'") from None
    if scheduler:
        try:
            client = Client(scheduler)
        except (OSError, ValueError) as error:  # refused, timed out, or not an address
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler!r}: {error}") from None
        with client:
            yield client
        return
    import logging

    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def ingest(
    corpus: Corpus, paths: Iterable[str | Path], progress: Progress | None = None, *,
    scheduler: str | None = None, workers: int | None = None, window: int | None = None, client: Any = None,
) -> DaskReport:
    """Ingest files and folders as the local engine does, processing on a Dask cluster."""
    batches, count = file_batches(corpus, paths)
    return ingest_batches(corpus, batches, count, progress, scheduler=scheduler, workers=workers,
                          window=window, client=client)


def ingest_batches(
    corpus: Corpus, batches: Iterable[Iterable[RawArticle | Failure]], count: int, progress: Progress | None = None,
    *, scheduler: str | None = None, workers: int | None = None, window: int | None = None, client: Any = None,
) -> DaskReport:
    """Ingest `count` batches (files) of raw articles or failures, in order, on a Dask cluster.
    `client`: an existing Client to use (else one is made from `scheduler`/`workers`)."""
    report = DaskReport()
    started = time.perf_counter()
    if progress:
        progress.start(count)
    if client is not None:
        _run(corpus, batches, client, report, progress, window)
    else:
        with connect(scheduler, workers) as made:
            _run(corpus, batches, made, report, progress, window)
    report.seconds = time.perf_counter() - started
    return report


def _run(corpus: Corpus, batches: Iterable[Iterable[RawArticle | Failure]], client: Any,
         report: DaskReport, progress: Progress | None, window: int | None) -> None:
    report.workers = len(client.nthreads()) or 1
    limit = window or 4 * sum(client.nthreads().values()) or 4
    settings = corpus.settings
    # Arrival order: a Failure, a RawArticle stored already, (future, raw) sent out, or _FILE_DONE.
    queue: deque[Any] = deque()
    in_flight = 0

    def drain(most: int) -> None:
        """Store from the head while more than `most` are in flight, or while the head is ready."""
        nonlocal in_flight
        while queue and (in_flight > most or not isinstance(queue[0], tuple) or queue[0][0].done()):
            head = queue.popleft()
            if head is _FILE_DONE:
                if progress:
                    progress.file_done()
                continue
            if isinstance(head, tuple):
                in_flight -= 1
                head = (head[0].result(), head[1])  # waits for it when the window is full
            outcome = _store(corpus, head, report)
            if progress:
                progress.article_done(outcome)

    for batch in batches:
        for item in batch:
            if isinstance(item, RawArticle) and corpus.status_of(item) != "unchanged":
                queue.append((client.submit(process, item, settings, pure=False), item))
                in_flight += 1
            else:
                queue.append(item)
            drain(limit - 1)
        queue.append(_FILE_DONE)
        drain(limit - 1)
    drain(-1)


def _store(corpus: Corpus, entry: Failure | RawArticle | tuple[Document | Failure, RawArticle],
           report: DaskReport) -> str:
    """Link and store one entry in the client, as the local engine does with its own."""
    if isinstance(entry, RawArticle):
        entry = ("unchanged", entry)
    if isinstance(entry, tuple):
        result, raw = entry
        if isinstance(result, str) or corpus.status_of(raw) == "unchanged":  # or sent twice in one run
            outcome = corpus.add(raw).outcome  # stored already: add says so and clears a stale failure
            report.count(outcome)
            return outcome
        if isinstance(result, Failure):
            entry = result
        else:
            began = time.perf_counter()
            try:
                added = corpus.add(result, from_raw=raw)
            except InputError as error:
                entry = Failure(error.source, error.reason)
            else:
                report.count(added.outcome)
                return added.outcome
            finally:
                report.writer_seconds += time.perf_counter() - began
    report.failed.append(entry)
    corpus.record_failure(entry.source, entry.reason)
    return "failed"
