"""`newsweave serve --workers 2`: two server processes over one database, answering
concurrent reads and a write through a real HTTP port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

ENGLISH_QUERY = "Tajikistan asks Russia-led bloc for help at Afghan border"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor `pid` spawned (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(p) for p in path.read_text().split()] if path.exists() else []
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.fixture(scope="module")
def two_workers(seed_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("workers") / "seeds.db"
    shutil.copy(seed_db, db)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsweave.cli", "serve", "--db", str(db), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NEWSWEAVE_TOKEN": ""},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            _get(base + "/api/health")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start: {process.stderr.read().decode(errors='replace')}")
            time.sleep(0.3)
    yield base, process
    process.terminate()
    process.wait(timeout=30)


def test_two_worker_processes_answer_concurrent_searches_alike(two_workers, seed_ids):
    base, process = two_workers
    url = f"{base}/api/search?q={quote(ENGLISH_QUERY)}&limit=5"
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _get(url), range(12)))
    assert len(_workers(process.pid)) == 2
    rankings = {tuple(hit["id"] for hit in answer["results"]) for answer in answers}
    assert len(rankings) == 1  # every worker reads the same corpus and ranks it the same way
    assert seed_ids["003"] in next(iter(rankings))[:2]


def test_a_document_posted_to_one_worker_is_read_by_every_worker(two_workers):
    base, _ = two_workers
    body = json.dumps({"text": "Lake Vostok drilling reaches liquid water, Russian scientists say.\n\n"
                               "The Russian team at Vostok station reached the subglacial lake after decades of work.",
                       "id": "vostok-1"}).encode()
    request = urllib.request.Request(base + "/api/documents", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status in (200, 201)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: _get(base + "/api/documents/vostok-1")["id"], range(8)))
    assert found == ["vostok-1"] * 8
