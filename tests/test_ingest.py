"""Ingest: every format, and bad input that gets a clear one-line reason while the rest goes on."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
from pathlib import Path

import pytest

from .conftest import run_cli, seed_path

GOOD = seed_path("001").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def ingest(*paths: Path, db: Path) -> tuple[int, str]:
    code, _, stderr = run_cli("ingest", *map(str, paths), "--db", str(db), "--quiet")
    return code, stderr


def documents(db: Path) -> list[dict]:
    return json.loads(run_cli("documents", "--db", str(db), "--json")[1])


def test_plain_html_jsonl_and_gz_inputs_are_all_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(GOOD)
    html = (
        "<html><head><title>Kazan talks</title><meta charset='utf-8'></head><body><nav>Home</nav>"
        "<article><h1>Russia hosts Taliban talks in Kazan</h1>"
        + "".join(f"<p>{p}</p>" for p in seed_path("002").read_text().split("\n\n")[2:8])
        + "</article><footer>Comments are closed.</footer></body></html>"
    )
    (folder / "b.html").write_text(html, encoding="utf-8")
    records = [
        {"id": "x1", "text": seed_path("003").read_text(), "url": "https://example.org/x1", "published": "2021-07-07"},
        {"id": "x2", "html": html, "title": "Given title", "published": "someday"},
        {"id": "x3", "text": seed_path("002").read_text(), "published": "2999-01-01"},
    ]
    (folder / "c.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with gzip.open(folder / "d.txt.gz", "wb") as out:
        out.write(seed_path("004").read_bytes())
    code, stderr = ingest(folder, db=tmp_path / "t.db")
    assert code == 0, stderr
    rows = {Path(r["source"].split("#")[0]).name + ("#" + r["source"].split("#")[1] if "#" in r["source"] else ""): r
            for r in documents(tmp_path / "t.db")}
    assert set(rows) == {"a.txt", "b.html", "c.jsonl#1", "c.jsonl#2", "c.jsonl#3", "d.txt.gz"}
    assert rows["c.jsonl#3"]["published"] is None  # a stated date in the future is refused
    assert rows["c.jsonl#1"]["id"] == "x1" and rows["c.jsonl#1"]["published"] == "2021-07-07"
    assert rows["c.jsonl#2"]["title"] == "Given title"
    assert rows["b.html"]["title"] and rows["b.html"]["language"] == "en"
    assert rows["d.txt.gz"]["words"] > 200


def test_json_files_hold_a_list_or_one_object(tmp_path):
    texts = [seed_path(n).read_text() for n in ("002", "003")]
    (tmp_path / "list.json").write_text(json.dumps([{"text": t} for t in texts], indent=2))
    (tmp_path / "one.json").write_text(json.dumps({"text": seed_path("004").read_text(), "id": "solo"}, indent=2))
    code, stderr = ingest(tmp_path / "list.json", tmp_path / "one.json", db=tmp_path / "t.db")
    assert code == 0, stderr
    sources = sorted(Path(r["source"]).name for r in documents(tmp_path / "t.db"))
    assert sources == ["list.json#1", "list.json#2", "one.json#1"]


def test_rss_and_atom_items_become_documents_with_their_metadata(tmp_path):
    from xml.sax.saxutils import escape

    paragraphs = seed_path("002").read_text().split("\n\n")[2:9]
    html = escape("".join(f"<p>{p}</p>" for p in paragraphs))
    rss = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>
<item><title>Russia holds talks with the Taliban</title><link>https://example.org/talks</link>
<pubDate>Wed, 20 Oct 2021 10:00:00 GMT</pubDate><content:encoded>{html}</content:encoded></item>
<item><title>Empty item</title><link>https://example.org/empty</link></item>
</channel></rss>"""
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency</title><id>urn:feed</id><updated>2021-07-07T00:00:00Z</updated>
<entry><title>Tadschikistan bittet um Hilfe</title><id>urn:item:7</id><link href="https://example.org/tj"/>
<updated>2021-07-07T09:00:00Z</updated><summary>{escape(seed_path("003").read_text())}</summary></entry></feed>"""
    (tmp_path / "wire.rss").write_text(rss, encoding="utf-8")
    (tmp_path / "agency.xml").write_text(atom, encoding="utf-8")
    code, stderr = ingest(tmp_path / "wire.rss", tmp_path / "agency.xml", db=tmp_path / "t.db")
    assert code == 1 and "wire.rss#2: feed item has no content or summary" in stderr
    rows = {Path(r["source"]).name: r for r in documents(tmp_path / "t.db")}
    assert set(rows) == {"wire.rss#1", "agency.xml#1"}
    assert rows["wire.rss#1"]["title"] == "Russia holds talks with the Taliban"
    assert rows["wire.rss#1"]["published"] == "2021-10-20" and rows["wire.rss#1"]["url"] == "https://example.org/talks"
    assert rows["agency.xml#1"]["id"] == "urn:item:7" and rows["agency.xml#1"]["language"] == "de"


def test_warc_response_records_become_documents(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = "<html><body><article>" + "".join(
        f"<p>{p}</p>" for p in seed_path("001").read_text().split("\n\n")[6:16]
    ) + "</article></body></html>"
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, status in enumerate(("200 OK", "404 Not Found")):
            headers = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://example.org/{n}", "response", payload=io.BytesIO(body.encode()), http_headers=headers
            )
            writer.write_record(record)
    code, stderr = ingest(path, db=tmp_path / "t.db")
    assert code == 1  # the 404 record is reported …
    assert "#2: HTTP status 404" in stderr
    rows = documents(tmp_path / "t.db")  # … and the 200 record is ingested
    assert len(rows) == 1 and rows[0]["source"].endswith("crawl.warc.gz#1")
    assert rows[0]["url"] == "https://example.org/0"


BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "picture.txt": (PNG, "looks like a PNG image"),
    "junk.txt": (bytes(range(0, 32)) * 100, "not a text document"),
    "broken.jsonl": (b'{"text": "fine"\n', "malformed JSON on line 1"),
    "nobody.jsonl": (b'{"title": "no text"}\n', "no 'text' or 'html'"),
    "cut.txt.gz": (gzip.compress(GOOD)[:-30], "truncated or corrupt gzip"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_named_with_a_reason_and_the_rest_is_ingested(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    data, reason = BAD_INPUTS[name]
    (folder / name).write_bytes(data)
    (folder / "good.txt").write_bytes(GOOD)
    code, stderr = ingest(folder, db=tmp_path / "t.db")
    assert code == 1
    failed = [line for line in stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and name in failed[0] and reason in failed[0], stderr
    assert "Traceback" not in stderr
    assert [Path(r["source"]).name for r in documents(tmp_path / "t.db")] == ["good.txt"]


def test_a_50_mb_text_file_is_refused_without_processing(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as out:
        line = b"All work and no play makes a very long article indeed. " * 20 + b"\n"
        while out.tell() < 50_000_000:
            out.write(line)
    code, stderr = ingest(big, tmp_path / "missing.txt", db=tmp_path / "t.db")
    assert code == 1
    assert "huge.txt: file is 50.0 MB, over the limit of 10.0 MB" in stderr
    assert "missing.txt: no such file or folder" in stderr


def test_undecodable_bytes_are_reported(tmp_path):
    soup = bytes((i * 7919 + 13) % 128 + 128 for i in range(3000))  # high bytes, no language in any codec
    (tmp_path / "soup.txt").write_bytes(soup)
    code, stderr = ingest(tmp_path / "soup.txt", db=tmp_path / "t.db")
    assert code == 1
    assert "soup.txt: undecodable bytes: no character encoding fits this input" in stderr
    assert "Traceback" not in stderr


def test_unreadable_file_is_reported_and_skipped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(GOOD)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "a-socket.txt"))
    try:
        code, stderr = ingest(folder, db=tmp_path / "t.db")
    finally:
        sock.close()
    assert code == 1
    assert "a-socket.txt: not a regular file" in stderr
    assert len(documents(tmp_path / "t.db")) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission_is_reported(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(GOOD)
    path.chmod(0)
    code, stderr = ingest(path, db=tmp_path / "t.db")
    assert code == 1 and "secret.txt: permission denied" in stderr


def test_duplicate_ids_in_jsonl_are_reported_and_first_is_kept(tmp_path):
    path = tmp_path / "dupes.jsonl"
    texts = [seed_path(n).read_text() for n in ("002", "003", "004")]
    path.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in zip(["a", "b", "a"], texts, strict=True)))
    code, stderr = ingest(path, db=tmp_path / "t.db")
    assert code == 1
    assert "dupes.jsonl#3: duplicate id 'a': already used by" in stderr
    rows = documents(tmp_path / "t.db")
    assert sorted(r["id"] for r in rows) == ["a", "b"]
    assert next(r for r in rows if r["id"] == "a")["source"].endswith("#1")


def test_changed_file_is_updated_in_place(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(GOOD)
    ingest(path, db=tmp_path / "t.db")
    first = documents(tmp_path / "t.db")
    path.write_bytes(seed_path("002").read_bytes())
    code, stderr = ingest(path, db=tmp_path / "t.db")
    assert code == 0 and "ingested 0, updated 1, unchanged 0" in stderr
    second = documents(tmp_path / "t.db")
    assert [r["id"] for r in second] == [r["id"] for r in first]
    assert second[0]["title"] != first[0]["title"]


def test_an_atom_entry_updated_after_publication_carries_both_dates():
    from newsweave.ingest.records import read_feed

    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency</title><id>urn:feed</id>
<entry><title>Talks end</title><id>urn:item:1</id><published>2021-07-05T08:00:00Z</published>
<updated>2021-07-06T09:00:00Z</updated><summary>The talks ended on Friday without an agreement.</summary></entry>
<entry><title>Talks begin</title><id>urn:item:2</id><updated>2021-07-04T09:00:00Z</updated>
<summary>The talks began on Thursday in Moscow.</summary></entry></feed>"""
    first, second = read_feed(atom, "agency.xml")
    assert (first.hints["published"], first.hints["updated"]) == ("2021-07-05", "2021-07-06")
    assert second.hints["published"] == "2021-07-04" and "updated" not in second.hints
