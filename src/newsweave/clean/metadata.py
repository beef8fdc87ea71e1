"""Metadata from flattened text: headline, byline, agency, date line, dateline, source URL.

Plain text keeps its metadata as lines around the body: a headline and "By AFP" and a date
line above it, a dateline opening the lead ("MOSKAU (Reuters) –"), an "Original url:"
footer below. We read only those positions: a date *inside* the body (a caption's
"2. Juli 2021") is not the publication date, and a date in the future is never accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache, lru_cache

import regex

from ..document import Document, Removed, paragraph_key
from .boilerplate import furniture_reason, is_caption

# News agencies, by the spellings they sign with, mapped to one display name.
AGENCIES: dict[str, str] = {
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "ap": "AP", "associated press": "AP", "the associated press": "AP",
    "reuters": "Reuters", "thomson reuters": "Reuters",
    "dpa": "dpa", "deutsche presse-agentur": "dpa", "efe": "EFE", "agencia efe": "EFE",
    "ansa": "ANSA", "pap": "PAP", "polska agencja prasowa": "PAP",
    "tass": "TASS", "itar-tass": "TASS", "тасс": "TASS", "итар-тасс": "TASS",
    "xinhua": "Xinhua", "新华社": "Xinhua", "ria novosti": "RIA Novosti", "ria": "RIA Novosti",
    "риа новости": "RIA Novosti", "interfax": "Interfax", "интерфакс": "Interfax",
    "anadolu": "Anadolu", "anadolu agency": "Anadolu", "aa": "Anadolu",
    "upi": "UPI", "kyodo": "Kyodo", "yonhap": "Yonhap", "aap": "AAP", "apa": "APA",
    "kna": "KNA", "epd": "epd", "sda": "Keystone-SDA", "keystone-sda": "Keystone-SDA",
    "europa press": "Europa Press", "bloomberg": "Bloomberg", "anp": "ANP", "belga": "Belga",
    "ctk": "ČTK", "čtk": "ČTK", "mti": "MTI", "irna": "IRNA", "wafa": "WAFA", "pti": "PTI",
    "ians": "IANS", "bernama": "Bernama", "ihlas": "İHA", "dha": "DHA",
}
_AGENCY_ALTERNATION = "|".join(
    regex.escape(name) for name in sorted(AGENCIES, key=len, reverse=True)
)
_BYLINE = regex.compile(
    r"^(?:by|von|par|por|di|od|от|yazan|autor(?:in)?:?|author:?|texto:?)\s+(?P<names>.{2,120})$",
    regex.IGNORECASE,
)
# "Updated: 5 July 2021", "Aktualisiert am 05.07.2021": a date line that is not the publication.
_UPDATE_LABEL = regex.compile(
    r"^(?:last\s+)?(?:updated|modified|(?:zuletzt\s+)?aktualisiert|stand|mis[e]?\s+à\s+jour|actualizado|"
    r"actualización|(?:ultimo\s+)?aggiornat[oa]|aggiornamento|zaktualizowano|aktualizacja|обновлено|"
    r"обновление|(?:son\s+)?güncelleme|güncellendi|آخر\s+تحديث|تم\s+التحديث|更新(?:时间|時間|于|於)?)"
    r"(?:\s+(?:on|at|am|um|le|el|il|в))?\s*[:：-]?\s*",
    regex.IGNORECASE,
)
_AGENCY_TOKEN = regex.compile(rf"(?<![\p{{L}}])(?:{_AGENCY_ALTERNATION})(?![\p{{L}}])", regex.IGNORECASE)
# "MOSKAU:", "MOSKAU (Reuters) –", "KABUL, Afghanistan (AP) —", "BERLIN, 5. Juli (dpa) -"
_DATELINE = regex.compile(
    r"^(?P<place>\p{Lu}[\p{Lu}'’.-]{2,}(?:[ -]\p{Lu}[\p{Lu}'’.-]+){0,3})"
    r"(?:,\s*[^()\n:–—]{1,40}?)?"
    r"(?:\s*\((?P<agency>[^)]{2,40})\))?"
    r"\s*(?::|–|—|-{1,2})\s+"
)
_URL = regex.compile(r"https?://\S+")
# A URL a scraper broke with a space before its last part: ".../influence -a82611".
_BROKEN_URL = regex.compile(r"(https?://\S+?)\s+([-_/?#&=.][\w\-/?#&=.%]*)$")
_SOURCE_LABEL = regex.compile(
    r"^(?:original(?:ly published at)?|source|quelle|originalartikel|fuente|fonte|źródło|источник|kaynak|来源|المصدر)"
    r"(?:\s*(?:url|link|article|artikel))?\s*:\s*(?P<rest>.*)$",
    regex.IGNORECASE,
)
_SENTENCE_END = regex.compile(r"[.:;,]$")
_QUOTES = "\"'“”‘’«»„‚"
_DIGITS_YEAR = regex.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_NUMBER = regex.compile(r"\d+")
_ISO_DATE = regex.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
_URL_DATE = regex.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|$)")

_MAX_TITLE_WORDS = 25
_MAX_HEADER_LINE_WORDS = 10
_HEADER_LINES = 8


def agency_in(text: str) -> str | None:
    """The agency named by a short signature ("AFP", "Reuters", "dpa/AP" → first)."""
    match = _AGENCY_TOKEN.search(text)
    return AGENCIES[match.group().casefold()] if match else None


def valid_date(year: int, month: int, day: int, today: dt.date) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date.isoformat() if dt.date(1990, 1, 1) <= date <= today else None


def later_update(published: str | None, updated: str | None) -> str | None:
    """The update date worth keeping: an update is news only after the publication it updates."""
    return updated if updated and published and updated > published else None


def date_from_url(url: str | None, today: dt.date) -> str | None:
    """Many news URLs carry the publication date: /2023/09/29/…"""
    match = _URL_DATE.search(url or "")
    return valid_date(int(match["y"]), int(match["m"]), int(match["d"]), today) if match else None


# A language code, or a function that tells it (called only when a line needs it).
LanguageHint = str | Callable[[], str | None] | None


def parse_date_line(line: str, today: dt.date, language: LanguageHint = None) -> str | None:
    """A standalone date line ("September 29, 2023", "29.09.2023", "2023-09-29").

    Knowing the language lets dateparser skip guessing among its 200 locales (36 ms a line);
    it may be given as a function, called only for a line that gets as far as dateparser.
    A date line writes its day as a number besides the year: a line whose only number is
    the year is a headline ("Food trend wishlist for 2020"), which dateparser could only
    misread (as a relative date, "Today 2020" → today), at 10-40 ms a line.
    """
    if len(line.split()) > _MAX_HEADER_LINE_WORDS or not _DIGITS_YEAR.search(line):
        return None
    iso = _ISO_DATE.search(line)
    if iso:
        return valid_date(int(iso["y"]), int(iso["m"]), int(iso["d"]), today)
    if len(_NUMBER.findall(line)) < 2:
        return None
    parsed = _dateparser_parse(line, language() if callable(language) else language)
    if parsed is None:
        return None
    return valid_date(parsed.year, parsed.month, parsed.day, today)


@lru_cache(maxsize=4096)
def _dateparser_parse(line: str, language: str | None) -> dt.datetime | None:
    import dateparser  # slow to import (~1 s): only when a header holds a date-like line

    # English too is a language we know: left to guess, dateparser tries each of its 200
    # locales in turn for a line English cannot read (seconds, the first time, to build
    # their word lists); on the benchmark pages no English date line reads otherwise.
    languages = None if not language else ["en"] if language == "en" else [language, "en"]
    # All-number dates: dateparser reads "05.07.2021" month first whatever the language, but
    # dotted dates, and numeric dates outside English, put the day first (5 July).
    day_first = "." in line or (language is not None and language != "en")
    try:
        return _parse_with(dateparser, line, languages, day_first)
    except ValueError:  # a language dateparser does not know: let it guess
        return _parse_with(dateparser, line, None, day_first)


def _parse_with(dateparser, line: str, languages: list[str] | None, day_first: bool) -> dt.datetime | None:
    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
    if day_first:
        settings["DATE_ORDER"] = "DMY"
    return dateparser.parse(line, languages=languages, settings=settings)


def extract_text_metadata(doc: Document, today: dt.date | None = None, language: LanguageHint = None) -> Document:
    """Fill title, byline, agency, date, dateline and URL from the text's layout.

    `language` (for reading date lines) may be a function: it is then called at most once,
    and only if a line needs it, as identifying the language costs more than the rest.
    """
    today = today or dt.date.today()
    if callable(language):
        language = cache(language)
    _take_source_url(doc)
    _take_header(doc, today, language)
    _read_dateline(doc)
    if doc.published is None:
        doc.published = date_from_url(doc.url, today)
    return doc


def _take_source_url(doc: Document) -> None:
    """An "Original url:" footer (the URL on the same or the next line) → doc.url."""
    paragraphs = doc.paragraphs
    for i in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 4), -1):
        label = _SOURCE_LABEL.match(paragraphs[i].text)
        if not label:
            continue
        taken = [i]
        candidate = label["rest"]
        if not _URL.search(candidate) and i + 1 < len(paragraphs):
            candidate = paragraphs[i + 1].text
            taken.append(i + 1)
        match = _URL.search(candidate)
        if not match:
            continue
        candidate = candidate[match.start():]
        mended = _BROKEN_URL.match(candidate)
        url = mended[1] + mended[2] if mended else candidate.split()[0]
        doc.url = doc.url or url.rstrip(".,;)")
        for j in sorted(taken, reverse=True):
            doc.removed.append(Removed(paragraphs.pop(j).text, "source URL footer"))
        return


def _take_header(doc: Document, today: dt.date, language: LanguageHint) -> None:
    """Headline, byline and date lines above the body; each is removed from the body."""
    repeated = {paragraph_key(r.text) for r in doc.removed if r.reason == "repeated paragraph"}
    taken: list[tuple[int, str]] = []
    for i, paragraph in enumerate(doc.paragraphs[:_HEADER_LINES]):
        line = paragraph.text
        if furniture_reason(line) or is_caption(line):
            continue
        words = len(line.split())
        if words <= _MAX_HEADER_LINE_WORDS:
            byline = _BYLINE.match(line)
            if byline:
                _apply_byline(doc, byline["names"])
                taken.append((i, "byline"))
                continue
            update = _UPDATE_LABEL.match(line)
            date = parse_date_line(line[update.end():] if update else line, today, language)
            if date and update:
                doc.updated = max(doc.updated or date, date)
                taken.append((i, "update line"))
                continue
            if date:
                doc.published = doc.published or date
                taken.append((i, "date line"))
                continue
        # A headline needs a body below it.
        if doc.title is None and i + 1 < len(doc.paragraphs) and _looks_like_title(line, paragraph_key(line) in repeated):
            doc.title = line
            taken.append((i, "title"))
            continue
        if words > _MAX_HEADER_LINE_WORDS:
            break  # the body has begun
    for i, reason in sorted(taken, reverse=True):
        doc.removed.append(Removed(doc.paragraphs.pop(i).text, reason))


def _looks_like_title(line: str, repeated: bool) -> bool:
    words = len(line.split())
    if words > _MAX_TITLE_WORDS or _DATELINE.match(line):
        return False
    if repeated:  # scrapers print the headline twice (h1 and og:title)
        return True
    return words >= 3 and not _SENTENCE_END.search(line.rstrip(_QUOTES))


def _apply_byline(doc: Document, names: str) -> None:
    agency = agency_in(names)
    if agency:
        doc.agency = doc.agency or agency
    people = regex.split(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|/)\s*", names)
    for person in people:
        person = person.strip(" .")
        if person and not agency_in(person) and len(person.split()) <= 4:
            doc.authors.append(person)


def _read_dateline(doc: Document) -> None:
    """The dateline opens the lead: the first paragraph that is neither furniture nor caption."""
    if not any(_DATELINE.match(p.text) for p in doc.paragraphs):
        return  # whichever paragraph is the lead, it has none (and this is cheaper to ask)
    lead = next(
        (p.text for p in doc.paragraphs if not (furniture_reason(p.text) or is_caption(p.text))),
        "",
    )
    match = _DATELINE.match(lead)
    if not match:
        return
    doc.dateline = match["place"].title()
    if match["agency"]:
        doc.agency = doc.agency or agency_in(match["agency"])
