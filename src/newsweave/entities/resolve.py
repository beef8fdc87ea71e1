"""From recognised mentions to canonical entities, within one document.

Every mention gets a language-independent canonical id, so the same person, organisation
or place has one id in every document and language without any corpus-wide pass:
- places: the gazetteer's reading, chosen with the countries the document itself names
  (`loc:country:RU`, `loc:city:551487` for Kazan); unknown places fall back to their key;
- international bodies: the alias table (`org:csto` for CSTO, OVKS and ОДКБ);
- people: the folded surname (`per:lavrov` for Sergej Lawrow, Lavrov, Лавров, Lawrows).
  A surname-only mention ("Rahmon") takes the full name the document gave earlier for its
  display name. Namesakes (two Lavrovs) share an id: separating them needs co-occurrence
  evidence across the corpus, which this per-document step does not have;
- other organisations and MISC: their folded name.
Inflected forms reduce to a stem the same document uses (Lawrows → Lawrow).
"""

from __future__ import annotations

from collections import Counter

from ..document import Entity, Mention
from .normalize import alias_of, fold, strip_inflection
from .places import Gazetteer

TYPES = ("PER", "ORG", "LOC", "MISC")


def resolve(mentions: list[Mention], language: str | None, gazetteer: Gazetteer) -> list[Entity]:
    """Group a document's mentions into canonical entities, in order of first mention."""
    keys = {_surface_key(m, language) for m in mentions}
    # Surnames of people the document names in full: "Kabul" after "Zamir Kabul" is him.
    surnames = {_surface_key(m, language) for m in mentions if m.type == "PER" and len(m.text.split()) > 1}
    context = _document_countries(mentions, language, gazetteer)
    entities: dict[str, Entity] = {}
    for mention in mentions:
        entity = _entity_for(mention, language, gazetteer, context, keys, surnames)
        entities.setdefault(entity.id, entity).mentions.append(mention)
    for entity in entities.values():
        if entity.type == "PER":  # display the fullest form the document gives
            entity.name = max((m.text for m in entity.mentions), key=lambda t: (len(t.split()), len(t)))
    return list(entities.values())


def _surface_key(mention: Mention, language: str | None) -> str:
    key = fold(mention.text)
    return key.split()[-1] if mention.type == "PER" and key else key


def _document_countries(mentions: list[Mention], language: str | None, gazetteer: Gazetteer) -> Counter[str]:
    """Countries the document supports: named countries and cities with one reading."""
    context: Counter[str] = Counter()
    for mention in mentions:
        if mention.type != "LOC":
            continue
        found = gazetteer.candidates(mention.text, language)
        countries = {p.country for p in found}
        if len(countries) == 1:
            context[countries.pop()] += 1
    return context


def _entity_for(
    mention: Mention,
    language: str | None,
    gazetteer: Gazetteer,
    context: Counter[str],
    keys: set[str],
    surnames: set[str],
) -> Entity:
    alias = alias_of(mention.text)  # an acronym or body the model typed as anything
    if alias:
        return Entity(f"org:{alias.lower()}", alias, "ORG")
    kind = mention.type
    if kind == "LOC":
        place = gazetteer.resolve(mention.text, context, language)
        if place is not None:
            return Entity(f"loc:{place.key}", place.name, "LOC", place.country, place.latitude, place.longitude)
    own = _surface_key(mention, language)
    # A lone word the model typed PER/ORG that names a country or big city, and is nobody's
    # surname here, is the place ("held in the city of Kazan", "Moscow said").
    if kind != "LOC" and len(mention.text.split()) == 1 and own not in surnames:
        place = gazetteer.major_place(mention.text, language)
        if place is not None:
            return Entity(f"loc:{place.key}", place.name, "LOC", place.country, place.latitude, place.longitude)
    if kind != "PER" and strip_inflection(own, language, surnames) in surnames:
        kind, own = "PER", strip_inflection(own, language, surnames)  # "Lavrov" mistyped as a place
    key = strip_inflection(own, language, keys - {own})
    return Entity(f"{kind.lower()}:{key.replace(' ', '-')}", mention.text, kind)

