"""Metadata a container states about an article (a JSONL record's title, date, language, id):
checked here, so a record with a hint of the wrong type is refused with a reason instead of
being stored as its printed form ("['x']") or crashing a later stage.

Languages are normalised to the codes language identification gives (ISO 639-1 where one
exists, else 639-3): "EN", "en-US", "eng", "English" all become "en"; anything pycountry
cannot name is refused.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_TEXT_FIELDS = ("title", "published", "updated")


class HintError(ValueError):
    """A stated field that cannot be used; the message says which and why."""


def check_hints(item: dict[str, Any]) -> dict[str, Any]:
    """The usable hints of a record (title, published, updated, language, id); HintError if one is bad.

    Absent, null and empty fields are no hints at all.
    """
    hints: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = item.get(name)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise HintError(f"field {name!r} must be a string, got {_kind(value)}")
        hints[name] = valid_text(value)
    language = item.get("language")
    if language not in (None, ""):
        if not isinstance(language, str):
            raise HintError(f"field 'language' must be a language code such as 'en', got {_kind(language)}")
        hints["language"] = normalise_language(language)
    given = item.get("id")
    if given not in (None, ""):
        if isinstance(given, bool) or not isinstance(given, (str, int)):
            raise HintError(f"field 'id' must be a string or an integer, got {_kind(given)}")
        hints["id"] = valid_text(given) if isinstance(given, str) else given
    return hints


def check_url(item: dict[str, Any]) -> str | None:
    url = item.get("url")
    if url in (None, ""):
        return None
    if not isinstance(url, str):
        raise HintError(f"field 'url' must be a string, got {_kind(url)}")
    return valid_text(url)


def valid_text(text: str) -> str:
    """The text with any lone surrogate (JSON allows "\\ud800") as U+FFFD, so it encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


@lru_cache(maxsize=512)
def normalise_language(stated: str) -> str:
    """The ISO 639-1 code (else 639-3) for a language code, tag or English name; HintError if none."""
    import pycountry

    text = " ".join(stated.split())
    tag = re.fullmatch(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*", text)  # en, en-US, zh_Hant, eng
    found = None
    if tag:
        code = tag.group(1).lower()
        if len(code) == 2:
            found = pycountry.languages.get(alpha_2=code)
        else:
            found = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    elif len(text) > 3:  # a name; shorter strings name nothing but obscure languages ("E")
        try:
            found = pycountry.languages.lookup(text)  # a name: "English", "german"
        except LookupError:
            found = None
    if found is None:
        raise HintError(f"field 'language' is {stated!r}, which is no language code or English name (use e.g. 'en')")
    return getattr(found, "alpha_2", None) or found.alpha_3


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", bool: "true/false", int: "a number", float: "a number", str: "a string"}
    return f"{names.get(type(value), type(value).__name__)} ({str(value)[:40]!r})"
