"""Export every document as `show --json` prints it: JSONL (one per line) or Parquet.

Parquet keeps flat columns for what tools filter on (id, language, published, story …)
and nested columns (paragraphs, links, captions) as JSON strings, so any reader can load
the file without newsweave's types. Every column has a declared type, also one no document
fills, so each export has the same schema and none has Arrow's null type.

A regular file is written beside its target and renamed into place, so a failed export
never leaves half a file, and an existing file is replaced only by a complete one. The
database (or its -wal/-shm) is never a valid target: writing there destroys the corpus.

A partitioned export (`export_partitioned`) is a hive-style Parquet dataset in a folder,
`language=de/…parquet` or `date=2024-05-01/…parquet` (day published; undated documents under
`date=undated`: a null partition, `__HIVE_DEFAULT_PARTITION__`, is one Dask cannot read alone),
as dask.dataframe.read_parquet, DuckDB and Spark read it.
It is written into a new folder beside the target and renamed into place; an existing target
is replaced only when it is empty or an earlier partitioned export, never another folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ConfigError, OutputError

_NESTED = ("paragraphs", "links", "captions", "removed", "authors", "repairs", "warnings")
FORMATS = ("jsonl", "parquet")
PARTITIONS = ("date", "language")


def export(
    records: Iterable[dict[str, Any]], path: str | Path, fmt: str, protect: Iterable[str | Path] = ()
) -> int:
    """Write the records (as `Corpus.view` makes them); return how many were written.

    `protect` names files the output must never be (the database): OutputError if it is.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use 'jsonl' or 'parquet'")
    path = Path(path)
    refuse_protected(path, protect)
    if path.is_symlink():  # write the file it names, as opening it would; not over the link
        path = path.resolve()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a folder; name a file")
    try:
        if mode is not None and not stat.S_ISREG(mode):  # /dev/stdout, a pipe: write straight in
            with path.open("wb") as out:
                return _write(records, out, fmt)
        return _write_replacing(records, path, fmt)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def refuse_protected(path: Path, protect: Iterable[str | Path]) -> None:
    """OutputError if `path` is (or links to) a protected file, or its SQLite -wal/-shm."""
    target = path.resolve()
    for kept in protect:
        kept = Path(kept)
        for guarded in (kept, Path(f"{kept}-wal"), Path(f"{kept}-shm"), Path(f"{kept}-journal")):
            same = guarded.resolve() == target
            if not same and path.exists() and guarded.exists():
                same = os.path.samefile(path, guarded)
            if same:
                raise OutputError(
                    f"refusing to export to {path}: it is the database {kept}"
                    + ("" if guarded == kept else f"'s {str(guarded)[len(str(kept)) + 1:]} file")
                    + " and would be destroyed; choose another --out"
                )


