"""Tag raw text without a database: language, mentions and their canonical ids.

Offsets index the text exactly as given (no cleaning), so a caller can highlight it.
"""

from __future__ import annotations

from typing import Any

from ..language import LanguageIdentifier
from ..settings import Settings
from .places import Gazetteer
from .propagate import propagate
from .recognizers import make_recognizer
from .resolve import resolve
from .stage import Recognizer


class Tagger:
    def __init__(self, recognizer: Recognizer | None = None, gazetteer: Gazetteer | None = None) -> None:
        """Models load lazily on the first `tag`; the recognizer and the place index's cache
        are the settings' (NEWSWEAVE_RECOGNIZER, NEWSWEAVE_CACHE_DIR)."""
        settings = Settings.from_env()
        self.recognizer = recognizer or make_recognizer(settings.recognizer, settings.cache_dir)
        self.gazetteer = gazetteer or Gazetteer(settings.cache_dir)
        self.languages = LanguageIdentifier()

    def tag(self, text: str) -> dict[str, Any]:
        language = self.languages.identify(text)[0]
        mentions = propagate([text], self.recognizer.mentions(text, language), [language], self.gazetteer)
        entities = resolve(mentions, language, self.gazetteer)
        found = [
            {"text": m.text, "start": m.start, "end": m.end, "type": e.type, "canonical": e.id}
            for e in entities
            for m in e.mentions
        ]
        return {"language": language, "entities": sorted(found, key=lambda m: (m["start"], m["end"]))}
