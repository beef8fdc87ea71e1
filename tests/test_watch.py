"""`newsweave watch`: feeds from a real HTTP server on 127.0.0.1 that gain items, answer 304,
fail, hang and send junk; folders; restarts; Ctrl-C; the command's lines and exit codes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave.cli import main
from newsweave.corpus import Corpus
from newsweave.engines.watch import USER_AGENT, Watcher
from newsweave.ingest.feeds import (
    FeedError,
    FeedState,
    after_failure,
    after_success,
    backoff,
    parse_feed,
    request_headers,
)
from newsweave.pipeline import Pipeline

from .conftest import ROOT

STORIES = [
    ("Floods in Valencia", "Floods in Valencia left thousands of homes without power on Tuesday, the regional "
     "government said. Rescue teams used boats to reach villages cut off by the water."),
    ("ECB raises rates", "The European Central Bank raised its key interest rate by a quarter point on Thursday "
     "in Frankfurt, citing inflation that has stayed above its target for two years."),
    ("Wildfire near Athens", "A wildfire north of Athens forced the evacuation of four villages overnight, "
     "and firefighters fought the flames with planes and helicopters until dawn."),
    ("Port strike in Rotterdam", "Dock workers in Rotterdam began a 48-hour strike over pay on Monday, "
     "leaving dozens of container ships waiting outside Europe's largest port."),
    ("Election in Finland", "Finnish voters went to the polls on Sunday in a parliamentary election "
     "dominated by the cost of living and the country's first year in NATO."),
    ("Drought in Catalonia", "Catalonia declared a drought emergency in Barcelona and 200 towns on Thursday, "
     "limiting water for farms and industry after three years of little rain."),
]


def rss(base: str, items: list[int], broken_link: bool = False) -> bytes:
    """An RSS 2.0 feed of STORIES[i] for i in items, newest first, each linking to its page."""
    parts = []
    for i in reversed(items):
        title, text = STORIES[i]
        parts.append(
            f"<item><title>{title}</title><link>{base}/articles/{i}</link><guid>story-{i}</guid>"
            f"<pubDate>{formatdate(1700000000 + i * 86400, usegmt=True)}</pubDate>"
            f"<description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
        )
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test feed</title>'
            + "".join(parts) + "</channel></rss>").encode()


def page(i: int) -> bytes:
    title, text = STORIES[i]
    more = " ".join(f"Officials gave further details of the {title.lower()} in statement number {n}." for n in range(4))
    return (f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav><article>"
            f"<h1>{title}</h1><p>{text}</p><p>{more}</p><p>Page version of story {i}.</p></article>"
            "</body></html>").encode()


class Site:
    """What the test server answers, changed by the tests between polls."""

    def __init__(self) -> None:
        self.feeds: dict[str, bytes] = {}      # path -> feed body (its ETag is a hash of it)
        self.modes: dict[str, str] = {}        # path -> "500", "503", "hang", "junk", "no-validators"
        self.pages: dict[int, str] = {}        # article number -> "500" or "huge"
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.times: list[tuple[str, float]] = []  # when each request came in
        self.release = threading.Event()       # ends every hanging answer at teardown
        self.hanging, self.most_hanging = 0, 0  # requests held at once, and the most seen
        self.on_page: Callable[[int], None] | None = None  # called as an article page is asked for
        self.base = ""


lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        site = self.site
        site.requests.append((self.path, dict(self.headers)))
        site.times.append((self.path, time.monotonic()))
        mode = site.modes.get(self.path, "")
        if self.path.startswith("/articles/"):
            n = int(self.path.rsplit("/", 1)[1])
            if site.on_page is not None:
                site.on_page(n)
            if site.pages.get(n) == "500":
                return self._send(500, b"oops")
            if site.pages.get(n) == "huge":
                return self._send(200, b"<html><body><p>" + b"x" * 200_000 + b"</p></body></html>", "text/html")
            return self._send(200, page(n), "text/html; charset=utf-8")
        if mode == "500":
            return self._send(500, b"server error")
        if mode == "503":
            return self._send(503, b"busy", headers={"Retry-After": "7"})
        if mode == "hang":
            with lock:
                site.hanging += 1
                site.most_hanging = max(site.most_hanging, site.hanging)
            site.release.wait(10)
            with lock:
                site.hanging -= 1
            return
        if mode == "trickle":  # a byte every 0.2 s: never silent for long, never done
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(50):
                if site.release.wait(0.2):
                    break
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:  # the watcher gave up on it
                    return
            return
        if mode == "junk":
            return self._send(200, b"<rss><channel><item><title>cut", "application/rss+xml")
        body = site.feeds.get(self.path)
        if body is None:
            return self._send(404, b"not found")
        etag = f'"{abs(hash(body)):x}"'
        if mode != "no-validators" and self.headers.get("If-None-Match") == etag:
            return self._send(304, b"")
        headers = {} if mode == "no-validators" else {"ETag": etag}
        return self._send(200, body, "application/rss+xml", headers)

    def _send(self, status: int, body: bytes, kind: str = "text/plain", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


@pytest.fixture()
def site():
    state = Site()
    handler = type("BoundHandler", (Handler,), {"site": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture()
def fast(pipeline: Pipeline) -> Pipeline:
    """The session's pipeline with settings for quick tests: a short timeout and backoff."""
    pipeline.settings = pipeline.settings.with_(watch_timeout=0.5, watch_max_backoff=1.0, watch_host_delay=0.0)
    return pipeline


