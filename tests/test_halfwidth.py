"""NER weights are stored at 16 bits and computed at 32: half the size, same mentions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy
import srsly
from spacy.training import Example

from newsweave.entities.halfwidth import halve, widen
from newsweave.entities.ner import MODELS, TRAINED, EntityRecognizer

SENTENCES = [
    ("Angela Merkel traf Emmanuel Macron in Paris .", [(0, 13, "PER"), (19, 34, "PER"), (38, 43, "LOC")]),
    ("Die Bundesbank in Frankfurt meldet Verluste .", [(4, 14, "ORG"), (18, 27, "LOC")]),
    ("Olaf Scholz reist nach Moskau .", [(0, 11, "PER"), (23, 29, "LOC")]),
]


def dtypes(path: Path) -> set[str]:
    found: set[str] = set()

    def visit(value) -> None:
        if isinstance(value, np.ndarray):
            found.add(str(value.dtype))
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(srsly.msgpack_loads(path.read_bytes()))
    return found


def entities(nlp, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]


def test_a_halved_pipeline_is_smaller_and_finds_the_same_mentions(tmp_path: Path) -> None:
    nlp = spacy.blank("de")
    nlp.add_pipe("ner")
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": spans}) for text, spans in SENTENCES]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    texts = [text for text, _ in SENTENCES] + ["Wladimir Putin empfing Scholz in Moskau ."]
    before = entities(nlp, texts)
    assert before[0], "the toy model should have learned something to compare"
    nlp.to_disk(tmp_path / "model")
    weights = tmp_path / "model" / "ner" / "model"
    full_size = weights.stat().st_size
    assert "float32" in dtypes(weights)

    halve(tmp_path / "model")

    assert weights.stat().st_size < 0.6 * full_size
    assert "float32" not in dtypes(weights) and "float16" in dtypes(weights)
    loaded = widen(spacy.load(tmp_path / "model"))
    params = [node.get_param(name) for node in loaded.get_pipe("ner").model.walk()
              for name in node.param_names if node.has_param(name)]
    assert params and all(p.dtype == np.float32 for p in params)
    assert entities(loaded, texts) == before


def test_the_shipped_models_are_stored_at_16_bits_and_load_at_32() -> None:
    recognizer = EntityRecognizer(packages=False)
    for name in TRAINED:
        weights = sorted((MODELS / name).glob("*/model"))  # tok2vec and ner, or ner alone
        assert weights and all("float32" not in dtypes(path) for path in weights), name
        assert "float16" in dtypes(max(weights, key=lambda path: path.stat().st_size)), name
        nlp = recognizer.load(name)
        models = [component.model for _, component in nlp.pipeline if hasattr(component, "model")]
        assert len(models) >= 1, name  # zh's first component (jieba's word tags) has no weights
        assert all(node.get_param(p).dtype == np.float32 for model in models for node in model.walk()
                   for p in node.param_names if node.has_param(p)), name
        assert nlp.vocab.vectors.data.dtype == np.float32
