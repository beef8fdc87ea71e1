"""HTML main text and metadata through trafilatura (with htmldate for dates).

trafilatura is the best-measured open extractor. We parse the page once and run its main
pass without the readability/justext fallback comparison (`fast`): on news pages the
comparison rarely changes the result and costs a third of the time (bench/extraction.py
measures both). Metadata comes from trafilatura's own metadata functions on the same tree,
limited to the fields we keep (its full pass also hunts for categories, tags and a
licence, a third of its cost). Generic checks then guard the fast result:

- a result that is mostly one-to-four-word lines is a menu or index the main pass fell
  through to, not an article; it is extracted again with trafilatura's precision mode and
  its fallbacks, which keep such link lists out;
- lines that are links to elsewhere (related-story lists, "Read more: ..." teasers, tag
  lists, calls to subscribe) are dropped, told by how much of their source block's text
  sits inside <a> elements, as is the page's own address printed on the page;
- leading paragraphs that repeat the page's headline (in any of the forms the page gives
  it: <h1>, <title>, og:title), with the kicker labels above them, are dropped: the
  headline is kept as `doc.title`, and `Document.text` puts it back in front once.

The paragraphs then get the same plain-text cleaning every other input gets (repeats,
furniture, captions) in the pipeline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from html import unescape
from typing import Any, NamedTuple

import regex
import trafilatura
from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_sitename, extract_title
from trafilatura.metadata import extract_url as _canonical_url
from trafilatura.utils import line_processing, load_html

from ..document import Document, Paragraph
from .encoding import BadContent
from .metadata import agency_in, later_update, valid_date

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", regex.IGNORECASE)
_WORD = regex.compile(r"\w+")
_SITE_FROM_URL = regex.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")

# A "menu dump": at least this many lines, and at least this share of the words in lines of
# at most `_SHORT_LINE_WORDS` words. Article prose is sentences (a news paragraph averages
# 30-60 words); even list-heavy articles (recipes, specs, Q&A) on the bench set stay under
# a quarter of their words in such short lines, while a page that fell through to its
# navigation holds hundreds of one-to-three-word menu entries.
_MENU_MIN_LINES = 50
_MENU_SHORT_SHARE = 0.5
_SHORT_LINE_WORDS = 4

# A headline copy is looked for among the first `_HEADLINE_REACH` lines, behind labels of at
# most `_LABEL_WORDS` words that do not end a sentence (kickers: "Review", "Science").
_HEADLINE_REACH = 3
_LABEL_WORDS = 3
_SENTENCE_END = (".", "!", "?", "。", "！", "？")
_TITLE_XPATH = '//head/title|//meta[@property="og:title" or @name="twitter:title"][@content]'
_TITLE_SEPARATOR = regex.compile(r"\s+[|–—:-]\s+|\s+::\s+")

# A line whose source block has at least this share of its text inside <a> elements is a
# link (teaser, "Read more", call to subscribe), not article prose; inline links in prose
# cover a few words of a sentence.
_LINK_LINE_SHARE = 0.8
# A lone link line is a teaser when it has this many words and at most this much unlinked
# label text ("Read more: ", "Related: "); see drop_link_lines.
_TEASER_WORDS = 8
_TEASER_LABEL_CHARS = 20
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_TAGS = ("p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption")
_BLOCK_TAGS += ("div", "section", "article", "header", "footer", "aside")
_LINK_BLOCKS = XPath(f"//a/ancestor::*[contains('|{'|'.join(_BLOCK_TAGS)}|', concat('|', local-name(), '|'))][1]")
# Scripts (but JSON-LD, which trafilatura's baseline reads), styles and drawings: all of
# trafilatura's stages delete them, so the metadata pass (which reads them) is run first
# and they are dropped before the main pass copies the tree.
_INERT = XPath('//script[not(@type="application/ld+json")]|//style|//svg')
_BARE_URL = regex.compile(r"^(?:https?://|www\.)\S+$")


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


def drop_leading_title(lines: list[str], titles: str | Iterable[str] | None) -> list[str]:
    """Remove paragraphs at the top of the body that only repeat the headline.

    `titles` holds the forms the page gives its headline (metadata title, <h1>, <title>,
    og:title). A copy counts when it opens the body or follows only short labels such as a
    kicker or section name ("Review", "Politics"), which are dropped with it.
    """
    keys = {_key(t) for t in ([titles] if isinstance(titles, str) else titles or ())} - {""}
    start = 0
    while keys:
        for i in range(start, min(start + _HEADLINE_REACH, len(lines) - 1)):
            if _key(lines[i]) in keys:
                start = i + 1
                break
            if not _is_label(lines[i]):
                return lines[start:]
        else:
            break
    return lines[start:]


def _is_label(line: str) -> bool:
    return len(_WORD.findall(line)) <= _LABEL_WORDS and not line.rstrip().endswith(_SENTENCE_END)


def headline_forms(tree: HtmlElement, title: str | None) -> set[str]:
    """The texts a page gives as its headline: metadata title, <h1>s, <title> and its parts, og/twitter title."""
    forms = {title or ""}
    forms.update(h1.text_content() for h1 in tree.iter("h1"))
    for element in tree.xpath(_TITLE_XPATH):
        text = element.get("content") if element.tag == "meta" else element.text_content()
        if text:
            forms.add(text)
            forms.update(_TITLE_SEPARATOR.split(text))
    return {" ".join(form.split()) for form in forms} - {""}


class LinkedBlock(NamedTuple):
    """A block of the page holding links, as `drop_link_lines` weighs it."""

    share: float  # of the block's text inside links
    unlinked: int  # characters outside links
    heading: bool


def _block_text(line: str) -> str:
    """An extracted line as its source block reads: trafilatura writes list items as "- "."""
    return line[2:] if line.startswith("- ") else line


def _linked_blocks(tree: HtmlElement, lines: list[str]) -> dict[str, LinkedBlock]:
    """The extracted lines that are the whole text of a block holding links (a link's
    nearest paragraph-like ancestor), with how much of that text is link text."""
    wanted = {_block_text(line) for line in lines}
    blocks: dict[str, LinkedBlock] = {}
    for block in _LINK_BLOCKS(tree):
        text = " ".join(block.text_content().split())
        if text in wanted and text not in blocks:
            length = sum(len(" ".join(anchor.text_content().split())) for anchor in block.iter("a"))
            length = min(length, len(text))
            blocks[text] = LinkedBlock(length / len(text), len(text) - length, block.tag in _HEADINGS)
    return blocks


def drop_link_lines(lines: list[str], blocks: dict[str, LinkedBlock], page_urls: set[str]) -> list[str]:
    """Remove lines that are links to elsewhere, and the page's own address printed on it.

    A link line has at least `_LINK_LINE_SHARE` of its text inside links. Such lines are
    dropped where they read as a list of links or a teaser: two or more in a row (related
    stories, tag lists), a run that ends the body, or a paragraph of `_TEASER_WORDS` words
    or more that is one link with at most a short label ("Read more: ...", a call to
    subscribe). A single short linked line or linked heading between paragraphs stays: in
    guides and reviews it names the product the text describes. So does a line that is a
    bare address: the article cites it.
    """
    found = [blocks.get(_block_text(line)) for line in lines]
    linked = [
        block is not None and block.share >= _LINK_LINE_SHARE and not _BARE_URL.match(line)
        for line, block in zip(lines, found, strict=True)
    ]
    drop = [line in page_urls for line in lines]
    i = 0
    while i < len(lines):
        if not linked[i]:
            i += 1
            continue
        end = i
        while end < len(lines) and linked[end]:
            end += 1
        for j in range(i, end):
            block = found[j]
            teaser = (
                block is not None
                and not block.heading
                and block.unlinked <= _TEASER_LABEL_CHARS
                and len(_WORD.findall(lines[j])) >= _TEASER_WORDS
            )
            if end - i >= 2 or end == len(lines) or teaser:
                drop[j] = True
        i = end
    kept = [line for line, gone in zip(lines, drop, strict=True) if not gone]
    return kept or lines


def _extract(tree: HtmlElement, url: str | None, **options: Any) -> Any:
    """trafilatura's main-text pass on a parsed page (it works on its own copy of the tree)."""
    return trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        deduplicate=False,  # its dedup cache is process-global; we drop repeats ourselves
        **options,
    )