def open_corpus(path: Path, pipeline: Pipeline) -> Corpus:
    return Corpus(path, pipeline.settings, pipeline=pipeline)


def watch(corpus: Corpus, sources: list[str], polls: int = 1, interval: float = 0.1, once: bool = False,
          **options) -> tuple[Watcher, list[str]]:
    lines: list[str] = []
    watcher = Watcher(corpus, sources, interval=interval, log=lines.append, **options)
    try:
        watcher.run(max_polls=polls, once=once)
    finally:
        watcher.close()
    return watcher, lines


def sources_of(corpus: Corpus) -> list[str]:
    return sorted(row.source for row in corpus.documents())


# -- the pure part --------------------------------------------------------------------------


def test_backoff_doubles_per_failure_up_to_the_cap():
    assert [backoff(n, 60, 600) for n in range(6)] == [60, 120, 240, 480, 600, 600]
    assert backoff(3, 900, 600) == 900  # never shorter than the interval
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    state = FeedState("http://x/feed", etag='"a"', last_modified="Mon, 01 Jan 2026 00:00:00 GMT")
    state = after_failure(after_failure(state, now, "failed (HTTP 500)", 60, 600), now, "failed (HTTP 500)", 60, 600)
    assert (state.failures, state.next_poll - now, state.etag) == (2, dt.timedelta(seconds=240), '"a"')
    state = after_failure(state, now, "failed (HTTP 503)", 60, 600, retry_after=500)
    assert state.next_poll - now == dt.timedelta(seconds=500)  # the server asked for longer than 480
    state = after_success(state, now, "200", 60, etag='"b"')
    assert (state.failures, state.next_poll - now, state.etag, state.last_modified) == (0, dt.timedelta(seconds=60), '"b"', None)


def test_a_conditional_get_sends_the_last_validators():
    headers = request_headers(FeedState("u", etag='"x"', last_modified="Tue, 02 Jan 2024 10:00:00 GMT"), USER_AGENT)
    assert headers["If-None-Match"] == '"x"' and headers["If-Modified-Since"].startswith("Tue")
    assert headers["User-Agent"].startswith("newsweave/")
    assert "If-None-Match" not in request_headers(FeedState("u"), USER_AGENT)


def test_a_feed_parses_oldest_first_with_stable_keys_and_junk_is_a_feed_error():
    items = parse_feed(rss("http://h", [0, 1, 2]), "http://h/feed")
    assert [item.key for item in items] == ["story-0", "story-1", "story-2"]
    assert items[0].article.source == "http://h/articles/0" and items[0].article.hints["title"] == "Floods in Valencia"
    assert items[0].article.hints["published"] == "2023-11-14"
    no_guid = parse_feed(b'<rss version="2.0"><channel><item><description>Plain words.</description></item>'
                         b"</channel></rss>", "http://h/feed")
    relative = parse_feed(b'<rss version="2.0"><channel><item><link>/a/1</link><description>Words.</description>'
                          b"</item></channel></rss>", "http://h/feeds/rss", base="https://h.example/feeds/rss")
    assert relative[0].link == relative[0].article.source == "https://h.example/a/1"
    assert no_guid[0].key.startswith("sha256:") and no_guid[0].article.source == "http://h/feed#" + no_guid[0].key
    assert parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', "f") == []
    atom = parse_feed(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><id>urn:uuid:1</id><title>Later</title><link href="http://h/b"/><published>2024-03-02T08:00:00Z</published>'
        b'<summary>Short.</summary><content type="html">&lt;p&gt;The full text.&lt;/p&gt;</content></entry>'
        b'<entry><id>urn:uuid:2</id><title>Earlier</title><link href="http://h/a"/><published>2024-03-01T08:00:00Z</published>'
        b"<summary>Only a summary.</summary></entry></feed>", "http://h/atom")
    assert [(item.key, item.link) for item in atom] == [("urn:uuid:2", "http://h/a"), ("urn:uuid:1", "http://h/b")]
    assert b"The full text." in atom[1].article.data and atom[1].article.hints["published"] == "2024-03-02"
    for junk in (b"<rss><channel><item><title>cut", b"<html><body>not a feed</body></html>", b"\x00\xff garbage"):
        with pytest.raises(FeedError):
            parse_feed(junk, "f")


