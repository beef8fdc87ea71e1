"""What a search may be narrowed to: language, published date range, entity, story, agency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import SearchError


@dataclass(frozen=True)
class Filters:
    language: str | None = None
    date_from: str | None = None  # inclusive, YYYY-MM-DD, on `published`
    date_to: str | None = None
    entity: str | None = None
    story: int | None = None
    agency: str | None = None

    @classmethod
    def make(cls, language=None, date_from=None, date_to=None, entity=None, story=None, agency=None) -> Filters:
        """Filters with dates checked (a date, or text as YYYY-MM-DD); SearchError if one is bad."""
        return cls(language or None, _day(date_from, "from"), _day(date_to, "to"), entity or None,
                   story, agency or None)

    def __bool__(self) -> bool:
        return any(v is not None for v in vars(self).values())

    def where(self, alias: str = "d") -> tuple[str, list[object]]:
        """An SQL condition on the documents table (aliased `alias`) and its parameters."""
        clauses, params = ["1"], []
        if self.language:
            clauses.append(f"{alias}.language = ?")
            params.append(self.language)
        if self.date_from:
            clauses.append(f"substr({alias}.published, 1, 10) >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"substr({alias}.published, 1, 10) <= ?")
            params.append(self.date_to)
        if self.entity:
            clauses.append(f"{alias}.id IN (SELECT doc_id FROM mentions WHERE entity_id = ?)")
            params.append(self.entity)
        if self.story is not None:
            clauses.append(f"{alias}.story_id = ?")
            params.append(self.story)
        if self.agency:
            clauses.append(f"{alias}.agency = ?")
            params.append(self.agency)
        return " AND ".join(clauses), params


def _day(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise SearchError(f"--{name} {value!r} is not a date; give it as YYYY-MM-DD") from None
