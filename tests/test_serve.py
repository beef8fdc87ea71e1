"""The HTTP API and pages through the ASGI test client, over the seed corpus: every
endpoint, paging, bad parameters, unknown ids, the write endpoint and its guards."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from newsweave.serve import create_app
from newsweave.settings import Settings

from .conftest import seed_path

ENGLISH_QUERY = "Tajikistan asks Russia-led bloc for help at Afghan border"


@pytest.fixture(scope="module")
def client(seed_db, pipeline):
    with TestClient(create_app(seed_db, pipeline=pipeline)) as opened:
        yield opened


@pytest.fixture()
def writable(seed_db, tmp_path, pipeline):
    """A copy of the seed database, for tests that write."""
    db = tmp_path / "copy.db"
    shutil.copy(seed_db, db)
    return db


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"} and body["error"]["message"]
    return body["error"]["code"]


def test_health_counts_the_documents(client):
    assert client.get("/api/health").json()["documents"] == 5


def test_documents_are_paged_by_cursor_without_gaps_or_repeats(client, seed_ids):
    first = client.get("/api/documents", params={"limit": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    seen = [d["id"] for d in first["results"]]
    cursor = first["next"]
    while cursor:
        page = client.get("/api/documents", params={"limit": 2, "cursor": cursor}).json()
        seen += [d["id"] for d in page["results"]]
        cursor = page["next"]
    assert seen == [seed_ids[n] for n in ("000", "001", "002", "003", "004")]
    everything = client.get("/api/documents").json()
    assert everything["next"] is None and [d["id"] for d in everything["results"]] == seen


def test_documents_filter_by_language_story_and_entity(client, seed_ids):
    german = client.get("/api/documents", params={"lang": "de"}).json()["results"]
    assert {d["id"] for d in german} == {seed_ids["000"], seed_ids["003"]}
    story = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    members = client.get("/api/documents", params={"story": story}).json()["results"]
    assert {d["id"] for d in members} == {seed_ids["000"], seed_ids["001"]}
    named = client.get("/api/documents", params={"entity": "loc:country:AF"}).json()["results"]
    assert len(named) == 5


def test_document_is_what_show_json_prints(client, seed_ids):
    record = client.get(f"/api/documents/{seed_ids['000']}").json()
    assert record["id"] == seed_ids["000"] and record["language"] == "de"
    assert any(link["other"] == seed_ids["001"] and link["kind"] == "translation" for link in record["links"])
    assert record["story"] == client.get(f"/api/documents/{seed_ids['001']}").json()["story"]


def test_similar_finds_the_translation_across_languages(client, seed_ids):
    body = client.get(f"/api/documents/{seed_ids['001']}/similar", params={"limit": 3}).json()
    assert body["next"] is None
    assert body["results"][0]["id"] == seed_ids["000"]  # the German translation


def test_stories_newest_first_and_paged(client):
    oldest = client.get("/api/stories").json()
    newest = client.get("/api/stories", params={"order": "newest"}).json()
    assert len(oldest["results"]) == 4 and oldest["next"] is None
    assert {s["id"] for s in newest["results"]} == {s["id"] for s in oldest["results"]}
    ends = [s["end"] or s["start"] or "" for s in newest["results"]]
    assert ends == sorted(ends, reverse=True)
    first = client.get("/api/stories", params={"limit": 3, "order": "newest"}).json()
    rest = client.get("/api/stories", params={"limit": 3, "order": "newest", "cursor": first["next"]}).json()
    assert [s["id"] for s in first["results"] + rest["results"]] == [s["id"] for s in newest["results"]]


def test_story_has_members_with_roles_timeline_and_entities(client, seed_ids):
    story = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    body = client.get(f"/api/stories/{story}").json()
    roles = {m["id"]: m["role"] for m in body["members"]}
    assert roles == {seed_ids["001"]: "original", seed_ids["000"]: "translation"}
    assert body["timeline"] and all(t["documents"] >= 1 for t in body["timeline"])
    assert "org:taliban" in {e["id"] for e in body["entities"]}


def test_entities_and_one_entity(client, seed_ids):
    page = client.get("/api/entities", params={"limit": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    more = client.get("/api/entities", params={"limit": 2, "cursor": page["next"]}).json()
    assert not {e["id"] for e in page["results"]} & {e["id"] for e in more["results"]}
    afghanistan = client.get("/api/entities/loc:country:AF").json()
    assert afghanistan["variants"]["de"] and afghanistan["variants"]["en"]
    assert {d["id"] for d in afghanistan["documents"]} == set(seed_ids.values())
    people = client.get("/api/entities", params={"type": "PER"}).json()["results"]
    assert people and all(e["type"] == "PER" for e in people)


def test_search_finds_the_german_article_for_an_english_query(client, seed_ids):
    body = client.get("/api/search", params={"q": ENGLISH_QUERY, "limit": 2}).json()
    assert seed_ids["003"] in [hit["id"] for hit in body["results"]]
    assert set(body) == {"results", "next"}
    assert set(body["results"][0]) == {"id", "title", "language", "published", "story", "score", "snippet"}


@pytest.mark.parametrize("path, params", [
    ("/api/search", {"q": '"unbalanced'}),
    ("/api/search", {"q": ""}),
    ("/api/search", {"q": "x", "limit": 1000}),
    ("/api/search", {"q": "x", "from": "yesterday"}),
    ("/api/documents", {"limit": 0}),
    ("/api/documents", {"cursor": "not-a-cursor"}),
    ("/api/documents", {"story": "one"}),
    ("/api/stories", {"order": "random"}),
    ("/api/entities", {"cursor": "WzFd"}),
    ("/api/stories/abc", {}),
])
def test_bad_parameters_are_422_in_the_error_shape(client, path, params):
    assert error_of(client.get(path, params=params), 422) == "bad_parameter"


@pytest.mark.parametrize("path", [
    "/api/documents/no-such-doc", "/api/documents/no-such-doc/similar", "/api/stories/99999",
    "/api/stories/99999999999999999999999", "/api/entities/per:nobody", "/api/no-such-endpoint",
])
def test_unknown_ids_are_404_in_the_error_shape(client, path):
    assert error_of(client.get(path), 404) == "not_found"


def test_openapi_lists_every_endpoint_and_the_docs_page_needs_no_cdn(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/documents", "/api/documents/{doc_id}", "/api/documents/{doc_id}/similar", "/api/stories",
            "/api/stories/{story_id}", "/api/entities", "/api/entities/{entity_id}", "/api/search",
            "/api/health"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/documents"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/stories/{story_id}" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text and "<script" not in docs.text


def test_every_answer_carries_a_strict_content_security_policy(client, seed_ids):
    for path in ("/", "/api/health", f"/documents/{seed_ids['000']}", "/api/nothing", "/search?q=Taliban"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "'unsafe-inline'" not in policy


def test_pages_render_stories_story_document_entity_and_search(client, seed_ids):
    home = client.get("/").text
    assert "Russia Hosts Taliban Talks as It Seeks Regional Influence" in home
    story = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    page = client.get(f"/stories/{story}").text
    assert f"/documents/{seed_ids['000']}" in page and "translation" in page and "original" in page
    assert "<rect" in page  # documents per day, drawn without script
    assert 'href="/entities/loc%3Acity%3A551487"' in page and "<circle" in page  # Kazan on the places map
    doc = client.get(f"/documents/{seed_ids['001']}").text
    assert 'href="/entities/org%3Ataliban"' in doc
    assert "Aligned paragraphs" in doc and "MOSKAU" in doc  # the German translation's paragraphs beside these
    assert "Afghanistan" in client.get("/entities/loc:country:AF").text
    found = client.get("/search", params={"q": "Taliban"}).text
    assert "<mark>" in found
    assert client.get("/search", params={"q": '"open'}).status_code == 422
    assert client.get("/stories/99999").status_code == 404


def _article(text: str, **fields) -> dict:
    return {"text": text, **fields}


def test_post_ingests_an_article_and_returns_it_with_its_story(writable, pipeline):
    text = seed_path("001").read_text(encoding="utf-8").replace("Friday", "on Friday evening")
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        response = client.post("/api/documents", json=_article(text, id="posted-1", published="2023-09-30"))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["id"] == "posted-1" and body["outcome"] == "ingested" and body["published"] == "2023-09-30"
        assert body["story"] is not None and any(link["kind"] == "near_duplicate" for link in body["links"])
        assert client.get("/api/documents/posted-1").json()["story"] == body["story"]
        assert client.get("/api/health").json()["documents"] == 6


def test_post_needs_the_token_when_one_is_set(writable, pipeline):
    with TestClient(create_app(writable, token="s3cret", pipeline=pipeline)) as client:
        assert error_of(client.post("/api/documents", json=_article("A short note about Kabul.")), 401) == "unauthorized"
        wrong = {"Authorization": "Bearer nope"}
        assert error_of(client.post("/api/documents", json=_article("A note."), headers=wrong), 401) == "unauthorized"
        ok = client.post("/api/documents", json=_article("A short note about Kabul and Moscow."),
                         headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 201, ok.text
        assert client.get("/api/health").json()["documents"] == 6


def test_post_is_refused_off_loopback_without_a_token(writable, pipeline):
    with TestClient(create_app(writable, host="0.0.0.0", pipeline=pipeline)) as client:
        assert error_of(client.post("/api/documents", json=_article("A note.")), 403) == "forbidden"
        assert client.get("/api/health").json()["documents"] == 5


def test_post_over_the_article_size_limit_is_413(writable, pipeline):
    settings = Settings(max_article_bytes=2_000)
    with TestClient(create_app(writable, settings=settings, pipeline=pipeline)) as client:
        assert error_of(client.post("/api/documents", json=_article("word " * 1_000)), 413) == "too_large"
        assert error_of(client.post("/api/documents", content=b"x" * 100_000,
                                    headers={"content-type": "application/json"}), 413) == "too_large"
        assert client.get("/api/health").json()["documents"] == 5


@pytest.mark.parametrize("body", [b"not json", b'{"title": "no text"}', b'{"text": "a", "html": "<p>b</p>"}',
                                  b'{"text": 5}', b'{"text": "Some words.", "language": ["en"]}'])
def test_post_with_a_bad_body_is_422(writable, pipeline, body):
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        response = client.post("/api/documents", content=body, headers={"content-type": "application/json"})
        assert error_of(response, 422) in ("bad_body", "bad_article")


def test_a_hostile_article_is_shown_as_text(writable, pipeline):
    hostile = ("Hostile headline <script>alert(1)</script>\n\nA paragraph with <img src=x onerror=alert(1)> "
               "and a [link](javascript:alert(1)) in the middle of ordinary news text about Kabul.")
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        posted = client.post("/api/documents", json=_article(hostile, id="hostile")).json()
        page = client.get(f"/documents/{posted['id']}").text
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_reads_go_through_a_connection_that_cannot_write(client):
    def try_write(corpus):
        corpus.store.db.execute("INSERT INTO failures(source, reason, at) VALUES ('x', 'y', 'z')")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        client.app.state.corpus(try_write)


def test_a_post_that_is_not_json_is_refused_so_other_sites_cannot_post_forms(writable, pipeline):
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        form = client.post("/api/documents", data={"text": "A note about Kabul."})
        assert error_of(form, 415) == "unsupported_media_type"
        plain = client.post("/api/documents", content=b'{"text": "A note."}', headers={"content-type": "text/plain"})
        assert error_of(plain, 415) == "unsupported_media_type"
        assert client.get("/api/health").json()["documents"] == 5


def test_concurrent_posts_and_reads_lose_nothing(writable, pipeline):
    texts = [f"Report {i}: officials in Kabul and Moscow met on day {i} to discuss border security and trade."
             for i in range(4)]
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        def post(text):
            return client.post("/api/documents", json=_article(text)).status_code

        def read(_):
            return client.get("/api/stories").status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            writes = pool.map(post, texts)
            reads = pool.map(read, range(8))
            assert list(writes) == [201] * 4 and list(reads) == [200] * 8
        assert client.get("/api/health").json()["documents"] == 9
        listed = client.get("/api/documents").json()["results"]
        assert len({d["id"] for d in listed}) == 9


def test_upload_form_ingests_a_pasted_article_and_shows_it(writable, pipeline):
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        form = client.get("/upload").text
        assert '<textarea name="text"' in form and "paste the text or HTML of one article" in form and 'name="token"' not in form
        sent = client.post("/upload", data={"text": "Officials met in Kabul on Monday to discuss the border.",
                                            "id": "pasted", "published": "2023-10-02"}, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/documents/pasted"
        assert client.get("/api/documents/pasted").json()["published"] == "2023-10-02"


def test_upload_from_another_site_is_refused(writable, pipeline):
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        for headers in ({"sec-fetch-site": "cross-site"}, {"origin": "https://evil.example"}):
            response = client.post("/upload", data={"text": "A note about Kabul."}, headers=headers)
            assert response.status_code == 403
        assert client.get("/api/health").json()["documents"] == 5


def test_upload_needs_the_token_when_one_is_set_and_none_off_loopback(writable, pipeline):
    with TestClient(create_app(writable, token="s3cret", pipeline=pipeline)) as client:
        assert 'name="token"' in client.get("/upload").text
        wrong = client.post("/upload", data={"text": "A note about Kabul.", "token": "nope"})
        assert wrong.status_code == 422 and "token" in wrong.text
        right = client.post("/upload", data={"text": "A note about Kabul and Moscow.", "token": "s3cret"},
                            follow_redirects=False)
        assert right.status_code == 303
    with TestClient(create_app(writable, host="0.0.0.0", pipeline=pipeline)) as client:
        assert "takes no uploads" in client.get("/upload").text
        assert client.post("/upload", data={"text": "A note."}).status_code == 422
        assert client.get("/api/health").json()["documents"] == 6


def test_ids_holding_a_slash_are_reachable(writable, pipeline):
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        posted = client.post("/api/documents", json=_article("Officials met in Kabul on Monday.", id="wire/2023/17"))
        assert posted.status_code == 201, posted.text
        assert client.get("/api/documents/wire/2023/17").json()["id"] == "wire/2023/17"
        assert client.get("/api/documents/wire/2023/17/similar").json()["next"] is None
        page = client.get("/documents/wire/2023/17")
        assert page.status_code == 200 and "wire/2023/17" in page.text


def test_story_page_draws_its_places_on_an_offline_world_map(client, seed_ids):
    story = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    page = client.get(f"/stories/{story}").text
    figure = page[page.index('<figure class="places">'):page.index("</figure>", page.index('<figure class="places">'))]
    lands = re.findall(r'<path class="(named|country)" d="(M[-\d. LMZ]+)"><title>([^<]+)</title>', figure)
    names = {name for _, _, name in lands}
    assert {"Afghanistan", "Russia", "Uzbekistan", "Kazakhstan"} <= names  # coastlines and borders, drawn inline
    assert {name for kind, _, name in lands if kind == "named"} >= {"Afghanistan", "Russia"}  # the story's countries
    left, top, width, height = map(float, re.search(r'viewBox="([-\d. ]+)"', figure).group(1).split())
    for _, path, name in lands:  # only countries in view travel with the page
        xy = [float(v) for v in re.findall(r"-?[\d.]+", path)]
        xs, ys = xy[0::2], xy[1::2]
        assert min(xs) < left + width and max(xs) > left and min(ys) < top + height and max(ys) > top, name
    assert len(lands) < 177
    for place in ("Kabul", "Kazan", "Moscow"):  # the seed's cities, marked, titled and linked
        assert re.search(rf'<circle class="city" [^>]+><title>{place} \(city\)</title>', figure), place
    assert 'href="/entities/loc%3Acity%3A551487"' in figure  # Kazan
    assert "http" not in figure and "<image" not in figure  # no tiles, nothing remote


def _warc_gz(body: str) -> bytes:
    """A gzipped WARC of one HTML response record, as a crawler writes it."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warc_record(
        "https://example.org/border", "response", payload=io.BytesIO(body.encode()), http_headers=headers))
    return out.getvalue()


