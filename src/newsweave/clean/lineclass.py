"""A learned line classifier for plain-text boilerplate: body text or site furniture.

The rules in `boilerplate.py` name furniture they recognise; this model scores the lines
they leave. Stage 1, a small gradient-boosted tree ensemble, reads each line's shape and its
neighbours' (length, sentence punctuation, capitalisation, digits, links, separators, where
it sits relative to the running prose), how often the page repeats the line or its template
(comment threads and story lists print one shape over and over), and what it says: a
linear probe on its multilingual sentence vector (USE-multilingual, the pipeline's own
encoder), so "Teilen" and "Share" read alike. Stage 2, trees again, adds what stage 1
believes about the rest of the page: neighbours' scores, whether the line lies in the
densest run of body-like lines, how much vocabulary it shares with them. Beside stage 2, the
sequence model (`SequenceModel`): a few bidirectional GRUs (`bigru.py`) from different seeds,
averaged because one alone swings with its seed, read the whole page in order. The final
score is the `blend`-weighted mean of the two; each errs where the other does not.

The decision (`LineClassifier.keep`) keeps lines in the article's blocks (`kept_in_blocks`):
an island of body-like lines apart from the article must bring enough evidence to be kept.
Trees are walked with numpy, all at once, level by level. Trained by `training/boilerplate.py`
on the article-extraction benchmark (`models/boilerplate/NOTICE`), measured by
`bench/boilerplate.py`; what was tried is in docs/experiments.md.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import regex

from ..document import paragraph_key
from ..embed import Embedder, UniversalSentenceEncoder
from ..models import model_path
from .bigru import BiGRU

# The shipped weights: package data, newsweave/models/boilerplate/model.json.
DEFAULT_MODEL = model_path("boilerplate", "model.json")

# End- and start-of-line shapes (checked on a few characters only) and a few whole-line marks.
_TERMINAL_END = regex.compile(r"[.!?…。！？؟।][\"'”’»)\]]*\s*$")  # a sentence ends the line
_ELLIPSIS = regex.compile(r"(?:\.\.\.|…)\W*$")
_OPEN_LOWER = regex.compile(r"^\W*\p{Ll}")
_BULLET = regex.compile(r"^\s*(?:[-–—•*·▪►▶→✓✔]|\d{1,2}[.)]\s)")
_URLISH = regex.compile(r"https?://|www\.|\.(?:com|org|net|html?|php)\b|\S@\S|(?<!\w)[@#]\w", regex.IGNORECASE)
_SEPARATORS = regex.compile(r"\s[|•·›»/>–—-]\s|\s\|\s?|^\s*[|•·›»>]")
_DATE = regex.compile(
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b|\d{4}年|\d{1,2}月\d{1,2}日"
)
_EDGE = 12  # characters looked at for the start- and end-of-line shapes

# Character classes, one bit each, looked up per code point in a table built on first use.
_CLASSES: tuple[tuple[str, str], ...] = (
    ("upper", r"[\p{Lu}\p{Lt}]"),
    ("lower", r"\p{Ll}"),
    ("letter", r"\p{L}"),
    ("digit", r"\d"),
    ("space", r"\s"),
    ("cjk", r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"),
    # Letters and digits of scripts that put spaces between words.
    ("word", r"[^\W\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"),
    ("terminal", r"[.!?…。！？؟।]"),
    ("comma", r"[,，、،;；]"),
    ("quote", r"[\"“”„«»‹›「」『』]"),
    ("paren", r"[()（）]"),
)
_BIT = {name: 1 << i for i, (name, _) in enumerate(_CLASSES)}
_TABLE_SIZE = 0x30000  # through CJK extension B; rarer code points count as "other"


class CharTable:
    """Code point → class bits, built on first use (about 0.3 s) and kept by its owner."""

    def __init__(self) -> None:
        self._table: np.ndarray | None = None

    @property
    def table(self) -> np.ndarray:
        if self._table is None:
            table = np.zeros(_TABLE_SIZE, dtype=np.uint16)
            everything = "".join(map(chr, range(_TABLE_SIZE)))
            for name, pattern in _CLASSES:
                hits = [m.start() for m in regex.finditer(pattern, everything)]
                table[hits] |= _BIT[name]
            self._table = table
        return self._table

    def counts(self, lines: Sequence[str]) -> dict[str, np.ndarray]:
        """Per line: characters of each class, words, cased and capitalised words."""
        text = "".join(line + "\n" for line in lines)  # the "\n" ends every line's segment
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        bits = self.table[np.minimum(codes, _TABLE_SIZE - 1)]
        starts = np.concatenate([[0], np.cumsum([len(line) + 1 for line in lines])[:-1]])
        out = {name: np.add.reduceat((bits & bit) > 0, starts) for name, bit in _BIT.items()}
        out["space"] = out["space"] - 1  # the separator
        word = (bits & _BIT["word"]) > 0
        word_start = word & ~np.concatenate([[False], word[:-1]])
        out["words"] = np.add.reduceat(word_start, starts)
        out["cased"] = np.add.reduceat(word_start & ((bits & (_BIT["upper"] | _BIT["lower"])) > 0), starts)
        out["capitalised"] = np.add.reduceat(word_start & ((bits & _BIT["upper"]) > 0), starts)
        out["chars"] = np.array([len(line) for line in lines])
        return out


# A "prose" line: long enough to be a sentence and ending like one. Neighbourhood features
# count these: article text comes in runs of prose lines, furniture sits around them.
_PROSE_WORDS = 8.0

LOCAL_FEATURES: tuple[str, ...] = (
    "log_words", "log_chars", "terminal_end", "colon_end", "sentences_per_word", "commas_per_word",
    "quotes", "parens", "title_words", "upper_letters", "digits", "punct", "letters", "urlish",
    "separators", "bullet", "date", "ellipsis_end", "open_lower", "mean_word_chars", "cjk_share",
    "rule_furniture", "rule_caption", "rule_glued", "rule_footer_shape", "prose",
)
CONTEXT_FEATURES: tuple[str, ...] = (
    "prev_log_words", "next_log_words", "prev_terminal", "next_terminal", "prev_prose", "next_prose",
    "win1_log_words", "win3_log_words", "win10_log_words", "win3_prose", "win10_prose",
    "prose_before", "prose_after", "log_dist_prose", "position", "log_lines", "doc_prose_share",
    "rel_log_words", "rel_to_prose_block", "prev2_prose", "next2_prose",
    "log_copies", "win3_copied", "win10_copied", "win3_date",
    "log_template_copies", "win3_templated", "win10_templated",
)
SEMANTIC_FEATURES: tuple[str, ...] = (
    "probe_body", "win3_probe_body", "prose_similarity", "win3_prose_similarity",
)
FEATURES: tuple[str, ...] = LOCAL_FEATURES + CONTEXT_FEATURES + SEMANTIC_FEATURES
# The sentence encoder the probe was fitted on; another encoder's vectors mean nothing to it.
ENCODER = "use-multilingual-v3"
# Lines are encoded from their opening this long: it says whether a line is furniture or prose,
# and the encoder's cost grows with length (a page dump's 2,000-character paragraphs ran at
# 36 lines/s whole).
LINE_CHARS = 300


def line_vectors(encoder: Embedder, lines: Sequence[str]) -> np.ndarray:
    """Each line's sentence vector, from its first `LINE_CHARS` characters.

    A page repeats its menus and share buttons: each distinct opening is encoded once.
    """
    openings = [line[:LINE_CHARS] for line in lines]
    distinct = list(dict.fromkeys(openings))
    row = {text: i for i, text in enumerate(distinct)}
    return encoder.encode(distinct)[[row[text] for text in openings]]


def _urlish(line: str) -> bool:
    """`_URLISH`, with a substring test first (each alternative needs one of these)."""
    folded = line.casefold()
    if not ("@" in line or "#" in line or "http" in folded or "www." in folded or "." in line):
        return False
    return _URLISH.search(line) is not None


def _flag(pattern: regex.Pattern, texts: Sequence[str]) -> np.ndarray:
    return np.array([pattern.search(text) is not None for text in texts], dtype=float)


def local_features(lines: Sequence[str], rules: Sequence[tuple[bool, bool, bool, bool]], chars: CharTable) -> np.ndarray:
    """The shape of each line; `rules` are the rules' verdicts (furniture, caption, glued, footer)."""
    c = chars.counts(lines)
    # One Chinese or Japanese word is about 1.6 characters: count such text in word units.
    words = c["words"] + c["cjk"] / 1.6
    per_word = np.maximum(words, 1.0)
    n_chars = np.maximum(c["chars"], 1)
    cased_letters = c["upper"] + c["lower"]
    ends = [line[-_EDGE:] for line in lines]
    opens = [line[:_EDGE] for line in lines]
    terminal = _flag(_TERMINAL_END, ends)
    word_chars = (c["word"] / np.maximum(c["words"], 1)).clip(max=20.0) / 20
    flags = np.array(rules, dtype=float).reshape(len(lines), 4)
    return np.column_stack([
        np.log1p(words),
        np.log1p(c["chars"]),
        terminal,
        np.array([line.rstrip().endswith((":", "：")) for line in ends], dtype=float),
        c["terminal"] / per_word,
        c["comma"] / per_word,
        (c["quote"] > 0).astype(float),
        (c["paren"] > 0).astype(float),
        c["capitalised"] / np.maximum(c["cased"], 1),
        c["upper"] / np.maximum(cased_letters, 1),
        c["digit"] / n_chars,
        (c["chars"] - c["letter"] - c["digit"] - c["space"]) / n_chars,
        c["letter"] / n_chars,
        np.array([_urlish(line) for line in lines], dtype=float),
        np.array([min(len(_SEPARATORS.findall(line)), 5) / 5 for line in lines]),
        _flag(_BULLET, opens),
        _flag(_DATE, lines),
        _flag(_ELLIPSIS, ends),
        _flag(_OPEN_LOWER, opens),
        word_chars,
        c["cjk"] / np.maximum(c["letter"], 1),
        flags,
        ((words >= _PROSE_WORDS) & (terminal > 0)).astype(float),
    ])


