"""A date for an article that states none, read from its own text.

Metadata takes a publication date only from where one is printed (a date line, a page's
tags, a URL). An article without one may still say when it reports: a dated dateline
("BERLIN, 5. Juli 2021 (dpa) –"), a date stamp among its first paragraphs that the layout
did not mark ("May 2, 2013 1: 35 pm"), or a day relative to a date we know ("yesterday",
"on Monday", against its story's first date). `infer_date` reads those, in that order, and
says which it used; the caller marks the date as inferred. Pure: no I/O.

Month and weekday names come from babel's CLDR data for the article's language (English
always too), so one small rule set covers every language babel knows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..document import Document

# Where an article says when it reports: its dateline and lead. A date further down is
# more often background ("since 2003", "in August 2021") than the news.
LEAD_PARAGRAPHS = 3
# A paragraph this short that holds a full date is a date stamp. A date inside a sentence is
# not taken: on ECB+ such dates spread one event's reports over months (background, earlier
# events), which kept reports of one event out of each other's story window.
DATE_LINE_WORDS, DATE_LINE_CHARS = 8, 40

# "Yesterday" and "today" in the pipeline's languages (CLDR has no plain list of them).
_YESTERDAY = {
    "en": ["yesterday"], "de": ["gestern"], "fr": ["hier"], "es": ["ayer"], "it": ["ieri"],
    "ru": ["вчера"], "pl": ["wczoraj"], "tr": ["dün"], "ar": ["أمس", "امس"], "zh": ["昨天", "昨日"],
    "pt": ["ontem"], "nl": ["gisteren"],
}
_TODAY = {
    "en": ["today"], "de": ["heute"], "fr": ["aujourd'hui", "aujourd’hui"], "es": ["hoy"], "it": ["oggi"],
    "ru": ["сегодня"], "pl": ["dziś", "dzisiaj"], "tr": ["bugün"], "ar": ["اليوم"], "zh": ["今天", "今日"],
    "pt": ["hoje"], "nl": ["vandaag"],
}


@dataclass(frozen=True)
class InferredDate:
    date: str  # YYYY-MM-DD
    evidence: str  # what in the text gave it: "dateline", "date line", "yesterday", "today", "weekday"


def infer_date(
    paragraphs: list[str], language: str | None, today: dt.date, anchor: str | None = None,
) -> InferredDate | None:
    """The day an undated article reports on, from its dateline or lead, or None.

    `anchor`: a date known from elsewhere (its story's first date) against which a weekday
    or "yesterday" is resolved when the text holds no full date of its own."""
    lead = paragraphs[:LEAD_PARAGRAPHS]
    if not lead:
        return None
    rules = _rules(language or "en")
    full = [d for text in lead for d in _full_dates(text, rules, today)]
    dateline = _dateline_date(lead[0], rules, today, full, anchor)
    if dateline:
        return InferredDate(dateline.isoformat(), "dateline")
    for text in lead:  # a date stamp the layout did not mark ("May 2, 2013 1: 35 pm")
        short = len(text.split()) <= DATE_LINE_WORDS and len(text) <= DATE_LINE_CHARS
        stamped = _full_dates(text, rules, today) if short else []
        if stamped:
            return InferredDate(stamped[0].isoformat(), "date line")
    if anchor is None:
        return None
    base = dt.date.fromisoformat(anchor[:10])
    relative = _relative_day(" ".join(lead), rules, base)
    if relative:
        day, how = relative
        return InferredDate(day.isoformat(), how) if day <= today else None
    return None


@dataclass(frozen=True)
class _Rules:
    months: dict[str, int]  # casefolded month name or abbreviation → 1..12
    full_date: regex.Pattern  # day month year | month day, year | ISO | dotted numbers
    day_month: regex.Pattern  # a dateline's day and month without a year
    weekdays: regex.Pattern  # a weekday word; group "w<n>" tells which (0 = Monday)
    yesterday: regex.Pattern | None
    today: regex.Pattern | None


@lru_cache(maxsize=32)
def _rules(language: str) -> _Rules:
    """Month and weekday patterns for `language` and English (CLDR names through babel)."""
    from babel import Locale, UnknownLocaleError

    locales = ["en"] + ([language] if language != "en" else [])
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for code in locales:
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    months.setdefault(name.casefold().rstrip("."), number)
            for number, name in locale.days[context]["wide"].items():
                weekdays.setdefault(name.casefold(), number)
    months.update({"sept": 9, "febr": 2})
    month = "|".join(regex.escape(m) for m in sorted(months, key=len, reverse=True))
    year = r"(?P<y>(?:19|20)\d\d)"
    full = regex.compile(
        rf"(?<!\d)(?P<d>[0-3]?\d)(?:\.|-?(?:st|nd|rd|th|er|º|°))?\s+(?P<m>{month})\.?,?\s+{year}(?!\d)"
        rf"|(?<!\p{{L}})(?P<m2>{month})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)(?!\d)"
        r"|(?<!\d)(?P<y3>(?:19|20)\d\d)-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)(?!\d)"
        r"|(?<![\d.])(?P<d4>[0-3]?\d)\.(?P<m4>[01]?\d)\.(?P<y4>(?:19|20)\d\d)(?!\d)"
        r"|(?P<y5>(?:19|20)\d\d)年(?P<m5>[01]?\d)月(?P<d5>[0-3]?\d)日",
        regex.IGNORECASE,
    )
    day_month = regex.compile(
        rf"(?<!\d)(?P<d>[0-3]?\d)\.?\s+(?P<m>{month})\.?(?!\p{{L}})"
        rf"|(?<!\p{{L}})(?P<m2>{month})\.?\s+(?P<d2>[0-3]?\d)(?!\d)",
        regex.IGNORECASE,
    )
    # Weekdays by stem: Russian and Polish inflect them ("в среду", "w środę").
    alternatives = []
    for name, number in weekdays.items():
        stem = name[:-1] if len(name) > 4 else name
        alternatives.append(rf"(?P<w{number}>{regex.escape(stem)}\p{{L}}{{0,3}})")
    weekday = regex.compile(rf"(?<!\p{{L}})(?:{'|'.join(alternatives)})(?!\p{{L}})", regex.IGNORECASE)
    return _Rules(months, full, day_month, weekday, _words(_YESTERDAY, locales), _words(_TODAY, locales))


def _words(table: dict[str, list[str]], locales: list[str]) -> regex.Pattern | None:
    words = [w for code in locales for w in table.get(code, [])]
    if not words:
        return None
    return regex.compile(rf"(?<!\p{{L}})(?:{'|'.join(regex.escape(w) for w in words)})(?!\p{{L}})", regex.IGNORECASE)


def _date(year: int, month: int, day: int, today: dt.date) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if dt.date(1990, 1, 1) <= date <= today else None


def _full_dates(text: str, rules: _Rules, today: dt.date) -> list[dt.date]:
    """Every full date (with a year) in `text` that is not in the future."""
    found = []
    for match in rules.full_date.finditer(text):
        g = match.groupdict()
        if g["m"]:
            parts = (int(g["y"]), rules.months.get(g["m"].casefold()), int(g["d"]))
        elif g["m2"]:
            parts = (int(g["y2"]), rules.months.get(g["m2"].casefold()), int(g["d2"]))
        else:
            n = next(i for i in (3, 4, 5) if g[f"y{i}"])
            parts = (int(g[f"y{n}"]), int(g[f"m{n}"]), int(g[f"d{n}"]))
        date = _date(parts[0], parts[1], parts[2], today) if parts[1] else None
        if date:
            found.append(date)
    return found


# A dateline: a place in capitals, then a comma, before "(Agency) –" or a dash.
_DATELINE_HEAD = regex.compile(r"^\p{Lu}[\p{Lu}'’.\- ]{2,40},\s*(?P<when>[^()\n:–—]{3,40}?)\s*(?:\([^)]{2,40}\))?\s*(?::|–|—|-{1,2})\s")


def _dateline_date(
    first: str, rules: _Rules, today: dt.date, full: list[dt.date], anchor: str | None,
) -> dt.date | None:
    """The date a dateline prints ("MOSCOW, Sept 29 (Reuters) -"); a missing year is the one
    that puts it on or before the lead's latest full date or the anchor, within a year."""
    head = _DATELINE_HEAD.match(first)
    if not head:
        return None
    when = head["when"]
    dated = _full_dates(when, rules, today)
    if dated:
        return dated[0]
    match = rules.day_month.search(when)
    if not match:
        return None
    name, day = (match["m"], match["d"]) if match["m"] else (match["m2"], match["d2"])
    month = rules.months.get(name.casefold())
    ref = max(full) if full else dt.date.fromisoformat(anchor[:10]) if anchor else None
    if month is None or ref is None:
        return None
    for year in (ref.year, ref.year - 1, ref.year + 1):
        date = _date(year, month, int(day), today)
        if date and abs((date - ref).days) <= 183:
            return date
    return None


def _relative_day(text: str, rules: _Rules, base: dt.date) -> tuple[dt.date, str] | None:
    """The first "yesterday", "today" or weekday in `text`, as a day on or before `base`."""
    hits = []
    if rules.yesterday and (m := rules.yesterday.search(text)):
        hits.append((m.start(), base - dt.timedelta(days=1), "yesterday"))
    if rules.today and (m := rules.today.search(text)):
        hits.append((m.start(), base, "today"))
    if m := rules.weekdays.search(text):
        weekday = int(next(k for k, v in m.groupdict().items() if v)[1:])
        hits.append((m.start(), base - dt.timedelta(days=(base.weekday() - weekday) % 7), "weekday"))
    if not hits:
        return None
    _, day, how = min(hits)
    return day, how


def date_from_text(doc: Document) -> Document:
    """Pipeline stage: an article that states no date takes the one its dateline or lead
    gives, marked `date_source="text"`. A stated date is never replaced."""
    if doc.published is None:
        today = (doc.reading.today if doc.reading else None) or dt.date.today()
        found = infer_date([p.text for p in doc.paragraphs], doc.language, today)
        if found:
            doc.published, doc.date_source = found.date, "text"
    return doc
