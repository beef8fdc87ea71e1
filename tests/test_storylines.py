"""Storylines (the stories of one affair), merged-away story ids, and reprocessing that keeps
story ids: through the CLI, the Corpus and the HTTP API, over the seeds and small corpora."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from fastapi.testclient import TestClient

import newsweave
from newsweave.document import Story, Storyline, StorylineDetail
from newsweave.serve import create_app
from newsweave.stories.storylines import StoryProfile, within_window

from .conftest import SHARED_EVAL, run_cli


def cli_json(*args: str):
    code, stdout, stderr = run_cli(*args, "--json")
    assert code == 0, stderr
    return json.loads(stdout)


def test_the_seeds_four_stories_form_one_storyline(seed_db):
    stories = cli_json("stories", "--db", str(seed_db))
    lines = cli_json("storylines", "--db", str(seed_db))
    assert len(stories) == 4 and len(lines) == 1
    line = lines[0]
    assert set(line) == {"id", "title", "stories", "start", "end", "languages"}
    assert sorted(line["stories"]) == sorted(s["id"] for s in stories)
    assert line["languages"] == ["de", "en"]
    assert "Taliban" in line["title"]
    assert all(s["storyline"] == line["id"] for s in stories)


def test_storyline_shows_its_stories_in_time_order_and_their_members_timeline(seed_db, seed_ids):
    line = cli_json("storylines", "--db", str(seed_db))[0]
    shown = cli_json("storyline", str(line["id"]), "--db", str(seed_db))
    assert [story["id"] for story in shown["members"]] == shown["stories"] == line["stories"]
    starts = [story["start"] or "9999" for story in shown["members"]]
    assert starts == sorted(starts)  # dated stories by date, undated last
    entries = [entry for day in shown["timeline"] for entry in day["entries"]]
    assert sorted(entry["document"] for entry in entries) == sorted(seed_ids.values())
    days = [day["day"] or "9999" for day in shown["timeline"]]
    assert days == sorted(days)
    translation = next(entry for entry in entries if entry["document"] == seed_ids["000"])
    assert translation["role"] == "translation" and translation["first_report"] == seed_ids["001"]
    code, stdout, _ = run_cli("storyline", str(line["id"]), "--db", str(seed_db))
    assert code == 0 and "Taliban" in stdout and "Timeline" in stdout


def test_unknown_storyline_is_one_line_and_exit_code_1(seed_db):
    code, _, stderr = run_cli("storyline", "999", "--db", str(seed_db))
    assert code == 1 and "no storyline with id 999" in stderr


def test_the_python_api_reads_storylines_as_typed_records(seed_db):
    with newsweave.Corpus(seed_db) as corpus:
        (line,) = corpus.storylines()
        assert isinstance(line, Storyline)
        found = corpus.storyline(line.id)
        assert isinstance(found, StorylineDetail) and found.id == line.id and found.stories == line.stories
        assert all(isinstance(s, Story) and s.storyline == line.id for s in found.members)
        assert [s.id for s in found.members] == line.stories
        assert len(found.timeline) > 0
        brief = corpus.storyline(line.id, with_timeline=False)  # what a story page needs: no member read
        assert brief.timeline == [] and brief.stories == found.stories and brief.title == found.title


def test_api_lists_and_shows_storylines_and_stories_name_theirs(seed_db, pipeline):
    with TestClient(create_app(seed_db, pipeline=pipeline)) as client:
        listing = client.get("/api/storylines").json()
        assert set(listing) == {"results", "next"} and len(listing["results"]) == 1
        line = listing["results"][0]
        shown = client.get(f"/api/storylines/{line['id']}").json()
        assert shown["stories"] == line["stories"] and len(shown["members"]) == 4 and shown["timeline"]
        story = client.get(f"/api/stories/{line['stories'][0]}").json()
        assert story["storyline"] == line["id"]
        missing = client.get("/api/storylines/999")
        assert missing.status_code == 404 and missing.json()["error"]["code"]


@pytest.mark.skipif(not (SHARED_EVAL / "event-clusters" / "ecbplus-dev.jsonl").exists(), reason="needs ../shared/eval")
def test_stories_of_different_ecb_topics_never_share_a_storyline(tmp_path, pipeline):
    rows = [json.loads(line) for line in (SHARED_EVAL / "event-clusters" / "ecbplus-dev.jsonl").open(encoding="utf-8")]
    picked = [r for topic in (1, 3, 4, 8) for r in [r for r in rows if r["topic"] == topic][:3]]
    with newsweave.Corpus(tmp_path / "ecb.db", pipeline.settings, pipeline=pipeline) as corpus:
        for row in picked:
            corpus.add(row["text"], source=row["id"], id=row["id"])
        topic_of = {r["id"]: r["topic"] for r in picked}
        for line in corpus.storylines():
            members = [d for story in corpus.storyline(line.id).members for d in story.documents]
            assert len({topic_of[d] for d in members}) == 1, line


def test_a_storyline_window_keeps_stories_years_apart_out():
    a = StoryProfile(1, {}, None, "2021-07-01", "2021-07-03")
    b = StoryProfile(2, {}, None, "2023-09-29", "2023-09-29")
    undated = StoryProfile(3, {}, None)
    assert within_window(a, b, 900) and not within_window(a, b, 365)
    assert within_window(a, undated, 0)


# -- merged-away story ids ------------------------------------------------------------------

_WORDS = [
    "council", "budget", "river", "harbour", "engineers", "contract", "bridge", "repair", "weather", "delays",
    "ferry", "traffic", "minister", "village", "school", "doctors", "hospital", "funding", "railway", "station",
    "farmers", "harvest", "market", "prices", "workers", "strike", "union", "wages", "factory", "export",
    "shipping", "port", "storm", "flood", "coast", "police", "court", "judge", "election", "mayor", "voters",
    "campaign", "museum", "library", "festival", "tourists", "hotel", "airport", "pilots", "runway",
]


def _bridged_texts() -> tuple[str, str, str]:
    """A and B share four of six paragraphs (too little to be near duplicates); C holds all of
    both, so it is a near duplicate of each and bridges their stories."""
    rng = random.Random(1)

    def para() -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(40)).capitalize() + "."

    core, x, y = [para() for _ in range(4)], [para() for _ in range(2)], [para() for _ in range(2)]
    return tuple("\n\n".join(parts) for parts in (core + x, core + y, core + x + y))


def test_a_merged_away_story_id_names_its_survivor(tmp_path, pipeline):
    a, b, c = _bridged_texts()
    db = tmp_path / "merge.db"
    with newsweave.Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        first = corpus.add(a, source="a", published="2020-01-01", title="Harbour bridge")
        second = corpus.add(b, source="b", published="2020-03-01", title="Harbour bridge repairs")
        assert first.story != second.story  # two months apart and not near duplicates
        bridge = corpus.add(c, source="c", published="2020-02-01", title="Harbour bridge, ferry and port")
        assert bridge.story == first.story
        survivor, members = corpus.story(second.story)
        assert survivor.id == first.story and {d.id for d, _ in members} == {first.id, second.id, bridge.id}
        assert [s.id for s in corpus.stories()] == [first.story]
        assert [line.stories for line in corpus.storylines()] == [[first.story]]  # none left empty
    assert cli_json("story", str(second.story), "--db", str(db))["id"] == first.story
    with TestClient(create_app(db, pipeline=pipeline)) as client:
        assert client.get(f"/api/stories/{second.story}").json()["id"] == first.story


# -- reprocessing ---------------------------------------------------------------------------


def test_reprocess_all_keeps_the_seeds_story_and_storyline_ids(seed_db, tmp_path):
    db = tmp_path / "again.db"
    shutil.copy(seed_db, db)
    before = {s["id"]: sorted(s["documents"]) for s in cli_json("stories", "--db", str(db))}
    lines_before = {line["id"]: sorted(line["stories"]) for line in cli_json("storylines", "--db", str(db))}
    code, _, stderr = run_cli("reprocess", "--all", "--db", str(db), "--quiet")
    assert code == 0, stderr
    assert "reprocessed 5" in stderr
    after = {s["id"]: sorted(s["documents"]) for s in cli_json("stories", "--db", str(db))}
    assert after == before
    assert {line["id"]: sorted(line["stories"]) for line in cli_json("storylines", "--db", str(db))} == lines_before


def test_stored_inputs_are_the_corpus_door_for_reprocessing(seed_db):
    with newsweave.Corpus(seed_db) as corpus:
        everything = list(corpus.stored_inputs(outdated_only=False))
        assert len(everything) == len(corpus) == 5
        assert {raw.source for raw in everything} == {d.source for d in corpus.documents()}
        assert list(corpus.stored_inputs()) == []  # all made by this pipeline version
