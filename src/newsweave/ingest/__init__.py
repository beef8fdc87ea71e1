"""Readers: the only code that opens inputs. They yield RawArticle or Failure, never raise."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..document import RawArticle
from .failure import Failure
from .files import iter_paths, read_file

__all__ = ["Failure", "iter_inputs", "iter_paths", "read_file"]


def iter_inputs(paths: Iterable[str | Path], max_article_bytes: int) -> Iterator[RawArticle | Failure]:
    for path in iter_paths(paths):
        if isinstance(path, Failure):
            yield path
        else:
            yield from read_file(path, max_article_bytes)
