"""Who is writing: each writing process names itself in `meta`, so one that has to wait for
SQLite's write lock can say whom it waits for ("newsweave ingest (pid 123) has been writing
since 16:05:01 UTC") instead of dying with "database is locked" after a fixed timeout.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import StoreError

T = TypeVar("T")
_PREFIX = "writer:"


def me() -> tuple[str, str]:
    """This process's meta key and its description (pid, host, command, start)."""
    host, pid = socket.gethostname(), os.getpid()
    command = " ".join([Path(sys.argv[0]).name or "python", *sys.argv[1:2]]) if sys.argv else "python"
    since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return f"{_PREFIX}{host}:{pid}", json.dumps({"pid": pid, "host": host, "command": command, "since": since})


def register(db: sqlite3.Connection, key: str, value: str) -> None:
    """Inside a write transaction: name this writer, and forget writers on this host that died."""
    for other_key, other in _writers(db):
        if other["host"] == socket.gethostname() and not _alive(other["pid"]):
            db.execute("DELETE FROM meta WHERE key=?", (other_key,))
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


def holders(db: sqlite3.Connection) -> str:
    """Who most likely holds the write lock, in words (read without any lock)."""
    try:
        writers = [w for _, w in _writers(db) if w["pid"] != os.getpid() or w["host"] != socket.gethostname()]
    except sqlite3.Error:
        writers = []
    named = [
        f"{w['command']} (pid {w['pid']}{'' if w['host'] == socket.gethostname() else ' on ' + w['host']}) "
        f"has been writing since {w['since'].replace('T', ' ').replace('+00:00', ' UTC')}"
        for w in writers
        if w["host"] != socket.gethostname() or _alive(w["pid"])
    ]
    return "; ".join(named) or "another program holds its write lock"


def wait_for(
    attempt: Callable[[], T], what: str, on_wait: Callable[[str], None] | None, limit: float, describe: Callable[[], str]
) -> T:
    """`attempt()` again while SQLite says the database is busy, telling `on_wait` once whom we wait
    for; StoreError after `limit` seconds."""
    started, told = time.monotonic(), False
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        waited = time.monotonic() - started
        if waited >= limit:
            raise StoreError(
                f"{what}: waited {waited:.0f} s for the write lock and gave up ({describe()}); "
                "run again when it is done"
            ) from None
        if not told and on_wait is not None:
            on_wait(f"waiting for the database {what}: {describe()}")
            told = True


def is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, getattr(sqlite3, "SQLITE_LOCKED", 6)) or "locked" in str(error)


def _writers(db: sqlite3.Connection) -> list[tuple[str, dict]]:
    rows = db.execute("SELECT key, value FROM meta WHERE key >= ? AND key < ?", (_PREFIX, _PREFIX[:-1] + ";"))
    found = []
    for key, value in rows:
        try:
            writer = json.loads(value)
        except ValueError:
            continue
        if isinstance(writer, dict) and {"pid", "host", "command", "since"} <= set(writer):
            found.append((key, writer))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True
