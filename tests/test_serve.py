"""The HTTP API and pages through the ASGI test client, over the seed corpus: every
endpoint, paging, bad parameters, unknown ids, the write endpoint and its guards."""

from __future__ import annotations

import re
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

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
        assert '<textarea name="text"' in form and "Text or HTML of the article" in form and 'name="token"' not in form
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
