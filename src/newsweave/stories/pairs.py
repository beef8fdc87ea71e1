"""Event similarity of two articles without a database: `newsweave similarity` and its API.

    import newsweave
    found = newsweave.similarity(text1, text2)   # raw text or HTML, as ingest accepts
    found.similarity                             # 0 … 1, higher = the same event
    found.signals                                # every signal the model read, by name

Each text goes through the pipeline (as `newsweave.process` does), the pair's signals
(`signals.py`) through the shipped model (`event_model.py`). Entity rarity comes from the
table shipped with the model (no corpus here). A pairs file is read one JSON line at a time:
a bad line yields an error record for that line and the rest goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..document import Document
from ..errors import NewsweaveError
from ..ingest.values import raw_article
from ..pipeline import Pipeline
from ..settings import Settings
from .event_model import EventModel, shipped_rarity
from .signals import EntityRarity, signals

# Documents kept by text while scoring a file: one article is often paired with many.
_REMEMBERED = 512


@dataclass
class PairScore:
    """How alike two documents are as reports of one event, and the evidence."""

    similarity: float
    signals: dict[str, float | None]

    def to_dict(self, id: Any = None) -> dict[str, Any]:
        return {
            "id": id,
            "similarity": round(self.similarity, 4),
            "signals": {k: None if v is None else round(v, 4) for k, v in self.signals.items()},
        }


class PairScorer:
    """The pipeline, the model and the rarity table, loaded once and reused for every pair."""

    def __init__(self, pipeline: Pipeline | None = None, model: EventModel | None = None,
                 rarity: EntityRarity | None = None, settings: Settings | None = None) -> None:
        self.model = model or EventModel.load()
        self.rarity = rarity or shipped_rarity()
        self._pipeline = pipeline
        self._settings = settings
        self._documents: OrderedDict[str, Document] = OrderedDict()

    @property
    def pipeline(self) -> Pipeline:
        """The given pipeline, else one built from the settings on first need."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self._settings)
        return self._pipeline

    def documents(self, a: Document, b: Document) -> PairScore:
        """Score two processed documents."""
        values = signals(a, b, self.rarity)
        return PairScore(self.model.score(values), values)

    def document(self, text: str) -> Document:
        """`text` processed (InputError if the pipeline refuses it); recent texts are remembered."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        doc = self._documents.get(key)
        if doc is None:
            doc = self.pipeline.process(raw_article(text, source=f"pair:{key[:16]}"))
            self._documents[key] = doc
            if len(self._documents) > _REMEMBERED:
                self._documents.popitem(last=False)
        else:
            self._documents.move_to_end(key)
        return doc

    def texts(self, text1: str, text2: str) -> PairScore:
        """Score two raw texts (plain text or HTML)."""
        return self.documents(self.document(text1), self.document(text2))


_default: PairScorer | None = None


def similarity(text1: str, text2: str, *, pipeline=None) -> PairScore:
    """How strongly two articles (raw text or HTML) report the same event, 0 … 1, with the
    signals behind it. Models load on the first call and are reused; pass a `Pipeline` to
    control settings. InputError if the pipeline cannot read a text."""
    global _default
    if pipeline is not None:
        return PairScorer(pipeline).texts(text1, text2)
    if _default is None:
        _default = PairScorer()
    return _default.texts(text1, text2)


class BadLine(ValueError):
    """A pairs-file line that is not a pair; `pair_id` is its id when it has a usable one."""

    def __init__(self, reason: str, pair_id: Any = None) -> None:
        super().__init__(reason)
        self.pair_id = pair_id


def parse_line(raw: bytes | str) -> tuple[Any, str, str]:
    """(id, text1, text2) from one JSONL line; BadLine saying what is wrong."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadLine(f"not UTF-8 (byte {error.start})") from None
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise BadLine(f"a JSON {type(record).__name__}, not an object with text1 and text2")
    pair_id = record.get("id")
    if pair_id is not None and not isinstance(pair_id, str | int | float):
        raise BadLine("id must be a string or a number")
    texts = []
    for name in ("text1", "text2"):
        value = record.get(name)
        if not isinstance(value, str) or not value.strip():
            raise BadLine(f"{name} must be a non-empty string", pair_id)
        texts.append(value)
    return pair_id, texts[0], texts[1]


def score_lines(lines: Iterable[bytes | str], scorer: PairScorer) -> Iterator[dict[str, Any]]:
    """One record per non-blank line, in order: `{"id", "similarity", "signals"}`, or
    `{"id", "line", "error"}` for a line that is not a pair or whose text cannot be read."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            pair_id, text1, text2 = parse_line(raw)
        except BadLine as bad:
            yield {"id": bad.pair_id, "line": number, "error": str(bad)}
            continue
        try:
            yield scorer.texts(text1, text2).to_dict(pair_id)
        except NewsweaveError as error:
            yield {"id": pair_id, "line": number, "error": str(error)}