class _Metadata:
    """The metadata fields newsweave keeps, found as trafilatura's `extract_metadata` finds them.

    trafilatura's own pass also looks for categories, tags and a licence, which we do not
    use and which cost a third of its time (bench/extraction.py); this runs only the parts
    whose results we keep, in the same order and with the same rules.
    """

    def __init__(self, tree: HtmlElement, url: str | None, today: dt.date) -> None:
        found = examine_meta(tree)
        if found.author and " " not in found.author:  # a single word is a handle, not a name
            found.author = None
        with contextlib.suppress(Exception):  # trafilatura's JSON-LD reader fails on odd data
            found = extract_meta_json(tree, found)
        self.title: str | None = found.title or extract_title(tree)
        self.author: str | None = found.author or extract_author(tree)
        self.url: str | None = found.url or _canonical_url(tree, url)
        self.date: str | None = find_date(
            tree, url=self.url, extensive_search=True, original_date=True, max_date=today.isoformat()
        )
        # The page's last update: htmldate's latest date from the markup alone (0.4 ms a page;
        # 21 of the 181 benchmark pages state one later than their publication date).
        self.updated: str | None = find_date(
            tree, url=self.url, extensive_search=False, original_date=False, max_date=today.isoformat()
        )
        sitename = found.sitename or extract_sitename(tree)
        if sitename:
            sitename = sitename.lstrip("@")  # a Twitter handle
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
        elif self.url and (match := _SITE_FROM_URL.match(self.url)):
            sitename = match[1]
        self.sitename: str | None = sitename or None
        for field in ("title", "author", "url", "sitename"):  # trafilatura's clean_and_trim
            value = getattr(self, field)
            if isinstance(value, str):
                setattr(self, field, line_processing(unescape(value[:10000])) or None)


