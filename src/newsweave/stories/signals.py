"""Signals that two processed documents report the same event: pure functions, no I/O.

Each signal reads what the pipeline already made of a document and costs well under a
millisecond per pair:

- vectors (USE-multilingual, any language pair): whole-document cosine; lead against lead
  (the first paragraphs, where news states the event); lead against body both ways
  (`lead_similarity`); every paragraph's best counterpart (`alignment`);
- canonical entities (their keys are language independent, so they work across languages):
  a weighted overlap per type (people, organisations, places below country level,
  countries, other), each entity weighted by its rarity (`EntityRarity`) and how often the
  document names it; and the countries the documents' places lie in;
- within one language only: overlap of word stems (different languages share few words,
  so their overlap is missing rather than a misleading zero);
- in any language: overlap of the numbers and of the years the texts name; the gap
  between publication dates when both are known.

A signal that cannot be measured is None (kept as None in JSON; the model reads it as
`MISSING`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import regex

from ..document import Document
from .similarity import lead_similarity, lead_vector

# The signals in the order the model reads them.
SIGNALS = (
    "cosine", "lead_lead", "lead_body", "alignment",
    "persons", "organisations", "places", "countries", "other_entities", "entities_shared",
    "place_countries", "words", "numbers", "years", "date_gap_days",
    "same_language", "length_ratio",
)
MISSING = -1.0  # what the model reads for a signal that could not be measured

ENTITY_GROUPS = ("persons", "organisations", "places", "countries", "other_entities")
STEM = 5  # letters kept of a word: a cheap stem that joins most inflections (Wahl, Wahlen)
MIN_WORD = 4  # shorter words are mostly function words in the languages we read
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]+")
_NUMBER = regex.compile(r"\d+(?:[.,’' ]\d{3})*(?:[.,]\d+)?")
_YEAR = regex.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


@dataclass(frozen=True)
class EntityRarity:
    """How rare each entity is: inverse document frequency over a collection of documents.

    In a corpus the counts are its entities' document counts; for pairs scored without a
    corpus, newsweave ships a table counted over its dev texts (`models/stories`). An
    entity the table never saw counts as seen once: rare."""

    documents: int
    counts: Mapping[str, int]

    def weight(self, key: str) -> float:
        seen = max(self.counts.get(key, 1), 1)
        return math.log((self.documents + 1) / seen)


def entity_group(key: str, kind: str) -> str:
    """Which type group an entity key counts in: a shared person or city says more about
    an event than a shared country, so each group gets its own signal."""
    if key.startswith("loc:country:"):
        return "countries"
    return {"PER": "persons", "ORG": "organisations", "LOC": "places"}.get(kind, "other_entities")


def entity_weights(doc: Document, rarity: EntityRarity) -> dict[str, tuple[str, float]]:
    """Each entity key → (group, weight): rarity times 1 + log of how often it is named."""
    out: dict[str, tuple[str, float]] = {}
    for entity in doc.entities:
        named = 1.0 + math.log(max(len(entity.mentions), 1))
        out[entity.id] = (entity_group(entity.id, entity.type), rarity.weight(entity.id) * named)
    return out


def weighted_overlap(a: Mapping[str, float], b: Mapping[str, float]) -> float | None:
    """Weighted Jaccard: Σ min / Σ max over the keys of either; None if neither has any."""
    keys = a.keys() | b.keys()
    if not keys:
        return None
    top = sum(min(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    return top / sum(max(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)


def jaccard(a: set, b: set) -> float | None:
    if not a and not b:
        return None
    return len(a & b) / len(a | b)


def stems(doc: Document) -> set[str]:
    """Content word stems (first STEM letters, case-folded); CJK text as character bigrams."""
    text = doc.text.casefold()
    out: set[str] = set()
    for run in _CJK.findall(text):
        out.update(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    for word in _WORD.findall(_CJK.sub(" ", text)):
        if len(word) >= MIN_WORD:
            out.add(word[:STEM])
    return out


def numbers(doc: Document) -> set[str]:
    """Numbers the text names, separators dropped (1,000 = 1.000 = 1000); single digits skipped."""
    found = {regex.sub(r"\D", "", n) for n in _NUMBER.findall(doc.text)}
    return {n.lstrip("0") or "0" for n in found if len(n) >= 2}


def years(doc: Document) -> set[str]:
    return set(_YEAR.findall(doc.text))


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None:
        return None
    return float(np.dot(a, b))


def _alignment(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None or len(a) == 0 or len(b) == 0:
        return None
    sims = a @ b.T
    return float((sims.max(axis=1).mean() + sims.max(axis=0).mean()) / 2)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _place_countries(weights: Mapping[str, tuple[str, float]], doc: Document) -> set[str]:
    out = {e.country for e in doc.entities if e.type == "LOC" and e.country}
    return out | {k.rsplit(":", 1)[1] for k, (group, _) in weights.items() if group == "countries"}


def signals(a: Document, b: Document, rarity: EntityRarity) -> dict[str, float | None]:
    """Every signal in SIGNALS for the pair, each a float or None when it cannot be measured."""
    out: dict[str, float | None] = {}
    out["cosine"] = _cosine(a.vector, b.vector)
    out["lead_lead"] = _cosine(lead_vector(a.paragraph_vectors), lead_vector(b.paragraph_vectors))
    pa, pb = a.paragraph_vectors, b.paragraph_vectors
    out["lead_body"] = lead_similarity(pa, pb) if pa is not None and pb is not None and len(pa) and len(pb) else None
    out["alignment"] = _alignment(pa, pb)

    wa, wb = entity_weights(a, rarity), entity_weights(b, rarity)
    for group in ENTITY_GROUPS:
        out[group] = weighted_overlap(
            {k: w for k, (g, w) in wa.items() if g == group}, {k: w for k, (g, w) in wb.items() if g == group}
        )
    shared = sum(min(wa[k][1], wb[k][1]) for k in wa.keys() & wb.keys())
    out["entities_shared"] = math.log1p(shared)
    out["place_countries"] = jaccard(_place_countries(wa, a), _place_countries(wb, b))

    same_language = bool(a.language) and a.language == b.language
    out["words"] = jaccard(stems(a), stems(b)) if same_language else None
    out["numbers"] = jaccard(numbers(a), numbers(b))
    out["years"] = jaccard(years(a), years(b))
    da, db = _date(a.published), _date(b.published)
    out["date_gap_days"] = float(abs((da - db).days)) if da and db else None

    out["same_language"] = 1.0 if same_language else 0.0
    wa_, wb_ = max(a.words, 1), max(b.words, 1)
    out["length_ratio"] = min(wa_, wb_) / max(wa_, wb_)
    return out


def feature_row(values: Mapping[str, float | None]) -> np.ndarray:
    """The signals as the model's input row, in SIGNALS order, MISSING for None."""
    return np.array([MISSING if values.get(n) is None else float(values[n]) for n in SIGNALS], dtype=np.float64)


def entity_counts(documents: list[Document]) -> Counter[str]:
    """In how many of the documents each entity key appears: the counts of an EntityRarity."""
    counts: Counter[str] = Counter()
    for doc in documents:
        counts.update({e.id for e in doc.entities})
    return counts
