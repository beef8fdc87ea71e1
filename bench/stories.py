"""Event clustering on ECB+ (topics 1–25, two similar events per topic).

Feeds every document through newsweave's online story clustering, in file order, and
prints one line: BCubed precision, recall, F1 and adjusted Rand index of documents →
stories against the gold events, over the whole file at once; and how the stories thread
into storylines: purity by topic (the share of documents whose storyline's majority topic is
their own; stories of different topics must never share a storyline) and how many topics
stay whole in one storyline. With --fit-storylines it scans storyline_similarity. With --fit it scans
story_similarity and prints a line per value (the default is set by `python -m
training.story_decision`, on held-out halves of the topics). With --orders N it also feeds
the documents in N-1 shuffled orders (fixed seeds) and prints BCubed F1's min, median and
max over the N orders: how much arrival order matters.

    .venv/bin/python -m bench.stories [--fit] [--orders 5]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
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


def cluster(docs, settings: Settings) -> tuple[list[int], list[int | None]]:
    """Each document's story and its story's storyline, once all arrived (stories merged
    on the way are counted as the story they merged into)."""
    with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "bench.db", settings) as corpus:
        for doc in docs:
            corpus.add(doc)
        stories = [corpus.store.story_of(doc.id) for doc in docs]
        lines = [corpus.store.storyline_of(corpus.store.story_of(doc.id)) for doc in docs]
        return stories, lines


def purity(topics: list[int], groups: list[int | None]) -> tuple[float, int]:
    """Share of documents in their group's majority topic; topics all in one group."""
    members: dict[int | None, Counter] = {}
    for topic, group in zip(topics, groups, strict=True):
        members.setdefault(group, Counter())[topic] += 1
    pure = sum(c.most_common(1)[0][1] for c in members.values()) / len(topics)
    whole = sum(1 for t in set(topics) if sum(1 for c in members.values() if c[t]) == 1)
    return pure, whole


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="scan story_similarity values")
    parser.add_argument("--orders", type=int, default=1, help="arrival orders to compare (1: file order only)")
    parser.add_argument("--fit-storylines", action="store_true",
                        help="scan storyline_similarity values (stories at the default)")
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
    topics = [r["topic"] for r in rows]
    base = Settings()
    pristine = copy.deepcopy(docs)  # a corpus dates undated members from their story: the orders start afresh
    values = np.round(np.arange(0.50, 0.95, 0.025), 3) if args.fit else [base.story_similarity]
    for value in values:
        started = time.perf_counter()
        predicted, lines = cluster(docs, base.with_(story_similarity=float(value)))
        seconds = time.perf_counter() - started
        p, r, f1 = bcubed(gold, predicted)
        print(
            f"stories ecb+ docs={len(docs)} story_similarity={value:.3f} stories={len(set(predicted))} "
            f"gold_events={len(set(gold))} bcubed_p={p:.3f} bcubed_r={r:.3f} bcubed_f1={f1:.3f} "
            f"ari={adjusted_rand(gold, predicted):.3f} process_docs/s={len(docs) / process_seconds:.1f} "
            f"cluster_docs/s={len(docs) / seconds:.1f}"
        )
        report_storylines(topics, lines, base.storyline_similarity)
    if args.orders > 1:
        report_orders(pristine, gold, base, args.orders)
    if args.fit_storylines:
        for value in np.round(np.arange(0.26, 0.50, 0.04), 3):
            _, lines = cluster(docs, base.with_(storyline_similarity=float(value)))
            report_storylines(topics, lines, float(value))
    return 0


def report_orders(docs, gold: list[str], settings: Settings, orders: int) -> None:
    """BCubed F1 over the file order and orders-1 shuffles of it (seeds 1 … orders-1)."""
    scores = []
    for seed in range(orders):
        order = list(range(len(docs)))
        if seed:
            random.Random(seed).shuffle(order)
        predicted, _ = cluster([copy.deepcopy(docs[i]) for i in order], settings)
        scores.append(bcubed([gold[i] for i in order], predicted)[2])
        print(f"stories ecb+ order={seed} bcubed_f1={scores[-1]:.3f}", flush=True)
    print(f"stories ecb+ orders={orders} bcubed_f1 min={min(scores):.3f} median={float(np.median(scores)):.3f} "
          f"max={max(scores):.3f} spread={max(scores) - min(scores):.3f}")


def report_storylines(topics: list[int], lines: list[int | None], value: float) -> None:
    pure, whole = purity(topics, lines)
    print(
        f"storylines ecb+ storyline_similarity={value:.3f} storylines={len(set(lines))} "
        f"topics={len(set(topics))} purity_by_topic={pure:.3f} topics_in_one_storyline={whole}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
