"""Story summaries on ECB+ dev: what they cover, how pure they are, and what keeping them costs.

ECB+ has no reference summaries, so each story of at least `--min-members` documents is
judged against its own members, as reference-free summary evaluation does (Louis & Nenkova
2013): the Jensen-Shannon divergence between the word distributions of the summary and of
all the members' text (lower: the summary says what the story says), and key-term
coverage: the share of the story's key words (in at least half of its members, and in at
most 5% of all ECB+ documents: the event's own words, not English's) that the summary
holds. Both next to two baselines of as many sentences: the first member's lead (lead-k,
the strong baseline for news) and k sentences drawn at random from the members (seeded).
Also: the share of summary sentences taken from a document of the story's majority gold
event (a summary should not report a mis-clustered member's event), pairwise word overlap
between a summary's sentences (redundancy), the milliseconds per arrival spent keeping the
story current (`refresh_story`, incremental) and what rebuilding the largest story from
scratch costs. `--show N` prints the N largest stories' summaries.

    .venv/bin/python -m bench.summaries [--min-members 3] [--show 1]

Processed documents are cached in the system's temp folder (by pipeline version), so a rerun
only clusters.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import random
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import newsweave.corpus as corpus_module
from newsweave.corpus import Corpus
from newsweave.document import RawArticle
from newsweave.pipeline import PIPELINE_VERSION, Pipeline
from newsweave.stories.assign import refresh_story
from newsweave.stories.summary import sentences
from training.evaldata import eval_path

DATA = eval_path("event-clusters", "ecbplus-dev.jsonl")
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def js_divergence(summary: str, reference: str) -> float:
    """Jensen-Shannon divergence (bits) of the two texts' unigram distributions."""
    p, q = Counter(words(summary)), Counter(words(reference))
    np_, nq = sum(p.values()), sum(q.values())
    total = 0.0
    for w in set(p) | set(q):
        a, b = p[w] / np_, q[w] / nq
        m = (a + b) / 2
        total += (a * math.log2(a / m) if a else 0.0) + (b * math.log2(b / m) if b else 0.0)
    return total / 2


def coverage(summary: str, keys: set[str]) -> float:
    return len(keys & set(words(summary))) / len(keys) if keys else float("nan")


def processed(rows: list[dict]) -> list:
    cache = Path(tempfile.gettempdir()) / f"newsweave-bench-summaries-{PIPELINE_VERSION}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    pipeline = Pipeline()
    docs = [pipeline.process(RawArticle(r["text"].encode(), f"ecb+#{r['id']}", hints={"id": r["id"]})) for r in rows]
    cache.write_bytes(pickle.dumps(docs))
    return docs


def overlap(a: str, b: str) -> float:
    x, y = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return len(x & y) / max(1, min(len(x), len(y)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-members", type=int, default=3)
    parser.add_argument("--show", type=int, default=0, help="print the summaries of the N largest stories")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found (needs ../shared/eval)")
        return 0
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    event_of = {r["id"]: r["event"] for r in rows}
    docs = processed(rows)
    pipeline = Pipeline()
    document_frequency = Counter(w for d in docs for w in set(words(d.text)))

    refresh_seconds: list[float] = []

    def timed_refresh(store, story_id, added=None, encode=None):
        started = time.perf_counter()
        refresh_story(store, story_id, added, encode)
        if added is not None:
            refresh_seconds.append(time.perf_counter() - started)

    corpus_module.refresh_story = timed_refresh
    rng = random.Random(13)
    scores: dict[str, list[float]] = {k: [] for k in ("js", "lead_js", "rand_js", "cov", "lead_cov", "rand_cov")}
    purity, redundancy, lengths = [], [], []
    with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "bench.db", pipeline.settings, pipeline) as corpus:
        for doc in docs:
            corpus.add(doc)
        stories = sorted(corpus.stories(), key=lambda s: -len(s.documents))
        judged = [s for s in stories if len(s.documents) >= args.min_members]
        for listed in judged:
            story, members = corpus.story(listed.id)
            if not story.summary:
                continue
            k = len(story.summary)
            lengths.append(k)
            reference = "\n".join(d.text for d, _ in members)
            summary = " ".join(s.text for s in story.summary)
            first = min((d for d, _ in members), key=lambda d: story.documents.index(d.id))
            lead = " ".join(sentences(" ".join(p.text for p in first.paragraphs))[:k])
            pool = [s for d, _ in members for p in d.paragraphs for s in sentences(p.text)]
            drawn = " ".join(rng.sample(pool, min(k, len(pool))))
            in_story = Counter(w for d, _ in members for w in set(words(d.text)))
            keys = {w for w, n in in_story.items()
                    if n >= len(members) / 2 and document_frequency[w] <= 0.05 * len(docs)}
            for name, text in (("", summary), ("lead_", lead), ("rand_", drawn)):
                scores[name + "js"].append(js_divergence(text, reference))
                scores[name + "cov"].append(coverage(text, keys))
            majority = Counter(event_of[d] for d in story.documents).most_common(1)[0][0]
            purity += [event_of[s.document] == majority for s in story.summary]
            texts = [s.text for s in story.summary]
            redundancy += [overlap(a, b) for i, a in enumerate(texts) for b in texts[i + 1 :]]
        largest = stories[0]
        started = time.perf_counter()
        with corpus.store.transaction():
            refresh_story(corpus.store, largest.id, None, corpus._encode_sentences)
        rebuild = time.perf_counter() - started
        for listed in stories[: args.show]:
            story, _ = corpus.story(listed.id)
            print(f"# story {story.id} ({len(story.documents)} documents, {story.language}): {story.headline}")
            for s in story.summary:
                print(f"#   - {s.text} [{s.document}, event {event_of[s.document]}]")

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    def nanmean(values: list[float]) -> float:
        return mean([v for v in values if not math.isnan(v)])

    print(
        f"summaries ecb+ docs={len(docs)} stories_judged={len(lengths)} sentences={mean(lengths):.2f} "
        f"js_divergence={mean(scores['js']):.3f} lead_js={mean(scores['lead_js']):.3f} "
        f"random_js={mean(scores['rand_js']):.3f} key_term_coverage={nanmean(scores['cov']):.3f} "
        f"lead_coverage={nanmean(scores['lead_cov']):.3f} random_coverage={nanmean(scores['rand_cov']):.3f} "
        f"event_purity={mean(purity):.3f} pairwise_word_overlap={mean(redundancy):.3f} "
        f"refresh_ms_per_arrival={1000 * mean(refresh_seconds):.1f} "
        f"rebuild_ms_largest={1000 * rebuild:.0f} (story of {len(largest.documents)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
