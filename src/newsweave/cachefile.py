"""Pickles kept in the cache directory: what is slow to derive from shipped files (an index
built over a dictionary, a tokenizer parsed in pure Python) is derived once and read back.

A cache is an optimisation only: a missing or damaged file reads as None (the caller builds
the value again), and a file that cannot be written is skipped (a read-only home must not
fail a run). Callers put the versions of what the value comes from in the file's name.
"""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import Any


def read(path: Path) -> Any:
    """What the file at `path` holds, or None if it is missing or unreadable."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def write(path: Path, value: object) -> None:
    """Keep `value` at `path`, whole or not at all: written beside it, then renamed, so a
    concurrent reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    except OSError:
        pass