# -- feeds over HTTP ------------------------------------------------------------------------


def test_new_items_are_ingested_once_as_the_feed_grows_and_an_unchanged_feed_is_a_304(site, fast, tmp_path):
    url = site.base + "/feed"
    site.feeds["/feed"] = rss(site.base, [0, 1])
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        _, lines = watch(corpus, [url])
        assert sources_of(corpus) == [f"{site.base}/articles/0", f"{site.base}/articles/1"]
        assert f"{url}: 200; 2 new; next poll" in lines[-1]
        site.feeds["/feed"] = rss(site.base, [0, 1, 2])
        _, lines = watch(corpus, [url], polls=2)
        assert len(corpus) == 3
        assert ": 200; 1 new;" in lines[0] and ": 304 not modified; 0 new;" in lines[1]
        feed_requests = [headers for path, headers in site.requests if path == "/feed"]
        assert "If-None-Match" not in feed_requests[0] and feed_requests[-1]["If-None-Match"]
        assert all(h["User-Agent"] == USER_AGENT for h in feed_requests)
        doc = corpus.document(f"{site.base}/articles/2")
        assert doc.title == "Wildfire near Athens" and doc.published.startswith("2023-11-16")
        assert "thousands" in corpus.document(f"{site.base}/articles/0").text


def test_failing_hanging_and_junk_feeds_back_off_while_the_others_go_on_and_nothing_is_lost(site, fast, tmp_path):
    paths = ["/e500", "/e503", "/hang", "/junk", "/trickle", "/good"]
    for n, path in enumerate(paths):
        site.feeds[path] = rss(site.base, [n])
    for path, mode in zip(paths, ["500", "503", "hang", "junk", "trickle"], strict=False):
        site.modes[path] = mode
    with socket.socket() as free:  # a port nobody listens on: connection refused
        free.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{free.getsockname()[1]}/feed"
    sources = [site.base + p for p in paths] + [refused]
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        _, lines = watch(corpus, sources)
        assert sources_of(corpus) == [f"{site.base}/articles/5"]
        by_source = {line.split(" ")[1].rstrip(":"): line for line in lines}
        assert "failed (HTTP 500)" in by_source[site.base + "/e500"]
        assert "failed (HTTP 503)" in by_source[site.base + "/e503"]
        assert "timed out after 0.5 s" in by_source[site.base + "/hang"]
        assert "not a readable RSS/Atom feed" in by_source[site.base + "/junk"]
        assert "timed out after 0.5 s (still sending)" in by_source[site.base + "/trickle"]
        assert "ConnectError" in by_source[refused]
        state = corpus.feed_state(site.base + "/e500")
        assert state.failures == 1 and state.next_poll - state.last_poll == dt.timedelta(seconds=0.2)
        retry = corpus.feed_state(site.base + "/e503")  # Retry-After 7 s, capped by the 1 s backoff cap
        assert retry.next_poll - retry.last_poll == dt.timedelta(seconds=1)
        # second failure in a row: the wait doubles
        watch(corpus, [site.base + "/e500"])
        state = corpus.feed_state(site.base + "/e500")
        assert state.failures == 2 and state.next_poll - state.last_poll == dt.timedelta(seconds=0.4)
        site.modes.clear()  # every host recovers: the items they could not serve arrive, once
        watch(corpus, sources[:6], polls=2)
        assert sources_of(corpus) == sorted(f"{site.base}/articles/{n}" for n in range(6))
        assert corpus.feed_state(site.base + "/e500").failures == 0


