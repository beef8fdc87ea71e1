"""Event clustering on ECB+ (topics 1–25, two similar events per topic).

Feeds every document through newsweave's online story clustering, in file order, and
prints one line: BCubed precision, recall, F1 and adjusted Rand index of documents →
stories against the gold events, over the whole file at once. With --fit it scans
story_similarity and prints a line per value: that is how the default in settings.py was set.

    .venv/bin/python -m bench.stories [--fit]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.special import comb

from newsweave.corpus import Corpus
from newsweave.document import RawArticle
from newsweave.pipeline import Pipeline
from newsweave.settings import Settings
from training.evaldata import eval_path

DATA = eval_path("event-clusters", "ecbplus-dev.jsonl")


def bcubed(gold: list[str], predicted: list[int]) -> tuple[float, float, float]:
    precision = recall = 0.0
    for i in range(len(gold)):
        same_pred = [j for j in range(len(gold)) if predicted[j] == predicted[i]]
        same_gold = [j for j in range(len(gold)) if gold[j] == gold[i]]
        both = sum(1 for j in same_pred if gold[j] == gold[i])
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    p, r = precision / len(gold), recall / len(gold)
    return p, r, 2 * p * r / (p + r)


def adjusted_rand(gold: list[str], predicted: list[int]) -> float:
    pairs = Counter(zip(gold, predicted, strict=True))
    sum_cells = sum(comb(n, 2) for n in pairs.values())
    sum_gold = sum(comb(n, 2) for n in Counter(gold).values())
    sum_pred = sum(comb(n, 2) for n in Counter(predicted).values())
    expected = sum_gold * sum_pred / comb(len(gold), 2)
    best = (sum_gold + sum_pred) / 2
    return float((sum_cells - expected) / (best - expected))


def cluster(docs, settings: Settings) -> list[int]:
    with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "bench.db", settings) as corpus:
        return [corpus.add(doc).story for doc in docs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="scan story_similarity values")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found (needs ../shared/eval)")
        return 0
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    pipeline = Pipeline()
    started = time.perf_counter()
    docs = [pipeline.process(RawArticle(r["text"].encode(), f"ecb+#{r['id']}", hints={"id": r["id"]})) for r in rows]
    process_seconds = time.perf_counter() - started
    gold = [r["event"] for r in rows]
    base = Settings()
    values = np.round(np.arange(0.40, 0.70, 0.025), 3) if args.fit else [base.story_similarity]
    for value in values:
        started = time.perf_counter()
        predicted = cluster(docs, base.with_(story_similarity=float(value)))
        seconds = time.perf_counter() - started
        p, r, f1 = bcubed(gold, predicted)
        print(
            f"stories ecb+ docs={len(docs)} story_similarity={value:.3f} stories={len(set(predicted))} "
            f"gold_events={len(set(gold))} bcubed_p={p:.3f} bcubed_r={r:.3f} bcubed_f1={f1:.3f} "
            f"ari={adjusted_rand(gold, predicted):.3f} process_docs/s={len(docs) / process_seconds:.1f} "
            f"cluster_docs/s={len(docs) / seconds:.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
