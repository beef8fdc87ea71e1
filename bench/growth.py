"""Corpus cost as it grows: ingest rate, start-up, query latency and bytes per article at
10k, 50k, 100k and 200k stored articles.

What it measures is the corpus (candidate indexes, linking, stories, store), not the
pipeline: the SemEval pair texts are processed once (cached by training/stories.py) and
every article is derived from them at the Document level, deterministically from its
number i:
- dates run over a year in arrival order, 550 articles a day (200k a year);
- most articles recombine two real ones of one language (the first's title and opening
  paragraphs, the second's closing ones; vector and paragraph vectors blended, plus a
  direction of the article's "burst": the same template in another 8-day burst is another
  event, so stories stay event-sized instead of chaining over the year), entities of the
  first kept; their MinHash shares ~30% of positions with the first (no near duplicate);
- 2% are exact copies of an article a few hundred earlier, 3% near duplicates (one
  paragraph changed, 15% of the MinHash redrawn), 2% translation-like pairs (another
  language's label and text marks, paragraph vectors moved by noise).
Below each measured size the corpus is filled fast, straight into the store (documents,
raw inputs, entities, one link per copy, stories per template and burst), not through
`Corpus.add`; the next 1,000 articles at each size go through `Corpus.add` (links and
stories as in use) and are what the ingest rate measures. Start-up is a fresh process's
`Corpus(db)` plus its first `add`, and apart the time to its first link lookups answered
(`Corpus(db)`, the vector and near-duplicate candidates of one article); query latencies are medians
after one warm-up query (the search index's catch-up on the bulk is timed apart).

    .venv/bin/python -m bench.growth [--sizes 10000,50000,100000,200000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from newsweave.corpus import Corpus
from newsweave.document import Document, Link, LinkKind, Paragraph, RawArticle
from newsweave.pipeline import PIPELINE_VERSION
from training.stories import PAIRS, processed, semeval_pairs

PER_DAY = 550  # articles a day: 200k in a year
BURST_DAYS = 8  # a template's event lasts this long; in another burst it is another event
LIVE = 400  # templates reported on during one burst (about 11 articles each)
MEASURED = 1000  # articles ingested through Corpus.add at each size (--next)
QUERIES = 20
START = dt.date(2025, 1, 1)
CACHE = Path(__file__).resolve().parent / ".cache" / "growth"


class Generator:
    """Article i of the synthetic stream, always the same for the same i."""

    def __init__(self, templates: list[Document]) -> None:
        self.templates = templates
        self.by_language: dict[str, list[int]] = {}
        for n, doc in enumerate(templates):
            self.by_language.setdefault(doc.language or "", []).append(n)
        self.languages = sorted(self.by_language)

    def date(self, i: int) -> str:
        return (START + dt.timedelta(days=i // PER_DAY)).isoformat()

    @functools.lru_cache(maxsize=4)  # noqa: B019 (one generator a run)
    def _live(self, burst: int) -> list[int]:
        return random.Random(burst).sample(range(len(self.templates)), min(LIVE, len(self.templates)))

    def _burst_direction(self, burst: int, template: int, dim: int) -> np.ndarray:
        v = np.random.default_rng([burst, template, 1]).normal(size=dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def kind(self, i: int) -> str:
        roll = random.Random(i * 7919 + 1).random()
        if i < 1000 or roll >= 0.07:
            return "mix"
        return "exact" if roll < 0.02 else "near" if roll < 0.05 else "translation"

    def article(self, i: int) -> tuple[Document, tuple[str, str] | None]:
        """The document and (kind, id) of the article it copies, if any."""
        kind = self.kind(i)
        if kind == "mix":
            return self._mix(i), None
        rng = random.Random(i)
        j = i - rng.randint(1, 500)
        doc, _ = self.article(j)
        noise = np.random.default_rng([i, 2])
        doc.id, doc.source, doc.published = f"g{i:07d}", f"growth:{i}", self.date(i)
        if kind == "near":
            last = doc.paragraphs[-1]
            doc.paragraphs[-1] = Paragraph(last.text + f" (Updated {doc.published}.)", last.language, last.language_score)
            redraw = noise.random(len(doc.minhash)) < 0.15
            doc.minhash = np.where(redraw, noise.integers(0, 2**32, len(doc.minhash), dtype=np.uint64), doc.minhash)
            doc.vector = _unit(doc.vector + noise.normal(0, 0.01, doc.vector.shape).astype(np.float32))
        elif kind == "translation":
            other = [lang for lang in self.languages if lang != doc.language]
            doc.language = rng.choice(other)
            doc.paragraphs = [Paragraph(f"[{doc.language}] {p.text}", doc.language, 1.0) for p in doc.paragraphs]
            doc.title = f"[{doc.language}] {doc.title}" if doc.title else None
            doc.paragraph_vectors = _rows(doc.paragraph_vectors + noise.normal(0, 0.02, doc.paragraph_vectors.shape))
            doc.vector = _unit(doc.vector + noise.normal(0, 0.01, doc.vector.shape).astype(np.float32))
            doc.minhash = noise.integers(0, 2**32, len(doc.minhash), dtype=np.uint64)
            doc.entities = []
        return doc, (kind, f"g{j:07d}")

    def _mix(self, i: int) -> Document:
        rng = random.Random(i)
        day = i // PER_DAY
        burst = day // BURST_DAYS
        live = self._live(burst)
        ta = rng.choice(live)
        a = self.templates[ta]
        tb = rng.choice(self.by_language[a.language or ""])
        b = self.templates[tb]
        cut_a, cut_b = max(1, (len(a.paragraphs) + 1) // 2), len(b.paragraphs) // 2
        doc = Document(f"g{i:07d}", f"growth:{i}", "", title=a.title, language=a.language, published=self.date(i),
                       agency=a.agency, url=f"https://news.example/{i}")
        doc.paragraphs = list(a.paragraphs[:cut_a]) + list(b.paragraphs[cut_b:])
        direction = self._burst_direction(burst, ta, len(a.vector))
        noise = np.random.default_rng([i, 3])
        mix = 0.7 * a.vector + 0.3 * b.vector + 0.6 * direction
        doc.vector = _unit(mix + noise.normal(0, 0.02, mix.shape).astype(np.float32))
        rows_a = a.paragraph_vectors[:cut_a] + 0.6 * direction
        doc.paragraph_vectors = _rows(np.concatenate([rows_a, b.paragraph_vectors[cut_b:]]))
        keep = noise.random(len(a.minhash)) < 0.3
        doc.minhash = np.where(keep, a.minhash, noise.integers(0, 2**32, len(a.minhash), dtype=np.uint64))
        doc.entities = []
        for entity in a.entities:
            mentions = [m for m in entity.mentions if m.paragraph < cut_a]
            if mentions:
                doc.entities.append(dataclasses.replace(entity, mentions=mentions))
        return doc


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _rows(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def make(gen: Generator, i: int) -> tuple[Document, RawArticle, tuple[str, str] | None]:
    doc, copies = gen.article(i)
    raw = RawArticle(doc.text.encode("utf-8"), doc.source, hints={"published": doc.published})
    doc.raw_sha256 = raw.sha256
    return doc, raw, copies


def fill(corpus: Corpus, gen: Generator, start: int, stop: int, stories: dict[str, int], log) -> None:
    """Articles start..stop-1 straight into the store: fast, stories by template and burst."""
    store, db = corpus.store, corpus.store.db
    began = time.perf_counter()
    for batch in range(start, stop, 1000):
        with store.transaction():
            for i in range(batch, min(stop, batch + 1000)):
                doc, raw, copies = make(gen, i)
                store.put_raw(raw.sha256, raw.data, raw.source)
                store.put_document(doc, dict(raw.hints), PIPELINE_VERSION)
                store.put_entities(doc)
                if copies:
                    kind, other = copies
                    link_kind = {"exact": LinkKind.DUPLICATE, "near": LinkKind.NEAR_DUPLICATE,
                                 "translation": LinkKind.TRANSLATION}[kind]
                    first, second = sorted((other, doc.id)) if kind != "translation" else (other, doc.id)
                    store.put_links([Link(first, second, link_kind, 0.9, {"synthetic": True})])
                    story = store.story_of(other)
                else:
                    key = f"{doc.paragraphs[0].text}|{(i // PER_DAY) // BURST_DAYS}"  # template and burst
                    story = stories.get(key)
                    if story is None:
                        story = stories[key] = store.new_story()
                if story is not None:
                    store.set_story([doc.id], story)
        if (batch - start) // 1000 % 20 == 19:
            log(f"  filled {batch + 1000 - start}/{stop - start} ({(batch + 1000 - start) / (time.perf_counter() - began):.0f}/s)")
    corpus.vectors.nearest(doc.vector, 1, -1.0)  # the vector index takes in the bulk, as adds would have
    with store.transaction():  # the stories' shown fields, as refresh_story would keep them
        db.execute(
            "UPDATE stories SET size=(SELECT count(*) FROM documents d WHERE d.story_id=stories.id), "
            "start=(SELECT min(published) FROM documents d WHERE d.story_id=stories.id), "
            "end=(SELECT max(published) FROM documents d WHERE d.story_id=stories.id), "
            "title=(SELECT title FROM documents d WHERE d.story_id=stories.id ORDER BY seq LIMIT 1), "
            "languages=(SELECT json_group_array(DISTINCT language) FROM documents d WHERE d.story_id=stories.id) "
            "WHERE id IN (SELECT DISTINCT story_id FROM documents WHERE seq > (SELECT coalesce(max(seq), 0) - ? "
            "FROM documents))", (stop - start,))


def startup(db: Path, first: int) -> tuple[float, float]:
    """Seconds for a fresh process to open the corpus and add article `first`, and of that
    the part up to its first link lookups answered (opening and loading the indexes)."""
    code = (
        "import sys, time\n"
        "from bench.growth import Generator, make, templates\n"
        "gen = Generator(templates())\n"
        "doc, raw, _ = make(gen, int(sys.argv[2]))\n"
        "t = time.perf_counter()\n"
        "from newsweave.corpus import Corpus\n"
        "c = Corpus(sys.argv[1]); c.vectors.nearest(doc.vector, 31, -1.0); c.near.candidates(doc.minhash)\n"
        "print(time.perf_counter() - t)\n"
        "c.add(doc, from_raw=raw); c.close()\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(db), str(first)], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True)
    lookups, total = (float(x) for x in out.stdout.strip().splitlines()[-2:])
    return total, lookups


def measure(db: Path, gen: Generator, size: int, measured: int, log) -> dict:
    started, lookups = startup(db, size)
    with Corpus(db) as corpus:
        t = time.perf_counter()
        for i in range(size + 1, size + measured):
            doc, raw, _ = make(gen, i)
            corpus.add(doc, from_raw=raw)
        rate = (measured - 1) / (time.perf_counter() - t)
        stored = len(corpus)
        rng = random.Random(size)
        story_ids = [r[0] for r in corpus.store.db.execute("SELECT id FROM stories WHERE size > 0")]
        story_ms = []
        for sid in rng.sample(story_ids, min(QUERIES, len(story_ids))):
            t = time.perf_counter()
            corpus.story(sid)
            story_ms.append(1000 * (time.perf_counter() - t))
        heads = [gen.templates[rng.randrange(len(gen.templates))].title or "news" for _ in range(QUERIES + 1)]
        t = time.perf_counter()
        corpus.search(heads[0])
        catch_up = time.perf_counter() - t
        search_ms = []
        for q in heads[1:]:
            t = time.perf_counter()
            corpus.search(q)
            search_ms.append(1000 * (time.perf_counter() - t))
        corpus.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        parts = corpus.store.db.execute(
            "SELECT sum(length(vector)), sum(length(paragraph_vectors)), sum(length(minhash)), "
            "sum(length(record)) FROM documents").fetchone()
        raw_bytes = corpus.store.db.execute("SELECT sum(length(data)) FROM raw_inputs").fetchone()[0]
        tables = _table_bytes(corpus.store.db)
    files = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
    return {
        "stored": stored, "size": size, "articles_per_s": rate, "startup_s": started, "lookups_s": lookups,
        "story_ms": statistics.median(story_ms), "search_ms": statistics.median(search_ms),
        "search_first_s": catch_up, "bytes_per_article": files / stored,
        "db_bytes_per_article": db.stat().st_size / stored,
        "vector": parts[0] / stored, "paragraph_vectors": parts[1] / stored, "minhash": parts[2] / stored,
        "record": parts[3] / stored, "raw": raw_bytes / stored,
        "tables": {k: v / stored for k, v in tables.items()},
    }


def _table_bytes(db) -> dict[str, int]:
    """Bytes per table and index (SQLite's dbstat), FTS5 shadow tables summed as 'fts'."""
    try:
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except Exception:  # dbstat not compiled in
        return {}
    out: dict[str, int] = {}
    for name, size in rows:
        key = "fts" if name.startswith(("search_words", "search_cjk")) else name
        out[key] = out.get(key, 0) + size
    return out


def templates() -> list[Document]:
    """The processed SemEval texts, kept once under bench/.cache/growth: what is measured is
    the corpus, so a later pipeline version need not process them again (and the corpus
    stays the same from run to run)."""
    kept = CACHE / "templates.pkl"
    if kept.exists():
        with kept.open("rb") as f:
            return pickle.load(f)
    texts = list(dict.fromkeys(t for p in semeval_pairs() for t in (p.text1, p.text2)))
    docs = [d for d in processed(texts, log=lambda *_: None).values()
            if d is not None and d.vector is not None and d.minhash is not None and d.paragraph_vectors is not None
            and len(d.paragraphs) == len(d.paragraph_vectors)]
    CACHE.mkdir(parents=True, exist_ok=True)
    with kept.open("wb") as f:
        pickle.dump(docs, f, protocol=pickle.HIGHEST_PROTOCOL)
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000,200000", help="stored articles to measure at")
    parser.add_argument("--next", type=int, default=MEASURED, help="articles added through Corpus.add at each size")
    parser.add_argument("--keep", help="build the corpus in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    gen = Generator(templates())
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    log(f"{len(gen.templates)} processed templates")
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="growth-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "growth.db"
    for stale in folder.glob("growth.db*"):
        stale.unlink()
    stored, stories = 0, {}
    try:
        for size in sizes:
            with Corpus(db) as corpus:
                fill(corpus, gen, stored, size, stories, log)
            r = measure(db, gen, size, args.next, log)
            stored = r["stored"]
            parts = " ".join(f"{k}={v:.0f}" for k, v in sorted(r["tables"].items(), key=lambda kv: -kv[1])[:8])
            print(f"growth stored={size} | ingest {r['articles_per_s']:.1f} articles/s (next {args.next}) | "
                  f"start-up {r['startup_s']:.2f}s (open and first lookups {r['lookups_s']:.2f}s) | story {r['story_ms']:.1f} ms | search {r['search_ms']:.1f} ms "
                  f"(first {r['search_first_s']:.1f}s) | {r['bytes_per_article']:.0f} B/article on disk "
                  f"(vector {r['vector']:.0f}, paragraph vectors {r['paragraph_vectors']:.0f}, minhash {r['minhash']:.0f}, "
                  f"record JSON {r['record']:.0f}, raw {r['raw']:.0f}; pages: {parts})", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