def shape_features(
    lines: Sequence[str], rules: Sequence[tuple[bool, bool, bool, bool]], chars: CharTable
) -> np.ndarray:
    """Shape features of every line of one document, each line seen with its neighbours."""
    n = len(lines)
    if n == 0:
        return np.zeros((0, len(LOCAL_FEATURES) + len(CONTEXT_FEATURES)))
    local = local_features(lines, rules, chars)
    copies = _copies(lines)
    copied = (copies > 0).astype(float)
    template_copies = _template_copies(lines)
    templated = (template_copies > 0).astype(float)
    date = local[:, LOCAL_FEATURES.index("date")]
    i_words = LOCAL_FEATURES.index("log_words")
    i_term = LOCAL_FEATURES.index("terminal_end")
    i_prose = LOCAL_FEATURES.index("prose")
    words = local[:, i_words]
    term = local[:, i_term]
    prose = local[:, i_prose]

    index = np.arange(n)
    prose_idx = np.flatnonzero(prose)
    if len(prose_idx):
        first, last = prose_idx[0], prose_idx[-1]
        before = np.searchsorted(prose_idx, index, side="left")  # prose lines strictly before i
        after = len(prose_idx) - np.searchsorted(prose_idx, index, side="right")
        nearest = _nearest_distance(index, prose_idx)
        # Where the line sits relative to the block of prose: 0 inside, growing outside.
        outside = np.where(index < first, first - index, np.where(index > last, index - last, 0))
    else:
        before = after = np.zeros(n)
        nearest = np.full(n, n)
        outside = np.full(n, n)
    context = np.column_stack([
        _shift(words, 1), _shift(words, -1), _shift(term, 1), _shift(term, -1),
        _shift(prose, 1), _shift(prose, -1),
        window_mean(words, 1), window_mean(words, 3), window_mean(words, 10),
        window_mean(prose, 3), window_mean(prose, 10),
        np.log1p(before), np.log1p(after), np.log1p(nearest),
        index / max(n - 1, 1), np.full(n, math.log1p(n)), np.full(n, prose.mean()),
        words - words.max(), np.log1p(outside), _shift(prose, 2), _shift(prose, -2),
        np.log1p(copies), window_mean(copied, 3), window_mean(copied, 10), window_mean(date, 3),
        np.log1p(template_copies), window_mean(templated, 3), window_mean(templated, 10),
    ])
    return np.hstack([local, context])


