"""Export every document as `show --json` prints it: JSONL (one per line) or Parquet.

Parquet keeps flat columns for what tools filter on (id, language, published, story …)
and nested columns (paragraphs, links, captions) as JSON strings, so any reader can load
the file without newsweave's types.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ConfigError

_NESTED = ("paragraphs", "links", "captions", "removed", "authors", "repairs", "warnings")


def export(records: Iterable[dict[str, Any]], path: str | Path, fmt: str) -> int:
    """Write the records (as `Corpus.view` makes them); return how many were written."""
    if fmt == "jsonl":
        n = 0
        with Path(path).open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                n += 1
        return n
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = []
        for record in records:
            row = dict(record)
            for key in _NESTED:
                row[key] = json.dumps(row.get(key), ensure_ascii=False)
            rows.append(row)
        pq.write_table(pa.Table.from_pylist(rows), str(path))
        return len(rows)
    raise ConfigError(f"unknown export format {fmt!r}; use 'jsonl' or 'parquet'")
