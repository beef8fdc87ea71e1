"""Search: keyword (FTS5), cross-lingual semantic (persistent ANN index), fusion, filters, CLI."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import pytest

from newsweave.corpus import Corpus
from newsweave.errors import SearchError
from newsweave.search import MARK_CLOSE, MARK_OPEN, marked_parts
from newsweave.store.sqlite import SCHEMA_VERSION
from tests.conftest import run_cli

TAJIK_QUERY = "Tajikistan asks Russia-led bloc for help at Afghan border"


@pytest.fixture(scope="module")
def seeds(seed_db: Path, pipeline):
    with Corpus(seed_db, pipeline.settings, pipeline=pipeline) as corpus:
        yield corpus


def ids(page) -> list[str]:
    return [hit.id for hit in page]


# -- targets on the seeds -----------------------------------------------------------------


def test_kasan_taliban_talks_ranks_the_kasan_article_first(seeds, seed_ids):
    assert ids(seeds.search("Kasan Taliban Gespräche"))[0] == seed_ids["000"]


def test_an_english_headline_finds_its_german_article_in_the_top_two(seeds, seed_ids):
    hits = seeds.search(TAJIK_QUERY)
    assert seed_ids["003"] in ids(hits)[:2]
    assert hits[ids(hits).index(seed_ids["003"])].language == "de"


def test_similar_documents_cross_languages(seeds, seed_ids):
    similar = seeds.similar(seed_ids["000"], limit=3)
    assert seed_ids["000"] not in ids(similar)
    assert similar[0].id == seed_ids["001"] and similar[0].language == "en"  # the same talks, in English
    assert similar[0].score > similar[-1].score


# -- keyword search -----------------------------------------------------------------------


def test_diacritics_are_folded_and_the_hit_is_marked(seeds, seed_ids):
    for query in ("Gesprache", "GESPRÄCHE", "gespräche"):
        hits = seeds.search(query, mode="keyword")
        assert ids(hits) == [seed_ids["000"]], query
    assert f"{MARK_OPEN}Gespräche{MARK_CLOSE}" in hits[0].snippet
    assert ("Gespräche", True) in marked_parts(hits[0].snippet)


def test_a_quoted_phrase_must_appear_in_order(seeds, seed_ids):
    hits = seeds.search('"Afghanistan zu helfen"', mode="keyword")
    assert ids(hits) == [seed_ids["003"]]
    assert f"{MARK_OPEN}Afghanistan zu helfen{MARK_CLOSE}" in hits[0].snippet
    assert ids(seeds.search('"afghanischen Grenze"', mode="keyword")) == [seed_ids["003"]]  # in the title
    assert ids(seeds.search('"Grenze afghanischen"', mode="keyword")) == []
    assert ids(seeds.search('"helfen Afghanistan zu"', mode="keyword")) == []


def test_a_prefix_matches_word_starts_only(seeds, seed_ids):
    assert set(ids(seeds.search("Lawr*", mode="keyword"))) == {seed_ids["000"], seed_ids["003"]}  # Lawrow
    assert ids(seeds.search("Lawr", mode="keyword")) == []
    assert ids(seeds.search("awrow*", mode="keyword")) == []


def test_punctuation_and_fts_keywords_are_searched_as_text(seeds):
    for query in ("Russia-led", "NEAR AND OR NOT", "bloc (help)", "title:Taliban", "^Taliban", "a + b"):
        seeds.search(query, mode="keyword")  # no SearchError: every term reaches FTS5 quoted


@pytest.mark.parametrize("query", ['"unclosed phrase', "*", "**", "tajik*istan", "*tajik", "", "   ", '""', "x" * 600])
def test_a_malformed_query_is_a_search_error(seeds, query):
    with pytest.raises(SearchError):
        seeds.search(query)


@pytest.mark.parametrize(
    "arguments",
    [{"date_from": "2023-13-01"}, {"date_to": "yesterday"}, {"cursor": "abc"}, {"cursor": "99999"},
     {"limit": 0}, {"limit": 101}, {"mode": "fuzzy"}],
)
def test_bad_arguments_are_search_errors(seeds, arguments):
    with pytest.raises(SearchError):
        seeds.search("Taliban", **arguments)


# -- filters, grouping, pages -------------------------------------------------------------


def test_filters_narrow_the_hits(seeds, seed_ids, seed_db):
    english = seeds.search("Taliban", lang="en")
    assert english and {h.language for h in english} == {"en"}
    dated = seeds.search("Taliban", date_from="2023-09-01", date_to="2023-09-30")
    # 001 states its date; its German translation 000 reads "am Freitag" against its story's date
    assert set(ids(dated)) == {seed_ids["001"], seed_ids["000"]}
    assert ids(seeds.search("Taliban", date_to="2023-09-28")) == []
    assert ids(seeds.search("Taliban", agency="Reuters")) == [seed_ids["003"]]
    assert {h.story for h in seeds.search("Taliban", story=1)} == {1}
    code, stdout, _ = run_cli("entity", "loc:country:TJ", "--db", str(seed_db), "--json")
    naming_tajikistan = {d["id"] for d in json.loads(stdout)["documents"]}
    hits = seeds.search("Taliban", entity="loc:country:TJ")
    assert code == 0 and hits and set(ids(hits)) <= naming_tajikistan


def test_grouped_hits_keep_each_story_together(seeds):
    plain = seeds.search("Taliban Russia talks", limit=20)
    grouped = seeds.search("Taliban Russia talks", limit=20, group_by_story=True)
    assert sorted(ids(plain)) == sorted(ids(grouped))
    stories = [h.story for h in grouped]
    runs = [s for i, s in enumerate(stories) if i == 0 or stories[i - 1] != s]
    assert len(runs) == len(set(runs))  # a story's hits never come back after another story's
    assert stories[0] == plain[0].story  # stories in the order of their best hit


def test_pages_follow_the_cursor(seeds):
    first = seeds.search("Taliban", limit=2)
    second = seeds.search("Taliban", limit=2, cursor=first.next)
    assert first.next == "2"
    assert ids(first) + ids(second) == ids(seeds.search("Taliban", limit=4))


# -- Chinese and Japanese -----------------------------------------------------------------

CHINESE = (
    "北京大学的研究人员周三发表了一项关于气候变化对农业影响的新研究。研究显示，过去十年中国北方的降雨量明显减少，"
    "农民不得不调整种植计划。专家呼吁政府加大对节水灌溉技术的投入。"
)
GERMAN = (
    "Forscher der Universität Heidelberg haben am Mittwoch eine neue Studie über Bienen vorgestellt. "
    "Die Zahl der Wildbienen in Süddeutschland ist in den letzten zehn Jahren deutlich gesunken, "
    "berichten die Autoren. Landwirte sollen mehr Blühstreifen anlegen."
)


def test_chinese_is_found_by_substring(corpus):
    zh = corpus.add(CHINESE, source="zh.txt", language="zh", title="气候变化影响中国北方农业").id
    corpus.add(GERMAN, source="de.txt", language="de")
    for query in ("气候变化", "节水灌溉", "北京", "降雨"):  # words inside a run of characters, 2 and 4 long
        hits = corpus.search(query, mode="keyword")
        assert ids(hits) == [zh], query
    hits = corpus.search("农业影响", mode="keyword")
    assert ids(hits) == [zh] and f"{MARK_OPEN}农业影响{MARK_CLOSE}" in hits[0].snippet
    assert ids(corpus.search("Bienen", mode="keyword")) != [zh]


# -- the semantic index -------------------------------------------------------------------


def test_the_vector_index_persists_catches_up_and_drops_replaced_documents(tmp_path, pipeline, seed_docs):
    db = tmp_path / "c.db"
    index = Path(str(db) + ".vectors.usearch")
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        for n in ("000", "001"):
            corpus.add(copy.deepcopy(seed_docs[n]))
        found = ids(corpus.search("Russia hosts Taliban talks", mode="semantic"))
        assert sorted(found) == sorted([seed_docs["000"].id, seed_docs["001"].id])
    assert index.exists()
    saved = index.stat().st_mtime_ns

    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        assert not corpus.searcher.semantic.loaded  # loads on the first semantic query, not on open
        corpus.search("Taliban", mode="semantic")
        assert len(corpus.searcher.semantic) == 2
    assert index.stat().st_mtime_ns == saved  # loaded as saved: nothing new, nothing rebuilt or written

    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        corpus.add(copy.deepcopy(seed_docs["003"]))  # stored after the index was saved
        hits = corpus.search(TAJIK_QUERY, mode="semantic")
        assert ids(hits)[0] == seed_docs["003"].id
        assert corpus.searcher.semantic.high_water == 3

        other = Corpus(db, pipeline.settings, pipeline=pipeline)  # another writer replaces 000
        replacement = copy.deepcopy(seed_docs["004"])
        replacement.id, replacement.source = seed_docs["000"].id, seed_docs["000"].source
        assert other.add(replacement).outcome == "updated"
        other.close()

        hits = corpus.search("Kasan Taliban Gespräche", mode="semantic", limit=10)
        assert len(ids(hits)) == len(set(ids(hits))) == 3  # the old version's vector is dropped
        assert hits[ids(hits).index(seed_docs["000"].id)].title == seed_docs["004"].title  # the new version
        assert len(corpus.searcher.semantic) == 3
    assert json.loads(Path(str(index) + ".json").read_text())["seq"] == 4


def test_an_index_left_beside_a_recreated_database_is_not_used(tmp_path, pipeline, seed_docs):
    db = tmp_path / "c.db"
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        for n in ("000", "001"):
            corpus.add(copy.deepcopy(seed_docs[n]))
        corpus.search("Taliban", mode="semantic")
    for part in tmp_path.glob("c.db*"):
        if "vectors" not in part.name:
            part.unlink()
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:  # the same seqs, other documents
        for n in ("003", "004"):
            corpus.add(copy.deepcopy(seed_docs[n]))
        assert ids(corpus.search(TAJIK_QUERY, mode="semantic"))[0] == seed_docs["003"].id


def test_an_older_database_gets_its_search_tables_filled(tmp_path, pipeline, seed_docs):
    db = tmp_path / "old.db"
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        corpus.add(copy.deepcopy(seed_docs["003"]))
    with sqlite3.connect(db) as raw:  # as a schema-3 database was: no search tables
        for trigger in ("search_insert", "search_delete", "search_update"):
            raw.execute(f"DROP TRIGGER {trigger}")
        for table in ("search_words", "search_cjk"):
            raw.execute(f"DROP TABLE {table}")
        for view in ("search_text", "search_cjk_text"):
            raw.execute(f"DROP VIEW {view}")
        for table in ("storylines", "story_redirects", "feeds", "feed_items"):  # and what schema 5 added
            raw.execute(f"DROP TABLE {table}")
        raw.execute("DROP INDEX stories_storyline")
        raw.execute("DROP TRIGGER minhash_bands_delete")  # and what schema 6 added
        raw.execute("DROP TABLE minhash_bands")
        raw.execute("ALTER TABLE entities DROP COLUMN documents")  # and what schema 7 added
        for column in ("storyline_id", "summary"):
            raw.execute(f"ALTER TABLE stories DROP COLUMN {column}")
        raw.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        assert corpus.store.schema_version == SCHEMA_VERSION
        assert ids(corpus.search("Tadschikistan", mode="keyword")) == [seed_docs["003"].id]


# -- the command line ---------------------------------------------------------------------


def test_cli_search_json_shape(seed_db, seed_ids):
    code, stdout, _ = run_cli("search", "Kasan Taliban Gespräche", "--db", str(seed_db), "--json", "--limit", "3")
    rows = json.loads(stdout)
    assert code == 0 and 1 <= len(rows) <= 3
    assert all(list(r) == ["id", "title", "language", "published", "story", "score", "snippet"] for r in rows)
    assert rows[0]["id"] == seed_ids["000"]


def test_cli_search_table_and_filters(seed_db, seed_ids):
    code, stdout, _ = run_cli("search", "Taliban", "--db", str(seed_db), "--lang", "de", "--limit", "5")
    assert code == 0 and seed_ids["000"] in stdout and seed_ids["001"] not in stdout
    assert MARK_OPEN not in stdout  # marks are rendered, not printed


@pytest.mark.parametrize("arguments", [['"unclosed'], ["Taliban", "--from", "31.12.2023"]])
def test_cli_search_error_is_one_line_and_exit_code_1(seed_db, arguments):
    code, stdout, stderr = run_cli("search", *arguments, "--db", str(seed_db))
    assert code == 1 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
