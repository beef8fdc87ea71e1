"""Walk paths and turn files into raw articles; the only module that opens input files.

Formats by extension, then by content: .txt, .html/.htm, .jsonl/.json, .warc, RSS/Atom
(.rss, .atom, .xml), and .gz of any of them. A file that cannot be read becomes a `Failure` naming the file (and line or
record), and the walk goes on with the rest.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..document import RawArticle
from .failure import Failure
from .records import read_feed, read_json_records, read_warc

_TEXT = {".txt", ".text", ".md"}
_HTML = {".html", ".htm", ".xhtml", ".shtml"}
_JSON = {".jsonl", ".json", ".ndjson"}
_WARC = {".warc"}
_FEED = {".rss", ".atom", ".xml"}
# Files a folder walk passes over without a word: not articles, and never inputs.
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """Every file under the given paths (folders recursively, sorted), or why not."""
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield Failure(str(given), "no such file or folder")
        elif path.is_dir():
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name not in _SKIP_NAMES:
                        yield Path(root) / name
        else:
            yield path


def read_file(path: Path, max_article_bytes: int) -> Iterator[RawArticle | Failure]:
    """The articles in one file (one, or many for JSONL and WARC)."""
    source = str(path.resolve())
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    inner = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes and not compressed else "")
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            yield Failure(source, "not a regular file (a socket, pipe or device), skipped")
            return
        raw_stream = path.open("rb")
    except PermissionError:
        yield Failure(source, "permission denied (cannot read this file)")
        return
    except OSError as error:
        yield Failure(source, f"cannot open ({error.strerror or error})")
        return
    with raw_stream:
        stream: io.BufferedIOBase = gzip.GzipFile(fileobj=raw_stream) if compressed else raw_stream
        stream = io.BufferedReader(stream) if compressed else stream
        try:
            yield from _read_stream(stream, source, inner, max_article_bytes)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            yield Failure(source, f"truncated or corrupt gzip data ({error})")
        except OSError as error:
            yield Failure(source, f"read error ({error.strerror or error})")


def _read_stream(stream: io.BufferedIOBase, source: str, ext: str, max_bytes: int) -> Iterator[RawArticle | Failure]:
    head = stream.peek(16)[:16]
    if ext in _WARC or head.startswith(b"WARC/"):
        yield from read_warc(stream, source)
        return
    if ext in _JSON:
        yield from read_json_records(stream, source, whole_file=ext == ".json")
        return
    if ext in _FEED or _looks_like_feed(stream.peek(512)[:512]):
        yield from read_feed(stream.read(), source)
        return
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = len(data) + sum(len(chunk) for chunk in iter(lambda: stream.read(1 << 20), b""))
        yield Failure(
            source,
            f"file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB for one article "
            "(set NEWSWEAVE_MAX_ARTICLE_BYTES if it really is one article)",
        )
        return
    if not data.strip():
        yield Failure(source, "empty file")
        return
    kind = "html" if ext in _HTML or (ext not in _TEXT and _looks_like_html(data)) else "text"
    yield RawArticle(data, source, kind)


def _looks_like_feed(data: bytes) -> bool:
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<?xml") and (b"<rss" in start or b"<feed" in start or b"<rdf" in start)


def _looks_like_html(data: bytes) -> bool:
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<!--"))
