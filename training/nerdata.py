"""Readers that turn each NER data set in ``../shared/eval/ner`` into one internal format.

A sentence is ``(tokens, tags)`` with BIO tags over the unified types PER, ORG and LOC;
everything else (GermEval OTH and the -part/-deriv variants, wikigold MISC, OntoNotes
NORP/DATE/…, NewsFANE products and vehicles) becomes ``O``. The mapping decisions are
written down in ``src/newsweave/models/ner/NOTICE`` and next to each table below.

``splits(lang, root)`` gives the fixed train/dev/test split of each language that both the
training script and ``bench/ner.py`` use, so the test split can never leak into training.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from newsweave.entities.ner import ONTONOTES

Sentence = tuple[list[str], list[str]]

TYPES = ("PER", "ORG", "LOC")
LANGUAGES = ("de", "en", "ru", "tr", "zh", "ar")

# GermEval 2014: only the base types count. "deutsche" (LOCderiv) and "EU-Staaten" (LOCpart)
# are not mentions of a location, so -deriv and -part map to O, as does OTH (MISC).
GERMEVAL = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}

# Turkish Wikipedia NER uses OntoNotes types: mapped with the runtime's own table
# (newsweave.entities.ner.ONTONOTES, which reads the English model's labels the same way).

# NewsFANE's fine types (ACE 2005 extended). Persons by role (incl. Police: officers by
# name) are PER; "Group" holds nationality nouns ("الصينيون", the Chinese) and maps to O
# like GermEval's LOCderiv; vehicles (Land/Air/Water), works, products, weapons → O.
NEWSFANE = {
    **dict.fromkeys(
        ["Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist", "Businessperson", "Lawyer", "Engineer", "Police"],
        "PER",
    ),
    **dict.fromkeys(
        ["Non-Governmental", "Government", "Sports", "Media", "Commercial", "Educational", "Medical-Science", "Entertainment", "Religious_ORG"],
        "ORG",
    ),
    **dict.fromkeys(
        ["Nation", "Population-Center", "State-or-Province", "GPE-Cluster", "Continent", "Water-Body", "Land-Region-Natural", "County-or-District", "Building-Grounds", "Subarea-Facility", "Path", "Airport"],
        "LOC",
    ),
}

# factRuEval objects: LocOrg ("Россия" as an actor) is still a place name → LOC.
FACTRU = {"Person": "PER", "Org": "ORG", "Location": "LOC", "LocOrg": "LOC"}

# Only these span types make up a mention's extent (the name, not its descriptor).
FACTRU_NAMES = {"Person": {"name", "surname", "patronymic", "nickname"},
                "Org": {"org_name"}, "Location": {"loc_name"}, "LocOrg": {"loc_name"}}

_INVISIBLE = re.compile("[\u200e\u200f\ufeff\u200b\u202a-\u202e]")


def _map_bio(tags: list[str], table: dict[str, str]) -> list[str]:
    """BIO/IO/BIOES tags with fine types → valid BIO tags over PER/ORG/LOC."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag == "O" or "-" not in tag:
            out.append("O")
            prev = "O"
            continue
        prefix, fine = tag.split("-", 1)
        coarse = table.get(fine)
        if coarse is None:
            out.append("O")
            prev = "O"
            continue
        starts = prefix in ("B", "S") or prev != coarse
        out.append(("B-" if starts else "I-") + coarse)
        prev = "O" if prefix in ("E", "S") else coarse
    return out


def _blocks(path: Path, *, sep: str | None = None, token_col: int = 0, tag_col: int = -1,
            encoding: str = "utf-8") -> Iterator[Sentence]:
    """Column files: one token a line, blank line between sentences, '#' comments."""
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding=encoding) as handle:
        for line in handle:
            line = line.rstrip("\r\n")
            if sep == "\t" and line.startswith("# "):
                continue
            parts = line.split(sep) if line.strip() else []
            if len(parts) < 2 or parts[0] == "-DOCSTART-":
                if tokens:
                    yield tokens, tags
                tokens, tags = [], []
                continue
            tokens.append(parts[token_col])
            tags.append(parts[tag_col])
    if tokens:
        yield tokens, tags


