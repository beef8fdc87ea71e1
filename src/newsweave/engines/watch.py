"""`newsweave watch`: follow RSS/Atom feeds and folders, ingesting new items as they appear.

Each source is polled when due: a feed with a conditional GET (its last ETag and
Last-Modified, so an unchanged feed is a 304), a folder by walking it for files not seen
in this version (path, size, modification time). A failed poll (HTTP error, timeout, a
refused connection, a body that is not a feed) is one log line and a longer wait for that
source alone (ingest/feeds.py decides how long); the watcher itself never stops for one.
Everything it knows (validators, failures, next poll, items taken in) is in the database,
so a restart continues where the last run stopped. `stop` (set on Ctrl-C) is looked at
between articles: the current one is finished and the state saved.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .. import __version__
from ..corpus import Corpus
from ..document import RawArticle
from ..errors import InputError, StoreError
from ..ingest import Failure, iter_paths, read_file
from ..ingest.feeds import (
    FeedError,
    FeedItem,
    FeedState,
    after_failure,
    after_success,
    is_url,
    item_source,
    page_article,
    parse_feed,
    request_headers,
    retry_after,
)
from ..ingest.files import source_name

USER_AGENT = f"newsweave/{__version__} (news feed watcher)"
# Feeds fetched at once: enough that a few hanging hosts hold up no other, few enough to be
# a polite client.
_FETCHERS = 8


@dataclass
class Fetched:
    """An HTTP answer: its status, headers and (for a 200) its body, read within the limits."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str


class FetchError(Exception):
    """A request that got no usable answer (timeout, refused connection, over the size limit)."""


def fetch(client: httpx.Client, url: str, headers: dict[str, str], timeout: float, max_bytes: int) -> Fetched:
    """GET `url`, reading a 200's body in chunks: over `max_bytes`, or still arriving after
    `timeout` seconds in all, it is a FetchError (a host that hangs or trickles fails, it is
    never waited for). Other statuses come back without their body."""
    started = time.monotonic()
    try:
        with client.stream("GET", url, headers=headers, timeout=httpx.Timeout(timeout)) as response:
            if response.status_code != 200:
                return Fetched(response.status_code, response.headers, b"", str(response.url))
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{int(declared):,} bytes, over the limit of {max_bytes:,} "
                                 "(set NEWSWEAVE_MAX_ARTICLE_BYTES if it really is one article or feed)")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"more than {max_bytes:,} bytes, the limit "
                                     "(set NEWSWEAVE_MAX_ARTICLE_BYTES if it really is one article or feed)")
                if time.monotonic() - started > timeout:
                    raise FetchError(f"timed out after {timeout:g} s (still sending)")
                chunks.append(chunk)
            return Fetched(200, response.headers, b"".join(chunks), str(response.url))
    except httpx.TimeoutException:
        raise FetchError(f"timed out after {timeout:g} s") from None
    except httpx.HTTPError as error:
        raise FetchError(f"{type(error).__name__}: {error}") from None


