"""Embedders and recognizers come from one registry each: what builds them is what validates."""

from __future__ import annotations

import pytest

from newsweave.embed import EMBEDDERS, SentenceTransformerEmbedder, UniversalSentenceEncoder, make_embedder
from newsweave.entities.ner import EntityRecognizer
from newsweave.entities.recognizers import make_recognizer
from newsweave.errors import ConfigError
from newsweave.pipeline import Pipeline
from newsweave.settings import Settings


@pytest.mark.parametrize(
    ("spec", "kind", "name"),
    [
        ("use-multilingual", UniversalSentenceEncoder, "use-multilingual-v3"),
        ("sentence-transformers:org/model", SentenceTransformerEmbedder, "sentence-transformers:org/model"),
    ],
)
def test_a_valid_embedder_setting_is_one_make_embedder_builds(spec, kind, name):
    embedder = make_embedder(Settings(embedder=spec).embedder, threads=1)
    assert isinstance(embedder, kind) and embedder.name == name


@pytest.mark.parametrize("spec", ["bert", "sentence-transformers", "use-multilingual:v3", ""])
def test_an_unknown_embedder_fails_alike_in_settings_and_make_embedder(spec):
    choices = "use 'use-multilingual' or 'sentence-transformers:<model>'"
    assert EMBEDDERS.choices() in choices
    with pytest.raises(ConfigError, match=f"setting embedder={spec!r} is not known; {choices}"):
        Settings(embedder=spec)
    with pytest.raises(ConfigError, match=f"embedder {spec!r} is not known; {choices}"):
        make_embedder(spec)


def test_the_recognizer_setting_names_a_registered_recognizer():
    assert isinstance(make_recognizer(Settings().recognizer), EntityRecognizer)
    with pytest.raises(ConfigError, match="recognizer='spacy' is not known; use 'newsweave'"):
        Settings.from_env({"NEWSWEAVE_RECOGNIZER": "spacy"})
    with pytest.raises(ConfigError, match="recognizer 'spacy' is not known"):
        make_recognizer("spacy")


def test_the_pipeline_builds_the_recognizer_its_settings_name():
    pipeline = Pipeline(Settings(entities=True), embedder=make_embedder("use-multilingual"))
    assert isinstance(pipeline.recognizer, EntityRecognizer)
