"""One name, one reading per document: a name the model found once is found everywhere.

A sentence model reads each line alone and misses a name it tags elsewhere in the same
article, most often at the start of a sentence or in a case form ("Lawrows Kommentare"
after "Sergej Lawrow"; "Лаврова" after "Лавров"). Document-level label consistency is the
classic remedy: every name form the model found (a whole mention, and a person's surname)
is looked up in the document's other paragraphs, with the inflection endings of the
paragraph's language (`normalize.INFLECTIONS`) or a Turkish apostrophe suffix, and each
match the model missed becomes a mention of the same type. `resolve` then merges the
inflected form with its base ("Lawrows" → "Lawrow").

Guards, each against a way this goes wrong: forms are matched case-sensitively and whole
(no "Lawrowa" inside "Lawrowanie"); forms shorter than 3 characters are not propagated
(US, EU: too many look-alikes); a form the model gave two types in the document is
ambiguous and stays as tagged; a surname that is also a country or big city (Washington,
Jordan) is not spread as a person.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

import regex

from ..document import Mention
from .normalize import INFLECTIONS
from .places import Gazetteer

MIN_FORM_CHARS = 3
MIN_SURNAME_CHARS = 4
# A Turkish case suffix after an apostrophe is not part of the name (as in ner.py).
_APOSTROPHE_SUFFIX = r"(?:['’]\p{L}+)?"


def name_forms(mentions: Sequence[Mention], gazetteer: Gazetteer | None = None) -> dict[str, str]:
    """Each propagatable name form and its type: whole mentions, and persons' surnames."""
    tagged: dict[str, set[str]] = {}
    for mention in mentions:
        text = mention.text.strip()
        if len(text) >= MIN_FORM_CHARS and not text[0].islower():
            tagged.setdefault(text, set()).add(mention.type)
    # A form the model read two ways here is left alone: each reading stays where it is.
    forms = {form: types.pop() for form, types in tagged.items() if len(types) == 1}
    for mention in mentions:
        words = mention.text.split()
        if mention.type != "PER" or len(words) < 2 or words[-1] in tagged:
            continue  # a surname the model tagged itself keeps the model's reading
        surname = words[-1]
        if len(surname) < MIN_SURNAME_CHARS or not surname[0].isupper():
            continue
        if gazetteer is None or gazetteer.major_place(surname) is None:
            forms[surname] = "PER"
    return forms


def propagate(
    texts: Sequence[str], mentions: list[Mention], languages: Sequence[str | None],
    gazetteer: Gazetteer | None = None,
) -> list[Mention]:
    """`mentions` plus every unmatched occurrence of their name forms in `texts`.

    `texts[i]` is paragraph i (what `Mention.paragraph` indexes) and `languages[i]` its
    language. The result is sorted by paragraph and offset."""
    forms = name_forms(mentions, gazetteer)
    if not forms:
        return mentions
    tagged: dict[int, list[tuple[int, int]]] = {}
    for mention in mentions:
        tagged.setdefault(mention.paragraph, []).append((mention.start, mention.end))
    alternatives = "|".join(regex.escape(f) for f in sorted(forms, key=len, reverse=True))
    patterns: dict[str | None, regex.Pattern] = {}
    found = list(mentions)
    for index, text in enumerate(texts):
        language = languages[index]
        pattern = patterns.get(language)
        if pattern is None:
            endings = "|".join(regex.escape(e) for e in INFLECTIONS.get(language or "", ()))
            pattern = regex.compile(
                rf"(?<![\p{{L}}\p{{N}}])(?P<name>{alternatives})(?P<ending>{endings})?"
                rf"{_APOSTROPHE_SUFFIX}(?![\p{{L}}\p{{N}}])"
            )
            patterns[language] = pattern
        overlaps = _Spans(tagged.get(index, []))
        # finditer's matches do not overlap, so a match can only collide with a tagged span.
        for match in pattern.finditer(text):
            start, end = match.start("name"), match.end("ending") if match.group("ending") else match.end("name")
            if overlaps(start, end):
                continue
            found.append(Mention(text=text[start:end], start=start, end=end,
                                 type=forms[match.group("name")], paragraph=index))
    return sorted(found, key=lambda m: (m.paragraph, m.start))


class _Spans:
    """Whether a span overlaps any of a paragraph's tagged spans, in O(log n) per question:
    one paragraph may hold thousands (a text without line breaks), and checking each found
    name against all of them is quadratic."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.reach = list(accumulate((b for _, b in spans), max))  # furthest end among the first i+1

    def __call__(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # spans starting before `end`
        return before > 0 and self.reach[before - 1] > start
