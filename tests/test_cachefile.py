"""Models' derived data kept in the cache directory: read back, it gives exactly what a fresh
build gives, and a damaged file is built again rather than trusted."""

from __future__ import annotations

import numpy as np

from newsweave.embed import UniversalSentenceEncoder
from newsweave.entities.places import Gazetteer

TEXTS = ["Russland war Gastgeber der Taliban in Moskau.", "The talks in Moscow ended on Friday."]


def test_the_cached_tokenizer_encodes_as_the_freshly_parsed_one(tmp_path):
    fresh = UniversalSentenceEncoder(threads=1).encode(TEXTS)
    first = UniversalSentenceEncoder(threads=1, cache_dir=tmp_path)
    first.prepare()  # loads in the background; encode waits for it
    built = first.encode(TEXTS)
    assert list(tmp_path.glob("use-tokenizer-*.pickle"))
    read_back = UniversalSentenceEncoder(threads=1, cache_dir=tmp_path).encode(TEXTS)
    assert np.array_equal(fresh, built) and np.array_equal(fresh, read_back)


def test_a_damaged_tokenizer_cache_is_parsed_again(tmp_path):
    UniversalSentenceEncoder(threads=1, cache_dir=tmp_path).encode(TEXTS)
    (cached,) = tmp_path.glob("use-tokenizer-*.pickle")
    cached.write_bytes(b"not a pickle")
    vectors = UniversalSentenceEncoder(threads=1, cache_dir=tmp_path).encode(TEXTS)
    assert np.array_equal(vectors, UniversalSentenceEncoder(threads=1).encode(TEXTS))
    assert cached.read_bytes() != b"not a pickle"


def test_cached_lemma_dictionaries_read_names_as_fresh_ones(tmp_path, gazetteer):
    names = [("Moskaus", "de"), ("Russlands", "de"), ("Berlin", "de"), ("Moscow", "en")]
    expected = [gazetteer.candidates(name, language) for name, language in names]  # no cache directory
    assert [Gazetteer(tmp_path).candidates(name, language) for name, language in names] == expected
    written = list(tmp_path.glob("simplemma-*.pickle"))
    assert sorted(p.name.rsplit("-", 1)[1] for p in written) == ["de.pickle", "en.pickle"]
    for path in written:
        path.write_bytes(path.read_bytes()[:100])  # damaged: must be rebuilt, not trusted
    assert [Gazetteer(tmp_path).candidates(name, language) for name, language in names] == expected
    assert expected[0] and expected[0] == gazetteer.candidates("Moskau", "de")


def test_cached_place_names_are_the_gathered_ones(tmp_path):
    from newsweave.entities.ner import place_names

    gathered = place_names("de")
    assert "Moskau" in gathered
    assert place_names("de", tmp_path) == gathered
    (written,) = tmp_path.glob("place-names-*-de.pickle")
    assert place_names("de", tmp_path) == gathered  # read back
    written.write_bytes(b"\x80\x05damaged")
    assert place_names("de", tmp_path) == gathered