def window_mean(values: np.ndarray, k: int) -> np.ndarray:
    """Mean over the k lines either side (the line itself excluded), edges padded with 0."""
    n = len(values)
    padded = np.concatenate([np.zeros(k), values, np.zeros(k)])
    sums = np.concatenate([[0.0], np.cumsum(padded)])
    total = sums[2 * k + 1:] - sums[:n]
    return (total - values) / (2 * k)


def semantic_features(vectors: np.ndarray, prose: np.ndarray, probe: Probe) -> np.ndarray:
    """What each line says: the probe's P(body) and the cosine to the page's prose centroid.

    `vectors` are the lines' L2-normalised sentence vectors; `prose` marks the prose-shaped
    lines (the `prose` shape feature), whose mean direction is what the article is about.
    """
    body = probe.predict(vectors)
    if np.any(prose):
        centroid = vectors[prose > 0].mean(axis=0)
        similarity = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-9))
    else:
        similarity = np.zeros(len(vectors))
    return np.column_stack([body, window_mean(body, 3), similarity, window_mean(similarity, 3)])


class Probe:
    """A logistic-regression read-out of a sentence vector: P(the line is article text)."""

    def __init__(self, coef: Sequence[float], intercept: float) -> None:
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = float(intercept)

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(np.asarray(vectors, dtype=np.float32) @ self.coef + self.intercept)))