def extract_html(doc: Document, html: str, url: str | None, today: dt.date | None = None) -> Document:
    """Fill the document's paragraphs and metadata from an HTML page."""
    today = today or dt.date.today()
    tree = load_html(html)
    if tree is None:
        raise BadContent("this HTML page could not be parsed")
    meta = _Metadata(tree, url, today)
    for element in _INERT(tree):  # every trafilatura stage discards them; copying them costs
        element.drop_tree()
    result = _extract(tree, url, fast=True)
    lines = _lines(result.text if result else None)
    if not lines or looks_like_menu(lines):
        # The fast pass found nothing or fell through to the navigation: run the full
        # extractor (precision mode, with its readability/justext comparison).
        second = _extract(tree, url, favor_precision=True)
        second_lines = _lines(second.text if second else None)
        if second_lines:
            lines = second_lines
    if not lines:
        raise BadContent("no article text found in this HTML page")
    lines = drop_link_lines(lines, _linked_blocks(tree, lines), {u for u in (url, meta.url) if u})
    lines = drop_leading_title(lines, headline_forms(tree, meta.title))
    doc.paragraphs = [Paragraph(line) for line in lines]
    doc.title = meta.title
    doc.url = url or meta.url
    doc.site_name = meta.sitename
    if meta.author:
        doc.authors = [a.strip() for a in meta.author.split(";") if a.strip()]
        doc.agency = agency_in(meta.author)
    doc.published = _checked_date(meta.date, today)
    doc.updated = later_update(doc.published, _checked_date(meta.updated, today))
    return doc


def _checked_date(found: str | None, today: dt.date) -> str | None:
    """An ISO date htmldate found, if it is a real date and not in the future."""
    try:
        y, m, d = (int(part) for part in (found or "")[:10].split("-"))
    except ValueError:
        return None
    return valid_date(y, m, d, today)