def _outcomes(page: str) -> list[tuple[str, str]]:
    """(outcome, document id or source) for each article the upload page lists."""
    rows = re.findall(r'<li class="outcome outcome-(\w+)"><span class="badge">\w+</span>\s*'
                      r'(?:<a href="/documents/[^"]+">([^<]+)</a>|<span class="source">([^<]+)</span>)', page)
    return [(outcome, linked or source) for outcome, linked, source in rows]


def test_upload_form_ingests_files_through_the_ingest_readers_and_lists_each_outcome(writable, pipeline):
    jsonl = "\n".join([
        json.dumps({"id": "wire-1", "title": "Border talks", "text": "Officials met in Termez on Tuesday to discuss "
                    "the Afghan border, trade and the new bridge over the Amu Darya."}),
        "{not json",
        json.dumps({"id": "wire-2", "text": "Kazakh and Uzbek ministers met in Tashkent to discuss water rights."}),
    ])
    html = ("<html><head><title>Kabul airport reopens</title></head><body><article><p>Kabul's airport reopened "
            "to regional flights on Monday, officials said.</p></article></body></html>")
    files = [
        ("files", ("wire.jsonl", jsonl.encode(), "application/x-ndjson")),
        ("files", ("airport.html", html.encode(), "text/html")),
        ("files", ("crawl.warc.gz", _warc_gz(html.replace("Monday", "Tuesday")), "application/gzip")),
        ("files", ("empty.txt", b"   \n", "text/plain")),
    ]
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        form = client.get("/upload").text
        assert 'enctype="multipart/form-data"' in form and '<input name="files" type="file" multiple' in form
        sent = client.post("/upload", files=files)
        assert sent.status_code == 200, sent.text
        listed = _outcomes(sent.text)
        assert ("ingested", "wire-1") in listed and ("ingested", "wire-2") in listed
        failed = [where for outcome, where in listed if outcome == "failed"]
        assert any(w.startswith("upload:") and w.endswith("wire.jsonl#2") for w in failed)  # the bad line, by number
        assert any(w.endswith("empty.txt") for w in failed) and "empty file" in sent.text
        assert sum(outcome == "ingested" for outcome, _ in listed) == 4  # two JSONL lines, the page, the WARC record
        assert "malformed JSON on line 2" in sent.text
        assert client.get("/api/documents/wire-1").json()["title"] == "Border talks"
        assert client.get("/api/health").json()["documents"] == 9
        again = client.post("/upload", files=files[:1])  # the same file again: nothing new
        assert [o for o, _ in _outcomes(again.text) if o != "failed"] == ["unchanged", "unchanged"]
        assert client.get("/api/health").json()["documents"] == 9


