"""The Python API and settings, as a library user calls them."""

from __future__ import annotations

import datetime as dt

import pytest

import newsweave
from newsweave.errors import ConfigError, InputError, NotFound
from newsweave.settings import Settings

from .conftest import run_cli, seed_path


def test_process_cleans_one_article_without_a_database(pipeline):
    doc = newsweave.process(seed_path("003").read_bytes(), url="https://example.org/t", pipeline=pipeline)
    assert doc.language == "de" and doc.agency == "Reuters" and doc.url == "https://example.org/t"
    assert doc.vector is not None and doc.vector.shape == (512,)
    assert len(doc.paragraph_vectors) == len(doc.paragraphs)


def test_process_reads_html(pipeline):
    html = (
        "<html><head><title>Talks in Kazan</title>"
        "<meta property='article:published_time' content='2023-09-29T10:00:00Z'></head><body>"
        "<article><h1>Russia hosts Taliban talks in Kazan</h1>"
        + "".join(f"<p>{p}</p>" for p in seed_path("001").read_text().split("\n\n")[6:16])
        + "</article><div class='comments'>Leave a Reply</div></body></html>"
    )
    doc = newsweave.process(html, pipeline=pipeline)
    assert doc.kind == "html" and doc.language == "en"
    assert doc.published == "2023-09-29"
    assert "Leave a Reply" not in doc.text and "Kazan" in doc.text


def test_process_refuses_junk_with_an_input_error(pipeline):
    with pytest.raises(InputError, match="PNG image"):
        newsweave.process(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, pipeline=pipeline)


def test_corpus_add_links_and_clusters_as_articles_arrive(tmp_path, pipeline):
    with newsweave.Corpus(tmp_path / "api.db", pipeline.settings, pipeline=pipeline) as corpus:
        first = corpus.add(seed_path("001").read_bytes(), source="001")
        second = corpus.add(seed_path("000").read_bytes(), source="000")
        third = corpus.add(seed_path("003").read_bytes(), source="003")
        again = corpus.add(seed_path("003").read_bytes(), source="003")
        assert [r.outcome for r in (first, second, third, again)] == ["ingested", "ingested", "ingested", "unchanged"]
        assert first.story == second.story != third.story
        stories = corpus.stories()
        assert len(stories) == 2 and len(corpus) == 3
        view = corpus.view("000")
        assert any(link["kind"] == "translation" and link["other"] == first.id for link in view["links"])
        with pytest.raises(NotFound):
            corpus.document("no-such-document")


def test_exact_copy_at_another_source_is_linked_as_duplicate(tmp_path, pipeline):
    with newsweave.Corpus(tmp_path / "dup.db", pipeline.settings, pipeline=pipeline) as corpus:
        a = corpus.add(seed_path("002").read_bytes(), source="site-a/002.txt")
        b = corpus.add(b"Skip to content\n\n" + seed_path("002").read_bytes(), source="site-b/002.txt")
        links = corpus.view(b.id)["links"]
        assert [(link["kind"], link["other"]) for link in links] == [("duplicate", a.id)]
        story, members = corpus.story(a.story)
        assert story.documents == [a.id, b.id]
        assert {d.id: role for d, role in members} == {a.id: "original", b.id: "duplicate"}


def test_edited_copy_is_a_near_duplicate_with_shared_paragraphs(tmp_path, pipeline):
    text = seed_path("004").read_text(encoding="utf-8")
    edited = text.replace("Since 2018, Taliban leaders", "Since 2017, Taliban delegations") + "\n\nUpdated at 10:00."
    with newsweave.Corpus(tmp_path / "near.db", pipeline.settings, pipeline=pipeline) as corpus:
        a = corpus.add(text, source="a")
        b = corpus.add(edited, source="b")
        link = next(link for link in corpus.view(b.id)["links"] if link["other"] == a.id)
        assert link["kind"] == "near_duplicate" and 0.6 <= link["score"] < 1.0
        assert len(link["evidence"]["shared_paragraphs"]) >= 12
        assert a.story == b.story


def test_two_corpora_in_one_process_share_nothing(tmp_path, pipeline):
    with newsweave.Corpus(tmp_path / "one.db", pipeline.settings, pipeline=pipeline) as one, \
         newsweave.Corpus(tmp_path / "two.db", pipeline.settings, pipeline=pipeline) as two:
        one.add(seed_path("001").read_bytes(), source="x")
        assert len(one) == 1 and len(two) == 0 and list(two.stories()) == []


def test_bad_settings_fail_early_naming_the_value_and_the_fix():
    with pytest.raises(ConfigError, match=r"near_duplicate_jaccard=1\.5 is out of range"):
        Settings(near_duplicate_jaccard=1.5)
    with pytest.raises(ConfigError, match="embedder='bert' is not known"):
        Settings(embedder="bert")
    with pytest.raises(ConfigError, match="NEWSWEAVE_THREADS='many' is not a valid int"):
        Settings.from_env({"NEWSWEAVE_THREADS": "many"})
    assert Settings.from_env({"NEWSWEAVE_MAX_ARTICLE_BYTES": "5000"}).max_article_bytes == 5000


def test_cli_reports_unknown_ids_without_a_traceback(seed_db):
    code, _, stderr = run_cli("show", "zzzz-not-there", "--db", str(seed_db))
    assert code == 1 and "no document matches 'zzzz-not-there'" in stderr
    code, _, stderr = run_cli("story", "9999", "--db", str(seed_db))
    assert code == 1 and "no story with id 9999" in stderr


@pytest.mark.parametrize(("hints", "published", "updated"), [
    ({"published": "2021-07-05", "updated": "2021-07-06T09:00:00Z"}, "2021-07-05", "2021-07-06"),
    ({"published": "2021-07-05", "updated": "2021-07-05"}, "2021-07-05", None),
    ({"updated": "2021-07-06"}, None, None),  # an update of nothing we know of is not kept
])
def test_stated_update_dates_are_kept_only_after_the_publication(hints, published, updated):
    from newsweave.document import RawArticle
    from newsweave.pipeline import Pipeline

    text = "The talks in Moscow ended on Friday without an agreement, officials of both delegations said."
    doc = Pipeline().clean(RawArticle(text.encode(), "hints.txt", hints=hints), dt.date(2026, 1, 1))
    assert (doc.published, doc.updated) == (published, updated)