def test_hanging_hosts_are_waited_for_side_by_side_not_one_after_another(site, fast, tmp_path):
    for n in range(3):
        site.feeds[f"/hang{n}"] = rss(site.base, [n])
        site.modes[f"/hang{n}"] = "hang"
    site.feeds["/good"] = rss(site.base, [3])
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        _, lines = watch(corpus, [site.base + f"/hang{n}" for n in range(3)] + [site.base + "/good"])
        assert site.most_hanging == 3  # the three requests were out at once
        assert sum("timed out after 0.5 s" in line for line in lines) == 3
        assert sources_of(corpus) == [f"{site.base}/articles/3"]


def test_a_restart_on_the_same_database_takes_in_nothing_again(site, fast, tmp_path):
    site.feeds["/feed"] = rss(site.base, [0, 1, 2])
    site.modes["/feed"] = "no-validators"  # the feed is read in full each time: the seen items decide
    url = site.base + "/feed"
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        watch(corpus, [url])
        first = corpus.feed_state(url)
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        assert corpus.feed_state(url) == first
        watcher, lines = watch(corpus, [url], polls=2)
        assert len(corpus) == 3 and [p.new for p in watcher.polls] == [0, 0]
        assert all(": 200; 0 new;" in line for line in lines)
        # the same items in another feed: their URLs are stored, so they are not taken in again
        site.feeds["/other"] = rss(site.base, [1, 2, 3])
        watcher, _ = watch(corpus, [site.base + "/other"])
        assert len(corpus) == 4 and watcher.polls[0].new == 1
        # a run with a long interval, then one with a short one: that one's interval counts at once
        watch(corpus, [url], interval=3600)
        time.sleep(0.2)
        _, lines = watch(corpus, [url], once=True)
        assert f"{url}: 200; 0 new" in lines[0]


def test_fetch_articles_stores_the_linked_pages_and_retries_a_failed_one(site, fast, tmp_path):
    site.feeds["/feed"] = rss(site.base, [0, 1, 2])
    site.pages[1] = "500"
    site.pages[2] = "huge"
    fast.settings = fast.settings.with_(max_article_bytes=100_000)
    url = site.base + "/feed"
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        _, lines = watch(corpus, [url], fetch_articles=True)
        assert sources_of(corpus) == [f"{site.base}/articles/0"]
        assert "Page version of story 0." in corpus.document(f"{site.base}/articles/0").text  # the page, not the summary
        failures = {f.source: f.reason for f in corpus.failures()}
        assert "HTTP 500" in failures[f"{site.base}/articles/1"]
        assert "over the limit" in failures[f"{site.base}/articles/2"] or "limit" in failures[f"{site.base}/articles/2"]
        assert any(line.startswith(f"failed {site.base}/articles/1") for line in lines)
        page_requests = [h for path, h in site.requests if path.startswith("/articles/")]
        assert page_requests and all(h["User-Agent"] == USER_AGENT for h in page_requests)
        site.pages.clear()  # the pages come back: the next poll reads the feed again and takes them
        watch(corpus, [url])
        assert len(corpus) == 3 and not corpus.failures()
        assert sum(path == "/articles/0" for path, _ in site.requests) == 1  # a stored page is not fetched again


def test_article_pages_from_one_host_are_fetched_no_faster_than_the_host_delay(site, fast, tmp_path):
    site.feeds["/feed"] = rss(site.base, [0, 1, 2])
    fast.settings = fast.settings.with_(watch_host_delay=1.0)
    with open_corpus(tmp_path / "w.db", fast) as corpus:
        watch(corpus, [site.base + "/feed"], fetch_articles=True)
        assert len(corpus) == 3
    asked = [moment for path, moment in site.times if path.startswith("/articles/")]
    assert len(asked) == 3 and min(b - a for a, b in pairwise(asked)) >= 0.95


