"""Which engines read `newsweave export --format parquet --partition-by` as is.

Exports a corpus (examples/seeds ingested into a temporary database, or --db) as two
hive-partitioned datasets, by date and by language, then reads each with every engine
importable in this interpreter (Dask, DuckDB, PySpark) and prints one line per engine and
dataset: rows, the partition values seen (with their counts), columns, entities (the nested
list-of-structs column, summed), whether the ids are the corpus's, and ok or the error.
An engine that is not installed gets a "skipped" line.

--read-only DIR reads datasets already written (DIR/by-date, DIR/by-language, or DIR itself
when it is one dataset) without importing newsweave, so an interpreter that holds only an
engine (e.g. a separate venv with pyspark) can check an export made elsewhere; --out DIR keeps
the export for that.

    .venv/bin/python -m bench.parquet_interop [--db corpus.db] [--out DIR]
    PYTHONPATH=. other-venv/bin/python -m bench.parquet_interop --read-only DIR
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
PARTITIONS = ("date", "language")


def build(folder: Path) -> Path:
    """examples/seeds ingested into a new database in `folder`."""
    from newsweave.corpus import Corpus
    from newsweave.pipeline import Pipeline
    from newsweave.settings import Settings

    db = folder / "seeds.db"
    pipeline = Pipeline(Settings())
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        for path in sorted(SEEDS.glob("*.txt")):
            corpus.add(path.read_text(encoding="utf-8"), source=str(path))
    return db


def export(db: Path, out: Path) -> dict[str, Any]:
    """Both partitioned exports of `db` under `out`; the corpus's ids and entity count."""
    from newsweave.corpus import Corpus
    from newsweave.store.export import export_partitioned

    with Corpus(db) as corpus:
        records = [corpus.view(row.id) for row in corpus.documents()]
    for by in PARTITIONS:
        export_partitioned(records, out / f"by-{by}", by)
    return {"ids": sorted(r["id"] for r in records), "entities": sum(len(r["entities"]) for r in records)}


def datasets(folder: Path) -> list[tuple[str, Path]]:
    """(partition column, dataset folder) for each dataset in or at `folder`."""
    found = [(by, folder / f"by-{by}") for by in PARTITIONS if (folder / f"by-{by}").is_dir()]
    if found:
        return found
    names = {entry.name.split("=")[0] for entry in folder.iterdir() if "=" in entry.name}
    if len(names) != 1:
        raise SystemExit(f"{folder}: neither by-date/ nor by-language/, nor one hive-partitioned dataset")
    return [(names.pop(), folder)]


def read_dask(folder: Path, by: str) -> dict[str, Any]:
    import dask.dataframe as dd

    frame = dd.read_parquet(folder).compute()
    parts = frame[by].astype(str).value_counts().to_dict()
    return {"rows": len(frame), "partitions": parts, "columns": len(frame.columns),
            "entities": int(sum(len(e) for e in frame["entities"])), "ids": sorted(frame["id"]),
            "partition type": str(frame[by].dtype)}


def read_duckdb(folder: Path, by: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    scan = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
    types = dict(con.sql(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {scan})").fetchall())
    parts = dict(con.sql(f"SELECT CAST({by} AS VARCHAR), count(*) FROM {scan} GROUP BY 1").fetchall())
    ids = [row[0] for row in con.sql(f"SELECT id FROM {scan} ORDER BY id").fetchall()]
    entities = con.sql(f"SELECT coalesce(sum(len(entities)), 0) FROM {scan}").fetchall()[0][0]
    paragraphs = con.sql(f"SELECT coalesce(sum(json_array_length(paragraphs)), 0) FROM {scan}").fetchall()[0][0]
    return {"rows": len(ids), "partitions": parts, "columns": len(types), "entities": int(entities), "ids": ids,
            "partition type": types[by], "paragraphs (JSON)": int(paragraphs),
            "NULL-typed columns": [name for name, kind in types.items() if kind == '"NULL"']}


_spark: Any = None


def read_spark(folder: Path, by: str) -> dict[str, Any]:
    global _spark
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    if _spark is None:
        _spark = (SparkSession.builder.master("local[1]").appName("parquet_interop")
                  .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                  .getOrCreate())
        _spark.sparkContext.setLogLevel("ERROR")
    frame = _spark.read.parquet(str(folder))
    parts = {str(row[0]): row[1] for row in frame.groupBy(by).count().collect()}
    ids = sorted(row.id for row in frame.select("id").collect())
    entities = frame.select(F.sum(F.size("entities"))).collect()[0][0] or 0
    paragraphs = frame.select(F.sum(F.json_array_length("paragraphs"))).collect()[0][0] or 0
    return {"rows": len(ids), "partitions": parts, "columns": len(frame.columns), "entities": int(entities),
            "ids": ids, "partition type": dict(frame.dtypes)[by], "paragraphs (JSON)": int(paragraphs)}


ENGINES: dict[str, tuple[str, Callable[[Path, str], dict[str, Any]]]] = {
    "dask": ("dask.dataframe", read_dask),
    "duckdb": ("duckdb", read_duckdb),
    "spark": ("pyspark", read_spark),
}


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package missing
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="corpus to export (default: examples/seeds in a temporary database)")
    parser.add_argument("--out", type=Path, help="keep the export here (by-date/, by-language/)")
    parser.add_argument("--read-only", type=Path, metavar="DIR", help="read datasets already written; no export")
    args = parser.parse_args(argv)
    expected: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as scratch:
        if args.read_only:
            folder = args.read_only
        else:
            folder = args.out or Path(scratch) / "export"
            db = args.db or build(Path(scratch))
            expected = export(db, folder)
            print(f"exported {len(expected['ids'])} documents ({expected['entities']} entities) from {db} to {folder}")
        if expected is None:
            print(f"reading {folder} as written; ids compared between the engines here, not with a corpus")
        failed = 0
        seen_ids: dict[str, list[str]] = {}  # dataset → the ids the first engine read: the others must agree
        for name, (module, read) in ENGINES.items():
            if not installed(module):
                print(f"{name:7} skipped: {module} is not installed in {sys.executable}")
                continue
            for by, dataset in datasets(folder):
                started = time.perf_counter()
                try:
                    seen = read(dataset, by)
                except Exception as error:  # the engine's own failure is the finding
                    failed += 1
                    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    print(f"{name:7} by {by:8} FAILED {type(error).__name__}: {first[:300]}")
                    continue
                ids = seen.pop("ids")
                verdict = "ok"
                if expected is not None and (ids != expected["ids"] or seen["entities"] != expected["entities"]):
                    verdict, failed = "FAILED: ids or entities differ from the corpus", failed + 1
                elif seen_ids.setdefault(by, ids) != ids:
                    verdict, failed = "FAILED: ids differ from another engine's", failed + 1
                seen["seconds"] = round(time.perf_counter() - started, 2)
                print(f"{name:7} by {by:8} {verdict} {json.dumps(seen, ensure_ascii=False, sort_keys=False)}")
        if _spark is not None:
            _spark.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
