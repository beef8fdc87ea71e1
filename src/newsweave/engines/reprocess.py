"""Re-run the pipeline over stored raw inputs (after an upgrade): nothing is re-read from disk.

Each document is replaced in its own transaction, relinked and re-clustered, so a killed
reprocess leaves every document present (old or new version). By default only documents
made by an older pipeline version are redone, so a rerun resumes where it stopped.
"""

from __future__ import annotations

import json
import time

from ..corpus import Corpus
from ..document import RawArticle
from ..errors import InputError
from ..ingest import Failure
from ..pipeline import PIPELINE_VERSION
from .local import IngestReport, Progress


def reprocess(corpus: Corpus, everything: bool = False, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    started = time.perf_counter()
    todo = [
        row for row in corpus.store.raw_inputs()
        if everything or row["pipeline_version"] != PIPELINE_VERSION
    ]
    if progress:
        progress.start(len(todo))
    for row in todo:
        raw = RawArticle(bytes(row["data"]), row["source"], row["kind"], row["url"], json.loads(row["hints"]))
        try:
            corpus.replace(raw)
            report.count("updated")
        except InputError as error:
            failure = Failure(error.source, error.reason)
            report.failed.append(failure)
            corpus.record_failure(failure.source, failure.reason)
        if progress:
            progress.article_done("updated")
            progress.file_done()
    report.unchanged = corpus.store.count() - len(todo)
    report.seconds = time.perf_counter() - started
    return report
