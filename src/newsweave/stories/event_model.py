"""The event-similarity model: boosted regression trees over the pair signals (numpy only).

`models/stories/model.json` holds the trees (as `clean.lineclass.TreeEnsemble` reads them)
and the signal names they read, in order; `models/stories/entity_rarity.json` the entity
document counts used when no corpus supplies its own. `training/stories.py` writes both
(`make train-stories`). A score is clipped to [0, 1]: 1 = the same event, 0 = unrelated
(the SemEval Overall scale 1…4 mapped linearly).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..clean.lineclass import TreeEnsemble
from ..errors import ConfigError
from ..models import model_path
from .signals import SIGNALS, EntityRarity, feature_row


def model_file() -> Path:
    return model_path("stories", "model.json")


def rarity_file() -> Path:
    return model_path("stories", "entity_rarity.json")


class EventModel:
    """Scores pairs from their signals; load once, reuse for every pair."""

    def __init__(self, spec: Mapping) -> None:
        if tuple(spec["signals"]) != SIGNALS:
            raise ConfigError(
                "the event-similarity model reads other signals than this newsweave computes "
                "(retrain it: make train-stories)"
            )
        self.spec = spec
        self.trees = TreeEnsemble(spec["trees"])

    @classmethod
    def load(cls, path: Path | None = None) -> EventModel:
        path = path or model_file()
        if not path.exists():
            raise ConfigError(f"event-similarity model missing at {path} (make train-stories writes it)")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def score_rows(self, rows: np.ndarray) -> np.ndarray:
        """Similarity in [0, 1] for each row of signals (feature_row order)."""
        return np.clip(self.trees.margin(np.atleast_2d(rows)), 0.0, 1.0)

    def score(self, values: Mapping[str, float | None]) -> float:
        return float(self.score_rows(feature_row(values)[None, :])[0])

    def scores(self, many: Sequence[Mapping[str, float | None]]) -> np.ndarray:
        if not many:
            return np.zeros(0)
        return self.score_rows(np.vstack([feature_row(v) for v in many]))


def shipped_rarity(path: Path | None = None) -> EntityRarity:
    """The entity document counts shipped beside the model (counted over the dev texts)."""
    path = path or rarity_file()
    if not path.exists():
        raise ConfigError(f"entity rarity table missing at {path} (make train-stories writes it)")
    data = json.loads(path.read_text(encoding="utf-8"))
    return EntityRarity(int(data["documents"]), data["counts"])
