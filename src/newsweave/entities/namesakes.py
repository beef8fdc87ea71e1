"""Namesakes across the corpus: which stored person a new document's person is.

`resolve` keys people by their folded surname, one document at a time. Across documents two
kinds of evidence separate namesakes:
- a given name: a person named in full is the stored person with the same surname and
  given-name initial; a stored person known only by surname is adopted (a later "Sergei
  Lavrov" is the earlier "Lavrov"); a new initial is a new person, `per:<surname>:<initial>`;
- co-occurrence: a person named by surname only is the candidate who shares the most other
  entities with the document (Biden next to Delaware and the White House is Joe, next to
  Burisma Hunter), then the one in the most documents.
The first person stored under a surname keeps the plain `per:<surname>` id, so ids from
`newsweave tag` (no corpus) match the corpus whenever a surname has one bearer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..document import Document, Entity


@dataclass
class KnownPerson:
    id: str
    given: str | None
    documents: int


class People(Protocol):
    def people(self, base: str) -> list[KnownPerson]:
        """Stored people whose id is `base` or `base:<initial>`."""
        ...

    def cooccurrence(self, candidates: list[str], context: list[str]) -> dict[str, int]:
        """For each candidate, how many of the `context` entities share a document with it."""
        ...


def base_id(entity_id: str) -> str:
    """'per:biden:h' → 'per:biden'."""
    kind, _, rest = entity_id.partition(":")
    return f"{kind}:{rest.split(':')[0]}"


def choose(person: Entity, known: list[KnownPerson], cooccurrence: dict[str, int], taken: set[str]) -> str:
    """The corpus id for `person`, given the stored people that share its surname.

    `taken`: ids another person of the same document already has (two people, two ids).
    """
    base = base_id(person.id)
    free = [k for k in known if k.id not in taken]
    if person.given is None:
        if free:
            return max(free, key=lambda k: (cooccurrence.get(k.id, 0), k.documents, k.id == base)).id
    else:
        for candidates in ([k for k in free if k.given == person.given], [k for k in free if k.given is None]):
            if candidates:
                return max(candidates, key=lambda k: (k.documents, k.id == base)).id
    if base not in taken and not any(k.id == base for k in known):
        return base
    return f"{base}:{person.given or '?'}"


def match_people(doc: Document, people: People) -> None:
    """Give the document's people their corpus ids (in place), those with given names first."""
    context = [e.id for e in doc.entities if e.type != "PER"]
    taken: set[str] = set()
    for person in sorted((e for e in doc.entities if e.type == "PER"), key=lambda e: e.given is None):
        known = people.people(base_id(person.id))
        unnamed = person.given is None and len(known) > 1
        cooccurrence = people.cooccurrence([k.id for k in known], context) if unnamed else {}
        person.id = choose(person, known, cooccurrence, taken)
        taken.add(person.id)
