"""From recognised mentions to canonical entities, within one document.

Every mention gets a language-independent canonical id, so the same person, organisation
or place has one id in every document and language without any corpus-wide pass:
- places: the gazetteer's reading, chosen with the countries the document itself names
  (`loc:country:RU`, `loc:city:551487` for Kazan); unknown places fall back to their key;
- international bodies: the alias table (`org:csto` for CSTO, OVKS and ОДКБ);
- people: the folded surname (`per:lavrov` for Sergej Lawrow, Lavrov, Лавров, Lawrows).
  A surname-only mention ("Rahmon") takes the full name the document gave earlier for its
  display name. Namesakes the document itself tells apart by their given names (Joe and
  Hunter Biden) become separate people: the first keeps `per:biden`, the other gets its
  initial (`per:biden:h`), and a bare "Biden" is the one named in full most recently before
  it. The folded initial, not the whole given name, is what must differ, because given
  names vary more across transliterations (Mohammed, Muhammad) than their initials do.
  Across documents, `namesakes.py` maps these to the corpus's people by initial and, for
  surname-only mentions, by the entities they co-occur with;
- other organisations and MISC: their folded name.
Inflected forms reduce to a stem the same document uses (Lawrows → Lawrow), and a bare
surname respelled by a translation (Soltunows after Hasan Saltanov) to the full name whose
consonants it shares.
"""

from __future__ import annotations

from collections import Counter

from ..document import Entity, Mention
from .normalize import INFLECTIONS, alias_of, fold, strip_inflection
from .places import Gazetteer, Place

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
    resolved: list[Entity] = []
    for entity in entities.values():
        resolved.extend(split_namesakes(entity) if entity.type == "PER" else [entity])
    return resolved


# Titles a recogniser may leave in a person mention: they are not given names.
TITLES = frozenset(fold(t) for t in (
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sir", "Lady", "Lord", "President", "Minister", "General",
    "King", "Queen", "Pope", "Sheikh", "Herr", "Frau", "Präsident", "Präsidentin", "Kanzler",
    "Kanzlerin", "Außenminister", "Monsieur", "Madame", "Président", "Señor", "Señora",
    "Presidente", "Signor", "Pan", "Pani", "Bay", "Bayan", "Cumhurbaşkanı", "Господин",
    "Президент", "Министр",
))


def given_initial(text: str) -> str | None:
    """The folded initial of a person mention's given name ('Sergej Lawrow' → 's'), if named."""
    words = [w for w in fold(text).split() if w not in TITLES]
    return words[0][0] if len(words) > 1 else None


def split_namesakes(person: Entity) -> list[Entity]:
    """One person per distinct given-name initial among the mentions that share a surname."""
    order = sorted(person.mentions, key=lambda m: (m.paragraph, m.start))
    initials = [given_initial(m.text) for m in order]
    people: dict[str | None, Entity] = {
        initial: Entity(person.id if n == 0 else f"{person.id}:{initial}", person.name, "PER", given=initial)
        for n, initial in enumerate(dict.fromkeys(i for i in initials if i))
    }
    if not people:
        people[None] = Entity(person.id, person.name, "PER")
    latest = next(iter(people.values()))  # a bare surname before any full name: the first named
    for mention, initial in zip(order, initials, strict=True):
        if initial:
            latest = people[initial]
        latest.mentions.append(mention)
    for entity in people.values():  # display the fullest form the document gives
        entity.name = max((m.text for m in entity.mentions), key=lambda t: (len(t.split()), len(t)))
    return list(people.values())


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
            return _place_entity(place)
    own = _surface_key(mention, language)
    # A lone word the model typed PER/ORG that names a country or big city, and is nobody's
    # surname here, is the place ("held in the city of Kazan", "Moscow said").
    if kind != "LOC" and len(mention.text.split()) == 1 and own not in surnames:
        place = gazetteer.major_place(mention.text, language)
        if place is not None:
            return _place_entity(place)
    if kind != "PER" and (stem := strip_inflection(own, language, surnames)) in surnames:
        kind, own = "PER", stem  # "Lavrov" mistyped as a place
    key = strip_inflection(own, language, keys - {own})
    if kind == "PER" and key not in surnames and len(mention.text.split()) == 1:
        key = respelled_surname(key, surnames, language) or key
    return Entity(f"{kind.lower()}:{key.replace(' ', '-')}", mention.text, kind)


def _place_entity(place: Place) -> Entity:
    return Entity(f"loc:{place.key}", place.name, "LOC", place.country, place.latitude, place.longitude)


_VOWELS = str.maketrans("", "", "aeiou")
MIN_SKELETON = 4  # consonants: shorter skeletons (Li, Ma, Kim) match too many names


def respelled_surname(key: str, surnames: set[str], language: str | None) -> str | None:
    """The one surname named in full here that `key` respells ("Soltunows" → Saltanov).

    Machine translation and transliteration change a name's vowels (Saltanov, Soltunow)
    far more often than its consonants, so within one document a bare surname whose
    consonants, initial and all, match one full name's (after an inflection ending) is
    that person. Across documents this would merge strangers; it is not used there.
    """
    endings = [fold(e) for e in INFLECTIONS.get(language or "", ())]
    forms = [key] + [key[: -len(e)] for e in endings if key.endswith(e) and len(key) > len(e) + 2]
    matches = {
        name for name in surnames for form in forms
        if name[:1] == form[:1] and len(name.translate(_VOWELS)) >= MIN_SKELETON
        and name.translate(_VOWELS) == form.translate(_VOWELS)
    }
    return matches.pop() if len(matches) == 1 else None

