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
_GZIP_MAGIC = b"\x1f\x8b"


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """Every file under the given paths (folders recursively, sorted), or why not."""
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield Failure(source_name(path), "no such file or folder")
        elif path.is_dir():
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name not in _SKIP_NAMES:
                        yield Path(root) / name
        else:
            yield path


def source_name(path: Path) -> str:
    """The path as text that can be stored and printed: bytes that are not UTF-8 (a file name
    from another system) are written as \\xNN escapes instead of breaking the database."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def read_file(path: Path, max_article_bytes: int) -> Iterator[RawArticle | Failure]:
    """The articles in one file (one, or many for JSONL and WARC).

    Gzip is recognised by its name or its first bytes and decompressed as a stream; no
    reader holds more than one article (`max_article_bytes`) of it at a time.
    """
    source = source_name(path.resolve())
    suffixes = [s.lower() for s in path.suffixes]
    named_gz = bool(suffixes) and suffixes[-1] == ".gz"
    inner = suffixes[-2] if named_gz and len(suffixes) > 1 else (suffixes[-1] if suffixes and not named_gz else "")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
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
        compressed = named_gz or raw_stream.peek(2)[:2] == _GZIP_MAGIC
        # GzipFile itself, not a buffer over it: its read1 hands on what decompressed before damage.
        stream = gzip.GzipFile(fileobj=raw_stream) if compressed else raw_stream
        read = 0
        try:
            for item in _read_stream(stream, source, inner, max_article_bytes, None if compressed else info.st_size):
                read += isinstance(item, RawArticle)
                yield item
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            kept = f"; the {read} articles before the damage were read" if read else ""
            yield Failure(source, f"truncated or corrupt gzip data ({error}){kept}")
        except OSError as error:
            yield Failure(source, f"read error ({error.strerror or error})")


def _read_stream(
    stream: io.BufferedIOBase, source: str, ext: str, max_bytes: int, size: int | None
) -> Iterator[RawArticle | Failure]:
    head = stream.peek(16)[:16]
    if ext in _WARC or head.startswith(b"WARC/"):
        yield from read_warc(stream, source, max_bytes)
        return
    if ext in _JSON:
        yield from read_json_records(stream, source, whole_file=ext == ".json", max_bytes=max_bytes)
        return
    feed = ext in _FEED or _looks_like_feed(stream.peek(512)[:512])
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        what, limit = "feed" if feed else "article", f"{max_bytes / 1e6:.1f} MB"
        stated = (f"file is {size / 1e6:.1f} MB, over the limit of {limit}" if size
                  else f"file decompresses to more than {limit}, the limit")  # a bomb is not measured
        yield Failure(source, f"{stated} for one {what} (set NEWSWEAVE_MAX_ARTICLE_BYTES if it really is one)")
        return
    if feed:
        yield from read_feed(data, source)
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
