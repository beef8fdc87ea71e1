"""English fine-tuning's data: gold sentences in OntoNotes labels, and a clear error for a
wrong base. (The fine-tune itself runs in `make train-ner`; its base is not in CI.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.entities.ner import MODELS, EntityRecognizer
from training.finetune import gold_example, load_base

WORDS = ["On", "Monday", ",", "Sergei", "Lavrov", "flew", "from", "Moscow", "to", "Kazan", "with", "300", "Russian", "officials", "."]


@pytest.fixture(scope="module")
def base():
    """The shipped English model: it has the OntoNotes labels the real base has."""
    return EntityRecognizer().load("en")


def reference_spans(example) -> set[tuple[int, int, str]]:
    return {(e.start, e.end, e.label_) for e in example.reference.ents}


def base_spans(base) -> dict[tuple[int, int], str]:
    from spacy.tokens import Doc

    return {(e.start, e.end): e.label_ for e in base(Doc(base.vocab, words=WORDS)).ents}


def test_gold_names_take_ontonotes_labels_and_the_base_keeps_the_types_we_drop(base) -> None:
    tags = ["O"] * len(WORDS)
    tags[3:5] = ["B-PER", "I-PER"]
    tags[7] = tags[9] = "B-LOC"
    found = base_spans(base)
    spans = reference_spans(gold_example(base, WORDS, tags))

    assert (3, 5, "PERSON") in spans
    for start in (7, 9):  # a gold place takes the base's own place label, else GPE
        label = found.get((start, start + 1))
        expected = label if label in ("GPE", "LOC", "FAC") else "GPE"
        assert (start, start + 1, expected) in spans
    dropped_types = {(s, e, label) for (s, e), label in found.items()
                     if label not in ("PERSON", "ORG", "GPE", "LOC", "FAC")}
    assert dropped_types, "the base should find a date, number or nationality here"
    assert dropped_types <= spans  # kept, so gold's "O" does not teach the base to forget them


def test_a_name_gold_says_is_no_entity_is_not_kept_from_the_base(base) -> None:
    assert (3, 5) in base_spans(base)  # the base reads Sergei Lavrov as a person
    spans = reference_spans(gold_example(base, WORDS, ["O"] * len(WORDS)))
    assert not any(label in ("PERSON", "ORG", "GPE", "LOC", "FAC") for _, _, label in spans)


def test_a_wrong_or_missing_base_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make train-ner"):
        load_base(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="not en_core_web_md"):
        load_base(MODELS / "de")
