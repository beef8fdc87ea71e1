"""`newsweave ingest -`: JSONL or one text/HTML article from stdin, through the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner

from newsweave.cli import main
from newsweave.corpus import Corpus
from newsweave.document import RawArticle
from newsweave.ingest.stdin import read_stream

from .conftest import seed_path

ECB = "The European Central Bank raised its key interest rate by a quarter point on Thursday in Frankfurt."
FLOOD = "Floods in Valencia left thousands without power on Tuesday, the regional government said."


def ingest(db: Path, stdin: bytes | str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["ingest", "-", "--db", str(db), "--quiet", *extra], input=stdin)
    return result.exit_code, result.stderr


def documents(db: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["documents", "--db", str(db), "--json"])
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_jsonl_records_each_become_a_document_and_bad_lines_fail_alone(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    lines = [
        "",
        json.dumps({"text": ECB, "title": "ECB raises rates", "published": "2024-05-02"}),
        "not json",
        json.dumps({"text": FLOOD}),
        json.dumps({"html": ""}),
    ]
    code, stderr = ingest(db, "\n".join(lines) + "\n")
    assert code == 1
    assert "failed stdin#3: malformed JSON on line 3" in stderr  # line numbers count the blank line
    assert "failed stdin#5" in stderr
    assert "ingested 2, updated 0, unchanged 0, failed 2" in stderr
    stored = documents(db)
    assert {row["title"] for row in stored} >= {"ECB raises rates"}
    assert all(row["source"].startswith("stdin:") for row in stored)
    assert len({row["source"] for row in stored}) == 2


def test_the_same_stream_again_is_unchanged_and_a_new_article_is_added(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    first = json.dumps({"text": ECB}) + "\n"
    assert ingest(db, first)[0] == 0
    code, stderr = ingest(db, first)
    assert code == 0 and "ingested 0, updated 0, unchanged 1" in stderr
    code, stderr = ingest(db, json.dumps({"text": FLOOD}) + "\n")
    assert code == 0 and "ingested 1, updated 0, unchanged 0" in stderr
    assert len(documents(db)) == 2


def test_text_on_stdin_is_one_article_with_its_paragraphs(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    text = f"\n\n{ECB} The decision was expected by most economists.\n\n{FLOOD} Schools stayed closed.\n"
    code, stderr = ingest(db, text)
    assert code == 0 and "ingested 1," in stderr
    (row,) = documents(db)
    assert row["source"] == "stdin:" + RawArticle(text.encode("utf-8"), "").sha256[:16]
    with Corpus(db) as corpus:
        assert len(corpus.document(row["id"]).paragraphs) == 2


def test_html_on_stdin_is_read_as_html(tmp_path: Path) -> None:
    html = f"<!doctype html><html><head><title>Rates</title></head><body><p>{ECB}</p><p>{FLOOD}</p></body></html>"
    (item,) = read_stream(io.BytesIO(html.encode()), 10_000_000)
    assert isinstance(item, RawArticle) and item.kind == "html"


def test_empty_stdin_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    code, stderr = ingest(tmp_path / "c.db", "  \n\n")
    assert code == 1 and "failed stdin: empty input on stdin" in stderr


def test_stdin_over_the_article_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSWEAVE_MAX_ARTICLE_BYTES", "1000")
    code, stderr = ingest(tmp_path / "c.db", "word " * 500)
    assert code == 1 and "send many articles as JSONL" in stderr


def test_stdin_is_not_mixed_with_paths(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "-", str(seed_path("000")), "--db", str(tmp_path / "c.db")], input="x")
    assert result.exit_code == 2 and "cannot be mixed" in result.stderr
    assert not (tmp_path / "c.db").exists()