def test_upload_limits_articles_to_the_size_limit_and_the_post_to_a_few_articles(writable, pipeline):
    settings = Settings(max_article_bytes=2_000)
    small = b"Officials met in Kabul on Monday to discuss the border. " * 10
    with TestClient(create_app(writable, settings=settings, pipeline=pipeline)) as client:
        one_too_big = client.post("/upload", files=[("files", ("big.txt", b"word " * 600, "text/plain")),
                                                    ("files", ("small.txt", small, "text/plain"))])
        assert one_too_big.status_code == 200
        assert [o for o, _ in _outcomes(one_too_big.text)] == ["failed", "ingested"]
        assert "over the limit" in one_too_big.text
        whole = client.post("/upload", files=[("files", (f"{n}.txt", b"x" * 1_900, "text/plain")) for n in range(45)])
        assert whole.status_code == 413 and "the most one form post takes" in whole.text
        pasted = client.post("/upload", data={"text": "word " * 600})
        assert pasted.status_code == 413 and "size limit" in pasted.text
        long_paste = client.post("/upload", data={"text": "word " * 2_000}, files={"files": ("", b"", "text/plain")})
        assert long_paste.status_code == 413  # as the browser sends it (multipart, no file chosen)
        assert client.get("/api/health").json()["documents"] == 6


