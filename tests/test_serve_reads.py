"""Corpus's read models, through the Python API the CLI and the server format: filtered,
keyset-paged lists of documents, stories and entities; one entity; failures."""

from __future__ import annotations

import pytest

from newsweave.corpus import Corpus
from newsweave.document import DocumentSummary, EntityDetail, Page, Story
from newsweave.errors import NotFound, SearchError

from .conftest import run_cli


@pytest.fixture(scope="module")
def seeds(seed_db):
    with Corpus(seed_db) as corpus:
        yield corpus


def test_documents_page_through_every_document_once(seeds, seed_ids):
    everything = seeds.documents()
    assert isinstance(everything, Page) and everything.next is None
    assert all(isinstance(d, DocumentSummary) for d in everything)
    paged, cursor = [], None
    while True:
        page = seeds.documents(limit=2, cursor=cursor)
        paged += [d.id for d in page]
        if page.next is None:
            break
        cursor = page.next
    assert paged == [d.id for d in everything] == [seed_ids[n] for n in sorted(seed_ids)]


def test_documents_filter_like_search(seeds, seed_ids):
    assert {d.id for d in seeds.documents(lang="de")} == {seed_ids["000"], seed_ids["003"]}
    assert [d.id for d in seeds.documents(agency="Reuters")] == [seed_ids["003"]]
    dated = seeds.documents(date_from="2023-09-29", date_to="2023-09-29")
    assert dated and all(d.published.startswith("2023-09-29") for d in dated)
    with pytest.raises(SearchError, match="not a date"):
        seeds.documents(date_from="soon")
    with pytest.raises(SearchError, match="cursor"):
        seeds.documents(cursor="bm90IGEgY3Vyc29y")
    with pytest.raises(SearchError, match="limit"):
        seeds.documents(limit=0)


def test_stories_by_first_date_or_newest_first_and_filtered(seeds, seed_ids):
    oldest = seeds.stories()
    newest = seeds.stories(newest_first=True)
    assert all(isinstance(s, Story) for s in oldest) and len(oldest) == 4
    assert sorted(s.id for s in oldest) == sorted(s.id for s in newest)
    assert newest[0].end == max(s.end or "" for s in oldest)
    german = seeds.stories(lang="de")
    assert {d for s in german for d in s.documents} >= {seed_ids["000"], seed_ids["003"]}
    assert all("de" in s.languages for s in german)
    first = seeds.stories(limit=1)
    assert first.next and seeds.stories(limit=3, cursor=first.next).results == oldest.results[1:]


def test_entities_are_ranked_and_filtered_by_type_story_and_document(seeds, seed_ids):
    ranked = seeds.entities()
    assert ranked[0].id == "loc:country:AF" and ranked[0].documents == 5
    counts = [(-e.documents, -e.mentions) for e in ranked]
    assert counts == sorted(counts)
    assert all(e.type == "PER" for e in seeds.entities(type="PER"))
    in_doc = {e.id for e in seeds.entities(document=seed_ids["001"])}
    assert "per:lavrov" in in_doc and in_doc <= {e.id for e in ranked}
    one_story = seeds.documents()[0].story
    assert {e.id for e in seeds.entities(story=one_story)} >= in_doc & {e.id for e in seeds.entities(document=seed_ids["000"])}


def test_one_entity_has_variants_documents_days_and_companions(seeds, seed_ids):
    lavrov = seeds.entity("per:lavrov")
    assert isinstance(lavrov, EntityDetail) and lavrov.type == "PER"
    assert "Lawrow" in " ".join(lavrov.variants.get("de", []))
    assert {d.id for d in lavrov.documents} >= {seed_ids["000"], seed_ids["001"]}
    assert sum(lavrov.timeline.values()) == sum(1 for d in lavrov.documents if d.published)
    assert "org:taliban" in {e["id"] for e in lavrov.seen_with}
    with pytest.raises(NotFound):
        seeds.entity("per:nobody")


def test_failures_are_listed_with_their_reason(tmp_path, pipeline):
    with Corpus(tmp_path / "f.db", pipeline.settings, pipeline=pipeline) as corpus:
        corpus.record_failure("broken.html", "not an article")
        assert [(f.source, f.reason) for f in corpus.failures()] == [("broken.html", "not an article")]


def test_serve_refuses_a_missing_database(tmp_path):
    code, _, stderr = run_cli("serve", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "no database" in stderr
