"""The embedded store: one SQLite file (WAL), schema-versioned, raw inputs kept forever.

Every document is written in one transaction together with its raw bytes, links and story
membership, so a run killed at any instant leaves a readable database holding exactly the
documents it reported. A transaction takes the write lock at its start (BEGIN IMMEDIATE),
waiting for another writer as long as `lock_wait` allows and saying whom it waits for
(store/writers.py); `changed_elsewhere` tells a writer that another process wrote since. Arrays are stored as raw little-endian blobs (float16 for
paragraph vectors: half the space, and cosine error ~1e-3, far below any threshold).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..document import Document, Link, Story
from ..entities.namesakes import KnownPerson
from ..errors import NotFound, StoreError
from . import writers

SCHEMA_VERSION = 7
# How long a writer waits for another one's write lock before giving up: long enough for any
# one document's transaction or a backup, short enough that a stuck holder is reported.
LOCK_WAIT_SECONDS = 600.0
# SQLite's own busy wait per attempt; between attempts the wait is reported and timed.
_BUSY_SLICE_MS = 1000
# Primary result codes that mean the file cannot take a write: PERM, READONLY, IOERR,
# CORRUPT, FULL, CANTOPEN, NOTADB.
_UNUSABLE = {3, 8, 10, 11, 13, 14, 26}

# What search indexes of a document row: its clean body (the record's text without the
# headline that opens it, which has its own column), and whether its language needs the
# trigram table. (FTS5 cannot read a view that calls json_each, so the text is cut.)
_BODY = (
    "(CASE WHEN coalesce({row}.title, '') = '' THEN json_extract({row}.record, '$.text') "
    "ELSE substr(json_extract({row}.record, '$.text'), length({row}.title) + 3) END)"
)
_CJK = "{row}.language IN ('zh', 'ja', 'ko')"
_INDEX = (
    "INSERT INTO search_words(rowid, title, body) VALUES ({row}.seq, {row}.title, " + _BODY + ");\n"
    "INSERT INTO search_cjk(rowid, title, body) SELECT {row}.seq, {row}.title, " + _BODY + " WHERE " + _CJK + ";"
)
_UNINDEX = (
    "INSERT INTO search_words(search_words, rowid, title, body) VALUES ('delete', {row}.seq, {row}.title, " + _BODY + ");\n"
    "INSERT INTO search_cjk(search_cjk, rowid, title, body) SELECT 'delete', {row}.seq, {row}.title, " + _BODY
    + " WHERE " + _CJK + ";"
)

# Each entry upgrades the schema from version i to i + 1. Never edit a released entry:
# add a new one, so old databases upgrade in place.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE raw_inputs (
        sha256 TEXT PRIMARY KEY,
        data BLOB NOT NULL,
        size INTEGER NOT NULL,
        first_source TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE documents (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL UNIQUE,
        raw_sha256 TEXT NOT NULL REFERENCES raw_inputs(sha256),
        kind TEXT NOT NULL,
        hints TEXT NOT NULL,
        url TEXT, title TEXT, published TEXT, language TEXT, agency TEXT,
        words INTEGER NOT NULL,
        content_sha256 TEXT NOT NULL,
        story_id INTEGER,
        record TEXT NOT NULL,
        vector BLOB,
        paragraph_vectors BLOB,
        minhash BLOB,
        pipeline_version TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE INDEX documents_content ON documents(content_sha256);
    CREATE INDEX documents_story ON documents(story_id);
    CREATE TABLE links (
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL,
        PRIMARY KEY (source, target, kind)
    );
    CREATE INDEX links_target ON links(target);
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT,
        start TEXT,
        end TEXT,
        languages TEXT NOT NULL,
        size INTEGER NOT NULL,
        centroid BLOB,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE failures (
        source TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # 2: canonical entities and their mentions, for `entities`, `entity` and link evidence.
    """
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        country TEXT,
        latitude REAL,
        longitude REAL
    );
    CREATE TABLE mentions (
        doc_id TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        text TEXT NOT NULL,
        language TEXT,
        paragraph INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL
    );
    CREATE INDEX mentions_doc ON mentions(doc_id);
    CREATE INDEX mentions_entity ON mentions(entity_id);
    """,
    # 3: a person's given-name initial, which tells namesakes apart (entities/namesakes.py).
    """
    ALTER TABLE entities ADD COLUMN given TEXT;
    """,
    # 4: full-text search (newsweave/search/keyword.py). Two external-content FTS5 tables
    # read title and clean body through views and are kept in step by triggers, so the
    # write path needs no change: words (diacritics folded) for every document, and
    # trigrams for Chinese, Japanese and Korean ones, whose words are not space-separated.
    # Existing documents are indexed here ('rebuild').
    f"""
    CREATE VIEW search_text AS SELECT seq, title, {_BODY.format(row="documents")} AS body FROM documents;
    CREATE VIEW search_cjk_text AS SELECT seq, title, {_BODY.format(row="documents")} AS body FROM documents
        WHERE {_CJK.format(row="documents")};
    CREATE VIRTUAL TABLE search_words USING fts5(title, body, content='search_text', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE search_cjk USING fts5(title, body, content='search_cjk_text', content_rowid='seq',
        tokenize='trigram');
    CREATE TRIGGER search_insert AFTER INSERT ON documents BEGIN
        {_INDEX.format(row="new")}
    END;
    CREATE TRIGGER search_delete AFTER DELETE ON documents BEGIN
        {_UNINDEX.format(row="old")}
    END;
    CREATE TRIGGER search_update AFTER UPDATE OF title, record, language ON documents BEGIN
        {_UNINDEX.format(row="old")}
        {_INDEX.format(row="new")}
    END;
    INSERT INTO search_words(search_words) VALUES ('rebuild');
    INSERT INTO search_cjk(search_cjk) VALUES ('rebuild');
    """,
    # 5: storylines (the stories of one affair over weeks and months), each story's summary
    # (JSON, kept current as members arrive), the ids of merged-away stories (they redirect
    # to the story that took their members), and what `newsweave watch` knows of each feed
    # (validators, failures, when to poll next) and of each item it has taken in.
    """
    CREATE TABLE storylines (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT,
        start TEXT,
        end TEXT,
        languages TEXT NOT NULL DEFAULT '[]',
        centroid BLOB,
        updated_at TEXT NOT NULL
    );
    ALTER TABLE stories ADD COLUMN storyline_id INTEGER;
    ALTER TABLE stories ADD COLUMN summary TEXT;
    CREATE INDEX stories_storyline ON stories(storyline_id);
    CREATE TABLE story_redirects (
        old_id INTEGER PRIMARY KEY,
        new_id INTEGER NOT NULL
    );
    CREATE TABLE feeds (
        source TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_poll TEXT,
        last_status TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        next_poll TEXT
    );
    CREATE TABLE feed_items (
        feed TEXT NOT NULL,
        item TEXT NOT NULL,
        doc_id TEXT,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (feed, item)
    );
    """,
    # 6: the near-duplicate index kept in the store (link/index.py): one row per MinHash LSH
    # band of each document, looked up by key when a document arrives, so nothing is rebuilt
    # in memory at start. Filled as documents are written; meta 'minhash_bands' names the
    # banding the rows were made with (absent: not built yet, see configure_bands).
    """
    CREATE TABLE minhash_bands (
        key INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (key, seq)
    ) WITHOUT ROWID;
    CREATE INDEX minhash_bands_seq ON minhash_bands(seq);
    CREATE TRIGGER minhash_bands_delete AFTER DELETE ON documents BEGIN
        DELETE FROM minhash_bands WHERE seq = old.seq;
    END;
    """,
    # 7: how many stored documents name each entity, kept as documents are written and
    # removed, so rarity (stories' candidates, storylines) reads one row per entity rather
    # than counting every mention of it, which for a country grows with the corpus.
    """
    ALTER TABLE entities ADD COLUMN documents INTEGER NOT NULL DEFAULT 0;
    UPDATE entities SET documents = (SELECT count(DISTINCT doc_id) FROM mentions WHERE entity_id = entities.id);
    """,
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _blob(array: np.ndarray | None, dtype: str) -> bytes | None:
    return None if array is None else np.ascontiguousarray(array, dtype=dtype).tobytes()


def _array(blob: bytes | None, dtype: str, width: int | None = None) -> np.ndarray | None:
    if blob is None:
        return None
    array = np.frombuffer(blob, dtype=dtype)
    return array.reshape(-1, width) if width else array


class SQLiteStore:
    """Documents, raw inputs, links and stories in one SQLite file."""

    VECTOR_DTYPE = "<f4"
    PARAGRAPH_DTYPE = "<f2"
    MINHASH_DTYPE = "<u8"

    def __init__(self, path: str | Path, lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.path = str(path)
        self.lock_wait = lock_wait
        # Called with one line when a write has to wait for another process (the CLI prints it).
        self.on_wait: Callable[[str], None] | None = None
        self._writer: tuple[str, str] | None = None
        self._band_keys: Callable[[np.ndarray], list[int]] | None = None  # set by configure_bands
        self._banding: Callable[[], str] | None = None
        self._bands_checked = False
        self._stale_storylines: set[int] = set()  # storylines that lost a story (take_stale_storylines)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout={_BUSY_SLICE_MS}")
            self._waiting(lambda: self.db.execute("PRAGMA journal_mode=WAL"))
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
            self._data_version = self._read_data_version()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: cannot be used as a newsweave database ({error})") from None

    # -- schema ---------------------------------------------------------------------------

    def _migrate(self) -> None:
        """Upgrade the schema in one transaction, re-reading the version under the write lock
        (two processes creating one database must not both run the first migration)."""
        if self._stored_version() == SCHEMA_VERSION:
            return
        self._waiting(lambda: self.db.execute("BEGIN IMMEDIATE"))
        try:
            for step in range(self._stored_version(), SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):  # executescript would COMMIT first
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(step + 1),)
                )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _stored_version(self) -> int:
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        version = 0
        if has_meta:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = _schema_number(self.path, row[0]) if row else 0
        elif self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise StoreError(f"{self.path}: is an SQLite file, but not a newsweave database")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this newsweave "
                f"({SCHEMA_VERSION}); upgrade newsweave to open it"
            )
        return version

    def transaction(self) -> _Transaction:
        """One write transaction: the write lock taken at its start (waiting for it), COMMIT or ROLLBACK."""
        return _Transaction(self)

    def begin_write(self) -> None:
        """BEGIN IMMEDIATE, waiting while another process writes; name this writer in meta."""
        if self._writer is None:  # named in a commit of its own, so a waiting process can read it
            self._waiting(lambda: self.db.execute("BEGIN IMMEDIATE"))
            self._writer = writers.me()
            writers.register(self.db, *self._writer)
            self.db.execute("COMMIT")
        self._waiting(lambda: self.db.execute("BEGIN IMMEDIATE"))

    def changed_elsewhere(self) -> bool:
        """Whether another connection committed since the last call (or since opening)."""
        version = self._read_data_version()
        changed, self._data_version = version != self._data_version, version
        return changed

    def _read_data_version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def _waiting(self, attempt: Callable[[], Any]) -> Any:
        return writers.wait_for(attempt, f"at {self.path}", self.on_wait, self.lock_wait, lambda: writers.holders(self.db))

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

    # -- raw inputs and documents ---------------------------------------------------------

    def known_source(self, source: str) -> tuple[str, str] | None:
        """(document id, raw sha256) stored for a source, if any."""
        row = self.db.execute("SELECT id, raw_sha256 FROM documents WHERE source=?", (source,)).fetchone()
        return (row["id"], row["raw_sha256"]) if row else None

    def source_of(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT source FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row["source"] if row else None

    def put_raw(self, sha256: str, data: bytes, source: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO raw_inputs(sha256, data, size, first_source, added_at) VALUES (?,?,?,?,?)",
            (sha256, data, len(data), source, _now()),
        )

    def raw(self, sha256: str) -> bytes:
        row = self.db.execute("SELECT data FROM raw_inputs WHERE sha256=?", (sha256,)).fetchone()
        if row is None:
            raise NotFound(f"no raw input with sha256 {sha256}")
        return bytes(row["data"])

    def put_document(self, doc: Document, hints: dict[str, Any], pipeline_version: str) -> None:
        record = json.dumps(doc.to_dict(), ensure_ascii=False)
        self.db.execute(
            """INSERT INTO documents(id, source, raw_sha256, kind, hints, url, title, published,
                   language, agency, words, content_sha256, record, vector, paragraph_vectors,
                   minhash, pipeline_version, added_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                doc.id, doc.source, doc.raw_sha256, doc.kind, json.dumps(hints, default=str),
                doc.url, doc.title, doc.published, doc.language, doc.agency, doc.words,
                doc.content_sha256, record, _blob(doc.vector, self.VECTOR_DTYPE),
                _blob(doc.paragraph_vectors, self.PARAGRAPH_DTYPE),
                _blob(doc.minhash, self.MINHASH_DTYPE), pipeline_version, _now(),
            ),
        )
        self._check_bands()
        if self._band_keys is not None and doc.minhash is not None:
            seq = self.db.execute("SELECT seq FROM documents WHERE id=?", (doc.id,)).fetchone()[0]
            self.db.executemany("INSERT OR IGNORE INTO minhash_bands(key, seq) VALUES (?,?)",
                                [(key, seq) for key in self._band_keys(doc.minhash)])

    def put_entities(self, doc: Document) -> None:
        """Record the document's mentions; an entity's row keeps its fullest name."""
        languages = [p.language for p in doc.paragraphs]
        for entity in doc.entities:
            self.db.execute(
                "INSERT INTO entities(id, name, type, country, latitude, longitude, given) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET name = CASE WHEN length(excluded.name) > length(name) "
                "AND excluded.type = 'PER' THEN excluded.name ELSE name END, given = coalesce(given, excluded.given)",
                (entity.id, entity.name, entity.type, entity.country, entity.latitude, entity.longitude, entity.given),
            )
            self.db.executemany(
                "INSERT INTO mentions(doc_id, entity_id, text, language, paragraph, start, end) VALUES (?,?,?,?,?,?,?)",
                [
                    (doc.id, entity.id, m.text, languages[m.paragraph] if m.paragraph < len(languages) else doc.language,
                     m.paragraph, m.start, m.end)
                    for m in entity.mentions
                ],
            )
        self.db.executemany(
            "UPDATE entities SET documents = documents + 1 WHERE id=?",
            [(i,) for i in sorted({e.id for e in doc.entities if e.mentions})],
        )

    def people(self, base: str) -> list[KnownPerson]:
        """Stored people whose id is `base` or `base:<initial>`, with their document counts."""
        rows = self.db.execute(
            "SELECT e.id, e.given, (SELECT count(DISTINCT doc_id) FROM mentions WHERE entity_id = e.id) AS documents "
            "FROM entities e WHERE e.type = 'PER' AND (e.id = ? OR (e.id > ? AND e.id < ?))",
            (base, base + ":", base + ";"),  # ';' follows ':' in code point order: a range the key index serves
        ).fetchall()
        return [KnownPerson(r["id"], r["given"], r["documents"]) for r in rows]

    def cooccurrence(self, candidates: list[str], context: list[str]) -> dict[str, int]:
        """For each candidate entity, how many `context` entities appear in a document with it."""
        if not candidates or not context:
            return {}
        rows = self.db.execute(
            f"SELECT a.entity_id AS id, count(DISTINCT b.entity_id) AS shared FROM mentions a "
            f"JOIN mentions b ON b.doc_id = a.doc_id WHERE a.entity_id IN ({','.join('?' * len(candidates))}) "
            f"AND b.entity_id IN ({','.join('?' * len(context))}) GROUP BY a.entity_id",
            (*candidates, *context),
        ).fetchall()
        return {r["id"]: r["shared"] for r in rows}

    def entity_rows(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT e.*, count(DISTINCT m.doc_id) AS documents, count(*) AS mentions, "
            "group_concat(DISTINCT m.text) AS variants FROM entities e JOIN mentions m ON m.entity_id = e.id "
            "GROUP BY e.id ORDER BY documents DESC, mentions DESC, e.name"
        ).fetchall()

    def entity(self, entity_id: str) -> tuple[sqlite3.Row, list[sqlite3.Row]]:
        row = self.db.execute("SELECT * FROM entities WHERE id=?", (entity_id,)).fetchone()
        if row is None:
            raise NotFound(f"no entity with id {entity_id!r} (try `newsweave entities`)")
        mentions = self.db.execute(
            "SELECT m.*, d.title, d.published FROM mentions m JOIN documents d ON d.id = m.doc_id "
            "WHERE m.entity_id=? ORDER BY d.seq, m.paragraph, m.start",
            (entity_id,),
        ).fetchall()
        return row, mentions

    def update_metadata(self, doc: Document) -> None:
        """Rewrite a stored document's record and metadata columns (arrays stay)."""
        self.db.execute(
            "UPDATE documents SET record=?, title=?, published=?, language=?, agency=?, url=? WHERE id=?",
            (json.dumps(doc.to_dict(), ensure_ascii=False), doc.title, doc.published, doc.language,
             doc.agency, doc.url, doc.id),
        )

    def story_of(self, doc_id: str) -> int | None:
        row = self.db.execute("SELECT story_id FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row["story_id"] if row else None

    def delete_document(self, doc_id: str) -> int | None:
        """Remove a document, its links, mentions and the entities only it named; return its story."""
        story = self.story_of(doc_id)
        entity_ids = [r[0] for r in self.db.execute("SELECT DISTINCT entity_id FROM mentions WHERE doc_id=?", (doc_id,))]
        self.db.execute("DELETE FROM mentions WHERE doc_id=?", (doc_id,))
        self.db.executemany("UPDATE entities SET documents = documents - 1 WHERE id=?", [(i,) for i in entity_ids])
        self.db.executemany(  # an entity nobody mentions any more must not decide a later namesake's id
            "DELETE FROM entities WHERE id=? AND NOT EXISTS (SELECT 1 FROM mentions WHERE entity_id=entities.id)",
            [(i,) for i in entity_ids],
        )
        self.db.execute("DELETE FROM links WHERE source=? OR target=?", (doc_id, doc_id))
        self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        return story

    def document(self, doc_id: str, arrays: bool = False) -> Document:
        row = self.db.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id!r}")
        return self._document(row, arrays)

    def _document(self, row: sqlite3.Row, arrays: bool) -> Document:
        doc = Document.from_dict(json.loads(row["record"]))
        if arrays:
            doc.vector = _array(row["vector"], self.VECTOR_DTYPE)
            pv = _array(row["paragraph_vectors"], self.PARAGRAPH_DTYPE, width=len(doc.vector) if doc.vector is not None else None)
            doc.paragraph_vectors = None if pv is None else pv.astype(np.float32)
            doc.minhash = _array(row["minhash"], self.MINHASH_DTYPE)
        return doc

    def resolve(self, key: str) -> str:
        """A document id from an id, a source, an id prefix, or a unique part of a source."""
        for where, arg in (("id=?", key), ("source=?", key)):
            row = self.db.execute(f"SELECT id FROM documents WHERE {where}", (arg,)).fetchone()
            if row:
                return row["id"]
        for where, arg in (
            ("id LIKE ? ESCAPE '\\'", _like_escape(key) + "%"),
            ("source LIKE ? ESCAPE '\\'", "%" + _like_escape(key) + "%"),
        ):
            rows = self.db.execute(f"SELECT id FROM documents WHERE {where} LIMIT 2", (arg,)).fetchall()
            if len(rows) > 1:
                raise NotFound(f"{key!r} matches several documents; give more of the id or source")
            if rows:
                return rows[0]["id"]
        raise NotFound(f"no document matches {key!r} (try `newsweave documents`)")

    def document_rows(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT id, source, language, title, published, agency, words, story_id AS story, url FROM documents ORDER BY seq"
        ).fetchall()

    def index_rows(self, after: int = 0) -> Iterator[sqlite3.Row]:
        """What the in-memory indexes need, document by document, in arrival order (from seq `after` on)."""
        yield from self.db.execute(
            "SELECT id, seq, language, published, content_sha256, story_id, vector, minhash FROM documents "
            "WHERE seq > ? ORDER BY seq",
            (after,),
        )

    def stories_by_document(self) -> dict[str, int | None]:
        """Every document's story: what another writer may have moved."""
        return {row[0]: row[1] for row in self.db.execute("SELECT id, story_id FROM documents")}

    def paragraph_vectors(self, doc_id: str) -> np.ndarray | None:
        row = self.db.execute("SELECT paragraph_vectors, vector FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None or row["paragraph_vectors"] is None:
            return None
        width = len(row["vector"]) // 4
        return _array(row["paragraph_vectors"], self.PARAGRAPH_DTYPE, width).astype(np.float32)

    def ids_with_content(self, content_sha256: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM documents WHERE content_sha256=? ORDER BY seq", (content_sha256,))
        return [r["id"] for r in rows]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    # -- candidate indexes (link/index.py) ------------------------------------------------

    def configure_bands(self, banding: Callable[[], str], keys_of: Callable[[np.ndarray], list[int]]) -> None:
        """Write each stored document's MinHash band keys from now on. If the stored keys were
        made another way or not at all (a database from before schema 6), they are remade
        once, on the first lookup or write (not at open: opening takes no write lock)."""
        self._band_keys, self._banding, self._bands_checked = keys_of, banding, False

    def _check_bands(self) -> None:
        if self._bands_checked or self._banding is None:
            return
        row = self.db.execute("SELECT value FROM meta WHERE key='minhash_bands'").fetchone()
        if row is None or row[0] != self._banding():
            if self.db.in_transaction:
                self._remake_bands()
            else:
                with self.transaction():
                    self._remake_bands()
        self._bands_checked = True

    def _remake_bands(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='minhash_bands'").fetchone()
        if row is not None and row[0] == self._banding():  # another process remade them meanwhile
            return
        self.db.execute("DELETE FROM minhash_bands")
        for seq, blob in self.db.execute("SELECT seq, minhash FROM documents WHERE minhash IS NOT NULL").fetchall():
            self.db.executemany("INSERT OR IGNORE INTO minhash_bands(key, seq) VALUES (?,?)",
                                [(key, seq) for key in self._band_keys(_array(blob, self.MINHASH_DTYPE))])
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('minhash_bands', ?)", (self._banding(),))

    def band_candidates(self, keys: list[int]) -> list[tuple[str, np.ndarray]]:
        """(id, MinHash) of the stored documents sharing a band key with `keys`."""
        self._check_bands()
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT id, minhash FROM documents WHERE seq IN (SELECT seq FROM minhash_bands WHERE key IN ({marks}))",
            keys)
        return [(r[0], _array(r[1], self.MINHASH_DTYPE)) for r in rows]

    def vectors_by_seq(self, seqs: list[int]) -> list[tuple[int, str, np.ndarray]]:
        """(seq, id, vector) of the stored documents among `seqs` that have a vector."""
        marks = ",".join("?" * len(seqs))
        rows = self.db.execute(
            f"SELECT seq, id, vector FROM documents WHERE seq IN ({marks}) AND vector IS NOT NULL", seqs)
        return [(r[0], r[1], _array(r[2], self.VECTOR_DTYPE)) for r in rows]

    def raw_inputs(self) -> Iterator[sqlite3.Row]:
        """Stored documents with their raw bytes and hints, for reprocessing."""
        yield from self.db.execute(
            "SELECT d.id, d.source, d.kind, d.hints, d.url, d.pipeline_version, r.data FROM documents d "
            "JOIN raw_inputs r ON r.sha256 = d.raw_sha256 ORDER BY d.seq"
        )

    # -- links ----------------------------------------------------------------------------

    def put_links(self, links: Iterable[Link]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO links(source, target, kind, score, evidence) VALUES (?,?,?,?,?)",
            [(k.source, k.target, k.kind, k.score, json.dumps(k.evidence, ensure_ascii=False)) for k in links],
        )

    def links_of(self, doc_id: str) -> list[Link]:
        rows = self.db.execute(
            "SELECT * FROM links WHERE source=? OR target=? ORDER BY score DESC", (doc_id, doc_id)
        )
        return [_link(r) for r in rows]

    def links_within(self, doc_ids: list[str]) -> list[Link]:
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT * FROM links WHERE source IN ({marks}) AND target IN ({marks})", doc_ids + doc_ids
        )
        return [_link(r) for r in rows]

    # -- stories --------------------------------------------------------------------------

    def new_story(self) -> int:
        cursor = self.db.execute(
            "INSERT INTO stories(languages, size, updated_at) VALUES ('[]', 0, ?)", (_now(),)
        )
        return int(cursor.lastrowid)

    def set_story(self, doc_ids: list[str], story_id: int) -> None:
        self.db.executemany("UPDATE documents SET story_id=? WHERE id=?", [(story_id, d) for d in doc_ids])

    def save_story(self, story: Story, centroid: np.ndarray | None) -> None:
        self.db.execute(
            "UPDATE stories SET title=?, start=?, end=?, languages=?, size=?, centroid=?, updated_at=? WHERE id=?",
            (
                story.title, story.start, story.end, json.dumps(story.languages), len(story.documents),
                _blob(centroid, self.VECTOR_DTYPE), _now(), story.id,
            ),
        )

    def delete_story(self, story_id: int) -> None:
        row = self.db.execute("SELECT storyline_id FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is not None and row[0] is not None:
            self._stale_storylines.add(row[0])
        self.db.execute("DELETE FROM stories WHERE id=?", (story_id,))

    def story_rows(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM stories WHERE size > 0 ORDER BY coalesce(start, '9999'), id").fetchall()

    def story_row(self, story_id: int) -> sqlite3.Row:
        in_range = -(2**63) <= story_id < 2**63  # SQLite's integers; a longer id names no story
        row = self.db.execute("SELECT * FROM stories WHERE id=?", (story_id,)).fetchone() if in_range else None
        if row is None or row["size"] == 0:
            raise NotFound(f"no story with id {story_id} (try `newsweave stories`)")
        return row

    def story_summary(self, story_id: int) -> dict[str, Any] | None:
        """A story's summary record (stories/summary.py), None if it has none yet."""
        row = self.db.execute("SELECT summary FROM stories WHERE id=?", (story_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def save_story_summary(self, story_id: int, summary: dict[str, Any]) -> None:
        self.db.execute("UPDATE stories SET summary=? WHERE id=?", (json.dumps(summary, ensure_ascii=False), story_id))

    def story_dates(self, story_id: int) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT start, end FROM stories WHERE id=?", (story_id,)).fetchone()
        return (row["start"], row["end"]) if row else (None, None)

    def story_documents(self, story_id: int) -> list[str]:
        return [r["id"] for r in self.db.execute("SELECT id FROM documents WHERE story_id=? ORDER BY seq", (story_id,))]

    # -- storylines and merged-away stories -----------------------------------------------

    def redirect_story(self, old_id: int, new_id: int) -> None:
        """Record that `old_id` merged into `new_id` (ids that pointed at `old_id` follow it)."""
        self.db.execute("UPDATE story_redirects SET new_id=? WHERE new_id=?", (new_id, old_id))
        self.db.execute("INSERT OR REPLACE INTO story_redirects(old_id, new_id) VALUES (?,?)", (old_id, new_id))

    def resolve_story(self, story_id: int) -> int:
        """The story an id names now: itself, or the survivor of the merge that took it."""
        if not -(2**63) <= story_id < 2**63:
            return story_id
        row = self.db.execute("SELECT new_id FROM story_redirects WHERE old_id=?", (story_id,)).fetchone()
        return row["new_id"] if row else story_id

    def story_profile_row(self, story_id: int) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT id, start, end, languages, centroid, storyline_id FROM stories WHERE id=? AND size > 0", (story_id,)
        ).fetchone()

    def story_mentions(self, story_id: int, members: int) -> tuple[int, list[tuple[str, str]]]:
        """(members read, their (document, entity key) pairs) over a story's latest `members` documents."""
        ids = [r["id"] for r in self.db.execute(
            "SELECT id FROM documents WHERE story_id=? ORDER BY seq DESC LIMIT ?", (story_id, members))]
        if not ids:
            return 0, []
        rows = self.db.execute(
            f"SELECT DISTINCT doc_id, entity_id FROM mentions WHERE doc_id IN ({','.join('?' * len(ids))})", ids)
        return len(ids), [(r["doc_id"], r["entity_id"]) for r in rows]

    def stories_naming(self, entity_id: str, exclude: int, limit: int) -> list[int]:
        """The latest stories (other than `exclude`) with a member naming this entity."""
        rows = self.db.execute(
            "SELECT d.story_id FROM mentions m JOIN documents d ON d.id = m.doc_id WHERE m.entity_id=? "
            "AND d.story_id IS NOT NULL AND d.story_id != ? GROUP BY d.story_id ORDER BY max(d.seq) DESC LIMIT ?",
            (entity_id, exclude, limit),
        )
        return [r[0] for r in rows]

    def entity_document_counts(self, keys: Iterable[str]) -> dict[str, int]:
        """In how many stored documents each entity key is named (kept with the mentions)."""
        wanted, counts = list(keys), {}
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[start:start + 500]
            counts.update({r[0]: r[1] for r in self.db.execute(
                f"SELECT id, documents FROM entities WHERE id IN ({','.join('?' * len(chunk))}) AND documents > 0",
                chunk)})
        return counts

    def entity_names(self, keys: Iterable[str]) -> dict[str, str]:
        wanted, names = list(keys), {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            names.update({r[0]: r[1] for r in self.db.execute(
                f"SELECT id, name FROM entities WHERE id IN ({','.join('?' * len(chunk))})", chunk)})
        return names

    def storyline_of(self, story_id: int) -> int | None:
        row = self.db.execute("SELECT storyline_id FROM stories WHERE id=?", (story_id,)).fetchone()
        return row[0] if row else None

    def new_storyline(self) -> int:
        return int(self.db.execute("INSERT INTO storylines(updated_at) VALUES (?)", (_now(),)).lastrowid)

    def set_storyline(self, story_id: int, storyline_id: int | None) -> None:
        self.db.execute("UPDATE stories SET storyline_id=? WHERE id=?", (storyline_id, story_id))

    def storyline_stories(self, storyline_id: int) -> list[int]:
        """A storyline's stories in time order (undated last)."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM stories WHERE storyline_id=? AND size > 0 ORDER BY coalesce(start, '9999'), id",
            (storyline_id,))]

    def save_storyline(self, storyline_id: int, title: str | None, start: str | None, end: str | None,
                       languages: list[str], centroid: np.ndarray | None) -> None:
        self.db.execute(
            "UPDATE storylines SET title=?, start=?, end=?, languages=?, centroid=?, updated_at=? WHERE id=?",
            (title, start, end, json.dumps(languages), _blob(centroid, self.VECTOR_DTYPE), _now(), storyline_id),
        )

    def delete_storyline(self, storyline_id: int) -> None:
        self.db.execute("DELETE FROM storylines WHERE id=?", (storyline_id,))

    def storyline_row(self, storyline_id: int) -> sqlite3.Row:
        in_range = -(2**63) <= storyline_id < 2**63
        row = self.db.execute("SELECT * FROM storylines WHERE id=?", (storyline_id,)).fetchone() if in_range else None
        if row is None:
            raise NotFound(f"no storyline with id {storyline_id} (try `newsweave storylines`)")
        return row

    def take_stale_storylines(self) -> set[int]:
        """Storylines that lost a story since the last call (deleted or merged away)."""
        stale, self._stale_storylines = self._stale_storylines, set()
        return stale

    # -- failures -------------------------------------------------------------------------

    def record_failure(self, source: str, reason: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO failures(source, reason, at) VALUES (?,?,?)", (source, reason, _now())
            )

    def clear_failure(self, source: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM failures WHERE source=?", (source,))

    def failures(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM failures ORDER BY at").fetchall()

    # -- watched feeds (newsweave watch) --------------------------------------------------

    def feed_row(self, source: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM feeds WHERE source=?", (source,)).fetchone()

    def put_feed(self, row: dict[str, Any]) -> None:
        """Insert or replace one feed's state (its validators, failures and next poll)."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO feeds(source, etag, last_modified, last_poll, last_status, failures, next_poll) "
                "VALUES (:source, :etag, :last_modified, :last_poll, :last_status, :failures, :next_poll)", row,
            )

    def seen_feed_items(self, feed: str, items: Iterable[str]) -> set[str]:
        """Which of these items of a feed were taken in before."""
        wanted = list(items)
        seen: set[str] = set()
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            seen.update(r["item"] for r in self.db.execute(
                f"SELECT item FROM feed_items WHERE feed=? AND item IN ({marks})", (feed, *chunk)))
        return seen

    def put_feed_item(self, feed: str, item: str, doc_id: str | None) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO feed_items(feed, item, doc_id, seen_at) VALUES (?,?,?,?)",
                (feed, item, doc_id, _now()),
            )

    def close(self) -> None:
        """Close; a writer first takes its name out of meta (if the lock is free soon)."""
        if self._writer is not None:
            key, self._writer = self._writer[0], None
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute("DELETE FROM meta WHERE key=?", (key,))
                self.db.execute("COMMIT")
            except sqlite3.Error:  # busy or gone: a later writer drops a dead pid's name
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
        self.db.close()


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration one by one (a trigger's body holds semicolons too)."""
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n;"):
                yield statement
            statement = ""


def _schema_number(path: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StoreError(
            f"{path}: its schema version {value!r} (meta.schema_version) is not a number; "
            "the file is damaged or was not written by newsweave"
        ) from None


def _link(row: sqlite3.Row) -> Link:
    return Link(row["source"], row["target"], row["kind"], row["score"], json.loads(row["evidence"]))


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error (autocommit mode underneath)."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.store.begin_write()
        except sqlite3.DatabaseError as error:
            self._rollback()
            self._refuse(error)
            raise
        return self.store.db

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            try:
                self.store.db.execute("COMMIT")
                return
            except sqlite3.DatabaseError as error:
                value = error
        self._rollback()
        if isinstance(value, sqlite3.DatabaseError):
            self._refuse(value)
        if kind is None:
            raise value

    def _rollback(self) -> None:
        if self.store.db.in_transaction:
            self.store.db.execute("ROLLBACK")

    def _refuse(self, error: sqlite3.DatabaseError) -> None:
        """A full disk, a read-only or damaged file: a StoreError saying so (nothing half-written).
        Other SQLite errors are bugs and keep their traceback."""
        if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF in _UNUSABLE:
            raise StoreError(f"{self.store.path}: cannot write to the database ({error})") from error


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
