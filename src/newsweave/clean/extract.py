"""HTML main text and metadata through trafilatura (with htmldate for dates).

trafilatura is the best-measured open extractor. We run its main pass without the
readability/justext fallback comparison (`fast`): on news pages the comparison rarely
changes the result and costs a third of the time (bench/extraction.py measures both). Two
generic checks then guard the fast result:

- a result that is mostly one-to-four-word lines is a menu or index the main pass fell
  through to, not an article; it is extracted again with trafilatura's precision mode and
  its fallbacks, which keep such link lists out;
- leading paragraphs that repeat the page's headline are dropped: the headline is kept as
  `doc.title`, and `Document.text` puts it back in front once.

The paragraphs then get the same plain-text cleaning every other input gets (repeats,
furniture, captions) in the pipeline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import regex
import trafilatura

from ..document import Document, Paragraph
from .encoding import BadContent
from .metadata import agency_in, valid_date

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", regex.IGNORECASE)
_WORD = regex.compile(r"\w+")

# A "menu dump": at least this many lines, and at least this share of the words in lines of
# at most `_SHORT_LINE_WORDS` words. Article prose is sentences (a news paragraph averages
# 30-60 words); even list-heavy articles (recipes, specs, Q&A) on the bench set stay under
# a quarter of their words in such short lines, while a page that fell through to its
# navigation holds hundreds of one-to-three-word menu entries.
_MENU_MIN_LINES = 50
_MENU_SHORT_SHARE = 0.5
_SHORT_LINE_WORDS = 4


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def _lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").split("\n") if line.strip()]


def _key(text: str) -> str:
    """Words only, case-folded: what a headline and its copy in the body share."""
    return " ".join(_WORD.findall(text.casefold()))


def looks_like_menu(lines: list[str]) -> bool:
    """True when the lines read as a navigation or index listing rather than prose."""
    if len(lines) < _MENU_MIN_LINES:
        return False
    counts = [len(_WORD.findall(line)) for line in lines]
    total = sum(counts)
    short = sum(n for n in counts if n <= _SHORT_LINE_WORDS)
    return total > 0 and short / total >= _MENU_SHORT_SHARE


def drop_leading_title(lines: list[str], title: str | None) -> list[str]:
    """Remove paragraphs at the top of the body that only repeat the headline."""
    key = _key(title or "")
    start = 0
    while key and start < len(lines) - 1 and _key(lines[start]) == key:
        start += 1
    return lines[start:]


def _extract(html: str, url: str | None, today: dt.date, **options: Any) -> Any:
    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,  # its dedup cache is process-global; we drop repeats ourselves
        date_extraction_params={"extensive_search": True, "original_date": True, "max_date": today.isoformat()},
        **options,
    )


def extract_html(doc: Document, html: str, url: str | None, today: dt.date | None = None) -> Document:
    """Fill the document's paragraphs and metadata from an HTML page."""
    today = today or dt.date.today()
    result = _extract(html, url, today, fast=True)
    lines = _lines(result.text if result else None)
    if not lines or looks_like_menu(lines):
        # The fast pass found nothing or fell through to the navigation: run the full
        # extractor (precision mode, with its readability/justext comparison).
        second = _extract(html, url, today, favor_precision=True)
        second_lines = _lines(second.text if second else None)
        if second_lines:
            result, lines = second, second_lines
    if result is None or not lines:
        raise BadContent("no article text found in this HTML page")
    lines = drop_leading_title(lines, result.title)
    doc.paragraphs = [Paragraph(line) for line in lines]
    doc.title = result.title or None
    doc.url = url or result.url or None
    doc.site_name = result.sitename or None
    if result.author:
        doc.authors = [a.strip() for a in result.author.split(";") if a.strip()]
        doc.agency = agency_in(result.author)
    if result.date:
        try:
            y, m, d = (int(part) for part in result.date[:10].split("-"))
            doc.published = valid_date(y, m, d, today)
        except ValueError:
            doc.published = None
    return doc
