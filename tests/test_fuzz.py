"""Fuzzing: every reader and the pipeline take arbitrary and damaged inputs in their stride.

Readers (`ingest.read_file`) never raise: they yield a `RawArticle` or a `Failure`. The
pipeline's `clean` raises only `BadContent` and `process` only the documented `InputError`.
Each input also stays within a time and memory bound. Inputs are arbitrary bytes and real
samples of each format (the seeds, and small HTML, JSONL, WARC, RSS/Atom files built here)
damaged by byte flips, insertions, deletions, cuts, splices and repeated chunks.

Runs are reproducible (`derandomize=True`, no example database); `bench/fuzz.py` runs the
same checks on 10,000 inputs per reader.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsweave
from newsweave.clean.encoding import BadContent
from newsweave.document import RawArticle
from newsweave.ingest import Failure, read_file
from newsweave.pipeline import Pipeline

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
MAX_ARTICLE_BYTES = 10_000_000

# Per-input bounds. Fuzz inputs are at most a few kB, so honest work on one takes well under
# a second and a few MB; the bounds are loose enough for a busy 2-core CI machine and tight
# enough to catch a runaway (a decompression bomb, a quadratic loop on junk).
MAX_SECONDS = 20.0
MAX_EXTRA_RSS_MB = 300
# Articles of one input that go on to `clean` (a JSONL file of many lines needs no more).
CLEANED_PER_INPUT = 3


# ---------------------------------------------------------------- real samples of each format

def _seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def _paragraphs() -> list[str]:
    return [line.strip() for text in _seed_texts() for line in text.splitlines() if len(line.strip()) > 60]


def _html_page(paragraphs: list[str], title: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title} | Example News</title>"
        f"<meta property=\"og:title\" content=\"{title}\">"
        "<meta property=\"article:published_time\" content=\"2023-09-29T10:00:00Z\">"
        "</head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
        f"<article><h1>{title}</h1><p class=\"byline\">By AFP</p>{body}"
        "<figure><img src=\"a.jpg\"><figcaption>Sergei Lavrov in Moscow. (Photo: AFP)</figcaption></figure>"
        "</article><aside>Read more: <a href=\"/b\">Other story</a></aside>"
        "<footer>© 2023 Example News. All rights reserved. Subscribe to our newsletter.</footer>"
        "</body></html>\n"
    )


def _jsonl(paragraphs: list[str]) -> str:
    records = [
        {"text": "\n\n".join(paragraphs[:4]), "title": "Russia hosts Taliban talks", "url": "https://example.org/a",
         "published": "2023-09-29", "language": "en", "id": "a1"},
        {"html": _html_page(paragraphs[4:7], "Talks in Kazan"), "url": "https://example.org/b"},
        {"text": "\n".join(paragraphs[7:9]), "published": "2023-09-30T08:00:00Z"},
    ]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _warc(paragraphs: list[str]) -> bytes:
    """A WARC file (fixed ids and dates, so the sample is the same on every run)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    pages = [
        (None, "warcinfo", None, "application/warc-fields", "software: newsweave tests\r\n"),
        ("https://example.org/a", "response", "200 OK", "text/html; charset=utf-8",
         _html_page(paragraphs[:4], "Taliban talks")),
        ("https://example.org/b", "response", "200 OK", "text/plain", "\n\n".join(paragraphs[4:7])),
        ("https://example.org/c", "response", "404 Not Found", "text/html", "<html><body>Not found</body></html>"),
    ]
    for n, (url, record_type, status, content_type, body) in enumerate(pages):
        payload = body.encode("utf-8")
        fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>", "WARC-Date": "2023-09-29T10:00:00Z"}
        if status is None:
            writer.write_record(writer.create_warc_record(
                url, record_type, payload=io.BytesIO(payload), length=len(payload),
                warc_content_type=content_type, warc_headers_dict=fixed))
            continue
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, record_type, payload=io.BytesIO(payload), length=len(payload), http_headers=headers,
            warc_headers_dict=fixed))
    return out.getvalue()


def _rss(paragraphs: list[str]) -> str:
    return (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
        "<title>Example News</title><link>https://example.org/</link>"
        "<item><title>Russia hosts Taliban talks</title><link>https://example.org/a</link>"
        "<pubDate>Fri, 29 Sep 2023 10:00:00 GMT</pubDate><guid isPermaLink=\"false\">a1</guid>"
        f"<content:encoded><![CDATA[{''.join(f'<p>{p}</p>' for p in paragraphs[:3])}]]></content:encoded></item>"
        f"<item><title>Talks in Kazan</title><link>https://example.org/b</link><description>{paragraphs[3]}"
        "</description></item></channel></rss>\n"
    )