def test_a_folder_source_takes_new_and_changed_files_and_skips_what_it_has(fast, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.txt").write_text(STORIES[0][1])
    with open_corpus(folder / "w.db", fast) as corpus:  # the database and its -wal beside it are not inputs
        watcher, lines = watch(corpus, [str(folder)])
        assert len(corpus) == 1 and f"{folder}: read 1 file; 1 new" in lines[0]
        (folder / "b.txt").write_text(STORIES[1][1])
        (folder / "feed.xml").write_bytes(rss("http://example.org", [2, 3]))
        (folder / "bad.json").write_text("[{")
        os.utime(folder / "a.txt")  # touched, same bytes: not redone
        watcher, lines = watch(corpus, [str(folder)], polls=2)
        assert len(corpus) == 4
        assert watcher.polls[0].new == 3 and len(watcher.polls[0].failed) == 1 and watcher.polls[1].new == 0
        (folder / "b.txt").write_text(STORIES[4][1])  # changed: replaces its document
        watcher, _ = watch(corpus, [str(folder)])
        assert len(corpus) == 4 and watcher.polls[0].new == 1
        assert "Finnish voters" in corpus.document(str((folder / "b.txt").resolve())).text


# -- the command ----------------------------------------------------------------------------


@pytest.fixture()
def quick_env(monkeypatch):
    for key, value in {"NEWSWEAVE_ENTITIES": "false", "NEWSWEAVE_WATCH_TIMEOUT": "0.5",
                       "NEWSWEAVE_WATCH_MAX_BACKOFF": "1"}.items():
        monkeypatch.setenv(key, value)


def test_the_command_logs_one_line_per_poll_and_exits_1_when_a_bounded_run_failed(site, quick_env, tmp_path):
    site.feeds["/feed"] = rss(site.base, [0, 1])
    site.modes["/down"] = "500"
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke(main, ["watch", site.base + "/feed", "--db", db, "--max-polls", "2", "--interval", "0.1"])
    assert run.exit_code == 0, run.stderr
    lines = run.stderr.splitlines()
    assert sum(f"{site.base}/feed: " in line for line in lines) == 2
    assert "done: 2 polls of 1 source, 2 new articles, 0 failed" in lines[-1]
    time.sleep(0.3)  # the feed's next poll (0.1 s after the last) is due: --once polls only what is due
    run = CliRunner().invoke(main, ["watch", site.base + "/feed", site.base + "/down", "--db", db, "--once"])
    assert run.exit_code == 1
    assert f"{site.base}/down: failed (HTTP 500); 0 new; next poll" in run.stderr
    assert f"{site.base}/feed: 304 not modified; 0 new" in run.stderr
    run = CliRunner().invoke(main, ["watch", site.base + "/down", "--db", db, "--once"])  # still backing off
    assert run.exit_code == 0 and "not due until" in run.stderr
    for bad in (["ftp://example.org/feed"], [str(tmp_path / "missing")]):
        assert CliRunner().invoke(main, ["watch", *bad, "--db", db, "--once"]).exit_code == 2


def test_ctrl_c_and_sigterm_finish_the_current_article_save_the_state_and_a_restart_goes_on(site, fast, tmp_path):
    site.feeds["/feed"] = rss(site.base, [0, 1, 2])
    db = tmp_path / "w.db"
    env = {**os.environ, "NEWSWEAVE_ENTITIES": "false", "NEWSWEAVE_WATCH_HOST_DELAY": "0",
           "PYTHONPATH": str(ROOT / "src")}

    def run_until_page(page: int, sig: signal.Signals) -> str:
        """Start the watcher in a process of its own and send it `sig` as it asks for `page`."""
        proc = subprocess.Popen([sys.executable, "-m", "newsweave.cli", "watch", site.base + "/feed", "--db", str(db),
                                 "--fetch-articles", "--interval", "0.2"], stderr=subprocess.PIPE, text=True, env=env)
        site.on_page = lambda n: proc.send_signal(sig) if n == page else None
        try:
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, stderr
        return stderr

    stderr = run_until_page(0, signal.SIGINT)
    assert "stopping: finishing the current article" in stderr
    assert "200 (items left for the next poll); 1 new" in stderr and "stopped: 1 poll of 1 source, 1 new article" in stderr
    with Corpus(db) as corpus:
        assert [row.source for row in corpus.documents()] == [f"{site.base}/articles/0"]
        state = corpus.feed_state(site.base + "/feed")
        assert state.etag is None and state.next_poll == state.last_poll  # read the feed again at once
    stderr = run_until_page(1, signal.SIGTERM)
    assert "200 (items left for the next poll); 1 new" in stderr
    site.on_page = None
    with open_corpus(db, fast) as corpus:
        watcher, _ = watch(corpus, [site.base + "/feed"], fetch_articles=True)
        assert watcher.polls[0].new == 1 and len(corpus) == 3 and corpus.feed_state(site.base + "/feed").etag
    pages = [path for path, _ in site.requests if path.startswith("/articles/")]
    assert sorted(pages) == ["/articles/0", "/articles/1", "/articles/2"]  # none fetched twice
