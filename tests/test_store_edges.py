"""Several writers on one database: a writer waits for the lock and says for whom, and two
writers interleaving documents link and cluster them as one writer would."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from newsweave.corpus import Corpus
from newsweave.errors import StoreError
from newsweave.store.sqlite import SQLiteStore

from .conftest import SEEDS, run_cli, seed_path

HOLD = textwrap.dedent("""
    import sys, time
    from newsweave.store.sqlite import SQLiteStore
    store = SQLiteStore(sys.argv[1])
    store.begin_write()
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    store.db.execute("COMMIT")
    store.close()
""")


def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process that takes the write lock as a newsweave writer and keeps it a while."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_writer_waits_for_the_lock_and_names_who_holds_it(tmp_path):
    db = tmp_path / "t.db"
    SQLiteStore(db).close()
    holder = hold_lock(db, 3)
    store = SQLiteStore(db)
    told: list[str] = []
    store.on_wait = told.append
    started = time.monotonic()
    store.record_failure("x.txt", "a reason")  # a write: waits for the holder instead of failing
    assert time.monotonic() - started > 1.5
    holder.wait()
    assert len(told) == 1 and f"(pid {holder.pid}) has been writing since" in told[0], told
    assert [r["source"] for r in store.failures()] == ["x.txt"]
    store.close()


def test_a_writer_gives_up_after_its_wait_with_one_clear_error(tmp_path):
    db = tmp_path / "t.db"
    SQLiteStore(db).close()
    holder = hold_lock(db, 6)
    store = SQLiteStore(db, lock_wait=1.0)
    with pytest.raises(StoreError, match=rf"gave up \(.*pid {holder.pid}.*\); run again when it is done"):
        store.record_failure("x.txt", "a reason")
    store.close()
    holder.wait()


def test_ingest_waits_for_a_lock_held_longer_than_sqlites_timeout(tmp_path):
    """A plain SQLite connection (not newsweave) holds the lock 12 s: ingest waits it out."""
    import sqlite3

    db = tmp_path / "t.db"
    SQLiteStore(db).close()
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(12, lambda: other.execute("COMMIT"))
    release.start()
    try:
        (tmp_path / "a.txt").write_bytes(seed_path("001").read_bytes())
        code, _, stderr = run_cli("ingest", str(tmp_path / "a.txt"), "--db", str(db), "--quiet")
    finally:
        release.join()
        other.close()
    assert code == 0, stderr
    assert "waiting for the database at" in stderr and "another program holds its write lock" in stderr


def _shape(corpus: Corpus) -> tuple[set, set]:
    """Stories as sets of sources, and links as (sources, kind): comparable across runs.

    A byte copy scores exactly as its original, so which of the two a capped list of related
    documents names depends on arrival order: related links name the original for both."""
    rows = [r.to_dict() for r in corpus.documents()]
    source = {r["id"]: Path(r["source"]).name for r in rows}
    stories: dict[int, set[str]] = {}
    for r in rows:
        stories.setdefault(r["story"], set()).add(source[r["id"]])

    def named(doc_id: str, kind: str) -> str:
        return source[doc_id].replace("-copy", "") if kind == "related" else source[doc_id]

    links = {
        (tuple(sorted((named(link.source, link.kind), named(link.target, link.kind)))), str(link.kind))
        for r in rows for link in corpus.store.links_of(r["id"])
    }
    return {frozenset(s) for s in stories.values()}, links


def _articles() -> list[tuple[str, str]]:
    """Each seed, then its byte copy (another file) or a near duplicate (one paragraph changed)."""
    pairs = []
    for n, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        pairs.append((f"{n}.txt", text))
        if n % 2:
            paragraphs = text.split("\n\n")
            paragraphs[-1] = "Officials said further talks would follow next week in the same format."
            pairs.append((f"{n}-near.txt", "\n\n".join(paragraphs)))
        else:
            pairs.append((f"{n}-copy.txt", text))
    return pairs


def test_two_writers_interleaving_link_and_cluster_as_one_writer_does(tmp_path, pipeline):
    with Corpus(tmp_path / "one.db", pipeline.settings, pipeline=pipeline) as alone:
        for name, text in _articles():
            alone.add(text, source=name)
        expected = _shape(alone)
    assert any(kind == "duplicate" for _, kind in expected[1])
    assert any(kind == "near_duplicate" for _, kind in expected[1])
    first = Corpus(tmp_path / "two.db", pipeline.settings, pipeline=pipeline)
    second = Corpus(tmp_path / "two.db", pipeline.settings, pipeline=pipeline)  # both open before any write
    for n, (name, text) in enumerate(_articles()):
        (first if n % 2 == 0 else second).add(text, source=name)
    assert _shape(second) == expected
    first.close()
    second.close()


def test_a_full_disk_is_a_store_error_and_leaves_nothing_half_written(tmp_path):
    store = SQLiteStore(tmp_path / "t.db")
    store.record_failure("before.txt", "a reason")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages + 1}")  # what a full disk looks like to SQLite
    with pytest.raises(StoreError, match=r"cannot write to the database .*full"):
        store.record_failure("big.txt", "x" * 100_000)
    assert not store.db.in_transaction
    assert [r["source"] for r in store.failures()] == ["before.txt"]
    store.close()