def test_upload_of_files_needs_the_token_when_one_is_set(writable, pipeline):
    note = [("files", ("note.txt", b"Officials met in Kabul on Monday to discuss the border.", "text/plain"))]
    with TestClient(create_app(writable, token="s3cret", pipeline=pipeline)) as client:
        refused = client.post("/upload", files=note, data={"token": "nope"})
        assert refused.status_code == 422 and "token" in refused.text
        assert client.get("/api/health").json()["documents"] == 5
        taken = client.post("/upload", files=note, data={"token": "s3cret"})
        assert taken.status_code == 200 and [o for o, _ in _outcomes(taken.text)] == ["ingested"]
        assert client.get("/api/health").json()["documents"] == 6


def test_stories_page_draws_a_volume_chart_per_story_and_filters(client, seed_ids):
    home = client.get("/").text
    charts = re.findall(r'<svg class="spark" role="img" aria-label="(\d+) dated documents[^"]*"', home)
    dated = [d for d in client.get("/api/documents").json()["results"] if d["published"]]
    assert charts and sum(map(int, charts)) == len(dated)  # every dated member counted once, on its story's chart
    assert "<rect" in home and "<script" not in home
    story = client.get(f"/api/documents/{seed_ids['003']}").json()["story"]
    german = client.get("/", params={"lang": "de"}).text
    assert f'href="/stories/{story}"' in german and 'value="de"' in german
    assert german.count('class="story"') == len(client.get("/api/stories", params={"lang": "de"}).json()["results"])
    naming = client.get("/", params={"entity": "loc:country:AF"}).text
    assert naming.count('class="story"') == 4
    assert 'Stories naming <a href="/entities/loc%3Acountry%3AAF">Afghanistan</a>' in naming
    assert '<option value="org:taliban">Taliban (ORG)</option>' in home  # the entity filter suggests by name
    assert '<a href="/?entity=org%3Ataliban" title="stories naming Taliban">Taliban</a>' in home  # each story's names
    assert "No stories match these filters" in client.get("/", params={"from": "2031-01-01"}).text
    assert client.get("/", params={"from": "soon"}).status_code == 422


