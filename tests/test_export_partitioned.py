"""`export --format parquet --partition-by`: a hive-partitioned dataset Dask and DuckDB read back as is."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from newsweave.corpus import Corpus
from newsweave.pipeline import Pipeline

from .conftest import SEEDS, run_cli

DATES = ["2024-05-01T09:00:00", "2024-05-01", "2024-05-02T18:30:00+02:00", "2024-06-11", None]


@pytest.fixture(scope="module")
def dated_db(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The seeds with publication days (one undated); id → (language, day)."""
    db = tmp_path_factory.mktemp("partitioned") / "corpus.db"
    expected = {}
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        for path, date in zip(sorted(SEEDS.glob("*.txt")), DATES, strict=True):
            hints = {"published": date} if date else {}
            added = corpus.add(path.read_text(encoding="utf-8"), source=str(path), **hints)
            doc = corpus.document(added.id)
            expected[doc.id] = (doc.language, (doc.published or "")[:10] or None)
    return db, expected


@pytest.fixture(scope="module")
def dd():
    return pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def duckdb():
    return pytest.importorskip("duckdb")


def export(db: Path, out: Path, by: str) -> tuple[int, str]:
    code, _, stderr = run_cli("export", "--format", "parquet", "--partition-by", by, "--out", str(out), "--db", str(db))
    return code, stderr


def test_by_language_reads_back_with_dask(dated_db, dd, tmp_path: Path) -> None:
    db, expected = dated_db
    out = tmp_path / "by-language"
    code, stderr = export(db, out, "language")
    assert code == 0, stderr
    assert "exported 5 documents" in stderr
    languages = collections.Counter(language for language, _ in expected.values())
    assert {p.name for p in out.iterdir()} == {f"language={lang}" for lang in languages}
    frame = dd.read_parquet(out).compute()
    assert sorted(frame["id"]) == sorted(expected)
    assert frame.groupby("language", observed=True).size().to_dict() == dict(languages)
    assert {row.id: row.language for row in frame.itertuples()} == {i: lang for i, (lang, _) in expected.items()}


def test_by_date_puts_each_day_in_its_folder(dated_db, dd, tmp_path: Path) -> None:
    db, expected = dated_db
    out = tmp_path / "by-date"
    code, stderr = export(db, out, "date")
    assert code == 0, stderr
    assert {p.name for p in out.iterdir()} == {
        "date=2024-05-01", "date=2024-05-02", "date=2024-06-11", "date=undated"
    }
    frame = dd.read_parquet(out).compute()
    per_day = frame.groupby(frame["date"].astype(str), observed=True).size().to_dict()
    assert per_day == {"2024-05-01": 2, "2024-05-02": 1, "2024-06-11": 1, "undated": 1}
    days = {i: day or "undated" for i, (_, day) in expected.items()}
    assert {row.id: str(row.date) for row in frame.itertuples()} == days
    assert {p.name for p in tmp_path.iterdir()} == {"by-date"}  # no temporary folder left


def test_duckdb_reads_the_dataset_by_language_with_nested_columns_usable(dated_db, duckdb, tmp_path: Path) -> None:
    db, expected = dated_db
    out = tmp_path / "by-language"
    assert export(db, out, "language")[0] == 0
    scan = f"read_parquet('{out}/**/*.parquet', hive_partitioning = true)"
    con = duckdb.connect()
    assert dict(con.sql(f"SELECT id, language FROM {scan}").fetchall()) == {i: lang for i, (lang, _) in expected.items()}
    with Corpus(db) as corpus:
        views = {i: corpus.view(i) for i in expected}
    # paragraphs, links …: JSON text that DuckDB's JSON functions open; entities: a list of structs
    rows = con.sql(f"SELECT id, json_array_length(paragraphs), json_extract_string(paragraphs, '$[0].text'), "
                   f"json_array_length(links), len(entities), [e.id FOR e IN entities] FROM {scan}").fetchall()
    assert {row[0]: row[1:] for row in rows} == {
        i: (len(v["paragraphs"]), v["paragraphs"][0]["text"], len(v["links"]), len(v["entities"]),
            [e["id"] for e in v["entities"]])
        for i, v in views.items()
    }
    assert any(row[4] for row in rows) and any(row[3] for row in rows)  # the seeds have entities and links


def test_duckdb_types_every_column_even_one_no_document_fills(dated_db, duckdb, tmp_path: Path) -> None:
    db, expected = dated_db
    out = tmp_path / "by-date"
    assert export(db, out, "date")[0] == 0
    scan = f"read_parquet('{out}/**/*.parquet', hive_partitioning = true)"
    con = duckdb.connect()
    types = dict(con.sql(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {scan})").fetchall())
    assert "NULL" not in types.values(), types  # e.g. `updated`, which no seed has: text, not a NULL type
    assert (types["updated"], types["site_name"], types["story"], types["date"]) == ("VARCHAR", "VARCHAR", "BIGINT",
                                                                                      "VARCHAR")
    days = {i: day or "undated" for i, (_, day) in expected.items()}
    assert dict(con.sql(f"SELECT id, date FROM {scan}").fetchall()) == days
    assert con.sql(f"SELECT count(*) FROM {scan} WHERE date = '2024-05-01'").fetchall() == [(2,)]


def test_a_second_export_replaces_the_first_whole(dated_db, dd, tmp_path: Path) -> None:
    db, _ = dated_db
    out = tmp_path / "dataset"
    assert export(db, out, "date")[0] == 0
    code, stderr = export(db, out, "language")
    assert code == 0, stderr
    assert all(p.name.startswith("language=") for p in out.iterdir())
    assert len(dd.read_parquet(out).compute()) == 5
    assert {p.name for p in tmp_path.iterdir()} == {"dataset"}


def test_a_folder_that_is_not_an_export_is_refused_untouched(dated_db, tmp_path: Path) -> None:
    db, _ = dated_db
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    code, stderr = export(db, out, "language")
    assert code == 2 and "refusing to export" in stderr and "Traceback" not in stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_the_database_and_its_folder_are_refused(dated_db) -> None:
    db, _ = dated_db
    size = db.stat().st_size
    for target in (db, db.parent):
        code, stderr = export(db, target, "language")
        assert code == 2 and "refusing to export" in stderr, stderr
    assert db.stat().st_size == size and Corpus(db).documents().results


def test_partitioning_needs_parquet(dated_db, tmp_path: Path) -> None:
    db, _ = dated_db
    code, _, stderr = run_cli("export", "--partition-by", "date", "--out", str(tmp_path / "x"), "--db", str(db))
    assert code == 2 and "--format parquet" in stderr
    assert not (tmp_path / "x").exists()