def _write_replacing(records: Iterable[dict[str, Any]], path: Path, fmt: str) -> int:
    """Write to a new file in the target's folder, then rename it over the target."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # mode as umask allows
    try:
        with os.fdopen(fd, "wb") as out:
            n = _write(records, out, fmt)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return n


def _write(records: Iterable[dict[str, Any]], out: BinaryIO, fmt: str) -> int:
    if fmt == "jsonl":
        n = 0
        for record in records:
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            n += 1
        return n
    import pyarrow.parquet as pq

    table = _table(records)
    pq.write_table(table, out)
    return table.num_rows


def _column_types() -> dict[str, Any]:
    """The Arrow type of each record field, declared rather than inferred from the values:
    a field no document fills (`updated`, `site_name`, `story` before any story) would
    otherwise be Arrow's null type, which DuckDB reads as a NULL-typed column and Spark as
    an integer one, and each export would have a different schema."""
    import pyarrow as pa

    text, integer, real = pa.string(), pa.int64(), pa.float64()
    mention = pa.struct([("text", text), ("start", integer), ("end", integer), ("type", text),
                         ("paragraph", integer)])
    entity = pa.struct([("id", text), ("name", text), ("type", text), ("country", text), ("latitude", real),
                        ("longitude", real), ("mentions", pa.list_(mention)), ("given", text)])
    order = ("id", "source", "raw_sha256", "kind", "title", "published", "updated", "date_source", "url", "authors",
             "agency", "dateline", "site_name", "language", "paragraphs", "captions", "removed", "repairs",
             "warnings", "entities", "text", "words", "links", "story", "date")
    special = {"entities": pa.list_(entity), "words": integer, "story": integer}
    return {name: special.get(name, text) for name in order}  # the rest: text, or JSON text (_NESTED)


def _table(records: Iterable[dict[str, Any]], partition_by: str | None = None) -> Any:
    """The records as one Arrow table, nested fields as JSON strings; a `date` column
    (the day published, or "undated") when partitioning by date. Known fields have their
    declared type (`_column_types`); any other is inferred, as text when it holds only nulls."""
    import pyarrow as pa

    rows = []
    for record in records:
        row = dict(record)
        for key in _NESTED:
            row[key] = json.dumps(row.get(key), ensure_ascii=False)
        if partition_by == "date":
            row["date"] = (row.get("published") or "")[:10] or "undated"
        rows.append(row)
    declared = _column_types()
    names = list(dict.fromkeys(name for row in rows for name in row))
    if not rows:  # an empty export still has every column
        names = [name for name in declared if name != "date" or partition_by == "date"]
    columns = {}
    for name in names:
        column = pa.array([row.get(name) for row in rows], type=declared.get(name))
        columns[name] = column.cast(pa.string()) if pa.types.is_null(column.type) else column
    return pa.table(columns)


def export_partitioned(
    records: Iterable[dict[str, Any]], path: str | Path, partition_by: str, protect: Iterable[str | Path] = ()
) -> int:
    """Write the records as a Parquet dataset in folder `path`, one subfolder per value of
    `partition_by` ("date" or "language"); return how many were written."""
    if partition_by not in PARTITIONS:
        raise ConfigError(f"cannot partition by {partition_by!r}; use 'date' or 'language'")
    path = Path(path)
    refuse_protected(path, protect)
    for kept in protect:  # nor a folder holding the database: replacing it would delete it
        if path.exists() and Path(kept).resolve().is_relative_to(path.resolve()):
            raise OutputError(f"refusing to export to {path}: it holds the database {kept}; choose another --out")
    if path.is_symlink():
        path = path.resolve()
    try:
        _check_replaceable(path)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            n = _write_dataset(records, temporary, partition_by)
            _swap_in(temporary, path)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    return n


def _check_replaceable(path: Path) -> None:
    """OutputError unless `path` is absent, an empty folder, or an earlier partitioned export."""
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputError(f"cannot write {path}: it is a file; a partitioned export needs a folder")
    foreign = [entry.name for entry in path.iterdir()
               if not (entry.is_dir() and not entry.is_symlink() and entry.name.split("=")[0] in PARTITIONS
                       and "=" in entry.name)]
    if foreign:
        raise OutputError(f"refusing to export to {path}: it holds {foreign[0]!r}, not an earlier export; "
                          "name a new or empty folder")


def _write_dataset(records: Iterable[dict[str, Any]], folder: Path, partition_by: str) -> int:
    import pyarrow.dataset as ds

    table = _table(records, partition_by)
    ds.write_dataset(table, folder, format="parquet", partitioning=[partition_by], partitioning_flavor="hive",
                     existing_data_behavior="error", basename_template="part-{i}.parquet")
    folder.mkdir(exist_ok=True)
    return table.num_rows


def _swap_in(new: Path, path: Path) -> None:
    """Rename the finished folder into place; an earlier export there goes only after."""
    if not path.exists():
        os.rename(new, path)
        return
    old = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old")
    os.rename(path, old)
    try:
        os.rename(new, path)
    except BaseException:
        os.rename(old, path)
        raise
    shutil.rmtree(old)
