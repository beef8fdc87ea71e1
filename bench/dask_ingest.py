"""Dask engine scale-out: 1 vs 2 workers over N SemEval texts, and how busy the one writer is.

For each worker count, a LocalCluster of that many processes (one thread each) is started
and warmed (every worker processes one text per language, so models are loaded before the
clock starts); then the first N distinct texts of ../shared/eval/news-similarity/pairs.csv
are ingested with `--engine dask` into a fresh database. One line per run, then a summary:
docs/s, docs/s per worker, and the writer's share of wall time (Corpus.add in the client:
linking and storing). documents / writer seconds is what one writer can store at most, so
that over the per-worker rate is how many workers one writer keeps busy.

    .venv/bin/python -m bench.dask_ingest [--n 200] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from newsweave.corpus import Corpus
from newsweave.document import RawArticle
from newsweave.engines import dask as engine
from newsweave.settings import Settings
from training.evaldata import eval_path

PAIRS = eval_path("news-similarity", "pairs.csv")


def texts(n: int) -> tuple[list[str], dict[str, str]]:
    """The first n distinct texts, and one text per language (for warming the workers)."""
    csv.field_size_limit(sys.maxsize)
    found: dict[str, str] = {}
    for row in csv.DictReader(PAIRS.open(encoding="utf-8")):
        for side in ("1", "2"):
            found.setdefault(row["text" + side], row["lang" + side])
    chosen = list(found)[:n]
    per_language: dict[str, str] = {}
    for text, language in found.items():
        per_language.setdefault(language, text)
    return chosen, per_language


def _warm(samples: list[str], settings: Settings) -> int:
    """On a worker: build its pipeline and load every language's models."""
    for i, text in enumerate(samples):
        engine.process(RawArticle(text.encode("utf-8"), f"warm:{i}"), settings)
    return len(samples)


def run(workers: int, corpus_file: Path, warm: list[str], folder: Path) -> dict[str, float]:
    settings = Settings()
    with engine.connect(workers=workers) as client:
        started = time.perf_counter()
        client.run(_warm, warm, settings)
        warm_seconds = time.perf_counter() - started
        with Corpus(folder / f"bench-{workers}.db", settings) as corpus:
            report = engine.ingest(corpus, [corpus_file], client=client)
    stored = report.ingested + report.updated
    result = {
        "workers": workers, "documents": stored, "failed": len(report.failed), "warm_s": warm_seconds,
        "seconds": report.seconds, "docs_s": stored / report.seconds,
        "per_worker_docs_s": stored / report.seconds / workers,
        "writer_s": report.writer_seconds, "writer_busy": report.writer_seconds / report.seconds,
        "writer_docs_s": stored / report.writer_seconds if report.writer_seconds else float("inf"),
    }
    print("dask_ingest " + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()),
          flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="texts to ingest per run")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, comma-separated")
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    chosen, per_language = texts(args.n)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = Path(tmp) / "texts.jsonl"
        with corpus_file.open("w", encoding="utf-8") as out:
            for text in chosen:
                out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        for workers in (int(w) for w in args.workers.split(",")):
            results.append(run(workers, corpus_file, list(per_language.values()), Path(tmp)))
    first, last = results[0], results[-1]
    keeps_busy = last["writer_docs_s"] / last["per_worker_docs_s"]
    print(
        f"dask_ingest summary n={len(chosen)} "
        + " ".join(f"w{r['workers']}={r['docs_s']:.1f}docs/s({r['per_worker_docs_s']:.1f}/worker,"
                   f"writer {r['writer_busy']:.0%})" for r in results)
        + f" speedup={last['docs_s'] / first['docs_s']:.2f}x writer_max={last['writer_docs_s']:.0f}docs/s"
        f" one_writer_keeps_busy~{keeps_busy:.0f}workers"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