def feature_matrix(
    lines: Sequence[str], rules: Sequence[tuple[bool, bool, bool, bool]], chars: CharTable,
    vectors: np.ndarray, probe: Probe,
) -> np.ndarray:
    """Every feature of every line of one document (`FEATURES`, in order)."""
    if not len(lines):
        return np.zeros((0, len(FEATURES)))
    return with_semantics(shape_features(lines, rules, chars), vectors, probe)


def with_semantics(shape: np.ndarray, vectors: np.ndarray, probe: Probe) -> np.ndarray:
    """Shape features (`shape_features`) joined by the semantic ones, for the same lines."""
    prose = shape[:, LOCAL_FEATURES.index("prose")]
    return np.hstack([shape, semantic_features(vectors, prose, probe)])


def _copies(lines: Sequence[str]) -> np.ndarray:
    """How many *other* lines of the document say the same (letters and digits, case-folded).

    A page repeats its furniture (the menu in the header and again in the footer, a byline
    above and below, "Share" under every block); article text is rarely said twice.
    """
    return _others_sharing([paragraph_key(line) for line in lines])


# A line's template: capitalised words, other words and numbers each become one mark
# ("Rating: 36 Votes" and "Rating: 7 Votes" → "A: 9 A"; "2 days ago at 07:50 am" →
# "9 a a a 9:9 a"). Only short lines: a template is what a site prints, prose has none.
_NUMBER_RUN = regex.compile(r"\d+")
_CAPITALISED_WORD = regex.compile(r"[\p{Lu}\p{Lt}][\p{L}\p{M}]*")
_OTHER_WORD = regex.compile(r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]+")
_TEMPLATE_MAX_WORDS = 12


