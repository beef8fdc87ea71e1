"""Where the evaluation data lives: ``../shared/eval`` beside the checkout, or ``$NEWSWEAVE_EVAL``.

The data sets (NER splits, article-extraction pages, news-similarity pairs, ECB+ events,
mojibake cases) are public and large, so they are not copied into the repository; training,
the benches and the quality-floor tests all find them through this one helper.
"""

from __future__ import annotations

import os
from pathlib import Path

EVAL = Path(os.environ.get("NEWSWEAVE_EVAL", Path(__file__).resolve().parents[1].parent / "shared" / "eval"))


def eval_path(*parts: str) -> Path:
    """A file or folder of the evaluation data, e.g. ``eval_path("ner")``."""
    return EVAL.joinpath(*parts)
