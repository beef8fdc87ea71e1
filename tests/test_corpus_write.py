"""Corpus writes: what one `add` stores beside the document (agency, story), in any order."""

from __future__ import annotations

import copy

import pytest

from newsweave.corpus import Corpus
from newsweave.document import RawArticle
from newsweave.settings import Settings

from .conftest import seed_path


@pytest.mark.parametrize("order", [("001", "000"), ("000", "001")])
def test_translation_takes_the_originals_agency_whichever_arrives_first(tmp_path, pipeline, seed_docs, order):
    with Corpus(tmp_path / "c.db", pipeline.settings, pipeline=pipeline) as corpus:
        results = {n: corpus.add(copy.deepcopy(seed_docs[n])) for n in order}
        translation = corpus.view(results["000"].id)
        assert seed_docs["000"].agency is None  # the German text names no agency itself
        assert translation["agency"] == "AFP"
        assert any(results["001"].id in w for w in translation["warnings"])
        assert corpus.view(results["001"].id)["agency"] == "AFP"
        assert results["000"].story == results["001"].story


def test_a_replaced_document_leaves_no_empty_story(tmp_path, pipeline, seed_docs):
    with Corpus(tmp_path / "c.db", pipeline.settings, pipeline=pipeline) as corpus:
        first = corpus.add(copy.deepcopy(seed_docs["003"]))
        moved = copy.deepcopy(seed_docs["001"])
        moved.id, moved.source = seed_docs["003"].id, seed_docs["003"].source
        second = corpus.add(moved)
        assert second.outcome == "updated" and second.id == first.id
        assert [s.documents for s in corpus.stories()] == [[first.id]]


def test_a_source_that_failed_before_loses_its_failure_once_it_is_stored(tmp_path, pipeline):
    """A fixed input stored by a later run (or found already stored) is no longer listed as failed."""
    text = seed_path("001").read_bytes()
    with Corpus(tmp_path / "c.db", Settings(), pipeline=pipeline) as corpus:
        corpus.record_failure("a.txt", "not UTF-8 (an earlier version of the file)")
        corpus.record_failure("b.txt", "empty file")
        corpus.add(RawArticle(text, "a.txt"))
        assert [f.source for f in corpus.failures()] == ["b.txt"]
        corpus.record_failure("a.txt", "a stale record")
        assert corpus.add(RawArticle(text, "a.txt")).outcome == "unchanged"
        assert [f.source for f in corpus.failures()] == ["b.txt"]