def test_a_long_story_s_sparkline_bins_whole_days_and_keeps_every_document():
    from newsweave.serve.charts import SPARK_BINS, sparkline

    published = [f"2023-{m:02d}-{d:02d}" for m in range(1, 8) for d in (1, 2, 15)] + ["2023-07-30", None, "undated", "2023-13-45"]
    chart = sparkline(published)
    assert len(chart["bars"]) <= SPARK_BINS and chart["per_bin"] == 4  # 211 days in bins of 4
    assert sum(b["n"] for b in chart["bars"]) == 22 and chart["label"].endswith("2023-01-01 to 2023-07-30")
    assert all(0 <= b["x"] < chart["width"] and 0 < b["h"] <= chart["height"] for b in chart["bars"])
    assert sparkline([None]) is None


def test_story_page_shows_summary_headline_and_timeline_by_day(client, seed_ids):
    story = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    detail = client.get(f"/api/stories/{story}").json()
    page = client.get(f"/stories/{story}").text
    assert f'<h1 lang="{detail["language"]}">{escape(detail["headline"])}</h1>' in page
    summary = page[page.index('<section class="summary"'):page.index("</section>", page.index('<section class="summary"'))]
    assert detail["summary"] and all(str(escape(s["text"])) in summary for s in detail["summary"])
    assert all(f'href="/documents/{quote(s["document"], safe="")}"' in summary for s in detail["summary"])
    timeline = page[page.index("<h2>Timeline</h2>"):]
    assert '<h3 class="day">2023-09-29</h3>' in timeline  # the timeline, by day
    translation = timeline[timeline.index('class="member role-translation"'):]
    assert f'of <a href="/documents/{seed_ids["001"]}">' in translation[:translation.index("</li>")]


