"""An article handed over in Python (`newsweave.process`, `Corpus.add`): text or bytes plus
keyword hints, made a RawArticle with its hints checked as a JSONL record's are, so
`language=["en"]` is refused with a reason instead of crashing a later stage."""

from __future__ import annotations

from typing import Any

from ..document import RawArticle
from ..errors import InputError
from .hints import HintError, check_hints, check_url


def raw_article(
    value: str | bytes, url: str | None = None, *, kind: str | None = None, source: str | None = None, **hints: Any
) -> RawArticle:
    """The RawArticle for `value`; InputError naming the bad hint. Unknown hint names are kept
    as given (a caller's own metadata), checked ones normalised ("English" → "en")."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    kind = kind or ("html" if data.lstrip()[:1] == b"<" else "text")
    source = source or f"api:{RawArticle(data, '').sha256[:16]}"
    try:
        url = check_url({"url": url})
        checked = check_hints(hints)
    except HintError as bad:
        raise InputError(source, str(bad)) from None
    return RawArticle(data, source, kind, url, {**hints, **checked})
