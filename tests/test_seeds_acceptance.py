"""Acceptance on examples/seeds, through the command line as a user runs it."""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli

BOILERPLATE = {
    "002": ["Skip to content", "Not all news on the site expresses", "ABC News"],
    "003": [
        "Siehe auch", "Weiterlesen", "Schnitt von", "(Deckung)", "Unsere Kriterien",
        "Trust-Prinzipien", "Schreibe einen Kommentar", "E-Mail-Adresse", "Erforderliche Felder",
    ],
    "004": ["Brinkwire Summary News", "Comments are closed."],
}


def show(seed_db, doc_id: str) -> dict:
    code, stdout, stderr = run_cli("show", doc_id, "--db", str(seed_db), "--json")
    assert code == 0, stderr
    return json.loads(stdout)


def test_seeds_form_four_stories_with_the_translation_pair_together(seed_db, seed_ids):
    code, stdout, _ = run_cli("stories", "--db", str(seed_db), "--json")
    assert code == 0
    stories = json.loads(stdout)
    by_doc = {d: s["id"] for s in stories for d in s["documents"]}
    groups = sorted(sorted(n for n, i in seed_ids.items() if by_doc[i] == s["id"]) for s in stories)
    assert groups == [["000", "001"], ["002"], ["003"], ["004"]]
    for story in stories:
        assert set(story) >= {"id", "title", "documents", "languages", "start", "end"}
        assert story["title"]


def test_german_000_is_linked_to_001_as_its_translation(seed_db, seed_ids):
    links = show(seed_db, seed_ids["000"])["links"]
    translation = [link for link in links if link["kind"] == "translation"]
    assert [link["other"] for link in translation] == [seed_ids["001"]]
    assert translation[0]["direction"] == "translation_of"
    pairs = translation[0]["evidence"]["paragraph_pairs"]
    assert len(pairs) >= 8  # most of the ten paragraphs align …
    assert [i for i, _, _ in pairs] == sorted(i for i, _, _ in pairs)  # … in order
    assert [j for _, j, _ in pairs] == sorted(j for _, j, _ in pairs)


def test_story_marks_001_original_and_000_translation(seed_db, seed_ids):
    stories = json.loads(run_cli("stories", "--db", str(seed_db), "--json")[1])
    story_id = next(s["id"] for s in stories if seed_ids["000"] in s["documents"])
    code, stdout, _ = run_cli("story", str(story_id), "--db", str(seed_db), "--json")
    assert code == 0
    roles = {m["id"]: m["role"] for m in json.loads(stdout)["members"]}
    assert roles == {seed_ids["001"]: "original", seed_ids["000"]: "translation"}


def test_languages_are_de_en_en_de_en(seed_db, seed_ids):
    rows = json.loads(run_cli("documents", "--db", str(seed_db), "--json")[1])
    language = {row["id"]: row["language"] for row in rows}
    assert [language[seed_ids[n]] for n in ("000", "001", "002", "003", "004")] == ["de", "en", "en", "de", "en"]


def test_000_keeps_its_ten_distinct_paragraphs_in_order(seed_db, seed_ids):
    record = show(seed_db, seed_ids["000"])
    paragraphs = [p["text"] for p in record["paragraphs"]]
    assert len(paragraphs) == 10
    assert paragraphs[0].startswith("MOSKAU: Russland war Gastgeber")
    assert paragraphs[-1].startswith("Usbekistan erlaubte")
    assert all(p["language"] == "de" for p in record["paragraphs"])


def test_004_has_no_mojibake_and_its_title_once(seed_db, seed_ids):
    record = show(seed_db, seed_ids["004"])
    assert "â€" not in record["text"] and "â€" not in (record["title"] or "")
    assert record["title"] == "Russia wants to ‘actively operate in Kabul,’ claiming the Taliban are ‘democratic.’"
    assert record["text"].count("Russia wants to ‘actively operate") == 1


@pytest.mark.parametrize("seed", sorted(BOILERPLATE))
def test_seed_boilerplate_is_gone_from_clean_text(seed_db, seed_ids, seed):
    text = show(seed_db, seed_ids[seed])["text"]
    for phrase in BOILERPLATE[seed]:
        assert phrase not in text, phrase


def test_seed_article_text_is_kept(seed_db, seed_ids):
    assert "Tajikistan involving 5,000 troops" in show(seed_db, seed_ids["002"])["text"]
    text_003 = show(seed_db, seed_ids["003"])["text"]
    assert "Emomali Rahmon" in text_003 and "geflohen waren." in text_003
    assert "possibly Isis cells" in show(seed_db, seed_ids["004"])["text"]


def test_001_metadata_title_date_agency(seed_db, seed_ids):
    record = show(seed_db, seed_ids["001"])
    assert record["title"] == "Russia Hosts Taliban Talks as It Seeks Regional Influence"
    assert record["published"] == "2023-09-29"
    assert record["agency"] == "AFP"
    assert record["url"].endswith("russia-hosts-taliban-talks-as-it-seeks-regional-influence-a82611")
    assert any("Yegor Aleyev / TASS" in c for c in record["captions"])
    assert "Yegor Aleyev" not in record["text"]


def test_000_inherits_afp_from_the_original_it_translates(seed_db, seed_ids):
    record = json.loads(run_cli("show", seed_ids["000"], "--db", str(seed_db), "--json")[1])
    assert record["agency"] == "AFP"
    assert any(seed_ids["001"] in w for w in record["warnings"])
    rows = json.loads(run_cli("documents", "--db", str(seed_db), "--json")[1])
    assert {r["id"]: r["agency"] for r in rows}[seed_ids["000"]] == "AFP"


def test_003_agency_is_reuters_and_caption_date_is_not_publication_date(seed_db, seed_ids):
    record = show(seed_db, seed_ids["003"])
    assert record["agency"] == "Reuters"
    assert record["dateline"] == "Moskau"
    assert record["published"] != "2021-07-02"
    assert any("Pavel Golovkin" in c for c in record["captions"])


def test_show_json_has_the_documented_fields(seed_db, seed_ids):
    record = show(seed_db, seed_ids["001"])
    for key in ("id", "source", "language", "title", "published", "agency", "words", "text",
                "paragraphs", "links", "story", "raw_sha256"):
        assert key in record, key
    for link in record["links"]:
        assert link["kind"] in {"duplicate", "near_duplicate", "translation", "related"}
        assert isinstance(link["score"], float) and link["evidence"]


def test_documents_json_lists_sources_and_word_counts(seed_db):
    rows = json.loads(run_cli("documents", "--db", str(seed_db), "--json")[1])
    assert len(rows) == 5
    for row in rows:
        assert row["source"].endswith(".txt") and row["words"] > 100
        assert set(row) >= {"id", "source", "language", "title", "published", "agency", "words"}


def test_ingesting_the_seeds_again_is_a_no_op(seed_db, tmp_path):
    from .conftest import SEEDS  # the fixture ingested a copy; same bytes, other paths
    rows_before = json.loads(run_cli("documents", "--db", str(seed_db), "--json")[1])
    sources = sorted({str(__import__("pathlib").Path(r["source"]).parent) for r in rows_before})
    code, _, stderr = run_cli("ingest", *sources, "--db", str(seed_db), "--quiet")
    assert code == 0
    assert "ingested 0, updated 0, unchanged 5, failed 0" in stderr
    assert SEEDS.exists()
