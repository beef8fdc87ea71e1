"""Ingest at its edges: odd file names, bad hints, cut containers and decompression bombs each
cost one failure line (saying what was kept), never the run, the rest of the file, or the memory."""

from __future__ import annotations

import gzip
import io
import json
import os
import tracemalloc
import zlib
from pathlib import Path

import pytest

from newsweave.ingest import Failure, read_file
from newsweave.ingest.hints import HintError, normalise_language

from .conftest import run_cli, seed_path

GOOD = seed_path("001").read_bytes()


def ingest(*paths: Path, db: Path) -> tuple[int, str]:
    code, _, stderr = run_cli("ingest", *map(str, paths), "--db", str(db), "--quiet")
    assert "Traceback" not in stderr
    return code, stderr


def documents(db: Path) -> list[dict]:
    return json.loads(run_cli("documents", "--db", str(db), "--json")[1])


def failed_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("failed")]


def test_a_file_name_that_is_not_utf8_is_ingested_beside_its_siblings(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(GOOD)
    try:
        with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as out:  # Latin-1 "café"
            out.write(seed_path("002").read_bytes())
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    code, stderr = ingest(folder, db=tmp_path / "t.db")
    assert code == 0, stderr
    assert sorted(Path(r["source"]).name for r in documents(tmp_path / "t.db")) == ["caf\\xe9.txt", "good.txt"]


def test_jsonl_hints_of_the_wrong_type_fail_their_line_and_languages_are_normalised(tmp_path):
    german = seed_path("003").read_text(encoding="utf-8")
    records = [
        {"id": "seven", "text": german, "language": 7},
        {"id": "listed", "text": german, "language": ["en"]},
        {"id": "titled", "text": german, "title": ["x"]},
        {"id": "klingonish", "text": german, "language": "klingonish"},
        {"id": "upper", "text": german, "language": "EN"},
        {"id": "named", "text": seed_path("001").read_text(encoding="utf-8"), "language": "german"},
        {"id": "tagged", "text": seed_path("002").read_text(encoding="utf-8"), "language": "en-US", "title": "Talks"},
    ]
    path = tmp_path / "hints.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    code, stderr = ingest(path, db=tmp_path / "t.db")
    assert code == 1
    failed = failed_lines(stderr)
    assert len(failed) == 4, stderr
    assert "hints.jsonl#1: field 'language' must be a language code" in failed[0] and "a number" in failed[0]
    assert "hints.jsonl#2:" in failed[1] and "a list" in failed[1]
    assert "hints.jsonl#3: field 'title' must be a string, got a list" in failed[2]
    assert "hints.jsonl#4: field 'language' is 'klingonish'" in failed[3]
    rows = {r["id"]: r for r in documents(tmp_path / "t.db")}
    assert set(rows) == {"upper", "named", "tagged"}
    assert (rows["upper"]["language"], rows["named"]["language"], rows["tagged"]["language"]) == ("en", "de", "en")
    assert rows["tagged"]["title"] == "Talks"


@pytest.mark.parametrize(("stated", "code"), [("EN", "en"), ("english", "en"), ("en-US", "en"), ("zh_Hant", "zh"),
                                              ("deu", "de"), ("ger", "de"), ("German", "de"), ("ceb", "ceb")])
def test_language_codes_tags_and_names_become_one_code(stated, code):
    assert normalise_language(stated) == code


@pytest.mark.parametrize("stated", ["xx", "e", "Deutsch", "en-", " "])
def test_what_names_no_language_is_refused(stated):
    with pytest.raises(HintError, match="no language code"):
        normalise_language(stated)


def _warc(n: int, gz: bool = False) -> tuple[bytes, list[int]]:
    """A WARC of n HTML responses (seeds 000…) and where each record starts (and the end)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    starts = []
    for i in range(n):
        paragraphs = seed_path(f"00{i + 1}").read_text(encoding="utf-8").split("\n\n")[2:12]
        body = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        starts.append(buffer.tell())
        writer.write_record(writer.create_warc_record(
            f"https://example.org/{i + 1}", "response", payload=io.BytesIO(body.encode()), http_headers=headers))
    return buffer.getvalue(), [*starts, buffer.tell()]


def read(path: Path, data: bytes, max_bytes: int = 10_000_000) -> list:
    path.write_bytes(data)
    return list(read_file(path, max_bytes))


def test_a_warc_cut_inside_its_last_record_stores_the_others_and_fails(tmp_path):
    data, starts = _warc(3)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: starts[3] - 200])
    code, stderr = ingest(path, db=tmp_path / "t.db")
    assert code == 1
    assert failed_lines(stderr) == [f"failed {path}#3: record is cut short: the file ends 196 bytes before its "
                                    "stated length; not stored"]
    rows = documents(tmp_path / "t.db")
    assert sorted(r["source"].rsplit("#")[1] for r in rows) == ["1", "2"]


def test_a_warc_record_cut_in_the_middle_is_not_stored_with_the_next_records_headers(tmp_path):
    data, starts = _warc(3)
    cut = data[: (starts[1] + starts[2]) // 2] + data[starts[2]:]
    items = read(tmp_path / "cut.warc", cut)
    assert [type(i).__name__ for i in items[:2]] == ["RawArticle", "Failure"]
    assert items[1].source.endswith("#2") and "runs past its end" in items[1].reason
    assert all(b"WARC/1" not in i.data for i in items if not isinstance(i, Failure))


def test_a_gzip_stream_cut_after_its_first_block_keeps_the_records_before_and_fails(tmp_path):
    lines = b"".join(json.dumps({"text": seed_path(f"00{i}").read_text(encoding="utf-8")}).encode() + b"\n"
                     for i in range(4))
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    first_block = deflate.compress(lines) + deflate.flush(zlib.Z_FULL_FLUSH)  # no end-of-stream marker
    items = read(tmp_path / "cut.jsonl.gz", first_block)
    assert [type(i).__name__ for i in items] == ["RawArticle"] * 4 + ["Failure"]
    assert "truncated or corrupt gzip data" in items[-1].reason
    assert "the 4 articles before the damage were read" in items[-1].reason
    text = gzip.compress(b"Some text " * 50_000)
    items = read(tmp_path / "cut.txt.gz", text[: len(text) // 2])
    assert len(items) == 1 and "truncated or corrupt gzip data" in items[0].reason


def _zeros_gz(path: Path, megabytes: int, head: bytes = b"", tail: bytes = b"", fill: bytes = b"\0") -> Path:
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(deflate.compress(head))
        for _ in range(megabytes):
            out.write(deflate.compress(fill * (1 << 20)))
        out.write(deflate.compress(tail) + deflate.flush())
    return path


def _peak_bytes(path: Path, max_bytes: int) -> tuple[list, int]:
    tracemalloc.start()
    try:
        items = list(read_file(path, max_bytes))
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BOMB_MB = 40
LIMIT = 200_000


@pytest.mark.parametrize(("name", "head", "tail", "fill", "reason"), [
    ("zeros.jsonl.gz", b"", b"", b"\0", "without a line break, over the limit of 0.2 MB"),
    ("zeros.txt.gz", b"", b"", b"\0", "file decompresses to more than 0.2 MB, the limit for one article"),
    ("big.rss.gz", b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>a</title><description>',
     b"</description></item></channel></rss>", b"A", "the limit for one feed"),
    ("list.json.gz", b'[{"text": "', b'"}]', b"A", "item 1 of the JSON list is malformed or over the limit of 0.2 MB"),
    ("zeros.warc.gz", b"WARC/1.0\r\n", b"", b"\0", "not a readable WARC file at its first record (over 1.2 MB without"),
])
def test_decompression_bombs_fail_within_a_bounded_memory(tmp_path, name, head, tail, fill, reason):
    path = _zeros_gz(tmp_path / name, BOMB_MB, head, tail, fill)
    items, peak = _peak_bytes(path, LIMIT)
    assert len(items) == 1 and isinstance(items[0], Failure) and reason in items[0].reason, items
    assert peak < 12 * (1 << 20), f"{name}: {peak / 1e6:.1f} MB held to read a {BOMB_MB} MB bomb"


def test_a_warc_record_over_the_limit_fails_and_the_next_one_is_read(tmp_path):
    data, _ = _warc(3)  # payloads of 1,235, 2,295 and 2,570 bytes
    items = read(tmp_path / "three.warc", data, max_bytes=2_400)
    assert [type(i).__name__ for i in items] == ["RawArticle", "RawArticle", "Failure"], items
    items = read(tmp_path / "four.warc", data + _warc(1)[0], max_bytes=2_000)
    assert [type(i).__name__ for i in items] == ["RawArticle", "Failure", "Failure", "RawArticle"], items
    assert "#2: record is over the limit of 2,000 bytes" in str(items[1])


def test_a_json_list_is_read_item_by_item(tmp_path):
    texts = [seed_path(f"00{i}").read_text(encoding="utf-8") for i in range(3)]
    items = read(tmp_path / "list.json", json.dumps([{"text": t, "id": i} for i, t in enumerate(texts)]).encode())
    assert [i.hints["id"] for i in items] == [0, 1, 2]
    broken = json.dumps([{"text": t} for t in texts]).encode()[:-40]
    items = read(tmp_path / "broken.json", broken)
    assert [type(i).__name__ for i in items] == ["RawArticle", "RawArticle", "Failure"]
    assert "malformed JSON list" in items[-1].reason and "the items before it were read" in items[-1].reason


def test_an_overlong_jsonl_line_fails_and_the_lines_after_it_are_read(tmp_path):
    lines = [json.dumps({"text": "x" * 5_000}), json.dumps({"text": "A short article."})]
    items = read(tmp_path / "long.jsonl", "\n".join(lines).encode(), max_bytes=1_000)
    assert [type(i).__name__ for i in items] == ["Failure", "RawArticle"]
    assert "line 1 is 5,013 bytes, over the limit of 1,000 bytes" in items[0].reason


def test_an_empty_jsonl_file_is_reported(tmp_path):
    items = read(tmp_path / "empty.jsonl", b"\n  \n")
    assert len(items) == 1 and "empty file" in items[0].reason
