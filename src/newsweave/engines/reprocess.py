"""Re-run the pipeline over stored raw inputs (after an upgrade): nothing is re-read from disk.

Each document is replaced in its own transaction, relinked and re-clustered, so a killed
reprocess leaves every document present (old or new version). By default only documents
made by an older pipeline version are redone, so a rerun resumes where it stopped. A story
whose members come back as they were keeps its id (and its storyline).
"""

from __future__ import annotations

import time

from ..corpus import Corpus
from ..errors import InputError
from ..ingest import Failure
from .local import IngestReport, Progress


def reprocess(corpus: Corpus, everything: bool = False, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    started = time.perf_counter()
    todo = list(corpus.stored_inputs(outdated_only=not everything))
    if progress:
        progress.start(len(todo))
    for raw in todo:
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
    report.unchanged = len(corpus) - len(todo)
    report.seconds = time.perf_counter() - started
    return report
