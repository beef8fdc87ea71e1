"""Export every document as `show --json` prints it: JSONL (one per line) or Parquet.

Parquet keeps flat columns for what tools filter on (id, language, published, story …)
and nested columns (paragraphs, links, captions) as JSON strings, so any reader can load
the file without newsweave's types.

A regular file is written beside its target and renamed into place, so a failed export
never leaves half a file, and an existing file is replaced only by a complete one. The
database (or its -wal/-shm) is never a valid target: writing there destroys the corpus.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ConfigError, OutputError

_NESTED = ("paragraphs", "links", "captions", "removed", "authors", "repairs", "warnings")
FORMATS = ("jsonl", "parquet")


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
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for record in records:
        row = dict(record)
        for key in _NESTED:
            row[key] = json.dumps(row.get(key), ensure_ascii=False)
        rows.append(row)
    pq.write_table(pa.Table.from_pylist(rows), out)
    return len(rows)
