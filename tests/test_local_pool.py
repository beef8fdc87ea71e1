"""ingest --workers N: the pipeline in N processes, one writer storing in arrival order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsweave.corpus import Corpus

from .conftest import SEEDS, run_cli


def _shape(db: Path) -> tuple[list, set, set]:
    """Documents in arrival order, stories as sets of file names, links as (names, kind)."""
    with Corpus(db) as corpus:
        name = {d.id: Path(d.source).name for d in corpus.documents().results}
        order = [Path(d.source).name for d in corpus.documents().results]
        stories = {frozenset(name[i] for i in s.documents) for s in corpus.stories().results}
        links = {(frozenset((name[k.source], name[k.target])), k.kind)
                 for i in name for k in corpus.store.links_of(i)}
    return order, stories, links


@pytest.mark.slow
def test_two_workers_store_what_one_process_stores(tmp_path, seed_db):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.html").write_bytes(b"")  # a failure is reported as by one process
    code, _, stderr = run_cli("ingest", str(folder), "--db", str(tmp_path / "p.db"), "--workers", "2", "--quiet")
    assert code == 1 and "broken.html" in stderr and "ingested 5," in stderr
    assert _shape(tmp_path / "p.db") == _shape(seed_db)
    code, _, stderr = run_cli("ingest", str(folder), "--db", str(tmp_path / "p.db"), "--workers", "2", "--quiet")
    assert "ingested 0, updated 0, unchanged 5" in stderr  # stored inputs are not sent out again
