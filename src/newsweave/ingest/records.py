"""Container formats holding many articles: JSONL / JSON lists, WARC files, RSS/Atom feeds."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

from ..document import RawArticle
from .failure import Failure

_HINT_FIELDS = ("title", "published", "updated", "language", "id")


def read_json_records(stream: io.BufferedIOBase, source: str, whole_file: bool = False) -> Iterator[RawArticle | Failure]:
    """One article per line (JSONL); or, in a .json file, a list or one (pretty-printed) object."""
    first = stream.peek(64)[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if first.startswith(b"[") or (whole_file and first.startswith(b"{")):
        text = stream.read().decode("utf-8-sig", errors="replace")
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            if first.startswith(b"["):
                yield Failure(source, f"malformed JSON list ({error.msg} at line {error.lineno})")
                return
            yield from _json_lines(io.BytesIO(text.encode("utf-8")), source)  # JSONL named .json
            return
        if isinstance(items, dict):
            yield _record(items, f"{source}#1")
            return
        for n, item in enumerate(items, start=1):
            yield _record(item, f"{source}#{n}")
        return
    yield from _json_lines(stream, source)


def _json_lines(stream: io.BufferedIOBase, source: str) -> Iterator[RawArticle | Failure]:
    for n, line in enumerate(stream, start=1):
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


def _record(item: Any, source: str) -> RawArticle | Failure:
    if not isinstance(item, dict):
        return Failure(source, f"expected a JSON object with 'text' or 'html', got {type(item).__name__}")
    body, kind = item.get("html"), "html"
    if not isinstance(body, str) or not body.strip():
        body, kind = item.get("text"), "text"
    if not isinstance(body, str) or not body.strip():
        return Failure(source, "record has no 'text' or 'html' field with content")
    hints = {k: item[k] for k in _HINT_FIELDS if item.get(k) not in (None, "")}
    url = item.get("url") if isinstance(item.get("url"), str) else None
    return RawArticle(body.encode("utf-8"), source, kind, url, hints)


def read_warc(stream: io.BufferedIOBase, source: str) -> Iterator[RawArticle | Failure]:
    """HTTP response records with an HTML or text payload; other records are not articles."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            n += 1
            where = f"{source}#{n}"
            status = record.http_headers.get_statuscode() if record.http_headers else None
            content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
            if status and not status.startswith("2"):
                yield Failure(where, f"HTTP status {status}, not an article")
                continue
            kind = "html" if "html" in content_type or not content_type else "text" if "text/plain" in content_type else None
            if kind is None:
                yield Failure(where, f"content type {content_type!r} is not HTML or text")
                continue
            payload = record.content_stream().read()
            url = record.rec_headers.get_header("WARC-Target-URI")
            charset = content_type.split("charset=")[-1].strip() if "charset=" in content_type else None
            hints = {"charset": charset} if charset else {}
            yield RawArticle(payload, where, kind, url, hints)
    except ArchiveLoadFailed as error:
        yield Failure(source, f"not a readable WARC file after record {n} ({error})")


def read_feed(data: bytes, source: str) -> Iterator[RawArticle | Failure]:
    """Items of an RSS or Atom feed: their full content if the feed carries it, else the
    summary, with title, link and date as hints. Nothing is fetched from the links."""
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        reason = f"not a readable RSS/Atom feed ({feed.bozo_exception})" if feed.bozo else "feed has no items"
        yield Failure(source, reason)
        return
    for n, entry in enumerate(feed.entries, start=1):
        where = f"{source}#{n}"
        contents = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
        body = max(contents, key=len).strip()
        if not body:
            yield Failure(where, "feed item has no content or summary")
            continue
        hints: dict[str, Any] = {}
        if entry.get("title"):
            hints["title"] = entry["title"]
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        if published:
            hints["published"] = _iso_day(published)
        # dict.get: feedparser's own `get` hands back the publication date when an entry
        # states no update (a deprecated fallback, with a warning).
        updated = dict.get(entry, "updated_parsed")
        if updated and entry.get("published_parsed"):
            hints["updated"] = _iso_day(updated)
        if entry.get("id") and not str(entry["id"]).startswith("http"):
            hints["id"] = str(entry["id"])
        kind = "html" if "<" in body else "text"
        html = f"<html><body><article>{body}</article></body></html>" if kind == "html" else body
        yield RawArticle(html.encode("utf-8"), where, kind, entry.get("link"), hints)


def _iso_day(moment: time.struct_time) -> str:
    """feedparser's parsed date (UTC) as an ISO day."""
    return f"{moment.tm_year:04d}-{moment.tm_mon:02d}-{moment.tm_mday:02d}"
