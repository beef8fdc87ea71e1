"""Readers: the only code that opens inputs. They yield RawArticle or Failure, never raise."""

from __future__ import annotations

from .failure import Failure
from .files import iter_paths, read_file

__all__ = ["Failure", "iter_paths", "read_file"]
