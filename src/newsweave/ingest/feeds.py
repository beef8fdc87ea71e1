"""What `newsweave watch` decides, without doing any I/O: a fetched feed's items as raw
articles, each item's identity, the validators to send, and when to poll a source next.

The watcher (engines/watch.py) fetches and stores; everything here is a plain function of
what it was given, so the schedule and the parsing are tested without a network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from ..document import RawArticle
from .failure import Failure

# Statuses a server uses to say "later": their Retry-After is honoured as the next poll.
_RETRY_LATER = {429, 503}


@dataclass(frozen=True)
class FeedState:
    """What is known of one watched source between polls (kept in the database).

    `failures` counts consecutive failed polls (0 after a good one); `next_poll` is when the
    source is due again (UTC); `etag`/`last_modified` are the validators of the last good
    feed response, sent back so an unchanged feed costs a 304 and no parsing.
    """

    source: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll: dt.datetime | None = None
    last_status: str | None = None
    failures: int = 0
    next_poll: dt.datetime | None = None

    def due(self, now: dt.datetime) -> bool:
        return self.next_poll is None or self.next_poll <= now


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: its identity within the feed (guid, else link, else a hash of
    its text), its link, and the article made of its content (or why there is none)."""

    key: str
    link: str | None
    article: RawArticle | Failure


class FeedError(ValueError):
    """A fetched body that is not a readable RSS/Atom feed (the message says why)."""


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def request_headers(state: FeedState | None, user_agent: str) -> dict[str, str]:
    """The headers of a conditional GET: the validators of the last good response, if any."""
    headers = {"User-Agent": user_agent, "Accept": "application/rss+xml, application/atom+xml, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def backoff(failures: int, interval: float, cap: float) -> float:
    """Seconds until the next poll after `failures` consecutive failures: the interval, doubled
    for each failure, never more than `cap` (nor less than the interval)."""
    if failures <= 0:
        return interval
    return min(interval * 2.0 ** min(failures, 60), max(cap, interval))


def after_success(
    state: FeedState, now: dt.datetime, status: str, interval: float,
    etag: str | None = None, last_modified: str | None = None, keep_validators: bool = False,
) -> FeedState:
    """The state after a good poll: failures reset, due again in `interval`; the response's
    validators replace the old ones (a 304 keeps them: `keep_validators`)."""
    if not keep_validators:
        state = replace(state, etag=etag or None, last_modified=last_modified or None)
    return replace(state, last_poll=now, last_status=status, failures=0,
                   next_poll=now + dt.timedelta(seconds=interval))


def after_failure(
    state: FeedState, now: dt.datetime, status: str, interval: float, cap: float, retry_after: float | None = None,
) -> FeedState:
    """The state after a failed poll: one more failure, due again after the backoff (or after
    the server's Retry-After, when it asked for longer, up to `cap`). Validators are kept."""
    failures = state.failures + 1
    wait = backoff(failures, interval, cap)
    if retry_after is not None:
        wait = max(wait, min(retry_after, max(cap, interval)))
    return replace(state, last_poll=now, last_status=status, failures=failures,
                   next_poll=now + dt.timedelta(seconds=wait))


def retry_after(status: int, value: str | None) -> float | None:
    """A 429/503's Retry-After in seconds (a number of seconds or an HTTP date), else None."""
    if status not in _RETRY_LATER or not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def parse_feed(data: bytes, feed: str, content_type: str | None = None, base: str | None = None) -> list[FeedItem]:
    """The items of a fetched RSS/Atom body, oldest first (by date, else reversed feed order,
    as feeds list newest first). Relative links are read against `base` (the URL the body
    came from, after redirects), else the feed's URL. FeedError if the body is not a feed;
    an empty feed is []."""
    import feedparser

    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(data, response_headers=headers)
    except (UnicodeError, ValueError, TypeError, LookupError) as error:  # feedparser's own slips on junk
        raise FeedError(f"not a readable RSS/Atom feed ({type(error).__name__}: {error})") from None
    if not parsed.entries:
        if parsed.bozo:
            raise FeedError(f"not a readable RSS/Atom feed ({parsed.bozo_exception})")
        if not parsed.get("version"):
            raise FeedError("not an RSS/Atom feed (no channel or feed element)")
        return []
    entries = list(reversed(parsed.entries))
    entries.sort(key=lambda e: tuple(e.get("published_parsed") or e.get("updated_parsed") or ())[:6])
    base = base or (feed if is_url(feed) else None)
    items = [_item(entry, feed, base) for entry in entries]
    if parsed.bozo:
        # Malformed XML read by feedparser's lenient parser: its items with text are kept (many
        # real feeds have a stray '&'), the empty ones may be pieces of a cut body, not items.
        items = [item for item in items if isinstance(item.article, RawArticle)]
        if not items:
            raise FeedError(f"not a readable RSS/Atom feed ({parsed.bozo_exception})")
    return items


def item_source(feed: str, item: FeedItem | None = None, key: str = "", link: str | None = None) -> str:
    """Where an item's document comes from: its link (one URL, one document, whichever feed
    carries it), else the feed and the item's key."""
    if item is not None:
        key, link = item.key, item.link
    return link or f"{feed}#{key}"


def _item(entry: Any, feed: str, base: str | None) -> FeedItem:
    link = (entry.get("link") or "").strip() or None
    if link and base:  # guids stay as written: they are names, not addresses
        link = urljoin(base, link)
    contents = [c.get("value") or "" for c in entry.get("content") or []] or [entry.get("summary") or ""]
    body = max(contents, key=len).strip()
    key = (str(entry.get("id") or "").strip() or link
           or "sha256:" + hashlib.sha256(f"{entry.get('title') or ''}\n{body}".encode()).hexdigest()[:32])
    source = item_source(feed, key=key, link=link)
    if not body:
        return FeedItem(key, link, Failure(source, "feed item has no content or summary"))
    kind = "html" if "<" in body else "text"
    html = f"<html><body><article>{body}</article></body></html>" if kind == "html" else body
    return FeedItem(key, link, RawArticle(html.encode("utf-8"), source, kind, link, entry_hints(entry)))


def entry_hints(entry: Any) -> dict[str, Any]:
    """What a feed entry states about its article: title, publication and update day."""
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
    return hints


def page_article(item: FeedItem, data: bytes, content_type: str, url: str) -> RawArticle | Failure:
    """The article of an item's fetched page (for --fetch-articles): HTML or plain text, with
    the entry's title and dates as hints; a Failure for any other content type."""
    source = item_source("", item)
    kind = "html" if "html" in content_type or not content_type else "text" if "text/plain" in content_type else None
    if kind is None:
        return Failure(source, f"the linked page is {content_type!r}, not HTML or text")
    hints = dict(item.article.hints) if isinstance(item.article, RawArticle) else {}
    if "charset=" in content_type:
        hints["charset"] = content_type.split("charset=")[-1].split(";")[0].strip().strip('"')
    return RawArticle(data, source, kind, url, hints)


def _iso_day(moment: time.struct_time) -> str:
    """feedparser's parsed date (UTC) as an ISO day."""
    return f"{moment.tm_year:04d}-{moment.tm_mon:02d}-{moment.tm_mday:02d}"
