"""The command line at its edges: stored text printed as data, exports that cannot destroy
the database, and every user mistake as one line with its exit code, never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from .conftest import run_cli, seed_path

HOSTILE = {
    "closing": "Talks [/quote] in Kazan",
    "styled": "[bold red]Red alert[/bold red] over Kabul",
    "linked": "[link=https://evil.example/x]click here[/link] for the news",
    "escapes": "Clear \x1b[2J\x1b]8;;https://evil.example\x07screen\x1b]8;;\x07 now\x9b31m",
}


@pytest.fixture()
def hostile_db(tmp_path, corpus, monkeypatch) -> Path:
    """A corpus whose titles and text carry rich markup and terminal escape sequences."""
    monkeypatch.setenv("COLUMNS", "2000")  # no table cell is cut, so what is printed can be compared
    for n, (name, title) in enumerate(HOSTILE.items()):
        text = seed_path(f"00{n}").read_text(encoding="utf-8") + f"\n\nThe briefing ended with {title}.\n"
        corpus.add(text, title=title, source=f"{name}.txt")
    path = Path(corpus.store.path)
    corpus.close()
    return path


def _printed(*args: str) -> str:
    code, stdout, stderr = run_cli(*args)
    assert code == 0, stderr
    return stdout


def test_titles_are_printed_as_text_not_markup_in_every_listing(hostile_db):
    rows = json.loads(_printed("documents", "--db", str(hostile_db), "--json"))
    table = _printed("documents", "--db", str(hostile_db))
    stories = _printed("stories", "--db", str(hostile_db))
    for title in ("Talks [/quote] in Kazan", "[bold red]Red alert[/bold red] over Kabul",
                  "[link=https://evil.example/x]click here[/link] for the news"):
        assert title in table
    for row in rows:
        story = _printed("story", str(row["story"]), "--db", str(hostile_db))
        shown = _printed("show", row["id"], "--db", str(hostile_db))
        assert HOSTILE[Path(row["source"]).stem].split("\x1b")[0] in shown
        for printed in (story, shown):
            assert "\x1b" not in printed and "\x9b" not in printed
    assert "\x1b" not in table + stories
    assert "Clear screen now" in table  # the escape sequences go, the words stay


def test_show_prints_a_paragraph_with_markup_as_it_is(hostile_db):
    rows = json.loads(_printed("documents", "--db", str(hostile_db), "--json"))
    styled = next(r for r in rows if r["source"] == "styled.txt")
    shown = _printed("show", styled["id"], "--db", str(hostile_db))
    assert "The briefing ended with [bold red]Red alert[/bold red] over Kabul." in shown


def test_export_onto_the_database_is_refused_and_the_database_survives(seed_db, tmp_path):
    db = tmp_path / "corpus.db"
    shutil.copy(seed_db, db)
    before = db.read_bytes()
    (tmp_path / "alias.db").symlink_to(db)
    for target in (db, tmp_path / "alias.db", Path(f"{db}-wal"), tmp_path / "." / "corpus.db"):
        code, _, stderr = run_cli("export", "--out", str(target), "--db", str(db))
        assert code == 2 and "refusing to export" in stderr and "Traceback" not in stderr
    assert db.read_bytes() == before
    assert len(json.loads(run_cli("documents", "--db", str(db), "--json")[1])) == 5


def test_export_replaces_a_file_whole_and_leaves_no_temporary_behind(seed_db, tmp_path):
    out = tmp_path / "all.jsonl"
    out.write_text("old contents\n")
    code, _, stderr = run_cli("export", "--out", str(out), "--db", str(seed_db))
    assert code == 0, stderr
    assert len(out.read_text().splitlines()) == 5 and "old contents" not in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl"]


def test_export_through_a_symlink_writes_the_file_it_names(seed_db, tmp_path):
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    (tmp_path / "link.jsonl").symlink_to(real)
    code, _, stderr = run_cli("export", "--out", str(tmp_path / "link.jsonl"), "--db", str(seed_db))
    assert code == 0, stderr
    assert (tmp_path / "link.jsonl").is_symlink() and len(real.read_text().splitlines()) == 5


def test_unwritable_export_targets_get_one_line_and_exit_code_2(seed_db, tmp_path):
    targets = [tmp_path / "no" / "such" / "folder.jsonl"]
    if Path("/dev/full").exists():
        targets.append(Path("/dev/full"))
    if os.geteuid() != 0:  # root writes whatever the mode says
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        targets.append(locked / "out.jsonl")
    for target in targets:
        code, _, stderr = run_cli("export", "--out", str(target), "--db", str(seed_db))
        assert code == 2, (target, stderr)
        assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
        assert f"cannot write {target}" in stderr


def test_a_story_id_beyond_any_integer_is_simply_not_found(seed_db):
    code, _, stderr = run_cli("story", "99999999999999999999999", "--db", str(seed_db))
    assert code == 1 and "no story with id 99999999999999999999999" in stderr


def test_a_damaged_schema_version_is_an_unusable_database(seed_db, tmp_path):
    db = tmp_path / "damaged.db"
    shutil.copy(seed_db, db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE meta SET value='abc' WHERE key='schema_version'")
    code, _, stderr = run_cli("documents", "--db", str(db))
    assert code == 2 and "schema version 'abc'" in stderr and "not a number" in stderr


@pytest.mark.parametrize("command", [["documents"], ["stories"], ["show", "x"], ["story", "1"], ["entities"],
                                     ["entity", "per:x"], ["reprocess"], ["export", "--out", "{tmp}/x.jsonl"]])
def test_read_commands_on_a_missing_database_say_so_and_create_nothing(tmp_path, command):
    db = tmp_path / "typo.db"
    code, _, stderr = run_cli(*(part.format(tmp=tmp_path) for part in command), "--db", str(db))
    assert code == 2 and f"no database at {db}" in stderr
    assert list(tmp_path.iterdir()) == []


def test_headings_keep_their_spacing(seed_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "2000")
    story = _printed("story", "1", "--db", str(seed_db)).splitlines()[0]
    assert re.fullmatch(r"\S.*\S {2}\(\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d\)", story), story
    entity = _printed("entity", "per:lavrov", "--db", str(seed_db)).splitlines()[0]
    assert entity.endswith(" (PER, per:lavrov)") and not entity.startswith(" "), entity
