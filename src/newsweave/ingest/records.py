"""Container formats holding many articles: JSONL / JSON lists, WARC files, RSS/Atom feeds.

Every reader streams and holds at most one article (`max_bytes`) at a time, so a
decompression bomb or a giant record costs a failure line, not the machine's memory. A
record cut short or corrupt is reported as failed, never stored half.
"""

from __future__ import annotations

import codecs
import io
import json
import zlib
from collections.abc import Iterator
from typing import Any

from ..document import RawArticle
from .failure import Failure
from .feeds import entry_hints
from .hints import HintError, check_hints, check_url, valid_text

_CHUNK = 1 << 20
# An overlong JSONL line is skipped so the lines after it are read, but only this many
# article limits far: a line longer still is a bomb, and the file ends there.
_SKIP_LINES_UP_TO = 8


def read_json_records(
    stream: io.BufferedIOBase, source: str, whole_file: bool = False, max_bytes: int = 10_000_000
) -> Iterator[RawArticle | Failure]:
    """One article per line (JSONL); or, in a .json file, a list or one (pretty-printed) object."""
    found = False
    for item in _json_records(stream, source, whole_file, max_bytes):
        found = True
        yield item
    if not found:
        yield Failure(source, "empty file (no JSON records)")


def _json_records(stream: io.BufferedIOBase, source: str, whole_file: bool, max_bytes: int) -> Iterator[RawArticle | Failure]:
    first = stream.peek(64)[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if first.startswith(b"["):
        yield from _json_list(stream, source, max_bytes)
        return
    if whole_file and first.startswith(b"{"):
        head = stream.read(max_bytes + 1)
        text = head.decode("utf-8-sig", errors="replace")
        try:
            item, end = json.JSONDecoder().raw_decode(text, len(text) - len(text.lstrip()))
        except json.JSONDecodeError:
            item, end = None, 0
        if item is not None and len(head) <= max_bytes and not text[end:].strip():
            yield _record(item, f"{source}#1")
            return
        stream = io.BufferedReader(_Replay(head, stream))  # not one object: JSONL named .json
    yield from _json_lines(stream, source, max_bytes)


def _json_lines(stream: io.BufferedIOBase, source: str, max_bytes: int) -> Iterator[RawArticle | Failure]:
    for n, line in enumerate(iter(lambda: stream.readline(max_bytes + 1), b""), start=1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            skipped, ended = _skip_line(stream, _SKIP_LINES_UP_TO * max_bytes)
            limit = f"over the limit of {_size(max_bytes)} for one article (set NEWSWEAVE_MAX_ARTICLE_BYTES if it really is one)"
            if not ended:  # a decompression bomb, not a record: reading on would only cost time
                yield Failure(f"{source}#{n}", f"line {n} runs on past {_size(len(line) + skipped)} without a "
                              f"line break, {limit}; the rest of the file was not read")
                return
            yield Failure(f"{source}#{n}", f"line {n} is {_size(len(line) + skipped)}, {limit}")
            continue
        if not line.strip():
            continue
        try:
            item = json.loads(line.decode("utf-8-sig"))
        except UnicodeDecodeError:
            yield Failure(f"{source}#{n}", f"line {n} is not UTF-8 (JSON must be UTF-8)")
            continue
        except json.JSONDecodeError as error:
            yield Failure(f"{source}#{n}", f"malformed JSON on line {n} ({error.msg}, column {error.colno})")
            continue
        yield _record(item, f"{source}#{n}")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _skip_line(stream: io.BufferedIOBase, most: int) -> tuple[int, bool]:
    """Read past the rest of an overlong line in bounded chunks, up to `most` bytes: how many
    bytes were skipped, and whether the line ended (or the file did)."""
    skipped = 0
    while skipped < most:
        chunk = stream.readline(_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped, True
    return skipped, False


def _json_list(stream: io.BufferedIOBase, source: str, max_bytes: int) -> Iterator[RawArticle | Failure]:
    """The items of a JSON list, decoded one at a time (never the whole list in memory)."""
    decoder = json.JSONDecoder()
    text_of = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    buffer, pos, done, damage = "", 0, False, None

    def more() -> bool:
        """Read on (as much again as is pending, so each item is parsed O(1) times).

        Damage below (a cut gzip stream) ends the data here and is raised once the items
        read before it are out."""
        nonlocal buffer, pos, done, damage
        if done:
            if damage is not None:
                raise damage
            return False
        chunks, wanted = [], max(_CHUNK, len(buffer) - pos)
        try:
            while wanted > 0 and (chunk := stream.read1(wanted)):
                chunks.append(chunk)
                wanted -= len(chunk)
        except (EOFError, OSError, zlib.error) as error:
            damage = error
        data = b"".join(chunks)
        done = damage is not None or not data
        buffer = buffer[pos:] + text_of.decode(data, final=done)
        pos = 0
        return bool(data)

    def skip_space() -> str:
        nonlocal pos
        while True:
            stripped = len(buffer) - len(buffer[pos:].lstrip())
            pos = stripped
            if pos < len(buffer) or not more():
                return buffer[pos:pos + 1]

    skip_space()
    pos += 1  # the "["
    n = 0
    while True:
        mark = skip_space()
        if mark == "]" and n == 0:
            return
        n += 1
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
                break
            except json.JSONDecodeError as error:
                if len(buffer) - pos > max_bytes:
                    yield Failure(f"{source}#{n}", f"item {n} of the JSON list is malformed or over the limit of "
                                  f"{max_bytes / 1e6:.1f} MB for one article; the items before it were read")
                    return
                if not more():
                    yield Failure(source, f"malformed JSON list ({error.msg} in item {n})"
                                  + ("; the items before it were read" if n > 1 else ""))
                    return
        pos = end
        yield _record(item, f"{source}#{n}")
        mark = skip_space()
        if mark == "]":
            return
        if mark != ",":
            found = f"{mark!r}" if mark else "the end of the file"
            yield Failure(source, f"malformed JSON list (expected ',' or ']' after item {n}, found {found}); "
                          "the items before it were read")
            return
        pos += 1


class _Replay(io.RawIOBase):
    """Bytes already read, then the rest of the stream: a second reading of a file's start."""

    def __init__(self, head: bytes, rest: io.BufferedIOBase) -> None:
        self.head, self.rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _record(item: Any, source: str) -> RawArticle | Failure:
    if not isinstance(item, dict):
        return Failure(source, f"expected a JSON object with 'text' or 'html', got {type(item).__name__}")
    body, kind = item.get("html"), "html"
    if not isinstance(body, str) or not body.strip():
        body, kind = item.get("text"), "text"
    if not isinstance(body, str) or not body.strip():
        return Failure(source, "record has no 'text' or 'html' field with content")
    try:
        hints, url = check_hints(item), check_url(item)
    except HintError as error:
        return Failure(source, str(error))
    return RawArticle(valid_text(body).encode("utf-8"), source, kind, url, hints)


class LineTooLong(ValueError):
    """The input ran on for longer than any header or article without a line break."""


class _LineGuard:
    """Passes a stream through, failing once `limit` bytes go by without a newline.

    warcio reads record headers line by line with no bound; a real WARC never holds more
    than an article's size without a line break, a decompression bomb of zeros does. Each
    read is one read of the stream below, so data before damage is handed on first.
    """

    def __init__(self, stream: io.BufferedIOBase, limit: int) -> None:
        self.stream, self.limit, self.run, self.armed = stream, limit, 0, True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read1(size if size and size > 0 else _CHUNK)
        newline = data.rfind(b"\n")
        self.run = len(data) - newline - 1 if newline >= 0 else self.run + len(data)
        if self.armed and self.run > self.limit:
            raise LineTooLong(f"over {self.limit / 1e6:.1f} MB without a line break")
        return data

    def tell(self) -> int:
        raise io.UnsupportedOperation("a stream")  # warcio then counts offsets itself


def read_warc(stream: io.BufferedIOBase, source: str, max_bytes: int = 10_000_000) -> Iterator[RawArticle | Failure]:
    """HTTP response records with an HTML or text payload; other records are not articles.

    A record is handed on only once the next one has been found where its stated length
    says: a record cut short, or one whose length runs into the next, is reported instead.
    """
    from warcio.archiveiterator import ArchiveIterator

    class Iterator_(ArchiveIterator):
        INC_RECORD = ""  # warcio writes this warning to stderr; err_count says it instead

    guard = _LineGuard(stream, max_bytes + _CHUNK)  # + warcio's read-ahead past the headers
    records = Iterator_(guard)
    n, pending = 0, None
    try:
        for record in _guarded(records, guard):
            if pending is not None:
                yield _checked(*pending, records)
                pending = None
            if record.rec_type != "response":
                continue
            n += 1
            item = _warc_article(record, f"{source}#{n}", max_bytes)
            if isinstance(item, Failure):
                yield item
            else:
                pending = (item, record, records.err_count)
        if pending is not None:
            yield _checked(*pending, records)
    except Exception as error:  # warcio's parser meets damaged data with whatever it raises
        from warcio.exceptions import ArchiveLoadFailed

        if not isinstance(error, (ArchiveLoadFailed, LineTooLong, AttributeError, ValueError, KeyError, IndexError)):
            raise
        if pending is not None:
            item, record, errors = pending
            yield _checked(item, record, errors, records) if records.member_info else _cut(item, record)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        kept = "; the records before it were read" if n > 1 else ""
        where = f"after record {n}" if n else "at its first record"
        yield Failure(source, f"not a readable WARC file {where} ({reason}){kept}")


def _guarded(records: Any, guard: _LineGuard) -> Iterator[Any]:
    """warcio's records, the line guard armed only while it looks for the next one's headers
    (a payload may be one long line; headers never are)."""
    previous = None
    while True:
        if previous is not None and hasattr(previous.raw_stream, "limit"):  # a record with a length
            guard.armed = False
            while previous.raw_stream.read(_CHUNK):  # the rest of the payload, in bounded reads
                pass
        guard.armed, guard.run = True, 0
        try:
            previous = next(records)
        except StopIteration:
            return
        guard.armed = False
        yield previous


def _warc_article(record: Any, where: str, max_bytes: int) -> RawArticle | Failure:
    if not hasattr(record.raw_stream, "limit"):  # warcio reads on to the end of the file
        return Failure(where, "record states no Content-Length (its header is cut or damaged)")
    status = record.http_headers.get_statuscode() if record.http_headers else None
    content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    if status and not status.startswith("2"):
        return Failure(where, f"HTTP status {status}, not an article")
    kind = "html" if "html" in content_type or not content_type else "text" if "text/plain" in content_type else None
    if kind is None:
        return Failure(where, f"content type {content_type!r} is not HTML or text")
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        return Failure(where, f"record is over the limit of {_size(max_bytes)} for one article "
                       "(set NEWSWEAVE_MAX_ARTICLE_BYTES if it really is one)")
    url = record.rec_headers.get_header("WARC-Target-URI")
    charset = content_type.split("charset=")[-1].strip() if "charset=" in content_type else None
    hints = {"charset": charset} if charset else {}
    return RawArticle(payload, where, kind, url, hints)


def _checked(item: RawArticle, record: Any, errors_before: int, records: Any) -> RawArticle | Failure:
    """The article if its record ended where its Content-Length said, else why not."""
    if records.err_count > errors_before:
        return Failure(item.source, "record's stated length runs past its end into what follows "
                       "(the file is cut or corrupt there); not stored, nor what its length swallowed")
    return _cut(item, record) if getattr(record.raw_stream, "limit", 0) else item


def _cut(item: RawArticle, record: Any) -> RawArticle | Failure:
    missing = getattr(record.raw_stream, "limit", 0)
    return Failure(item.source, "record is cut short: the file ends "
                   + (f"{missing} bytes before its stated length" if missing else "inside it") + "; not stored")


def read_feed(data: bytes, source: str) -> Iterator[RawArticle | Failure]:
    """Items of an RSS or Atom feed: their full content if the feed carries it, else the
    summary, with title, link and date as hints. Nothing is fetched from the links."""
    import feedparser

    try:
        feed = feedparser.parse(data)
    except (UnicodeError, ValueError, TypeError, LookupError) as error:  # feedparser's own slips on junk
        yield Failure(source, f"not a readable RSS/Atom feed ({type(error).__name__}: {error})")
        return
    if not feed.entries:
        reason = f"not a readable RSS/Atom feed ({feed.bozo_exception})" if feed.bozo else "feed has no items"
        yield Failure(source, reason)
        return
    for n, entry in enumerate(feed.entries, start=1):
        where = f"{source}#{n}"
        contents = [c.get("value") or "" for c in entry.get("content") or []] or [entry.get("summary") or ""]
        body = max(contents, key=len).strip()
        if not body:
            yield Failure(where, "feed item has no content or summary")
            continue
        hints = entry_hints(entry)
        if entry.get("id") and not str(entry["id"]).startswith("http"):
            hints["id"] = str(entry["id"])
        kind = "html" if "<" in body else "text"
        html = f"<html><body><article>{body}</article></body></html>" if kind == "html" else body
        yield RawArticle(html.encode("utf-8"), where, kind, entry.get("link"), hints)