def _template(line: str) -> str:
    if len(line.split()) > _TEMPLATE_MAX_WORDS:
        return ""
    line = _NUMBER_RUN.sub("9", line)
    line = _CAPITALISED_WORD.sub("A", line)
    return " ".join(_OTHER_WORD.sub("a", line).split())


def _template_copies(lines: Sequence[str]) -> np.ndarray:
    """How many *other* short lines of the document follow the same template.

    Comment threads and story lists print the same line shape again and again ("Rating: 36
    Votes", "2 days ago at 07:50 am", "16 hours ago on iOS Blog"), each time with other
    words or numbers, which exact copies (`_copies`) do not catch.
    """
    return _others_sharing([_template(line) for line in lines])


def _others_sharing(keys: Sequence[str]) -> np.ndarray:
    """For each key, how many other positions hold the same one (an empty key: none)."""
    counts = Counter(keys)
    return np.array([counts[key] - 1 if key else 0 for key in keys], dtype=float)


def _nearest_distance(index: np.ndarray, targets: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(targets, index)
    left = targets[np.clip(pos - 1, 0, len(targets) - 1)]
    right = targets[np.clip(pos, 0, len(targets) - 1)]
    return np.minimum(np.abs(index - left), np.abs(index - right))


# Words for the vocabulary feature: runs of letters/digits, or one or two CJK characters.
_VOCAB_TOKEN = regex.compile(r"[^\W\p{Han}\p{Hiragana}\p{Katakana}]+|[\p{Han}\p{Hiragana}\p{Katakana}]{1,2}")
_HAS_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
_EDGE_PUNCT = "\"'“”‘’„«»‹›()[]{}<>.,;:!?¡¿…—–-·•|/*#@&%^_~`=+\\"
# Stage 2 reads stage-1 scores at these thresholds: lines above are "body-like".
_BODY_LIKE = 0.5
_SPAN_MARGINS = (0.3, 0.5, 0.7)

SCORE_FEATURES: tuple[str, ...] = (
    "s", "s_prev", "s_next", "s_prev2", "s_next2", "max_prev3", "max_next3", "max_prev10", "max_next10",
    "sandwich3", "sandwich10", "inside_body_like", "log_dist_prev_body", "log_dist_next_body",
    "mass_before", "mass_after", "doc_mean_s", "doc_max_s", "vocab_idf_share", "vocab_share",
    "in_span30", "log_out_span30", "in_span50", "log_out_span50", "in_span70", "log_out_span70",
)


def _shift(values: np.ndarray, by: int) -> np.ndarray:
    """values[i - by] at i (0 where that falls outside the document)."""
    n = len(values)
    out = np.zeros(n)
    if 0 < by < n:
        out[by:] = values[:-by]
    elif -n < by < 0:
        out[:by] = values[-by:]
    return out


def _densest_run(values: np.ndarray) -> tuple[int, int]:
    """The contiguous run with the largest sum (Kadane); (-1, -1) when every value is <= 0."""
    best = current = 0.0
    start, best_start, best_end = 0, -1, -1
    for i, value in enumerate(values.tolist()):
        if current <= 0:
            current, start = 0.0, i
        current += value
        if current > best:
            best, best_start, best_end = current, start, i
    return best_start, best_end


def kept_in_blocks(scores: np.ndarray, threshold: float, penalty: float) -> np.ndarray:
    """Which lines to keep: those scoring at least `threshold` inside the article's blocks.

    A page holds one article, sometimes cut by an inserted box, so its body lines come in
    few runs; body-like lines away from them (a teaser, a comment) are what per-line
    scores get wrong most (out of fold on the training pages, three in four furniture
    lines kept lay outside the article's span). Each line weighs in with its log-odds
    against the threshold's, log(p/(1-p)) - log(t/(1-t)), the evidence that it is body;
    blocks are the runs of lines that maximise that evidence summed over the lines they
    cover, each block after the first costing `penalty`. So a block pays for the furniture it bridges, and an island
    must bring more than `penalty` of evidence to be kept. `penalty=0` is the threshold
    alone; a large one keeps a single block; the first block is free, so a page keeps its
    best run. Exact, by dynamic programming over three states (before any block, in one,
    after one); written out because no library does this segmentation.
    """
    scores = np.asarray(scores, dtype=np.float64)
    above = scores >= threshold
    n = len(scores)
    if penalty <= 0 or n == 0:
        return above
    probabilities = np.clip(scores, 1e-4, 1 - 1e-4)  # finite log-odds for 0 and 1
    cut = min(max(threshold, 1e-4), 1 - 1e-4)
    gains = (np.log(probabilities / (1 - probabilities)) - math.log(cut / (1 - cut))).tolist()
    before, inside, after = 0.0, -math.inf, -math.inf
    came = np.zeros((n, 2), dtype=np.int8)  # predecessor of (inside, after): 0 before, 1 inside, 2 after
    for i, gain in enumerate(gains):
        best_in, came[i, 0] = max((before, 0), (inside, 1), (after - penalty, 2))
        best_after, came[i, 1] = max((inside, 1), (after, 2))
        inside, after = best_in + gain, best_after
    state = 1 if inside >= max(after, before) else (2 if after >= before else 0)
    keep = np.zeros(n, dtype=bool)
    for i in range(n - 1, -1, -1):
        if state == 0:
            break
        if state == 1:
            keep[i] = above[i]
        state = int(came[i, 0 if state == 1 else 1])
    return keep


def _vocabulary_overlap(token_sets: Sequence[set[str]], body_like: np.ndarray) -> np.ndarray:
    """Share of each line's words (idf-weighted over the document's lines, and plain) that
    also occur in *other* body-like lines."""
    n = len(token_sets)
    df: Counter[str] = Counter()
    body: Counter[str] = Counter()
    for tokens, is_body in zip(token_sets, body_like.tolist(), strict=True):
        df.update(tokens)
        if is_body:
            body.update(tokens)
    out = np.zeros((n, 2))
    for i, tokens in enumerate(token_sets):
        if not tokens:
            continue
        own = 1 if body_like[i] else 0
        shared = [t for t in tokens if body[t] > own]
        weight = sum(math.log(n / df[t]) for t in tokens)
        out[i, 0] = sum(math.log(n / df[t]) for t in shared) / weight if weight else 0.0
        out[i, 1] = len(shared) / len(tokens)
    return out


def score_features(scores: np.ndarray, token_sets: Sequence[set[str]]) -> np.ndarray:
    """Stage-2 inputs: what stage 1 believes about each line's surroundings."""
    n = len(scores)
    index = np.arange(n)

    def running_max(k: int, ahead: bool) -> np.ndarray:
        """Max score over the k lines after (or before) each line, 0 past the ends."""
        padded = np.concatenate([np.zeros(k), scores, np.zeros(k)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, k)  # windows[j] = padded[j:j+k]
        return windows[k + 1: k + 1 + n].max(axis=1) if ahead else windows[:n].max(axis=1)

    prev3, next3, prev10, next10 = running_max(3, False), running_max(3, True), running_max(10, False), running_max(10, True)
    body_like = scores >= _BODY_LIKE
    sure = np.flatnonzero(body_like)
    if len(sure):
        inside = ((index >= sure[0]) & (index <= sure[-1])).astype(float)
        before = np.searchsorted(sure, index, side="left")
        dist_prev = np.where(before > 0, index - sure[np.clip(before - 1, 0, None)], n)
        after = np.searchsorted(sure, index, side="right")
        dist_next = np.where(after < len(sure), sure[np.clip(after, None, len(sure) - 1)] - index, n)
    else:
        inside, dist_prev, dist_next = np.zeros(n), np.full(n, n), np.full(n, n)
    mass = np.cumsum(scores)
    total = max(float(mass[-1]), 1e-9)
    spans = []
    for margin in _SPAN_MARGINS:
        first, last = _densest_run(scores - margin)
        if first < 0:
            spans += [np.zeros(n), np.full(n, math.log1p(n))]
            continue
        outside = np.where(index < first, first - index, np.where(index > last, index - last, 0))
        spans += [(outside == 0).astype(float), np.log1p(outside)]
    return np.column_stack([
        scores, _shift(scores, 1), _shift(scores, -1), _shift(scores, 2), _shift(scores, -2),
        prev3, next3, prev10, next10, np.minimum(prev3, next3), np.minimum(prev10, next10),
        inside, np.log1p(dist_prev), np.log1p(dist_next), (mass - scores) / total, (total - mass) / total,
        np.full(n, scores.mean()), np.full(n, scores.max()), _vocabulary_overlap(token_sets, body_like), *spans,
    ])


def token_sets(lines: Sequence[str]) -> list[set[str]]:
    """Each line's words, case-folded (one or two characters at a time in CJK text)."""
    out = []
    for line in lines:
        folded = line.casefold()
        if _HAS_CJK.search(folded):
            out.append(set(_VOCAB_TOKEN.findall(folded)))
        else:
            out.append({word.strip(_EDGE_PUNCT) for word in folded.split()} - {""})
    return out


class TreeEnsemble:
    """Boosted regression trees over one feature matrix, as flat node arrays.

    Nodes of all trees sit in one array; a leaf points to itself (left == right == its own
    index), so walking `depth` levels from the roots lands every row on its leaf in every
    tree at once.
    """

    def __init__(self, spec: dict) -> None:
        trees = spec["trees"]
        offsets = np.cumsum([0] + [len(t["feature"]) for t in trees])
        self.roots = offsets[:-1]
        self.feature = np.concatenate([t["feature"] for t in trees]).astype(np.int64)
        self.threshold = np.concatenate([t["threshold"] for t in trees]).astype(np.float64)
        self.left = np.concatenate([np.add(t["left"], o) for t, o in zip(trees, offsets, strict=False)]).astype(np.int64)
        self.right = np.concatenate([np.add(t["right"], o) for t, o in zip(trees, offsets, strict=False)]).astype(np.int64)
        self.value = np.concatenate([t["value"] for t in trees]).astype(np.float64)
        self.depth = int(spec["depth"])
        self.base = float(spec["base"])

    def margin(self, features: np.ndarray) -> np.ndarray:
        # The trees were grown on float32 features (as scikit-learn does): compare the same.
        flat = np.asarray(features, dtype=np.float32).ravel()
        n, width = features.shape
        row_start = (np.arange(n) * width)[:, None]
        node = np.broadcast_to(self.roots, (n, len(self.roots)))
        for _ in range(self.depth):
            go_left = flat[row_start + self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.base + self.value[node].sum(axis=1)

    def predict(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.margin(features)))


def sequence_inputs(features: np.ndarray, vectors: np.ndarray, center: np.ndarray, components: np.ndarray) -> np.ndarray:
    """What the sequence model reads of each line: its features, then its sentence vector
    projected on the principal directions (`components`, rows) of the training lines'."""
    projected = (np.asarray(vectors, dtype=np.float64) - center) @ components.T
    return np.hstack([np.asarray(features, dtype=np.float64), projected])


class SequenceModel:
    """The mean P(body) of a few BiGRUs trained alike from different seeds, over
    `sequence_inputs`; `spec` is what training exported."""

    def __init__(self, spec: dict) -> None:
        self.center = np.asarray(spec["center"], dtype=np.float64)
        self.components = np.asarray(spec["components"], dtype=np.float64)
        self.members = BiGRU(*spec["members"])

    def predict(self, features: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        return self.members.predict(sequence_inputs(features, vectors, self.center, self.components))


def blended(second: np.ndarray, sequence: np.ndarray, blend: float) -> np.ndarray:
    """The final P(body): stage 2's and the sequence model's scores, `blend` on the latter.

    Training fits the threshold on exactly this, so both sides call it.
    """
    return blend * sequence + (1 - blend) * second


@dataclass(frozen=True)
class Weights:
    """The parts of a shipped model file."""

    stage1: TreeEnsemble
    stage2: TreeEnsemble
    sequence: SequenceModel
    blend: float  # the sequence model's weight in the final score, against stage 2's
    probe: Probe
    threshold: float
    block_penalty: float  # cost of each article block after the first (`kept_in_blocks`)


class LineClassifier:
    """P(body) for each line of a document; the weights load on first use and stay cached here.

    `encoder` turns lines into sentence vectors (a `newsweave.embed.Embedder`); it must be
    the encoder the probe was fitted on (`ENCODER`). A pipeline passes its own so the model
    is loaded once; by default one is made on first use.
    """

    def __init__(self, path: Path | str | None = None, encoder: Embedder | None = None) -> None:
        self.path = Path(path) if path else DEFAULT_MODEL
        self.chars = CharTable()
        self._encoder = encoder
        self._weights: Weights | None = None

    def load(self) -> Weights:
        """The model's parts, read from `path` on first use and held."""
        if self._weights is None:
            if not self.path.exists():
                raise FileNotFoundError(
                    f"boilerplate model {self.path} not found: the newsweave package ships it as "
                    "newsweave/models/boilerplate/model.json; reinstall newsweave or rebuild it with "
                    "make train-boilerplate (training/boilerplate.py)"
                )
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if tuple(raw["features"]) != FEATURES or tuple(raw["score_features"]) != SCORE_FEATURES:
                raise ValueError(
                    f"{self.path} was trained on other features than this code computes; "
                    "retrain it with make train-boilerplate (training/boilerplate.py)"
                )
            if "members" not in raw.get("sequence", {}):
                raise ValueError(
                    f"{self.path} predates the line-sequence model as this code reads it (no "
                    "'sequence' members); retrain it with make train-boilerplate (training/boilerplate.py)"
                )
            probe = raw["probe"]
            if probe["encoder"] != ENCODER:
                raise ValueError(f"{self.path} has a probe for {probe['encoder']!r}; this code reads {ENCODER!r}")
            self._weights = Weights(
                TreeEnsemble(raw["stage1"]), TreeEnsemble(raw["stage2"]), SequenceModel(raw["sequence"]),
                float(raw["blend"]), Probe(probe["coef"], probe["intercept"]), float(raw["threshold"]),
                float(raw.get("block_penalty", 0.0)),  # files from before block decoding: threshold alone
            )
        return self._weights

    @property
    def encoder(self) -> Embedder:
        if self._encoder is None:
            self._encoder = UniversalSentenceEncoder()
        if self._encoder.name != ENCODER:
            raise ValueError(
                f"the boilerplate model reads {ENCODER!r} sentence vectors, not {self._encoder.name!r}"
            )
        return self._encoder

    @property
    def threshold(self) -> float:
        """Lines scoring below this are boilerplate (chosen on training pages, recall first)."""
        return self.load().threshold

    def keep(self, scores: np.ndarray) -> np.ndarray:
        """Which lines of one document are body: above the threshold and in the article's
        blocks (`kept_in_blocks`, with the block penalty fitted beside the threshold)."""
        model = self.load()
        return kept_in_blocks(scores, model.threshold, model.block_penalty)

    def score(self, lines: Sequence[str], rules: Sequence[tuple[bool, bool, bool, bool]]) -> np.ndarray:
        """P(body) for every line of one document, in order."""
        if not lines:
            return np.zeros(0)
        model = self.load()
        vectors = line_vectors(self.encoder, lines)
        features = feature_matrix(lines, rules, self.chars, vectors, model.probe)
        first = model.stage1.predict(features)
        second = model.stage2.predict(np.hstack([features, score_features(first, token_sets(lines))]))
        return blended(second, model.sequence.predict(features, vectors), model.blend)
