"""Document similarity on SemEval-2022 Task 8 (multilingual news pairs, human scores).

Runs newsweave's pipeline over both texts of every pair in ../shared/eval/news-similarity,
then prints one line: Pearson r of each similarity signal against the human Overall score
(negated, so higher means more similar), and the threshold on each signal that best splits
"same story" pairs (Overall <= 1.5) from the rest, with its F1. The story threshold in
settings.py is fitted here.

    .venv/bin/python -m bench.similarity [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time

import numpy as np

from newsweave.document import RawArticle
from newsweave.errors import InputError
from newsweave.link.translations import alignment
from newsweave.pipeline import Pipeline
from training.evaldata import eval_path

PAIRS = eval_path("news-similarity", "pairs.csv")


def best_threshold(scores: np.ndarray, same: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.0)
    for t in np.unique(np.round(scores, 3)):
        predicted = scores >= t
        tp = np.sum(predicted & same)
        if tp == 0:
            continue
        precision, recall = tp / predicted.sum(), tp / same.sum()
        f1 = 2 * precision * recall / (precision + recall)
        best = max(best, (float(f1), float(t)))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    csv.field_size_limit(sys.maxsize)
    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8")))[: args.limit]
    pipeline = Pipeline()
    start = time.perf_counter()
    cosine, aligned, overall = [], [], []
    for n, row in enumerate(rows):
        try:
            a = pipeline.process(RawArticle(row["text1"].encode(), f"pairs.csv#{n}a"))
            b = pipeline.process(RawArticle(row["text2"].encode(), f"pairs.csv#{n}b"))
        except InputError:
            continue
        cosine.append(float(a.vector @ b.vector))
        aligned.append(alignment(a.paragraph_vectors, b.paragraph_vectors).score)
        overall.append(float(row["Overall"]))
    elapsed = time.perf_counter() - start
    gold = -np.asarray(overall)
    same = np.asarray(overall) <= 1.5
    parts = [f"pairs={len(overall)}"]
    for name, values in (("doc_cosine", cosine), ("paragraph_alignment", aligned)):
        values = np.asarray(values)
        r = float(np.corrcoef(values, gold)[0, 1])
        f1, threshold = best_threshold(values, same)
        parts.append(f"{name}: pearson={r:.3f} same_story_f1={f1:.3f} at>={threshold:.3f}")
    parts.append(f"docs/s={2 * len(overall) / elapsed:.1f}")
    print("similarity " + " | ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