def _atom(paragraphs: list[str]) -> str:
    return (
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        "<title>Example News</title><id>urn:example</id><updated>2023-09-30T08:00:00Z</updated>"
        "<entry><title>Russia hosts Taliban talks</title><id>urn:a1</id>"
        "<link href=\"https://example.org/a\"/><published>2023-09-29T10:00:00Z</published>"
        "<updated>2023-09-30T08:00:00Z</updated>"
        f"<content type=\"html\">{''.join(f'&lt;p&gt;{p}&lt;/p&gt;' for p in paragraphs[4:6])}</content></entry>"
        f"<entry><title>Talks in Kazan</title><id>urn:b2</id><summary>{paragraphs[6]}</summary></entry>"
        "</feed>\n"
    )


@cache
def samples() -> dict[str, list[tuple[str, bytes]]]:
    """Per reader, real inputs as (file extension, bytes)."""
    paragraphs = _paragraphs()
    texts = [(".txt", t.encode("utf-8")) for t in _seed_texts()]
    html = [(".html", _html_page(paragraphs[:6], "Russia hosts Taliban talks").encode("utf-8")),
            (".html", _html_page(paragraphs[6:9], "Талибы в Москве").encode("cp1251", errors="replace"))]
    jsonl = [(".jsonl", _jsonl(paragraphs).encode("utf-8")),
             (".json", json.dumps([json.loads(line) for line in _jsonl(paragraphs).splitlines()]).encode("utf-8"))]
    warc = [(".warc", _warc(paragraphs))]
    feeds = [(".rss", _rss(paragraphs).encode("utf-8")), (".atom", _atom(paragraphs).encode("utf-8"))]
    plain = texts[:2] + html[:1] + jsonl[:1] + warc + feeds[:1]
    gz = [(ext + ".gz", gzip.compress(data, mtime=0)) for ext, data in plain]
    return {"text": texts, "html": html, "jsonl": jsonl, "warc": warc, "feed": feeds, "gzip": gz}


# Extensions a reader's arbitrary inputs are named with ("" makes the reader sniff the content).
EXTENSIONS = {
    "text": [".txt", ""], "html": [".html"], "jsonl": [".jsonl", ".json"], "warc": [".warc"],
    "feed": [".rss", ".atom", ".xml"], "gzip": [".txt.gz", ".jsonl.gz", ".warc.gz", ".rss.gz"],
}
READERS = list(EXTENSIONS)


# ---------------------------------------------------------------- damage

@dataclass(frozen=True)
class Edit:
    """One change to a byte string, its position given as a fraction of the length."""

    kind: str  # flip, insert, delete, cut, repeat, splice
    at: float
    size: int
    payload: bytes


EDIT_KINDS = ("flip", "insert", "delete", "cut", "repeat", "splice")
# Bytes that mean something to one of the formats: damage there finds more than noise.
TOKENS = [b"\x00", b"\xff", b"\xc3", b"\xe2\x80", b"\r\n", b"\n\n", b"<", b">", b"</p>", b"<![CDATA[", b"]]>",
          b"&", b"&#0;", b"&amp;", b'"', b"{", b"}", b"[", b"]", b"\\u0000", b"\\ud800", b"WARC/1.0\r\n",
          b"Content-Length: 99999999\r\n", b"\r\n\r\n", b"\x1f\x8b\x08", b"<?xml", b"<!DOCTYPE", b"\xef\xbb\xbf",
          b"\xff\xfe", b"By AFP\n", b"MOSKAU (Reuters) - ", b"September 29, 2023\n", b"https://", b"\x1b[31m"]


def mutate(data: bytes, edits: list[Edit]) -> bytes:
    """`data` with the edits applied in turn."""
    for edit in edits:
        at = int(edit.at * len(data))
        if edit.kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << (edit.size % 8))]) + data[at + 1:]
        elif edit.kind == "insert":
            data = data[:at] + edit.payload + data[at:]
        elif edit.kind == "delete":
            data = data[:at] + data[at + edit.size:]
        elif edit.kind == "cut":
            data = data[:at]
        elif edit.kind == "repeat":
            chunk = data[at:at + edit.size]
            data = data[:at] + chunk * 3 + data[at:]
        elif edit.kind == "splice":
            data = data[:at] + edit.payload
    return data


edits = st.lists(
    st.builds(
        Edit,
        kind=st.sampled_from(EDIT_KINDS),
        at=st.floats(0, 1),
        size=st.integers(1, 64),
        payload=st.one_of(st.sampled_from(TOKENS), st.binary(max_size=32)),
    ),
    min_size=1,
    max_size=6,
)