def read_germeval(path: Path) -> list[Sentence]:
    out = []
    for tokens, tags in _blocks(path, tag_col=1):
        out.append((tokens, _map_bio(tags, GERMEVAL)))
    return out


def read_iob2(path: Path) -> list[Sentence]:
    """Universal NER (CoNLL-U-like): id, token, tag."""
    return [(tokens, _map_bio(tags, GERMEVAL))
            for tokens, tags in _blocks(path, sep="\t", token_col=1, tag_col=2)]


def read_wikigold(path: Path) -> list[Sentence]:
    """wikigold is IO-tagged: a type change (not a B-) starts an entity; MISC → O."""
    return [(tokens, _map_bio(tags, GERMEVAL)) for tokens, tags in _blocks(path, sep=" ")]


def read_ontonotes(path: Path) -> list[Sentence]:
    return [(tokens, _map_bio(tags, ONTONOTES)) for tokens, tags in _blocks(path, sep="\t")]


def read_newsfane(path: Path) -> list[Sentence]:
    """NewsFANE: token TAB tag; a line holding only a tab separates sentences."""
    out: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        token, _, tag = line.partition("\t")
        token = _INVISIBLE.sub("", token).strip()
        tag = tag.strip()
        if not token or not tag:
            if not token and tokens:
                out.append((tokens, _map_bio(tags, NEWSFANE)))
                tokens, tags = [], []
            continue
        tokens.append(token)
        tags.append(tag)
    if tokens:
        out.append((tokens, _map_bio(tags, NEWSFANE)))
    return out


def read_factru(folder: Path) -> list[Sentence]:
    """factRuEval standoff files → sentences of the .tokens file with BIO tags.

    A mention is the object's name: its extent runs from the first to the last of its name
    spans (descriptors such as "компания", "мэрии", jobs and geo adjectives are left out,
    and an object with no name, "соцсети", is no mention); where names nest, the outer
    one wins.
    """
    out: list[Sentence] = []
    for tokens_path in sorted(folder.glob("*.tokens")):
        stem = tokens_path.with_suffix("")
        spans: dict[str, tuple[int, int, str]] = {}
        for line in Path(f"{stem}.spans").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 4:
                start = int(parts[2])
                spans[parts[0]] = (start, start + int(parts[3]), parts[1])
        objects: list[tuple[int, int, str]] = []
        for line in Path(f"{stem}.objects").read_text(encoding="utf-8").splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) < 3 or parts[1] not in FACTRU:
                continue
            names = [spans[s] for s in parts[2:]
                     if s in spans and spans[s][2] in FACTRU_NAMES[parts[1]]]
            if names:
                objects.append((min(s for s, _, _ in names), max(e for _, e, _ in names),
                                FACTRU[parts[1]]))
        kept: list[tuple[int, int, str]] = []
        for start, end, label in sorted(objects, key=lambda o: (o[0] - o[1], o[0])):
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, label))
        sentences: list[list[tuple[int, int, str]]] = [[]]
        for line in tokens_path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) < 4:
                if sentences[-1]:
                    sentences.append([])
                continue
            start = int(parts[1])
            sentences[-1].append((start, start + int(parts[2]), parts[3]))
        for sentence in sentences:
            if not sentence:
                continue
            tags = []
            for start, end, _ in sentence:
                tag = "O"
                for s, e, label in kept:
                    if start >= s and end <= e:
                        tag = ("B-" if start == s or not tags or tags[-1][2:] != label
                               else "I-") + label
                        break
                tags.append(tag)
            out.append(([t for _, _, t in sentence], tags))
    return out


def to_characters(sentences: Iterable[Sentence]) -> list[Sentence]:
    """Chinese: spaCy's default zh tokenizer splits text into characters, so train and
    test on characters too (entity boundaries stay where the words put them)."""
    out = []
    for tokens, tags in sentences:
        chars: list[str] = []
        char_tags: list[str] = []
        for token, tag in zip(tokens, tags, strict=True):
            for i, char in enumerate(c for c in token if not c.isspace()):
                chars.append(char)
                char_tags.append(tag if i == 0 or tag == "O" else "I-" + tag[2:])
        if chars:
            out.append((chars, char_tags))
    return out


