"""Shared fixtures: one pipeline (models load once) and one seed corpus per test session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave.cli import main
from newsweave.corpus import Corpus
from newsweave.document import Mention, RawArticle
from newsweave.pipeline import Pipeline
from newsweave.settings import Settings
from training.evaldata import eval_path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SHARED_EVAL = eval_path()  # ../shared/eval or $NEWSWEAVE_EVAL


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline(Settings())


@pytest.fixture(scope="session")
def seed_docs(pipeline: Pipeline) -> dict[str, object]:
    """The five seeds processed, keyed by their number ("000" … "004")."""
    return {
        p.name[:3]: pipeline.process(RawArticle(p.read_bytes(), str(p)))
        for p in sorted(SEEDS.glob("*.txt"))
    }


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/seeds ingested through the CLI into a fresh database."""
    folder = tmp_path_factory.mktemp("seeds")
    db = folder / "seeds.db"
    shutil.copytree(SEEDS, folder / "seeds")
    code, _, stderr = run_cli("ingest", str(folder / "seeds"), "--db", str(db), "--quiet")
    assert code == 0, stderr
    return db


@pytest.fixture(scope="session")
def seed_ids(seed_db: Path) -> dict[str, str]:
    """Seed number → document id, read from `documents --json`."""
    code, stdout, _ = run_cli("documents", "--db", str(seed_db), "--json")
    assert code == 0
    return {Path(row["source"]).name[:3]: row["id"] for row in json.loads(stdout)}


@pytest.fixture()
def corpus(tmp_path: Path, pipeline: Pipeline) -> Corpus:
    with Corpus(tmp_path / "test.db", pipeline.settings, pipeline=pipeline) as opened:
        yield opened


@pytest.fixture(scope="session")
def gazetteer():
    from newsweave.entities.places import Gazetteer

    return Gazetteer()


def mentions_in(text: str, spans: list[tuple[str, str]]) -> list[Mention]:
    """Mentions of the given (surface, type) spans, found in order in `text`."""
    found, cursor = [], 0
    for surface, kind in spans:
        start = text.index(surface, cursor)
        found.append(Mention(surface, start, start + len(surface), kind))
        cursor = start + len(surface)
    return found
