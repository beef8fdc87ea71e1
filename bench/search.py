"""Search quality on SemEval-2022 Task 8 pairs, and search speed over 100,000 documents.

Quality: every text of the pairs is one document of a corpus (processed documents come
from the cache training/stories.py keeps under bench/.cache/stories; the corpus itself is
kept under bench/.cache/search). For every pair annotators rated the same event (Overall
<= 1.5), the first article's headline is the query (its title, else its opening line up to
a double space or line break, cut to 25 space-separated words: most SemEval texts run
title into body, so for Chinese, written without spaces, this is often a whole sentence);
the first article itself is left out of the results, and the partner must be in the top
10. Prints recall@1 and @10 for all pairs and for cross-lingual ones, and queries/s.

Speed: a synthetic corpus of N documents (default 100,000), each a mix of two real SemEval
documents (the first one's headline and opening paragraphs, the second one's closing ones,
its vector a noisy blend of the two), written straight into a store (linking and stories
are not what is measured). Prints the first query's time (which builds the vector index
and saves it beside the database the first time, or with --fresh-index), the time to open
it again and load the saved index, and queries/s over headlines of real documents, one at
a time, the query's embedding included: by one client, and by 2 (up to --clients) clients
at once, each its own process with its own Corpus, as `newsweave serve --workers N` serves.

    .venv/bin/python -m bench.search [--synthetic N] [--no-speed] [--clients N]

Vector index choice (newsweave/search/semantic.py), measured on this 2-core machine at
100,000 clustered 512-d unit vectors, 300 queries, recall@10 against exact search:
sqlite-vec 0.1.9 brute force float32 1.000 at 5.6 queries/s, int8 0.81 at 4.7/s;
usearch 2.26.6 HNSW float16 expansion 64/128/256: 0.81/0.91/0.96 at 845/535/335/s,
int8: 0.73/0.79/0.83 (vectors: 2,000 topics in a 64-d latent space projected to 512-d plus
noise, unit length; queries: stored vectors moved by noise; one search thread).
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import random
import shutil
import time
from pathlib import Path

import numpy as np

from newsweave.corpus import Corpus
from newsweave.document import Document
from newsweave.pipeline import PIPELINE_VERSION
from training.stories import PAIRS, processed, semeval_pairs, text_key

CACHE = Path(__file__).resolve().parent / ".cache" / "search"
SAME_EVENT = 1.5  # SemEval Overall: 1 very similar … 4 very dissimilar; <= 1.5 is the same event
HEADLINE_WORDS = 25


def headline(text: str, doc: Document) -> str:
    """What a user would type for this article: its title, else its opening line."""
    head = doc.title or text.strip().split("\n")[0].split("  ")[0]
    return " ".join(head.replace('"', " ").replace("*", " ").split()[:HEADLINE_WORDS])  # typed without syntax


def _building(db: Path) -> Path:
    """Where `db` is built before it is renamed into place; a half-built one left by an
    interrupted run (with its -wal/-shm and vector index) is removed first."""
    CACHE.mkdir(parents=True, exist_ok=True)
    building = db.with_suffix(".building")
    for stale in CACHE.glob(building.name + "*"):
        stale.unlink()
    return building


def semeval_corpus(log=print) -> tuple[Corpus, dict[str, Document]]:
    """The corpus of every pair text (built once, then reopened), and text key -> document."""
    pairs = semeval_pairs()
    texts = list(dict.fromkeys(t for p in pairs for t in (p.text1, p.text2)))
    documents = {k: d for k, d in processed(texts, log=log).items() if d is not None}
    db = CACHE / f"semeval-v{PIPELINE_VERSION}.db"
    if not db.exists():
        building = _building(db)
        start = time.perf_counter()
        with Corpus(building) as corpus:
            for n, text in enumerate(texts, 1):
                doc = documents.get(text_key(text))
                if doc is not None:
                    corpus.add(copy.deepcopy(doc))
                if n % 500 == 0:
                    log(f"corpus: {n}/{len(texts)} texts ({n / (time.perf_counter() - start):.1f}/s)")
        building.rename(db)
    return Corpus(db), documents


def quality() -> None:
    corpus, documents = semeval_corpus()
    rows = []
    with corpus:
        pairs = [p for p in semeval_pairs() if -p.target <= SAME_EVENT
                 and text_key(p.text1) in documents and text_key(p.text2) in documents]
        corpus.search("warm up: load the embedder and the vector index")
        start = time.perf_counter()
        for p in pairs:
            first, partner = documents[text_key(p.text1)], documents[text_key(p.text2)]
            hits = [h.id for h in corpus.search(headline(p.text1, first), limit=11) if h.id != first.id][:10]
            rank = hits.index(partner.id) + 1 if partner.id in hits else None
            rows.append((p.lang1 != p.lang2, rank))
        elapsed = time.perf_counter() - start
        documents_in = len(corpus)

    def recall(cross_only: bool, k: int) -> str:
        ranks = [r for cross, r in rows if cross or not cross_only]
        return f"{sum(1 for r in ranks if r is not None and r <= k) / len(ranks):.3f}"

    crossing = sum(1 for cross, _ in rows if cross)
    print(f"search semeval same-event pairs={len(rows)} (cross-lingual {crossing}) | "
          f"recall@1={recall(False, 1)} recall@10={recall(False, 10)} | cross-lingual recall@1={recall(True, 1)} "
          f"recall@10={recall(True, 10)} | {len(rows) / elapsed:.1f} queries/s over {documents_in} documents")


def synthetic(n: int, log=print) -> Path:
    """A store of `n` documents mixed from the SemEval ones (built once, then reused)."""
    db = CACHE / f"synthetic-{n}-v{PIPELINE_VERSION}.db"
    if db.exists():
        return db
    texts = list(dict.fromkeys(t for p in semeval_pairs() for t in (p.text1, p.text2)))
    templates = [d for d in processed(texts, log=log).values() if d is not None and d.vector is not None]
    rng, noise = random.Random(7), np.random.default_rng(7)
    building = _building(db)
    start = time.perf_counter()
    with Corpus(building) as corpus:
        store = corpus.store
        for batch in range(0, n, 1000):
            with store.transaction():
                for i in range(batch, min(n, batch + 1000)):
                    a, b = rng.sample(templates, 2)
                    doc = Document(f"syn{i:07d}", f"synthetic:{i}", "0" * 64, title=a.title, language=a.language,
                                   published=f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}")
                    cut_a, cut_b = max(1, len(a.paragraphs) // 2), len(b.paragraphs) // 2
                    doc.paragraphs = a.paragraphs[:cut_a] + b.paragraphs[cut_b:]
                    mix = 0.7 * a.vector + 0.3 * b.vector + noise.normal(0, 0.02, a.vector.shape).astype(np.float32)
                    doc.vector = (mix / np.linalg.norm(mix)).astype(np.float32)
                    store.put_document(doc, {}, PIPELINE_VERSION)
            if (batch // 1000) % 10 == 9:
                log(f"synthetic: {batch + 1000}/{n} ({(batch + 1000) / (time.perf_counter() - start):.0f}/s)")
    building.rename(db)
    return db


def speed(n: int, fresh_index: bool, clients: int) -> None:
    db = synthetic(n)
    if fresh_index:  # time a first build from nothing
        for stale in db.parent.glob(db.name + ".vectors.usearch*"):
            stale.unlink()
    queries = [headline(d.text, d) for d in list(processed([]).values())[:400] if d is not None][:200]
    with Corpus(db) as corpus:
        start = time.perf_counter()
        corpus.search(queries[0])
        first = time.perf_counter() - start
    start = time.perf_counter()
    with Corpus(db) as corpus:
        corpus.search(queries[0])
        reopen = time.perf_counter() - start
    rate = _concurrent(db, queries, 1)
    index = db.parent / (db.name + ".vectors.usearch")
    meta = json.loads((db.parent / (index.name + ".json")).read_text())
    built = "builds" if fresh_index else "loads or catches up"
    print(f"search speed documents={n} | first query {first:.1f}s ({built} the {meta['dtype']} vector index, "
          f"{index.stat().st_size / 1e6:.0f} MB) | reopen and first query {reopen:.1f}s | "
          f"one client: {rate:.1f} queries/s, {1000 / rate:.1f} ms a query (headlines, one at a time, "
          f"embedding included)")
    for count in range(2, clients + 1):
        print(f"search speed documents={n} | {count} clients: {_concurrent(db, queries, count):.1f} queries/s "
              f"(each its own process and Corpus, as `newsweave serve --workers {count}` runs them)")


def _client(db: Path, queries: list[str], ready, go, elapsed) -> None:
    with Corpus(db) as corpus:
        for query in queries[:20]:  # models, index and the pages of the database they touch
            corpus.search(query)
        ready.put(True)
        go.wait()
        start = time.perf_counter()
        for query in queries:
            corpus.search(query)
        elapsed.put(time.perf_counter() - start)


def _concurrent(db: Path, queries: list[str], count: int) -> float:
    """Queries a second of `count` processes searching at once, each every query (distinct
    from its own earlier ones, so none is answered from its query-vector cache)."""
    context = multiprocessing.get_context("spawn")
    ready, elapsed, go = context.Queue(), context.Queue(), context.Event()
    workers = [context.Process(target=_client, args=(db, queries[20:], ready, go, elapsed)) for _ in range(count)]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=600)
    go.set()
    slowest = max(elapsed.get(timeout=600) for _ in workers)
    for worker in workers:
        worker.join()
    return count * len(queries[20:]) / slowest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100_000, help="documents in the speed corpus")
    parser.add_argument("--no-speed", action="store_true", help="only the SemEval quality figures")
    parser.add_argument("--rebuild", action="store_true", help="build the cached corpora again")
    parser.add_argument("--clients", type=int, default=2,
                        help="also measure 2..N clients searching at once, each in its own process")
    parser.add_argument("--fresh-index", action="store_true", help="time building the 100k vector index from nothing")
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    if args.rebuild:
        shutil.rmtree(CACHE, ignore_errors=True)
    quality()
    if not args.no_speed:
        speed(args.synthetic, args.fresh_index, args.clients)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
