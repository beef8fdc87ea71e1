"""Building the named-entity recognizer a `recognizer` setting names (the names and their
factories are in `newsweave.registry.RECOGNIZERS`). Each loads its models on first use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..registry import RECOGNIZERS

if TYPE_CHECKING:  # the Protocol only: validating a setting loads no entity code
    from .stage import Recognizer


def bundled(_argument: str, cache_dir: str | Path | None = None) -> Recognizer:
    """`newsweave` in the registry: the shipped models."""
    from .ner import EntityRecognizer

    return EntityRecognizer(cache_dir=cache_dir)


def make_recognizer(spec: str, cache_dir: str | Path | None = None) -> Recognizer:
    """The recognizer `spec` names in `RECOGNIZERS`; ConfigError listing the known ones if none.
    `cache_dir`: where a recognizer may keep what it derives from its models' data."""
    return RECOGNIZERS.make(spec, cache_dir=cache_dir)