def test_story_page_links_its_storyline_and_the_storyline_page_lists_its_stories(client, seed_ids):
    story = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    page = client.get(f"/stories/{story}").text
    line = client.get(f"/api/stories/{story}").json()["storyline"]
    assert line is not None and f'href="/storylines/{line}"' in page
    storyline = client.get(f"/storylines/{line}")
    assert storyline.status_code == 200 and f'href="/stories/{story}"' in storyline.text
    assert f'href="/documents/{seed_ids["001"]}"' in storyline.text  # its members' timeline
    assert client.get("/storylines/99999").status_code == 404


def test_a_merged_away_story_id_redirects_to_the_survivor(writable, pipeline, seed_ids):
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        survivor = client.get(f"/api/documents/{seed_ids['001']}").json()["story"]
    with sqlite3.connect(writable) as db:  # as a merge leaves it: the old id names the survivor
        db.execute("INSERT INTO story_redirects(old_id, new_id) VALUES (?, ?)", (4242, survivor))
    with TestClient(create_app(writable, pipeline=pipeline)) as client:
        moved = client.get("/stories/4242", follow_redirects=False)
        assert moved.status_code == 308 and moved.headers["location"] == f"/stories/{survivor}"
        assert client.get("/stories/4242").url.path == f"/stories/{survivor}"
