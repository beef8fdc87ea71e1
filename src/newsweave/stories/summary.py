"""A story's extractive summary and headline, kept current as members arrive.

Each original member offers its lead sentences (news puts what happened first) as
candidates, each with a sentence vector. A candidate scores by centrality: its cosine to
the story's centroid (every member, every language) and its mean cosine to the other
candidates of its language (LexRank's degree centrality, over the pool), nudged towards
earlier sentences of the lead. The summary takes 3–5 candidates of the story's main
language by maximal marginal relevance (MMR): the best score, less its likeness to what
is already chosen, so a second report of the same fact, or a duplicate's copy of it, is
not chosen twice. The headline is the title, in the main language, of the original member
nearest the centroid.

Cheap to keep current: the story keeps a bounded pool of the best candidates per language
(with int8 vectors) and the running sum of its members' vectors (`SummaryState`); a new
member adds its own few candidates and the pool is rescored, never the members rescanned.
Duplicates and translations add no candidates: their sentences are their original's.
Pure logic: documents and vectors in, records out.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import regex

from ..document import Document, SummarySentence, paragraph_key

Encode = Callable[[list[str]], np.ndarray]

# A member offers at most this many sentences, from its first `LEAD_PARAGRAPHS` paragraphs:
# the lead holds what a news article reports; the rest is mostly background and quotes.
# Each kept candidate costs ~0.9 KB of state (text and int8 vector): a one-member story's
# summary state is ~8 KB with its title and vector sum.
SENTENCES_PER_MEMBER = 5
LEAD_PARAGRAPHS = 5
# Candidates kept per language: a few members' worth, enough for MMR to find 5 that differ.
POOL_PER_LANGUAGE = 30
# A story read again from scratch (after a merge) takes candidates from this many originals
# per language, those nearest its centre: the pool holds about this many members' leads.
MEMBERS_PER_LANGUAGE = 5
# Titles kept per language for the headline.
TITLES_PER_LANGUAGE = 8
# A headline made from a sentence (no member has a title) is cut to this many words.
HEADLINE_WORDS = 14
# A summary is 3-5 sentences, stopping after 3 once it holds this many words.
MIN_SENTENCES, MAX_SENTENCES, ENOUGH_WORDS = 3, 5, 90
# A sentence shorter than this says too little to stand alone; a longer one is a run-on.
MIN_WORDS, MAX_WORDS = 6, 60
# Score weights: centroid centrality, pool (LexRank degree) centrality, lead position.
W_CENTROID, W_DEGREE, W_POSITION = 0.5, 0.35, 0.15
# MMR: relevance and novelty weighed equally (reports of one event paraphrase each other, so
# novelty needs the weight); two sentences above this cosine say the same thing and are
# never both kept.
MMR_LAMBDA, SAME_SENTENCE = 0.5, 0.85

# A sentence ends at . ! ? … (then space and a capital, digit or quote) or at CJK/Arabic
# stops. Not after a one-letter initial, a short abbreviation or a day number ("29. Juli").
_SPLIT = regex.compile(
    r"(?<=[.!?…][\"'”’»)]*)\s+(?=[\"'“‘«(\p{Lu}\p{Lo}\d])|(?<=[。！？؟])\s*"
)
_NO_SPLIT_BEFORE = regex.compile(
    r"(?:(?<!\p{L})\p{L}|(?<!\d)\d{1,2}|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Jr|Sr|Inc|Co|Corp|"
    r"Ltd|No|vs|etc|ca|bzw|Nr|Hr|Fr|Abs|gen|sog|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|z\.B|u\.a|d\.h|"
    r"г|гг|им|ул|т\.е|т\.д|M|Mme|Dz|ul|ok|tzw|dr|prof))\.[\"'”’»)]*$"
)


# A web address (whole, or spaced out by a tokenizer: "http: / / www. site. com") is no sentence.
_ENDS = regex.compile(r"[.!?…。！？؟][\"'”’»)\]]*$")
_ADDRESS = regex.compile(r"https?\s*:\s*/\s*/|\bwww\s*\.\s*\w", regex.IGNORECASE)


def readable(text: str) -> bool:
    """Whether a sentence or title reads as prose (not a web address)."""
    return not _ADDRESS.search(text)


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (a rule set for the scripts the pipeline reads)."""
    out: list[str] = []
    for piece in _SPLIT.split(text.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if out and _NO_SPLIT_BEFORE.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


# -- the state kept in stories.summary --------------------------------------------------------


@dataclass
class Candidate:
    text: str
    document: str
    language: str
    position: int  # the sentence's place in its document's lead (0: first)
    published: str | None
    vector: np.ndarray = field(repr=False)


@dataclass
class Title:
    text: str
    document: str
    language: str
    vector: np.ndarray = field(repr=False)


@dataclass
class SummaryState:
    """What a story keeps to update its summary from one new member: which members it has
    taken in (a count and an order-free digest of their ids), their vectors' running sum,
    its original members per language, and the candidate sentences and titles."""

    members: int = 0
    digest: int = 0
    vector_sum: np.ndarray | None = None
    originals: dict[str, int] = field(default_factory=dict)
    languages: set[str] = field(default_factory=set)
    undated: list[str] = field(default_factory=list)  # members no date is known for yet
    first_language: str | None = None
    pool: list[Candidate] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    headline: str | None = None
    language: str | None = None
    summary: list[SummarySentence] = field(default_factory=list)

    @property
    def centroid(self) -> np.ndarray | None:
        if self.vector_sum is None:
            return None
        norm = float(np.linalg.norm(self.vector_sum))
        return (self.vector_sum / norm).astype(np.float32) if norm > 0 else None

    def covers(self, member_ids: list[str]) -> bool:
        """Whether this state has taken in exactly these members."""
        return self.members == len(member_ids) and self.digest == digest_of(member_ids)

    def to_json(self) -> dict[str, Any]:
        return {
            "headline": self.headline, "language": self.language,
            "sentences": [{"text": s.text, "document": s.document} for s in self.summary],
            "state": {
                "members": self.members, "digest": str(self.digest), "originals": self.originals,
                "languages": sorted(self.languages), "undated": self.undated,
                "first_language": self.first_language,
                "vector_sum": _float_b64(self.vector_sum),
                "pool": [{"text": c.text, "document": c.document, "language": c.language, "position": c.position,
                          "published": c.published, "vector": _int8_b64(c.vector)} for c in self.pool],
                "titles": [{"text": t.text, "document": t.document, "language": t.language,
                            "vector": _int8_b64(t.vector)} for t in self.titles],
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SummaryState | None:
        """The stored state, or None where there is none (or of a shape this code does not read)."""
        try:
            state = data["state"]
            return cls(
                members=int(state["members"]), digest=int(state["digest"]), originals=dict(state["originals"]),
                languages=set(state["languages"]), undated=list(state["undated"]),
                first_language=state["first_language"], vector_sum=_float_array(state["vector_sum"]),
                pool=[Candidate(c["text"], c["document"], c["language"], c["position"], c["published"],
                                _int8_array(c["vector"])) for c in state["pool"]],
                titles=[Title(t["text"], t["document"], t["language"], _int8_array(t["vector"]))
                        for t in state["titles"]],
                headline=data["headline"], language=data["language"],
                summary=[SummarySentence(s["text"], s["document"]) for s in data["sentences"]],
            )
        except (KeyError, TypeError, ValueError):
            return None


def digest_of(ids: list[str]) -> int:
    """An order-free digest of a set of ids (xor of their hashes): one new id updates it."""
    value = 0
    for doc_id in ids:
        value ^= _id_hash(doc_id)
    return value


def _id_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")


def _float_b64(vector: np.ndarray | None) -> str | None:
    # float16: a sum of unit vectors keeps its direction to ~1e-3, and the state stays small.
    return None if vector is None else base64.b64encode(vector.astype("<f2").tobytes()).decode("ascii")


def _float_array(text: str | None) -> np.ndarray | None:
    return None if text is None else np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)


def _int8_b64(vector: np.ndarray) -> str:
    # Unit vectors' components lie in [-1, 1]; int8 keeps cosines to about ±0.01.
    return base64.b64encode(np.clip(np.round(vector * 127), -127, 127).astype(np.int8).tobytes()).decode("ascii")


def _int8_array(text: str) -> np.ndarray:
    vector = np.frombuffer(base64.b64decode(text), dtype=np.int8).astype(np.float32) / 127
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


# -- taking in members ------------------------------------------------------------------------


def add_member(state: SummaryState, doc: Document, role: str, encode: Encode | None, sentences: bool = True) -> None:
    """Take one new member in: its vector and language, and, if it is an original, its title
    and (unless `sentences` is False) its candidate sentences. Call `finish` after the last
    one to choose the summary and headline."""
    state.members += 1
    state.digest ^= _id_hash(doc.id)
    if doc.vector is not None:
        state.vector_sum = doc.vector.astype(np.float32) + (state.vector_sum if state.vector_sum is not None else 0)
    if doc.language:
        state.languages.add(doc.language)
    if doc.published is None:
        state.undated.append(doc.id)
    if role != "original" or not doc.language:
        return
    state.originals[doc.language] = state.originals.get(doc.language, 0) + 1
    state.first_language = state.first_language or doc.language
    if sentences:  # sentence vectors for the summary's language; the others' paragraphs' serve
        state.pool += candidates(doc, encode if doc.language == main_language(state) else None)
    if doc.title and readable(doc.title) and doc.vector is not None:
        state.titles.append(Title(doc.title, doc.id, doc.language, doc.vector.astype(np.float32)))


def nearest_originals(docs: list[Document], roles: dict[str, str], centre: np.ndarray | None) -> list[Document]:
    """The originals whose sentences a story rebuilt from scratch reads: per language, the
    `MEMBERS_PER_LANGUAGE` nearest its centre, so a merged 1,000-member story costs what a
    small one does."""
    originals = [d for d in docs if roles.get(d.id) == "original" and d.language]

    def closeness(doc: Document) -> float:
        return float(doc.vector @ centre) if centre is not None and doc.vector is not None else 0.0

    chosen: list[Document] = []
    for language in sorted({d.language for d in originals}):
        group = sorted((d for d in originals if d.language == language), key=closeness, reverse=True)
        chosen += group[:MEMBERS_PER_LANGUAGE]
    return chosen


def demote(state: SummaryState, doc_id: str, language: str | None) -> None:
    """A member taken in as an original turned out to be a translation: its sentences go."""
    if language and state.originals.get(language, 0) > 0:
        state.originals[language] -= 1
    state.pool = [c for c in state.pool if c.document != doc_id]
    state.titles = [t for t in state.titles if t.document != doc_id]


def candidates(doc: Document, encode: Encode | None) -> list[Candidate]:
    """A member's lead sentences with their vectors. A one-sentence paragraph reuses its
    paragraph vector; the others are encoded in one batch (without an encoder, each
    sentence takes its paragraph's vector)."""
    title = paragraph_key(doc.title or "")
    found: list[tuple[str, int]] = []  # (sentence, paragraph index)
    whole: list[bool] = []
    for index, paragraph in enumerate(doc.paragraphs[:LEAD_PARAGRAPHS]):
        if paragraph.language and doc.language and paragraph.language != doc.language:
            continue  # a quote or caption in another language is not this language's summary
        pieces = sentences(paragraph.text)
        for piece in pieces:
            if not readable(piece) or not _ENDS.search(piece) or paragraph_key(piece) == title:
                continue  # a web address, or a headline, kicker or caption (no sentence end)
            if MIN_WORDS <= _words(piece) <= MAX_WORDS or (_is_cjk(piece) and 15 <= len(piece) <= 150):
                found.append((piece, index))
                whole.append(len(pieces) == 1)
            if len(found) == SENTENCES_PER_MEMBER:
                break
        if len(found) == SENTENCES_PER_MEMBER:
            break
    if not found:
        return []
    vectors = doc.paragraph_vectors
    rows: list[np.ndarray | None] = [
        vectors[index] if vectors is not None and index < len(vectors) and (alone or encode is None) else None
        for (_, index), alone in zip(found, whole, strict=True)
    ]
    missing = [i for i, row in enumerate(rows) if row is None]
    if missing and encode is not None:
        for i, row in zip(missing, encode([found[i][0] for i in missing]), strict=True):
            rows[i] = row
    return [
        Candidate(text, doc.id, doc.language, position, doc.published, row.astype(np.float32))
        for position, ((text, _), row) in enumerate(zip(found, rows, strict=True)) if row is not None
    ]


def _words(text: str) -> int:
    """Words holding a letter: "May 2, 2013 1: 35 pm." is a date line of two words, not a sentence."""
    return sum(1 for word in text.split() if regex.search(r"\p{L}", word))


def _is_cjk(text: str) -> bool:
    return bool(regex.search(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]", text))


# -- choosing ---------------------------------------------------------------------------------


def main_language(state: SummaryState) -> str | None:
    """The language most original members are in (ties: the first member's)."""
    if not state.originals:
        return state.first_language
    top = max(state.originals.values())
    tied = [lang for lang, n in state.originals.items() if n == top]
    return state.first_language if state.first_language in tied else sorted(tied)[0]


def finish(state: SummaryState) -> None:
    """Rescore the pool, keep the best candidates per language, choose summary and headline."""
    centre = state.centroid
    kept: list[Candidate] = []
    for language in sorted({c.language for c in state.pool}):
        group = _unique([c for c in state.pool if c.language == language])
        scores = _scores(group, centre)
        order = np.argsort(-scores, kind="stable")[:POOL_PER_LANGUAGE]
        kept += [group[i] for i in sorted(order)]
    state.pool = kept
    state.language = main_language(state)
    state.summary = choose(state.pool, state.language, centre)
    state.titles = _best_titles(state.titles, centre)
    state.headline = _headline(state.titles, state.language, centre)
    if state.headline is None and state.summary:  # no member has a title: its most central sentence
        group = [c for c in state.pool if c.language == state.language]
        state.headline = _shortened(group[int(np.argmax(_scores(group, centre)))].text)


def choose(pool: list[Candidate], language: str | None, centre: np.ndarray | None) -> list[SummarySentence]:
    """3–5 sentences of `language` by MMR, shown in the order they were reported."""
    group = [c for c in pool if c.language == language]
    if not group:
        return []
    scores = _scores(group, centre)
    vectors = np.stack([c.vector for c in group])
    similar = vectors @ vectors.T
    chosen: list[int] = []
    words = 0
    while len(chosen) < MAX_SENTENCES and (len(chosen) < MIN_SENTENCES or words < ENOUGH_WORDS):
        best, best_value = None, -np.inf
        for i in range(len(group)):
            if i in chosen:
                continue
            redundancy = max((float(similar[i, j]) for j in chosen), default=0.0)
            if redundancy >= SAME_SENTENCE:
                continue
            value = MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * redundancy
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        words += len(group[best].text.split())
    chosen.sort(key=lambda i: (group[i].published or "9999", group[i].document, group[i].position))
    return [SummarySentence(group[i].text, group[i].document) for i in chosen]


def _scores(group: list[Candidate], centre: np.ndarray | None) -> np.ndarray:
    vectors = np.stack([c.vector for c in group])
    to_centre = vectors @ centre if centre is not None else np.zeros(len(group), dtype=np.float32)
    if len(group) > 1:
        similar = vectors @ vectors.T
        degree = (similar.sum(axis=1) - np.diag(similar)) / (len(group) - 1)
    else:
        degree = np.ones(1, dtype=np.float32)
    position = np.array([1.0 / (1 + c.position) for c in group], dtype=np.float32)
    return W_CENTROID * to_centre + W_DEGREE * degree + W_POSITION * position


def _unique(group: list[Candidate]) -> list[Candidate]:
    """One candidate per sentence text (a syndicated copy's sentence is the same sentence)."""
    seen: set[str] = set()
    out = []
    for c in group:
        key = paragraph_key(c.text)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _best_titles(titles: list[Title], centre: np.ndarray | None) -> list[Title]:
    kept: list[Title] = []
    for language in sorted({t.language for t in titles}):
        group = [t for t in titles if t.language == language]
        group.sort(key=lambda t: -float(t.vector @ centre) if centre is not None else 0.0)
        kept += group[:TITLES_PER_LANGUAGE]
    return kept


def _headline(titles: list[Title], language: str | None, centre: np.ndarray | None) -> str | None:
    """The main language's title nearest the centroid; else any original's."""
    def closeness(t: Title) -> float:
        return float(t.vector @ centre) if centre is not None else 0.0

    for group in ([t for t in titles if t.language == language], titles):
        if group:
            return max(group, key=closeness).text
    return None


def _shortened(text: str) -> str:
    words = text.split()
    return " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")