def _holdout(sentences: list[Sentence], fraction: float, seed: int) -> tuple[list, list]:
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    cut = int(len(order) * fraction)
    held = set(order[:cut])
    return ([s for i, s in enumerate(sentences) if i not in held],
            [s for i, s in enumerate(sentences) if i in held])


def splits(lang: str, root: Path, seed: int = 0) -> dict[str, list[Sentence]]:
    """The fixed train/dev/test split of one language (dev picks the best epoch)."""
    if lang == "de":
        folder = root / "de-germeval2014"
        return {name: read_germeval(folder / f"{name}.bioes") for name in ("train", "dev", "test")}
    if lang == "en":
        # UNER EWT test is held back; train on wikigold + UNER dev, 10% of it picks epochs
        pool = read_wikigold(root / "en-wikigold" / "wikigold.conll")
        pool += read_iob2(root / "en-uner-ewt" / "dev.iob2")
        train, dev = _holdout(pool, 0.1, seed)
        return {"train": train, "dev": dev,
                "test": read_iob2(root / "en-uner-ewt" / "test.iob2")}
    if lang == "zh":
        folder = root / "zh-uner-gsd"
        return {name: to_characters(read_iob2(folder / f"{name}.iob2"))
                for name in ("train", "dev", "test")}
    if lang == "tr":
        folder = root / "tr-wiki"
        return {name: read_ontonotes(folder / f"{name}.conll") for name in ("train", "dev", "test")}
    if lang == "ru":
        train, dev = _holdout(read_factru(root / "ru-factrueval" / "devset"), 0.1, seed)
        return {"train": train, "dev": dev,
                "test": read_factru(root / "ru-factrueval" / "testset")}
    if lang == "ar":
        # NewsFANE is one stream of articles: the last 15% is the held-back test slice and
        # the 5% before it the dev slice, contiguous so no article straddles train and test.
        sentences = read_newsfane(root / "ar-newsfane" / "NewsFANE_Gold_2014_170K.txt")
        test_at = int(len(sentences) * 0.85)
        dev_at = int(len(sentences) * 0.80)
        return {"train": sentences[:dev_at], "dev": sentences[dev_at:test_at],
                "test": sentences[test_at:]}
    raise ValueError(f"no NER data for language {lang!r}; choose one of {', '.join(LANGUAGES)}")


def held_back(lang: str, root: Path) -> list[Sentence]:
    """The held-back test split alone (what bench/ner.py and the tests score on)."""
    files = {"de": ("de-germeval2014/test.bioes", read_germeval),
             "en": ("en-uner-ewt/test.iob2", read_iob2),
             "tr": ("tr-wiki/test.conll", read_ontonotes),
             "ru": ("ru-factrueval/testset", read_factru)}
    if lang in files:
        path, reader = files[lang]
        return reader(root / path)
    if lang == "zh":
        return to_characters(read_iob2(root / "zh-uner-gsd" / "test.iob2"))
    return splits(lang, root)["test"]


def entities(tags: list[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) token spans of a BIO sequence, seqeval-style (a stray I- opens)."""
    found = set()
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        if start is not None and (prefix != "I" or kind != label):
            found.add((start, i, label))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, label = i, kind
    return found


def prf(gold: list[list[str]], predicted: list[list[str]],
        types: tuple[str, ...] = TYPES) -> dict[str, float]:
    """Entity-level exact-match precision, recall, F1 (micro over ``types``)."""
    tp = n_gold = n_pred = 0
    for g, p in zip(gold, predicted, strict=True):
        gs = {e for e in entities(g) if e[2] in types}
        ps = {e for e in entities(p) if e[2] in types}
        tp += len(gs & ps)
        n_gold += len(gs)
        n_pred += len(ps)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f": f1, "gold": n_gold}
