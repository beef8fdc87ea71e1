"""Articles from a stream (`newsweave ingest -`): JSONL records, or one text/HTML article.

JSONL when the first non-blank byte is `{` (one record per line, read as it arrives, so a
producer may keep the pipe open); anything else is one article, as a .txt or .html file is
(blank lines separate its paragraphs, not articles). A stream has no name that stays put,
so each article's source is its content, `stdin:<sha256 prefix>`: the same article piped
again is "unchanged", a different one is new, and neither replaces the other.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from typing import BinaryIO

from ..document import RawArticle
from .failure import Failure
from .files import _looks_like_html
from .records import read_json_records

SOURCE = "stdin"
_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def read_stream(stream: BinaryIO, max_bytes: int) -> Iterator[RawArticle | Failure]:
    """The articles in a binary stream; a Failure (never an exception) for what is not one."""
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
    head = _first_byte(buffered)
    if head is None:
        yield Failure(SOURCE, "empty input on stdin")
        return
    if head == b"{":
        for item in read_json_records(buffered, SOURCE, whole_file=False, max_bytes=max_bytes):
            yield _named(item) if isinstance(item, RawArticle) else item
        return
    data = buffered.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield Failure(SOURCE, f"stdin holds more than {max_bytes / 1e6:.1f} MB, the limit for one article "
                              "(send many articles as JSONL, one per line)")
        return
    yield _named(RawArticle(data, SOURCE, "html" if _looks_like_html(data) else "text"))


def _first_byte(stream: io.BufferedReader) -> bytes | None:
    """The first byte that is not blank (nor a BOM), left unread so JSONL line numbers stay
    true; None at the end. Only a blank run longer than the read buffer is consumed."""
    while True:
        chunk = stream.peek(1)
        if not chunk:
            return None
        kept = chunk.lstrip(_BLANK)
        if kept.startswith(_BOM):
            kept = kept[len(_BOM):].lstrip(_BLANK)
        if kept:
            return kept[:1]
        stream.read(len(chunk))


def _named(raw: RawArticle) -> RawArticle:
    return dataclasses.replace(raw, source=f"{SOURCE}:{raw.sha256[:16]}")
