"""Ingest throughput: every article text of ../shared/eval/news-similarity/pairs.csv.

Writes the texts (about 2,500 articles in 10 languages) to a JSONL file, ingests it into a
fresh database with the local engine exactly as `newsweave ingest` does, and prints one
line: documents, failed, seconds, docs/s, peak RSS; then the pipeline's time per stage
(`Pipeline.profile`, as `newsweave ingest --profile` prints it).

    .venv/bin/python -m bench.throughput [--workers N] [--limit N]

With --workers N the pipeline runs in N processes (ingest --workers); the line then adds
the largest worker's peak RSS, and the stage table (kept in the workers) is not printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from newsweave.corpus import Corpus
from newsweave.engines.local import ingest
from newsweave.pipeline import profile_table
from newsweave.settings import Settings
from training.evaldata import eval_path

PAIRS = eval_path("news-similarity", "pairs.csv")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="pipeline processes (ingest --workers)")
    parser.add_argument("--limit", type=int, help="only the first N texts")
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    csv.field_size_limit(sys.maxsize)
    texts: dict[str, str] = {}
    for row in csv.DictReader(PAIRS.open(encoding="utf-8")):
        for side in ("1", "2"):
            texts.setdefault(row["text" + side], row["lang" + side])
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = Path(tmp) / "pairs.jsonl"
        with corpus_file.open("w", encoding="utf-8") as out:
            for text in list(texts)[: args.limit]:
                out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        started = time.perf_counter()
        with Corpus(Path(tmp) / "bench.db", Settings()) as corpus:
            report = ingest(corpus, [corpus_file], workers=args.workers)
            stored = len(corpus)
            stages = corpus.pipeline.profile() if args.workers == 1 else []
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker
    reasons: dict[str, int] = {}
    for failure in report.failed:
        reasons[failure.reason.split(" (")[0]] = reasons.get(failure.reason.split(" (")[0], 0) + 1
    print(
        f"throughput documents={stored} failed={len(report.failed)} seconds={seconds:.1f} "
        f"docs/s={stored / seconds:.1f} peak_rss_mb={peak_mb:.0f} workers={args.workers}"
        + (f" worker_peak_rss_mb={worker_mb:.0f} (each)" if args.workers > 1 else "")
        + f" failures={json.dumps(reasons)}"
    )
    if args.workers == 1:
        print("\n".join(profile_table(stages)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
