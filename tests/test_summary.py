"""Story summaries and headlines: extractive, in the story's main language, each sentence
citing its member, kept current as members arrive without reading the others again."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from newsweave.corpus import Corpus
from newsweave.document import Document, Paragraph, RawArticle
from newsweave.stories.summary import SummaryState, add_member, finish, sentences

from .conftest import run_cli, seed_path


def story_json(seed_db, story_id: int) -> dict:
    code, stdout, stderr = run_cli("story", str(story_id), "--db", str(seed_db), "--json")
    assert code == 0, stderr
    return json.loads(stdout)


def seed_story(seed_db, doc_id: str) -> dict:
    _, stdout, _ = run_cli("stories", "--db", str(seed_db), "--json")
    story_id = next(s["id"] for s in json.loads(stdout) if doc_id in s["documents"])
    return story_json(seed_db, story_id)


def test_the_kazan_story_has_an_english_summary_and_headline_citing_its_members(seed_db, seed_ids):
    story = seed_story(seed_db, seed_ids["001"])
    assert story["headline"] == "Russia Hosts Taliban Talks as It Seeks Regional Influence"
    assert story["language"] == "en"
    assert 3 <= len(story["summary"]) <= 5
    texts = [s["text"] for s in story["summary"]]
    assert len(set(texts)) == len(texts)
    for sentence in story["summary"]:
        assert sentence["document"] in story["documents"]
        _, stdout, _ = run_cli("show", sentence["document"], "--db", str(seed_db), "--json")
        assert sentence["text"] in json.loads(stdout)["text"]  # extractive: the member's own words
    assert any("Taliban" in t for t in texts)


def test_every_seed_story_has_a_summary_in_its_main_language(seed_db, seed_ids):
    _, stdout, _ = run_cli("stories", "--db", str(seed_db), "--json")
    languages = {}
    for row in json.loads(stdout):
        story = story_json(seed_db, row["id"])
        assert 3 <= len(story["summary"]) <= 5, story["summary"]
        assert story["headline"] and story["headline"] == story["title"]
        languages[tuple(story["documents"])] = story["language"]
    assert languages[(seed_ids["003"],)] == "de"  # the Tajikistan story is German only
    assert languages[(seed_ids["004"],)] == "en"


def test_the_api_story_carries_headline_and_summary(seed_db, seed_ids, pipeline):
    from fastapi.testclient import TestClient

    from newsweave.serve import create_app

    story = seed_story(seed_db, seed_ids["001"])
    with TestClient(create_app(seed_db, pipeline=pipeline)) as client:
        body = client.get(f"/api/stories/{story['id']}").json()
    assert body["headline"] == story["headline"]
    assert body["summary"] == story["summary"]
    assert [day["entries"] for day in body["timeline"]] == [day["entries"] for day in story["timeline"]]
    assert [day["documents"] for day in body["timeline"]] == [2]


def test_duplicates_join_without_rereading_members_or_repeating_sentences(tmp_path, pipeline):
    """Five copies of one article join its story: each arrival reads no earlier member's
    vectors (the story keeps a bounded pool), and the copies add no sentences."""
    path = seed_path("001")
    original = pipeline.process(RawArticle(path.read_bytes(), str(path)))
    with Corpus(tmp_path / "dups.db", pipeline.settings, pipeline=pipeline) as corpus:
        loads: list[str] = []
        read = corpus.store.document

        def counting(doc_id: str, arrays: bool = False) -> Document:
            if arrays:
                loads.append(doc_id)
            return read(doc_id, arrays)

        corpus.store.document = counting
        first = corpus.add(original)
        for k in range(5):
            loads.clear()
            added = corpus.add(dataclasses.replace(original, id=f"copy{k}", source=f"copy{k}.txt"))
            assert added.story == first.story
            assert loads == []
        story, members = corpus.story(first.story)
    assert len(members) == 6
    assert {s.document for s in story.summary} == {original.id}
    assert len({s.text for s in story.summary}) == len(story.summary) >= 3


def test_sentences_keep_initials_abbreviations_and_day_numbers_whole():
    assert sentences("Mr. Blinken said the U.S. embassy moved. It is in Doha!") == [
        "Mr. Blinken said the U.S. embassy moved.", "It is in Doha!"]
    assert sentences("Lawrow nahm am 2. Juli 2021 teil. Danach reiste er ab.") == [
        "Lawrow nahm am 2. Juli 2021 teil.", "Danach reiste er ab."]
    assert sentences("„Wir bleiben“, sagte er. Die Taliban übernahmen.") == [
        "„Wir bleiben“, sagte er.", "Die Taliban übernahmen."]
    assert sentences("俄罗斯主办了会谈。塔利班参加了。") == ["俄罗斯主办了会谈。", "塔利班参加了。"]


def _doc(doc_id: str, language: str, texts: list[str], rng: np.random.Generator, base: np.ndarray) -> Document:
    vectors = np.stack([base + 0.6 * rng.standard_normal(len(base)) for _ in texts]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    mean = vectors.mean(axis=0)
    return Document(doc_id, doc_id, "x", title=f"title {doc_id}", language=language, published="2024-01-02",
                    paragraphs=[Paragraph(t, language) for t in texts], paragraph_vectors=vectors,
                    vector=(mean / np.linalg.norm(mean)).astype(np.float32))


def test_the_summary_prefers_the_main_language_and_drops_a_repeated_sentence():
    rng = np.random.default_rng(7)
    base = rng.standard_normal(64).astype(np.float32)
    said = "The minister said the talks in the city would go on next week."
    state = SummaryState()
    for doc in (
        _doc("en1", "en", [said, "Delegations from ten countries arrived for the second day of talks."], rng, base),
        _doc("en2", "en", [said, "Security was tight around the venue as the meeting opened on Friday."], rng, base),
        _doc("de1", "de", ["Der Minister sagte, die Gespräche würden nächste Woche weitergehen."], rng, base),
    ):
        add_member(state, doc, "original", encode=None)
    finish(state)
    assert state.language == "en" and state.headline in {"title en1", "title en2"}
    texts = [s.text for s in state.summary]
    assert texts.count(said) == 1 and len(texts) == 3
    again = SummaryState.from_json(json.loads(json.dumps(state.to_json())))
    assert again.covers(["de1", "en1", "en2"]) and [s.text for s in again.summary] == texts
