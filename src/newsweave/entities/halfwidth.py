"""Shipped NER weights are stored as 16-bit floats and computed with as 32-bit ones.

The models in models/ner are almost all hashed-embedding tables and word vectors; at 16 bits
they take half the room (the 60 MB budget) and score the same test F1 in every language
(bench/ner.py). spaCy has no
such option, so the two steps are here: ``halve`` rewrites a saved pipeline's weight files
(training calls it), and ``widen`` casts a loaded pipeline's weights back to 32 bits (thinc's
CPU kernels need float32) before it reads anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

# A pipeline folder's weight files: each component's thinc model (msgpack) and the vectors.
_MODEL_FILE = "model"
_VECTORS = Path("vocab") / "vectors"


def _halved(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.astype(np.float16) if value.dtype == np.float32 else value
    if isinstance(value, dict):
        return {key: _halved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_halved(item) for item in value]
    return value


def halve(pipeline: Path) -> None:
    """Store a saved spaCy pipeline's float32 weights and vectors as float16, in place."""
    import srsly

    for path in sorted(pipeline.glob(f"*/{_MODEL_FILE}")):
        path.write_bytes(srsly.msgpack_dumps(_halved(srsly.msgpack_loads(path.read_bytes()))))
    vectors = pipeline / _VECTORS
    if vectors.exists():
        with vectors.open("rb") as handle:
            table = np.load(handle, allow_pickle=False)
        if table.dtype == np.float32:
            with vectors.open("wb") as handle:
                np.save(handle, table.astype(np.float16), allow_pickle=False)


def widen(nlp: Any) -> Any:
    """Cast a loaded pipeline's float16 weights and vectors to float32; returns ``nlp``."""
    vectors = nlp.vocab.vectors
    if vectors.data.dtype == np.float16:
        vectors.data = vectors.data.astype(np.float32)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None:
            continue
        for node in model.walk():
            for name in node.param_names:
                if node.has_param(name) and node.get_param(name).dtype == np.float16:
                    node.set_param(name, node.get_param(name).astype(np.float32))
    return nlp
