"""The embedded store: raw inputs kept, schema versioned, kill -9 safe, reprocessable, exportable."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsweave.errors import StoreError
from newsweave.store.sqlite import SCHEMA_VERSION, SQLiteStore

from .conftest import SEEDS, run_cli


def test_raw_input_bytes_are_kept_with_their_sha256(seed_db, seed_ids):
    record = json.loads(run_cli("show", seed_ids["004"], "--db", str(seed_db), "--json")[1])
    original = next(SEEDS.glob("004_*.txt")).read_bytes()
    assert record["raw_sha256"] == hashlib.sha256(original).hexdigest()
    store = SQLiteStore(seed_db)
    assert store.raw(record["raw_sha256"]) == original
    store.close()


def test_database_is_wal_and_carries_its_schema_version(seed_db):
    db = sqlite3.connect(seed_db)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path):
    SQLiteStore(tmp_path / "new.db").close()
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        SQLiteStore(tmp_path / "new.db")


def test_foreign_files_are_not_taken_for_a_corpus(tmp_path):
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE things (x)")
    other.commit()
    other.close()
    code, _, stderr = run_cli("documents", "--db", str(tmp_path / "other.db"))
    assert code == 2 and "not a newsweave database" in stderr
    (tmp_path / "text.db").write_text("hello, not a database at all" * 100)
    code, _, stderr = run_cli("documents", "--db", str(tmp_path / "text.db"))
    assert code == 2 and "cannot be used as a newsweave database" in stderr


def make_articles(folder: Path, n: int) -> None:
    folder.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(n):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (folder / f"{i:03d}.txt").write_text(f"{text}\n\nUpdate {i}: officials said talks number {i} would follow.\n")


@pytest.mark.slow
def test_ingest_killed_with_sigkill_loses_nothing_and_a_rerun_finishes(tmp_path):
    make_articles(tmp_path / "in", 60)
    db = tmp_path / "k.db"
    command = [sys.executable, "-m", "newsweave.cli", "ingest", str(tmp_path / "in"), "--db", str(db), "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as reader:
                    stored = reader.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 5:
                break
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as reader:
        assert reader.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        survivors = {row[0] for row in reader.execute("SELECT id FROM documents")}
    assert len(survivors) >= 5
    code, _, stderr = run_cli("ingest", str(tmp_path / "in"), "--db", str(db), "--quiet")
    assert code == 0, stderr
    assert f"ingested {60 - len(survivors)}, updated 0, unchanged {len(survivors)}, failed 0" in stderr
    rows = json.loads(run_cli("documents", "--db", str(db), "--json")[1])
    assert len(rows) == 60 and survivors <= {r["id"] for r in rows}


def test_reprocess_rebuilds_documents_from_stored_raw_inputs(tmp_path, seed_db):
    db = tmp_path / "copy.db"
    source = sqlite3.connect(seed_db)
    source.backup(target := sqlite3.connect(db))
    target.close()
    source.close()
    before = json.loads(run_cli("stories", "--db", str(db), "--json")[1])
    code, _, stderr = run_cli("reprocess", "--db", str(db), "--quiet")
    assert code == 0 and "reprocessed 0, already current 5" in stderr
    code, _, stderr = run_cli("reprocess", "--all", "--db", str(db), "--quiet")
    assert code == 0 and "reprocessed 5" in stderr
    after = json.loads(run_cli("stories", "--db", str(db), "--json")[1])
    assert sorted(sorted(s["documents"]) for s in after) == sorted(sorted(s["documents"]) for s in before)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_export_holds_what_show_prints_for_every_document(seed_db, seed_ids, tmp_path, fmt):
    out = tmp_path / f"all.{fmt}"
    code, _, stderr = run_cli("export", "--format", fmt, "--out", str(out), "--db", str(seed_db))
    assert code == 0 and "exported 5 documents" in stderr
    if fmt == "jsonl":
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        records = pq.read_table(out).to_pylist()
        for record in records:
            for key in ("paragraphs", "links", "captions", "removed", "authors", "repairs", "warnings"):
                record[key] = json.loads(record[key])
    by_id = {r["id"]: r for r in records}
    assert set(by_id) == set(seed_ids.values())
    shown = json.loads(run_cli("show", seed_ids["000"], "--db", str(seed_db), "--json")[1])
    assert by_id[seed_ids["000"]] == shown


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    from newsweave.store.sqlite import MIGRATIONS

    db = sqlite3.connect(tmp_path / "old.db")
    db.executescript(MIGRATIONS[0] + "INSERT INTO meta VALUES ('schema_version', '1');")
    db.execute("INSERT INTO failures VALUES ('old.txt', 'empty file', '2024-01-01')")
    db.commit()
    db.close()
    store = SQLiteStore(tmp_path / "old.db")
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    assert [r["source"] for r in store.failures()] == ["old.txt"]  # data survives the upgrade
    assert store.entity_rows() == [] and store.people("per:lavrov") == []
    store.close()


def test_entity_document_counts_are_kept_with_the_mentions_and_filled_on_upgrade(tmp_path, pipeline, seed_docs):
    import copy

    from newsweave.corpus import Corpus

    def counted(store) -> dict[str, int]:
        return {r[0]: r[1] for r in store.db.execute(
            "SELECT entity_id, count(DISTINCT doc_id) FROM mentions GROUP BY entity_id")}

    db = tmp_path / "counts.db"
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        for key in ("000", "001", "003"):
            corpus.add(copy.deepcopy(seed_docs[key]))
        expected = counted(corpus.store)
        assert expected["org:taliban"] == 3 and corpus.store.entity_document_counts(expected) == expected
        corpus.store.delete_document(seed_docs["001"].id)
        after = counted(corpus.store)
        assert after["org:taliban"] == 2 and corpus.store.entity_document_counts(expected) == after
    with sqlite3.connect(db) as raw:  # as a schema-6 database was: no counts
        raw.execute("ALTER TABLE entities DROP COLUMN documents")
        raw.execute("UPDATE meta SET value='6' WHERE key='schema_version'")
    store = SQLiteStore(db)
    assert store.entity_document_counts(after) == after
    store.close()
