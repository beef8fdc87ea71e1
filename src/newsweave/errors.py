"""Exceptions. Each names what was wrong, where, and (when there is one) the fix.

`InputError` is bad data: a batch reports it and goes on. `ConfigError` is a bad setting:
it stops the run before any work. Anything else escaping is a bug and keeps its traceback.
"""

from __future__ import annotations


class NewsweaveError(Exception):
    """Base class for errors newsweave raises on purpose."""


class InputError(NewsweaveError):
    """An input that cannot become a document (empty, binary, undecodable, too big …)."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class ConfigError(NewsweaveError):
    """A setting or argument with a bad value; the message says which and how to fix it."""


class NotFound(NewsweaveError):
    """A document or story id that is not in the store."""


class StoreError(NewsweaveError):
    """The database file cannot be used (not SQLite, from a newer newsweave, locked …)."""


class OutputError(NewsweaveError):
    """An output file that cannot be written (missing folder, no space, read-only, or the database itself)."""


class SearchError(NewsweaveError):
    """A search the user asked for that cannot be run: a malformed query (unbalanced quote,
    a lone `*`), a bad date or cursor. The CLI exits 1 and the API answers 422 with this message."""
