"""Read queries behind Corpus's read models: filtered lists in pages, parameterised SQL.

Lists are keyset-paginated: a cursor is the last row's sort key, so a page costs the
same wherever it starts and rows written meanwhile are neither skipped nor repeated.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from typing import Any

from ..errors import SearchError
from ..search.filters import Filters

MAX_PAGE = 1000  # rows per page, whatever a caller asks


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """A cursor's sort key; SearchError for one this list did not hand out."""
    if cursor in (None, ""):
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(v, (int, str)) for v in key):
        raise SearchError(f"cursor {cursor[:40]!r} is not one this list handed out")
    return key


def _limit(limit: int | None) -> int:
    if limit is None:
        return -1  # SQLite: no limit
    if not 1 <= limit <= MAX_PAGE:
        raise SearchError(f"limit {limit} is out of range (1 … {MAX_PAGE})")
    return limit


def _page(rows: list[sqlite3.Row], limit: int, key: Any) -> tuple[list[sqlite3.Row], str | None]:
    """The rows of a page and the next cursor (None on the last page); `rows` holds one extra."""
    if limit < 0 or len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(key(rows[-1]))


def documents(db: sqlite3.Connection, filters: Filters, limit: int | None, cursor: str | None):
    """Documents in arrival order, filtered; (rows, next cursor)."""
    size = _limit(limit)
    where, params = filters.where("d")
    after = decode_cursor(cursor, 1)
    if after is not None:
        where += " AND d.seq > ?"
        params.append(after[0])
    rows = db.execute(
        "SELECT d.seq, d.id, d.source, d.language, d.title, d.published, d.agency, d.words, "
        f"d.story_id AS story, d.url FROM documents d WHERE {where} ORDER BY d.seq LIMIT ?",
        [*params, size + 1 if size > 0 else -1],
    ).fetchall()
    return _page(rows, size, lambda r: [r["seq"]])


def stories(db: sqlite3.Connection, filters: Filters, newest_first: bool, limit: int | None, cursor: str | None):
    """Stories with a member matching the filters, by first date (or newest first); (rows, next)."""
    size = _limit(limit)
    clauses, params = ["s.size > 0"], []
    if filters:
        where, extra = filters.where("d")
        clauses.append(f"s.id IN (SELECT d.story_id FROM documents d WHERE {where})")
        params += extra
    sort = "coalesce(s.end, s.start, '')" if newest_first else "coalesce(s.start, '9999')"
    after = decode_cursor(cursor, 2)
    if after is not None:
        clauses.append(f"({sort}, s.id) {'<' if newest_first else '>'} (?, ?)")
        params += after
    order = "DESC" if newest_first else ""
    rows = db.execute(
        f"SELECT s.*, {sort} AS sort_key FROM stories s WHERE {' AND '.join(clauses)} "
        f"ORDER BY sort_key {order}, s.id {order} LIMIT ?",
        [*params, size + 1 if size > 0 else -1],
    ).fetchall()
    return _page(rows, size, lambda r: [r["sort_key"], r["id"]])


def storylines(db: sqlite3.Connection, limit: int | None, cursor: str | None):
    """Storylines by first date (undated last), then id; (rows, next cursor)."""
    size = _limit(limit)
    sort = "coalesce(start, '9999')"
    where, params = "1", []
    after = decode_cursor(cursor, 2)
    if after is not None:
        where, params = f"({sort}, id) > (?, ?)", list(after)
    rows = db.execute(
        f"SELECT *, {sort} AS sort_key FROM storylines WHERE {where} ORDER BY sort_key, id LIMIT ?",
        [*params, size + 1 if size > 0 else -1],
    ).fetchall()
    return _page(rows, size, lambda r: [r["sort_key"], r["id"]])


def story_documents(db: sqlite3.Connection, story_id: int) -> list[str]:
    return [r[0] for r in db.execute("SELECT id FROM documents WHERE story_id=? ORDER BY seq", (story_id,))]


def entities(db: sqlite3.Connection, kind: str | None, story: int | None, document: str | None,
             limit: int | None, cursor: str | None):
    """Canonical entities, most documents first, optionally of one type, story or document."""
    size = _limit(limit)
    clauses, params = ["1"], []
    if kind:
        clauses.append("e.type = ?")
        params.append(kind)
    if story is not None:
        clauses.append("m.doc_id IN (SELECT id FROM documents WHERE story_id = ?)")
        params.append(story)
    if document:
        clauses.append("m.doc_id = ?")
        params.append(document)
    having = ""
    after = decode_cursor(cursor, 4)
    if after is not None:
        having = "HAVING (-count(DISTINCT m.doc_id), -count(*), e.name, e.id) > (?, ?, ?, ?)"
        params += after
    rows = db.execute(
        "SELECT e.*, count(DISTINCT m.doc_id) AS documents, count(*) AS mentions, "
        "group_concat(DISTINCT m.text) AS variants FROM entities e JOIN mentions m ON m.entity_id = e.id "
        f"WHERE {' AND '.join(clauses)} GROUP BY e.id {having} "
        "ORDER BY documents DESC, mentions DESC, e.name, e.id LIMIT ?",
        [*params, size + 1 if size > 0 else -1],
    ).fetchall()
    return _page(rows, size, lambda r: [-r["documents"], -r["mentions"], r["name"], r["id"]])


def entity(db: sqlite3.Connection, entity_id: str) -> tuple[sqlite3.Row | None, list[sqlite3.Row]]:
    row = db.execute("SELECT * FROM entities WHERE id=?", (entity_id,)).fetchone()
    if row is None:
        return None, []
    mentions = db.execute(
        "SELECT m.*, d.title, d.published FROM mentions m JOIN documents d ON d.id = m.doc_id "
        "WHERE m.entity_id=? ORDER BY d.seq, m.paragraph, m.start",
        (entity_id,),
    ).fetchall()
    return row, mentions


def companions(db: sqlite3.Connection, entity_id: str, limit: int = 10) -> list[sqlite3.Row]:
    """The entities named in the most documents that also name this one."""
    return db.execute(
        "SELECT e.id, e.name, e.type, count(DISTINCT m.doc_id) AS documents FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id WHERE m.entity_id != ? AND m.doc_id IN "
        "(SELECT doc_id FROM mentions WHERE entity_id = ?) GROUP BY e.id ORDER BY documents DESC, e.name LIMIT ?",
        (entity_id, entity_id, limit),
    ).fetchall()


def failures(db: sqlite3.Connection) -> list[sqlite3.Row]:
    return db.execute("SELECT source, reason, at FROM failures ORDER BY at, source").fetchall()
