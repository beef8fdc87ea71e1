"""The named-entity recognizers a `recognizer` setting may name (settings validation reads
this table too). Each loads its models on first use, not when made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import Registry

if TYPE_CHECKING:  # the Protocol only: validating a setting loads no entity code
    from .stage import Recognizer


def _bundled(_argument: str) -> Recognizer:
    from .ner import EntityRecognizer

    return EntityRecognizer()


RECOGNIZERS: Registry[Recognizer] = Registry("recognizer")
RECOGNIZERS.register("newsweave", _bundled)


def make_recognizer(spec: str) -> Recognizer:
    """The recognizer `spec` names in `RECOGNIZERS`; ConfigError listing the known ones if none."""
    return RECOGNIZERS.make(spec)
