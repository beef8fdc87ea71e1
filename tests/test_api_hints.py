"""Hints handed over in Python are checked as a JSONL record's are: a bad one is an InputError
naming it, never a crash in a later stage; good ones are normalised."""

from __future__ import annotations

import pytest

import newsweave
from newsweave.errors import InputError
from newsweave.settings import Settings

from .conftest import seed_path

TEXT = seed_path("001").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("hints", "named"),
    [({"language": ["en"]}, "language"), ({"language": 7}, "language"), ({"title": ["x"]}, "title"),
     ({"language": "klingonish"}, "language")],
)
def test_process_refuses_a_hint_of_the_wrong_kind(pipeline, hints, named):
    with pytest.raises(InputError, match=f"field '{named}'"):
        newsweave.process(TEXT, pipeline=pipeline, **hints)


def test_process_normalises_a_stated_language(pipeline):
    assert newsweave.process(TEXT, pipeline=pipeline, language="English").language == "en"


def test_corpus_add_refuses_a_bad_hint_and_stores_nothing(tmp_path, pipeline):
    with newsweave.Corpus(tmp_path / "c.db", Settings(), pipeline=pipeline) as corpus:
        with pytest.raises(InputError, match="field 'title'"):
            corpus.add(TEXT, title={"a": 1})
        assert len(corpus) == 0
