"""`why`: whether two stored documents share a story or storyline, and the evidence, through
the CLI, the Corpus and the HTTP API, over the seed corpus."""

from __future__ import annotations

import json
import math

from fastapi.testclient import TestClient

import newsweave
from newsweave.document import Why
from newsweave.serve import create_app
from newsweave.settings import Settings
from newsweave.stories.cluster import DECISION_WEIGHTS
from newsweave.stories.signals import SIGNALS

from .conftest import run_cli


def why_json(seed_db, a: str, b: str) -> dict:
    code, stdout, stderr = run_cli("why", a, b, "--db", str(seed_db), "--json")
    assert code == 0, stderr
    return json.loads(stdout)


def test_a_translation_pair_shares_its_story_and_shows_the_link(seed_db, seed_ids):
    found = why_json(seed_db, seed_ids["000"], seed_ids["001"])
    assert {"same_story", "same_storyline", "similarity", "threshold", "signals", "links"} <= set(found)
    assert found["same_story"] is True and found["same_storyline"] is True
    assert found["threshold"] == Settings().story_similarity and found["decided_by"] == "story_decision"
    assert set(found["signals"]) == set(DECISION_WEIGHTS) and set(found["event_model"]["signals"]) == set(SIGNALS)
    # the score is the decision's logistic of the parts it lists
    assert abs(found["similarity"] - 1 / (1 + math.exp(-sum(found["contributions"].values())))) < 1e-3
    assert found["similarity"] >= found["threshold"]
    assert [link["kind"] for link in found["links"]] == ["translation"]
    assert any(e["id"] == "org:taliban" for e in found["shared_entities"])


def test_two_stories_of_one_affair_share_only_the_storyline(seed_db, seed_ids):
    found = why_json(seed_db, seed_ids["001"], seed_ids["003"])
    assert found["same_story"] is False and found["same_storyline"] is True
    assert found["stories"][0] != found["stories"][1] and found["storylines"][0] == found["storylines"][1]
    assert found["similarity"] < found["threshold"]  # the decision keeps the two events apart
    assert {link["kind"] for link in found["links"]} <= {"related"}  # no duplicate or translation binds them


def test_why_accepts_id_prefixes_and_prints_a_table(seed_db, seed_ids):
    code, stdout, _ = run_cli("why", seed_ids["000"][:8], seed_ids["001"][:8], "--db", str(seed_db))
    assert code == 0 and "same story" in stdout and "lead_body" in stdout and "translation" in stdout


def test_why_with_an_unknown_document_is_one_line_and_exit_code_1(seed_db, seed_ids):
    code, _, stderr = run_cli("why", seed_ids["000"], "no-such-document", "--db", str(seed_db))
    assert code == 1 and "no document matches" in stderr


def test_the_python_api_and_http_give_the_same_evidence(seed_db, seed_ids, pipeline):
    with newsweave.Corpus(seed_db) as corpus:
        found = corpus.why(seed_ids["002"], seed_ids["004"])
    assert isinstance(found, Why) and found.documents == [seed_ids["002"], seed_ids["004"]]
    with TestClient(create_app(seed_db, pipeline=pipeline)) as client:
        answer = client.get("/api/why", params={"a": seed_ids["002"], "b": seed_ids["004"]})
        assert answer.status_code == 200 and answer.json() == json.loads(json.dumps(found.to_dict()))
        missing = client.get("/api/why", params={"a": seed_ids["002"], "b": "nothing-like-it"})
        assert missing.status_code == 404 and set(missing.json()) == {"error"}
