"""HTML main text and metadata through trafilatura (with htmldate for dates).

trafilatura is the best-measured open extractor; we ask it for the body without comments
and for its metadata, then hand the paragraphs to the same plain-text cleaning every other
input gets (repeats, furniture, captions).
"""

from __future__ import annotations

import datetime as dt

import regex
import trafilatura

from ..document import Document, Paragraph
from .encoding import BadContent
from .metadata import agency_in, valid_date

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", regex.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def extract_html(doc: Document, html: str, url: str | None, today: dt.date | None = None) -> Document:
    """Fill the document's paragraphs and metadata from an HTML page."""
    today = today or dt.date.today()
    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,  # its dedup cache is process-global; we drop repeats ourselves
        date_extraction_params={"extensive_search": True, "original_date": True, "max_date": today.isoformat()},
    )
    if result is None or not (result.text or "").strip():
        raise BadContent("no article text found in this HTML page")
    doc.paragraphs = [Paragraph(" ".join(line.split())) for line in result.text.split("\n") if line.strip()]
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
