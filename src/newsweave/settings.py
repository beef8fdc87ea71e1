"""One validated settings object. Nothing else in newsweave reads environment variables.

Each field carries its help text (reused by the CLI and README) and is checked once, at
start-up, so a bad value fails before any document is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .registry import EMBEDDERS, RECOGNIZERS


def _setting(default: Any, help: str, low: float | None = None, high: float | None = None):
    return field(default=default, metadata={"help": help, "low": low, "high": high})


def _parse_bool(raw: str) -> bool:
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


@dataclass(frozen=True)
class Settings:
    max_article_bytes: int = _setting(
        10_000_000,
        "Largest single article (a text or HTML file, one JSONL line, JSON-list item or WARC "
        "record) and largest RSS/Atom feed file, in bytes, also while decompressing a .gz; "
        "bigger inputs are reported as failed, not processed.",
        low=1_000,
    )
    embedder: str = _setting(
        "use-multilingual",
        "Sentence-embedding backend: 'use-multilingual' (bundled, offline) or "
        "'sentence-transformers:<model name or path>' where that package and model exist.",
    )
    threads: int = _setting(2, "Threads for the embedding model.", low=1, high=256)
    recognizer: str = _setting(
        "newsweave",
        "Named-entity recognizer: 'newsweave' (the bundled per-language models in newsweave/models/ner, "
        "with spaCy's and natasha's PyPI models where they read the language).",
    )
    # MinHash: 128 permutations give a Jaccard estimate with standard error
    # sqrt(J(1-J)/128) ≈ 0.04 at J = 0.5, fine for a yes/no at the threshold below.
    minhash_permutations: int = _setting(128, "MinHash permutations.", low=16, high=1024)
    shingle_words: int = _setting(5, "Words per shingle for near-duplicate detection.", low=1, high=12)
    near_duplicate_jaccard: float = _setting(
        0.6,
        "Estimated Jaccard similarity of word shingles above which two documents are near "
        "duplicates. Two copies of a 500-word story that differ by one rewritten paragraph in "
        "ten and a few lines of boilerplate keep J ≈ 0.7; unrelated texts on one topic stay "
        "below 0.1.",
        low=0.05,
        high=1.0,
    )
    translation_alignment: float = _setting(
        0.62,
        "Symmetric paragraph soft-alignment score above which two documents in different "
        "languages are translations (see link/translations.py).",
        low=0.0,
        high=1.0,
    )
    related_cosine: float = _setting(
        0.55,
        "Document-vector cosine above which two documents are linked as related.",
        low=-1.0,
        high=1.0,
    )
    story_similarity: float = _setting(
        0.725,
        "Story decision score (stories/cluster.py: lead and number signals, best of a story's "
        "latest members) at or above which a document joins the story: the lowest multiple of "
        "0.025 above every pair of different events among the seeds (four events of one affair), "
        "set by python -m training.story_decision, which reports held-out ECB+ figures.",
        low=0.0,
        high=1.0,
    )
    story_merge_similarity: float = _setting(
        0.95,
        "A document scoring above this for a second candidate story too (besides the one it "
        "joins) bridges them: the two stories merge, the merged-away id redirecting.",
        low=0.0,
        high=1.0,
    )
    story_window_days: int = _setting(
        7,
        "A document joins a story only if its date (when known) lies within this many days "
        "of the story's dated members: events are days, storylines are months.",
        low=0,
    )
    storyline_similarity: float = _setting(
        0.38,
        "Affair similarity (stories/storylines.py: geometric mean of rarity-weighted entity "
        "overlap and centroid cosine) between a story and a story of a storyline above which it "
        "joins that storyline. Set midway between the most similar pair of stories from different "
        "ECB+ dev topics (0.31: never one affair) and the weakest link the seeds' four Russia and "
        "Taliban stories need (0.45); docs/experiments.md has the figures.",
        low=0.0,
        high=1.0,
    )
    storyline_window_days: int = _setting(
        730,
        "A story joins a storyline only if its dates (when known) lie within this many days of "
        "the storyline story it matched: an affair can rest for a year or two and resume "
        "(talks, trials, anniversaries).",
        low=0,
    )

    entities: bool = _setting(True, "Recognise and resolve named entities (the slowest stage after embedding).")
    cache_dir: str = _setting(
        str(Path.home() / ".cache" / "newsweave"),
        "Folder for rebuildable caches (the place-name index); never holds data you would lose.",
    )
    watch_timeout: float = _setting(
        20.0,
        "newsweave watch: seconds a host may keep one request (a feed or an article page) waiting "
        "to connect or for its next bytes, and the longest a body may take to arrive; then the "
        "request has failed and that source backs off.",
        low=0.1,
    )
    watch_max_backoff: float = _setting(
        3600.0,
        "newsweave watch: the longest wait, in seconds, between polls of a failing source (the "
        "wait doubles with each failure in a row, starting from the poll interval).",
        low=1.0,
    )
    watch_host_delay: float = _setting(
        1.0,
        "newsweave watch --fetch-articles: seconds between two article fetches from one host.",
        low=0.0,
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            low, high = f.metadata.get("low"), f.metadata.get("high")
            if (low is not None and value < low) or (high is not None and value > high):
                raise ConfigError(
                    f"setting {f.name}={value!r} is out of range [{low}, {high}]: "
                    f"{f.metadata['help']}"
                )
        EMBEDDERS.check(self.embedder, f"setting embedder={self.embedder!r}")
        RECOGNIZERS.check(self.recognizer, f"setting recognizer={self.recognizer!r}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then NEWSWEAVE_<FIELD> variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"NEWSWEAVE_{f.name.upper()}")
            if raw is not None:
                try:
                    values[f.name] = _parse_bool(raw) if isinstance(f.default, bool) else type(f.default)(raw)
                except ValueError:
                    raise ConfigError(
                        f"NEWSWEAVE_{f.name.upper()}={raw!r} is not a valid "
                        f"{type(f.default).__name__}"
                    ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)
