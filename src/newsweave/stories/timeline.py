"""A story's (or storyline's) timeline: its members by day, each development's first report first.

A development is one original report and its copies (translations, duplicates). Days run
oldest first, undated members last; within a day, developments come in the order they were
first reported, each first report before its copies. An original dated after the day of the
first report is a follow-up. Pure: documents and roles in, records out.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Document, TimelineDay, TimelineEntry

# What an entry shows of a member without a title.
LEAD_CHARS = 200


def timeline(members: Sequence[tuple[Document, str]], origins: dict[str, str] | None = None) -> list[TimelineDay]:
    """Members (document, role) as dated days of entries. `origins` maps a copy to the
    original it copies (`members.member_origins`); a storyline passes its stories' members
    (and their origins) together."""
    origins = origins or {}
    arrival = {d.id: i for i, (d, _) in enumerate(members)}
    by_id = {d.id: d for d, _ in members}
    first_day = min((d.published[:10] for d, r in members if d.published and r == "original"), default=None)

    def root(doc: Document) -> Document:
        return by_id.get(origins.get(doc.id, doc.id), doc)

    def when(doc: Document) -> tuple[bool, str, int]:
        return (doc.published is None, (doc.published or "")[:10], arrival[doc.id])

    keyed = []
    for doc, role in members:
        origin = root(doc)
        if role == "original" and first_day and doc.published and doc.published[:10] > first_day:
            role = "follow-up"
        # By the member's own day; within it, by when its development was first reported,
        # the first report before its copies, then arrival.
        key = (when(doc)[:2], when(origin), doc.id != origin.id, arrival[doc.id])
        keyed.append((key, _entry(doc, role, origin.id)))
    days: dict[str | None, list[TimelineEntry]] = {}
    for _, entry in sorted(keyed, key=lambda k: k[0]):
        days.setdefault(entry.published[:10] if entry.published else None, []).append(entry)
    return [TimelineDay(day, items) for day, items in days.items()]


def _entry(doc: Document, role: str, first_report: str) -> TimelineEntry:
    lead = doc.paragraphs[0].text[:LEAD_CHARS] if doc.paragraphs else ""
    return TimelineEntry(
        doc.id, role, first_report, doc.published, doc.date_source is not None, doc.date_source,
        doc.language, doc.source, doc.title, lead,
    )