@st.composite
def reader_inputs(draw, reader: str) -> tuple[str, bytes]:
    """(extension, bytes) for a reader: a damaged real sample, or arbitrary bytes."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(EXTENSIONS[reader])), draw(st.binary(max_size=2048))
    ext, data = draw(st.sampled_from(samples()[reader]))
    damaged = mutate(data, draw(edits))
    if reader == "gzip" and draw(st.booleans()):  # damage inside the stream, then compress it
        damaged = gzip.compress(mutate(gzip.decompress(data), draw(edits)), mtime=0)
    return ext, damaged


# ---------------------------------------------------------------- the checks

def _rss_kb() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text())[1])


def _peak_kb() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())[1])


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := VmRSS
    except OSError:
        return False
    return True


def measured(run: Callable[[], object]) -> tuple[float, float]:
    """Run once; (seconds, MB of RSS above where it started), the latter 0 where unmeasurable."""
    resettable = _reset_peak()
    before = _rss_kb()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    return seconds, (_peak_kb() - before) / 1024 if resettable else 0.0


def read_articles(folder: Path, ext: str, data: bytes) -> list[RawArticle | Failure]:
    """What the reader makes of `data` in a file with that extension."""
    path = folder / f"input{ext}"
    path.write_bytes(data)
    items = list(read_file(path, MAX_ARTICLE_BYTES))
    for item in items:
        assert isinstance(item, RawArticle | Failure), item
        assert item.source.startswith(str(path.resolve()))
        if isinstance(item, RawArticle):
            assert isinstance(item.data, bytes) and item.kind in ("text", "html")
        else:
            assert item.reason
    return items


def clean_article(pipeline: Pipeline, raw: RawArticle) -> None:
    """`Pipeline.clean` turns the article into paragraphs or says why not (`BadContent`)."""
    try:
        doc = pipeline.clean(raw)
    except BadContent as bad:
        assert bad.reason
        return
    assert doc.paragraphs and all(p.text.strip() for p in doc.paragraphs)
    assert doc.title is None or isinstance(doc.title, str)


def check_reader(pipeline: Pipeline, folder: Path, ext: str, data: bytes) -> list[RawArticle | Failure]:
    """Read one input and clean its first articles; every contract violation is an AssertionError
    and anything raised besides is a crash. Returns what the reader yielded."""
    items = read_articles(folder, ext, data)
    for raw in [i for i in items if isinstance(i, RawArticle)][:CLEANED_PER_INPUT]:
        clean_article(pipeline, raw)
    return items


def check_process(pipeline: Pipeline, data: bytes, kind: str) -> None:
    """`process` gives a document whose mentions point at their text, or an `InputError`."""
    try:
        doc = newsweave.process(data, kind=kind, source="fuzz", pipeline=pipeline)
    except newsweave.InputError as error:
        assert error.reason and error.source == "fuzz"
        return
    _check_document(doc)


def check_process_raw(pipeline: Pipeline, raw: RawArticle) -> None:
    """As `check_process`, for an article a reader made (with its hints)."""
    try:
        doc = pipeline.process(raw)
    except newsweave.InputError as error:
        assert error.reason and error.source == raw.source
        return
    _check_document(doc)
    assert doc.language is None or isinstance(doc.language, str)
    assert doc.title is None or isinstance(doc.title, str)


def _check_document(doc: newsweave.Document) -> None:
    assert doc.paragraphs and doc.vector is not None and doc.minhash is not None
    for entity in doc.entities:
        for mention in entity.mentions:
            assert doc.paragraphs[mention.paragraph].text[mention.start:mention.end] == mention.text


def bounded(run: Callable[[], object]) -> None:
    """`run` stays within the time and memory bounds. Over them, it runs again and that run
    counts: the first may have loaded a model (once per language, not per input)."""
    seconds, extra_mb = measured(run)
    if seconds >= MAX_SECONDS or extra_mb >= MAX_EXTRA_RSS_MB:
        seconds, extra_mb = measured(run)
    assert seconds < MAX_SECONDS, f"one input took {seconds:.1f} s"
    assert extra_mb < MAX_EXTRA_RSS_MB, f"one input raised the peak RSS by {extra_mb:.0f} MB"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,  # time is bounded by `bounded`, measured apart from hypothesis' own work
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------- the tests

def test_samples_are_read_as_articles(pipeline: Pipeline, folder: Path) -> None:
    """The undamaged samples are valid inputs: each reader yields articles from them, and the
    fuzz tests below start from real formats, not from inputs every reader already refuses."""
    for reader, inputs in samples().items():
        for ext, data in inputs:
            items = check_reader(pipeline, folder, ext, data)
            articles = [i for i in items if isinstance(i, RawArticle)]
            assert articles, (reader, ext, items)


@pytest.mark.parametrize("reader", READERS)
def test_reader_takes_damaged_and_arbitrary_input(reader: str, pipeline: Pipeline, folder: Path) -> None:
    @settings(FUZZ, max_examples=60)
    @given(reader_inputs(reader))
    def run(case: tuple[str, bytes]) -> None:
        ext, data = case
        bounded(lambda: check_reader(pipeline, folder, ext, data))

    run()


@settings(FUZZ, max_examples=150)
@given(text=st.text(max_size=400), kind=st.sampled_from(["text", "html"]))
def test_clean_takes_any_text(pipeline: Pipeline, text: str, kind: str) -> None:
    bounded(lambda: clean_article(pipeline, RawArticle(text.encode("utf-8"), "fuzz", kind)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["en", "EN", "english", "de", "zz", "2023-09-29", "2099-01-01", "29.09.2023", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(FUZZ, max_examples=15)
@given(hints=st.dictionaries(st.sampled_from(["title", "published", "updated", "language", "id", "url", "html"]),
                             json_values, max_size=5))
def test_process_takes_jsonl_records_with_hints_of_any_type(
    pipeline: Pipeline, folder: Path, hints: dict[str, object]
) -> None:
    """A record's hints come from strangers: whatever their types, the record becomes a
    document or a failure, never a crash (the text itself is a real article)."""
    record = {"text": _seed_texts()[1], **hints}
    items = read_articles(folder, ".jsonl", (json.dumps(record) + "\n").encode("utf-8"))
    for raw in items:
        if isinstance(raw, RawArticle):
            bounded(lambda raw=raw: check_process_raw(pipeline, raw))


@settings(FUZZ, max_examples=10)
@given(hints=st.dictionaries(st.sampled_from(["title", "published", "updated", "language", "id"]), json_values,
                             min_size=1, max_size=3))
def test_process_takes_api_hints_of_any_type(pipeline: Pipeline, hints: dict[str, object]) -> None:
    """`newsweave.process(text, **hints)`: a hint of the wrong type is an `InputError` naming the
    field, never a crash deep in a later stage."""
    try:
        doc = newsweave.process(_seed_texts()[1], source="fuzz", pipeline=pipeline, **hints)
    except newsweave.InputError as error:
        assert error.source == "fuzz" and any(field in error.reason for field in hints)
        return
    _check_document(doc)
    assert doc.language is None or isinstance(doc.language, str)
    assert doc.title is None or isinstance(doc.title, str)


@settings(FUZZ, max_examples=12)
@given(case=reader_inputs("text"))
def test_process_takes_damaged_articles(pipeline: Pipeline, case: tuple[str, bytes]) -> None:
    _, data = case
    bounded(lambda: check_process(pipeline, data, "text"))


# ---------------------------------------------------------------- crashes the fuzzing found

def test_jsonl_with_a_lone_surrogate_is_read(pipeline: Pipeline, folder: Path) -> None:
    """`json.loads` accepts an escaped lone surrogate, which UTF-8 cannot encode (it crashed
    the reader): the article is read with a replacement character in its place."""
    [item] = check_reader(pipeline, folder, ".jsonl", b'{"text": "Some news \\ud800 text"}\n')
    assert isinstance(item, RawArticle) and item.data == "Some news \ufffd text".encode()


def test_warc_record_without_target_uri_is_a_failure(pipeline: Pipeline, folder: Path) -> None:
    """warcio raised AttributeError on a response record with no WARC-Target-URI."""
    record = (b"WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\n"
              b"Content-Length: 44\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nHello\r\n\r\n")
    [item] = check_reader(pipeline, folder, ".warc", record)
    assert isinstance(item, Failure) and "WARC" in item.reason


def test_an_empty_jsonl_file_is_a_failure(pipeline: Pipeline, folder: Path) -> None:
    """It yielded nothing at all, where an empty text file is reported."""
    [item] = check_reader(pipeline, folder, ".jsonl", b"")
    assert isinstance(item, Failure) and "empty" in item.reason


def test_a_cut_warc_header_is_a_failure(pipeline: Pipeline, folder: Path) -> None:
    """Fuzz finding F5: the reader asked the record's stream for a length it did not have."""
    items = check_reader(pipeline, folder, ".warc", b"WARC/1.0\nWARC-Type:response\nWARC-Target-URI:")
    assert items and all(isinstance(item, Failure) for item in items)


def test_a_feed_entry_without_a_content_value_is_a_failure(pipeline: Pipeline, folder: Path) -> None:
    """Fuzz finding F6: a None content value crashed `max(contents, key=len)`."""
    items = check_reader(pipeline, folder, ".atom", b"<entry<title</content>")
    assert items and all(isinstance(item, Failure) for item in items)


def test_a_feed_with_an_undecodable_encoding_name_is_a_failure(pipeline: Pipeline, folder: Path) -> None:
    """Fuzz finding F7: feedparser itself raised UnicodeDecodeError."""
    items = check_reader(pipeline, folder, ".rss", b'<?xml encoding="\xc4"?><rss/>')
    assert items and all(isinstance(item, Failure) for item in items)
