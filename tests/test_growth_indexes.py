"""The link indexes live in the store and beside it: a corpus opened again reads nothing at
start, finds the candidates an in-memory exact search would, and links and clusters as one
open corpus does."""

from __future__ import annotations

import copy
import sqlite3

import numpy as np
import pytest
from datasketch import MinHashLSH

from newsweave.corpus import Corpus
from newsweave.document import LinkKind, Paragraph
from newsweave.fingerprints import as_lean


def _variants(seed_docs) -> list:
    """The seeds, then for each a near copy (a paragraph changed) and an exact copy elsewhere."""
    docs = [copy.deepcopy(d) for _, d in sorted(seed_docs.items())]
    rng = np.random.default_rng(5)
    for n, seed in enumerate(list(docs)):
        near = copy.deepcopy(seed)
        near.id, near.source = f"near{n}", f"near{n}.txt"
        near.paragraphs[-1] = Paragraph(near.paragraphs[-1].text + " (Updated.)", near.paragraphs[-1].language)
        redraw = rng.random(len(near.minhash)) < 0.1
        near.minhash = np.where(redraw, rng.integers(0, 2**32, len(near.minhash), dtype=np.uint64), near.minhash)
        same = copy.deepcopy(seed)
        same.id, same.source = f"copy{n}", f"copy{n}.txt"
        docs += [near, same]
    return docs


def _state(corpus: Corpus) -> tuple[list, list]:
    db = corpus.store.db
    links = [tuple(r) for r in db.execute("SELECT source, target, kind, score, evidence FROM links ORDER BY 1, 2, 3")]
    stories = [tuple(r) for r in db.execute("SELECT id, story_id FROM documents ORDER BY seq")]
    return links, stories


def test_reopening_the_corpus_between_arrivals_changes_no_link_or_story(tmp_path, pipeline, seed_docs):
    docs = _variants(seed_docs)
    with Corpus(tmp_path / "one.db", pipeline.settings, pipeline=pipeline) as corpus:
        for doc in docs:
            corpus.add(copy.deepcopy(doc))
        once = _state(corpus)
    for doc in docs:
        with Corpus(tmp_path / "many.db", pipeline.settings, pipeline=pipeline) as corpus:
            corpus.add(copy.deepcopy(doc))
    with Corpus(tmp_path / "many.db", pipeline.settings, pipeline=pipeline) as corpus:
        assert _state(corpus) == once
    kinds = {link[2] for link in once[0]}
    assert {LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE, LinkKind.TRANSLATION} <= kinds


def test_candidates_are_those_of_datasketch_lsh_and_exact_cosine_search(tmp_path, pipeline, seed_docs):
    docs = _variants(seed_docs)
    settings = pipeline.settings
    with Corpus(tmp_path / "c.db", settings, pipeline=pipeline) as corpus:
        for doc in docs:
            corpus.add(copy.deepcopy(doc))
    lsh = MinHashLSH(threshold=settings.near_duplicate_jaccard, num_perm=settings.minhash_permutations)
    for doc in docs:
        lsh.insert(doc.id, as_lean(doc.minhash))
    matrix = np.stack([d.vector for d in docs])
    with Corpus(tmp_path / "c.db", settings, pipeline=pipeline) as corpus:  # opened again: read from the store
        for doc in docs:
            assert sorted(corpus.near.candidates(doc.minhash)) == sorted(lsh.query(as_lean(doc.minhash)))
            found = corpus.vectors.nearest(doc.vector, len(docs), 0.3)  # all of them: no ties at a cut
            scores = matrix @ doc.vector
            exact = {docs[i].id: float(scores[i]) for i in range(len(docs)) if scores[i] >= 0.3}
            assert {n.id for n in found} == set(exact)
            assert [n.cosine for n in found] == pytest.approx([exact[n.id] for n in found], abs=1e-6)
            assert [n.cosine for n in found] == sorted((n.cosine for n in found), reverse=True)


def test_a_database_whose_band_rows_are_missing_gets_them_back_on_open(tmp_path, pipeline, seed_docs):
    """As a database from before the band table (schema 5) does: its near duplicates are still found."""
    seeds = _variants(seed_docs)
    with Corpus(tmp_path / "c.db", pipeline.settings, pipeline=pipeline) as corpus:
        corpus.add(copy.deepcopy(seeds[0]))
    with sqlite3.connect(tmp_path / "c.db") as db:
        db.execute("DELETE FROM minhash_bands")
        db.execute("DELETE FROM meta WHERE key='minhash_bands'")
    with Corpus(tmp_path / "c.db", pipeline.settings, pipeline=pipeline) as corpus:
        corpus.add(copy.deepcopy(seeds[5]))  # the near copy of seeds[0]
        kinds = [link.kind for link in corpus.store.links_of(seeds[5].id)]
    assert LinkKind.NEAR_DUPLICATE in kinds


def test_a_lost_vector_index_file_is_remade_and_translations_are_still_found(tmp_path, pipeline, seed_docs):
    db = tmp_path / "c.db"
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        corpus.add(copy.deepcopy(seed_docs["001"]))
        corpus.add(copy.deepcopy(seed_docs["002"]))
    saved = list(tmp_path.glob("c.db.vectors.usearch*"))
    assert saved  # the index is kept beside the database
    for path in saved:
        path.unlink()
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        corpus.add(copy.deepcopy(seed_docs["000"]))  # the German translation of 001
        kinds = {link.kind for link in corpus.store.links_of(seed_docs["000"].id)}
    assert LinkKind.TRANSLATION in kinds
