"""The pipeline as a list of named stages: order, what each needs, and the per-stage profile."""

from __future__ import annotations

import dataclasses

import pytest

from newsweave.document import Document, RawArticle
from newsweave.errors import ConfigError, InputError
from newsweave.pipeline import Pipeline, Stage, StageTiming, check_order, profile_table
from newsweave.settings import Settings

from .conftest import run_cli, seed_path

STAGES = ["read", "repeats", "metadata", "boilerplate", "hints", "body", "language", "dates", "entities", "embed",
          "fingerprint"]


def fresh(pipeline: Pipeline, **settings) -> Pipeline:
    """A pipeline of its own (its own stage list and profile) sharing the session's models."""
    return Pipeline(Settings(**settings), embedder=pipeline.embedder, recognizer=pipeline.recognizer)


def test_process_runs_every_named_stage_once_per_article_and_times_it(pipeline):
    own = fresh(pipeline)
    assert [stage.name for stage in own.stages] == STAGES
    for prefix in ("000", "003"):
        own.process(RawArticle(seed_path(prefix).read_bytes(), prefix))
    profile = own.profile()
    assert [t.name for t in profile] == STAGES
    assert all(t.documents == 2 and t.seconds > 0 for t in profile)
    own.reset_profile()
    assert all(t.documents == 0 and t.seconds == 0 for t in own.profile())


def test_an_article_that_fails_is_counted_by_the_stages_it_reached(pipeline):
    own = fresh(pipeline)
    with pytest.raises(InputError, match="no article text left"):
        own.process(RawArticle(b"Home\n\nMenu\n\nShare", "furniture.txt"))
    counts = {t.name: t.documents for t in own.profile()}
    assert counts == {name: int(i <= STAGES.index("body")) for i, name in enumerate(STAGES)}


def test_clean_runs_only_the_cleaning_stages_and_keeps_a_stated_language(pipeline):
    own = fresh(pipeline)
    doc = own.clean(RawArticle(seed_path("001").read_bytes(), "001", hints={"language": "en", "title": "Stated"}))
    assert doc.title == "Stated" and doc.language == "en" and doc.vector is None and doc.reading is None
    assert {t.name for t in own.profile() if t.documents} == set(STAGES[: STAGES.index("body") + 1])


def test_without_entities_the_entity_stage_is_not_in_the_list(pipeline):
    own = fresh(pipeline, entities=False)
    assert "entities" not in [stage.name for stage in own.stages]
    assert own.process(RawArticle(seed_path("003").read_bytes(), "003")).entities == []


def test_a_stage_added_to_the_list_runs_in_its_place_and_is_profiled(pipeline):
    own = fresh(pipeline)
    seen: list[int] = []

    def count_words(doc: Document) -> Document:
        seen.append(doc.words)
        return doc

    own.stages.insert(own.stages.index(next(s for s in own.stages if s.name == "language")),
                      Stage("count", count_words, needs=("paragraphs",)))
    doc = own.process(RawArticle(seed_path("002").read_bytes(), "002"))
    assert seen == [doc.words]
    assert [t.name for t in own.profile() if t.documents][-6:] == [
        "count", "language", "dates", "entities", "embed", "fingerprint"]


def test_a_stage_ordered_before_what_it_needs_is_refused(pipeline):
    stages = fresh(pipeline).stages
    embed = next(s for s in stages if s.name == "embed")
    with pytest.raises(ConfigError, match="stage 'embed' needs paragraphs, title, which no stage before it sets"):
        check_order([embed, *stages])
    with pytest.raises(ConfigError, match="'embed' appears twice"):
        check_order([*stages, embed])
    check_order(stages)
    check_order([dataclasses.replace(embed, needs=("reading",))])


def test_profile_table_shows_docs_seconds_ms_per_doc_and_share():
    lines = profile_table([StageTiming("read", 4, 1.0), StageTiming("embed", 2, 3.0)])
    assert lines[0].split() == ["stage", "docs", "seconds", "ms/doc", "share"]
    assert lines[1].split() == ["read", "4", "1.00", "250.00", "25.0%"]
    assert lines[2].split() == ["embed", "2", "3.00", "1500.00", "75.0%"]
    assert lines[3].split() == ["total", "4", "4.00", "1000.00", "100.0%"]
    assert len({len(line) for line in lines}) == 1


def test_ingest_profile_prints_the_stage_table_on_stderr(tmp_path):
    code, stdout, stderr = run_cli("ingest", str(seed_path("003")), "--db", str(tmp_path / "p.db"), "--quiet", "--profile")
    assert code == 0 and stdout == ""
    rows = {line.split()[0]: line.split()[1:] for line in stderr.splitlines()[1:] if line.split()}
    assert set(STAGES) <= set(rows) and "total" in rows
    assert rows["embed"][0] == "1" and rows["total"][-1] == "100.0%"