@dataclass
class Poll:
    """One poll of one source, as logged: what came back, what was taken in, when next."""

    source: str
    status: str
    ok: bool
    new: int = 0
    failed: list[Failure] | None = None
    next_poll: dt.datetime | None = None
    failures: int = 0

    def line(self) -> str:
        now = dt.datetime.now(dt.UTC)
        parts = [f"{_stamp(now)} {self.source}: {self.status}", f"{self.new} new"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.next_poll is not None:
            wait = max(0.0, (self.next_poll - now).total_seconds())
            after = f", after {self.failures} failures in a row" if self.failures > 1 else ""
            parts.append(f"next poll {_stamp(self.next_poll)} (in {wait:.0f} s{after})")
        return "; ".join(parts)


class Watcher:
    """Polls its sources when due and adds what is new to `corpus`, until stopped or until
    each source has had `max_polls` polls. `log` gets one line per poll and one per failed item."""

    def __init__(
        self, corpus: Corpus, sources: Iterable[str], interval: float = 300.0, fetch_articles: bool = False,
        log: Callable[[str], None] = print, stop: threading.Event | None = None, client: httpx.Client | None = None,
    ) -> None:
        self.corpus, self.interval, self.fetch_articles, self.log = corpus, interval, fetch_articles, log
        self.stop = stop or threading.Event()
        settings = corpus.settings
        self.timeout, self.cap = settings.watch_timeout, settings.watch_max_backoff
        self.host_delay, self.max_bytes = settings.watch_host_delay, settings.max_article_bytes
        self.sources = list(dict.fromkeys(normal_source(s) for s in sources))
        self.states = {s: self._resumed(corpus.feed_state(s) or FeedState(s)) for s in self.sources}
        self.client = client or httpx.Client(follow_redirects=True, headers={"User-Agent": USER_AGENT})
        self._last_fetch: dict[str, float] = {}
        # Feed requests of one round run side by side; pages and the corpus stay on this thread.
        self._pool = ThreadPoolExecutor(max_workers=_FETCHERS, thread_name_prefix="newsweave-watch")
        self.polls: list[Poll] = []

    def _resumed(self, state: FeedState) -> FeedState:
        """A stored state under this run's interval: a healthy source is due at most one
        interval after its last poll (a shorter --interval takes effect at once); a failing
        one still waits out its backoff."""
        if state.failures or state.last_poll is None or state.next_poll is None:
            return state
        return replace(state, next_poll=min(state.next_poll, state.last_poll + dt.timedelta(seconds=self.interval)))

    def run(self, max_polls: int | None = None, once: bool = False) -> list[Poll]:
        """Poll until stopped (or `max_polls` per source). `once`: one pass over the sources
        that are due now; those still waiting out a backoff are left for a later run."""
        counts: Counter[str] = Counter()
        if once:
            now = _now()
            for source in self.sources:
                state = self.states[source]
                if not state.due(now):
                    self.log(f"{_stamp(now)} {source}: not due until {_stamp(state.next_poll)} "
                             f"(backing off after {state.failures} failures), skipped")
            self._poll_all([s for s in self.sources if self.states[s].due(now)])
            return self.polls
        while not self.stop.is_set():
            active = [s for s in self.sources if max_polls is None or counts[s] < max_polls]
            if not active:
                break
            now = _now()
            due = sorted((s for s in active if self.states[s].due(now)),
                         key=lambda s: self.states[s].next_poll or now)
            if not due:
                soonest = min(self.states[s].next_poll or now for s in active)
                self.stop.wait(max(0.0, (soonest - now).total_seconds()))
                continue
            counts.update(self._poll_all(due))
        return self.polls

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()

    def _poll_all(self, due: list[str]) -> list[str]:
        """Poll these sources: their feeds fetched at once (a slow host holds up no other),
        then each source's items taken in, one source after the other. The sources polled."""
        fetches = {s: self._pool.submit(self._fetch_feed, self.states[s]) for s in due if is_url(s)}
        polled = []
        for source in due:
            if self.stop.is_set():  # fetched but not read: due again at once on the next run
                break
            self._poll(source, fetches.get(source))
            polled.append(source)
        return polled

    def _fetch_feed(self, state: FeedState) -> Fetched | FetchError:
        try:
            return fetch(self.client, state.source, request_headers(state, USER_AGENT), self.timeout, self.max_bytes)
        except FetchError as error:
            return error

    # -- one poll -----------------------------------------------------------------------

    def _poll(self, source: str, fetching: Future[Fetched | FetchError] | None = None) -> Poll:
        """Read one source (its feed fetched by `fetching`) and save its state. The next poll
        is counted from the end of this one (however long its items took)."""
        state = self.states[source]
        try:
            poll, state = self._read_feed(state, fetching.result()) if fetching else self._poll_folder(state)
        except (StoreError, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug met on one source's data must not stop the others
            state = after_failure(state, _now(), f"failed ({type(error).__name__}: {error})", self.interval, self.cap)
            poll = Poll(source, state.last_status or "", False)
        self.states[source] = state
        self.corpus.save_feed_state(state)
        poll.next_poll, poll.failures = state.next_poll, state.failures
        for failure in poll.failed or []:
            self.log(f"failed {failure}")
        self.log(poll.line())
        self.polls.append(poll)
        return poll

    def _failed(self, state: FeedState, status: str, wait: float | None = None) -> tuple[Poll, FeedState]:
        state = after_failure(state, _now(), status, self.interval, self.cap, wait)
        return Poll(state.source, status, False), state

    def _read_feed(self, state: FeedState, got: Fetched | FetchError) -> tuple[Poll, FeedState]:
        source = state.source
        if isinstance(got, FetchError):
            return self._failed(state, f"failed ({got})")
        if got.status == 304:
            state = after_success(state, _now(), "304 not modified", self.interval, keep_validators=True)
            return Poll(source, "304 not modified", True), state
        if got.status != 200:
            wait = retry_after(got.status, got.headers.get("Retry-After"))
            return self._failed(state, f"failed (HTTP {got.status})", wait)
        try:
            items = parse_feed(got.body, source, got.headers.get("Content-Type"), base=got.url)
        except FeedError as error:
            return self._failed(state, f"failed ({error})")
        seen = self.corpus.seen_feed_items(source, [item.key for item in items])
        poll = Poll(source, "200", True, failed=[])
        complete = True  # every item taken in or given up for good: the new validators may be kept
        for item in items:
            if item.key in seen:
                continue
            if self.stop.is_set():
                complete = False
                break
            outcome, failure = self._take(source, item)
            poll.new += outcome == "new"
            if failure is not None:
                poll.failed.append(failure)
            complete = complete and outcome != "retry"
        now = _now()
        if not complete:  # the old validators, so the next poll reads the feed again for what is left
            poll.status = "200 (items left for the next poll)"
            state = after_success(state, now, poll.status, self.interval, keep_validators=True)
            if self.stop.is_set():
                state = replace(state, next_poll=now)
            return poll, state
        state = after_success(state, now, "200", self.interval, got.headers.get("ETag"),
                              got.headers.get("Last-Modified"))
        return poll, state

    def _take(self, feed: str, item: FeedItem) -> tuple[str, Failure | None]:
        """Add one new item: 'new', 'known' (its URL is stored already), 'failed' (for good,
        recorded) or 'retry' (its page could not be fetched; tried again on the next poll)."""
        if isinstance(item.article, Failure):
            self.corpus.record_failure(item.article.source, item.article.reason)
            self.corpus.mark_feed_item(feed, item.key, None)
            return "failed", item.article
        known = self.corpus.stored_id(item_source(feed, item))
        if known is not None:  # the same URL from another feed, or taken in before a crash
            self.corpus.mark_feed_item(feed, item.key, known)
            return "known", None
        article: RawArticle | Failure | None = item.article
        if self.fetch_articles and item.link and is_url(item.link):
            article = self._fetch_page(item)
            if article is None:  # stopped while waiting for the host's turn
                return "retry", None
            if isinstance(article, Failure):
                self.corpus.record_failure(article.source, article.reason)
                return "retry", article
        outcome, doc_id, failure = self._add(article)
        self.corpus.mark_feed_item(feed, item.key, doc_id)
        return ("new" if outcome in ("ingested", "updated") else outcome), failure

    def _add(self, article: RawArticle) -> tuple[str, str | None, Failure | None]:
        """Corpus.add one article; a failure is recorded, never raised (but a store that
        cannot be written stops the watcher)."""
        try:
            result = self.corpus.add(article)
        except InputError as error:
            failure = Failure(error.source, error.reason)
        except (StoreError, KeyboardInterrupt):
            raise
        except Exception as error:  # one article's data must not stop the watcher
            failure = Failure(article.source, f"processing failed ({type(error).__name__}: {error})")
        else:
            return ("known" if result.outcome == "unchanged" else result.outcome), result.id, None
        self.corpus.record_failure(failure.source, failure.reason)
        return "failed", None, failure

    def _fetch_page(self, item: FeedItem) -> RawArticle | Failure | None:
        """The item's linked page, at most one request per host every `host_delay` seconds;
        None if the watcher was stopped while it waited for the host's turn."""
        assert item.link is not None
        source = item_source("", item)
        host = urlsplit(item.link).netloc.lower()
        wait = self._last_fetch.get(host, -1e9) + self.host_delay - time.monotonic()
        if wait > 0 and self.stop.wait(wait):
            return None
        self._last_fetch[host] = time.monotonic()
        try:
            got = fetch(self.client, item.link, {"User-Agent": USER_AGENT}, self.timeout, self.max_bytes)
        except FetchError as error:
            return Failure(source, f"fetching the article page failed ({error})")
        finally:
            self._last_fetch[host] = time.monotonic()
        if got.status != 200:
            return Failure(source, f"fetching the article page failed (HTTP {got.status})")
        return page_article(item, got.body, got.headers.get("Content-Type", ""), got.url)

    def _poll_folder(self, state: FeedState) -> tuple[Poll, FeedState]:
        """Files not seen in their current version (path, size, modification time) are read as
        `newsweave ingest` reads them; a file whose bytes are stored already is not redone.
        The database's own files (and those named after it beside it) are never inputs."""
        root = Path(state.source)
        if not root.exists():
            return self._failed(state, "failed (no such folder)")
        own = Path(self.corpus.store.path).resolve()
        versions: dict[str, Path] = {}
        for path in iter_paths([root]):
            if isinstance(path, Failure) or (path.name.startswith(own.name) and path.resolve().parent == own.parent):
                continue
            try:
                info = path.stat()
            except OSError:
                continue  # gone since the walk listed it
            name = source_name(path.relative_to(root)) if path != root else source_name(path)
            versions[f"{name}\t{info.st_size}\t{info.st_mtime_ns}"] = path
        seen = self.corpus.seen_feed_items(state.source, list(versions))
        poll = Poll(state.source, "read", True, failed=[])
        complete = True
        for key, path in versions.items():
            if key in seen:
                continue
            doc_id, finished = None, True
            for item in read_file(path, self.max_bytes):
                if self.stop.is_set():
                    finished = False
                    break
                if isinstance(item, Failure):
                    self.corpus.record_failure(item.source, item.reason)
                    poll.failed.append(item)
                    continue
                outcome, doc_id, failure = self._add(item)
                poll.new += outcome in ("ingested", "updated")
                if failure is not None:
                    poll.failed.append(failure)
            if not finished:  # the rest of this file on the next poll (what is stored stays unchanged)
                complete = False
                break
            self.corpus.mark_feed_item(state.source, key, doc_id)
        poll.status = f"read {len(versions)} file{'' if len(versions) == 1 else 's'}"
        if not complete:
            poll.status += " (stopped; the rest on the next poll)"
        now = _now()
        state = after_success(state, now, poll.status, self.interval, keep_validators=True)
        if not complete:
            state = replace(state, next_poll=now)
        return poll, state


def normal_source(source: str) -> str:
    """A feed URL as given; a folder (or file) as its absolute path, so one folder named two
    ways keeps one state."""
    return source if is_url(source) else source_name(Path(source).resolve())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "-"
