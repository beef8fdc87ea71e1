"""HTML main-text extraction on the article-extraction set (181 news/blog pages, gold bodies).

Runs newsweave's HTML cleaning (`Pipeline().clean`, the model-free part of `process`) and
plain `trafilatura.extract(html)` (default settings) over every page in
../shared/eval/article-extraction and prints one line: shingle F1, precision, recall and
pages/s (CPU time, the two taking turns page by page) for each, scored exactly as published with the set (`\\w+` tokens, multisets of
4-token shingles, tp/fp/fn per page normalised to sum 1, precision and recall averaged over
pages, F1 the harmonic mean of the two averages).

newsweave is scored on the document's `body` (the paragraphs, without the headline): the
gold `articleBody` holds the article text without its headline, so `text` (headline +
body) only adds false positives (--field text measures that). The line also scores
`newsweave.clean.extract.extract_html` alone, without the plain-text stages `clean` runs
after it (repeated paragraphs, metadata lines, boilerplate lines), to show what they cost;
its pages/s counts extract_html only (decoding and mojibake repair are done before the
clock starts), the like-for-like comparison with trafilatura.extract on bytes.

    .venv/bin/python -m bench.extraction [--limit N] [--field body|text] [--pages FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import trafilatura

from newsweave.clean.encoding import decode
from newsweave.clean.extract import declared_charset, extract_html
from newsweave.clean.mojibake import repair
from newsweave.document import Document, RawArticle
from newsweave.errors import NewsweaveError
from newsweave.pipeline import Pipeline
from training.evaldata import eval_path

SET = eval_path("article-extraction")

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The text's multiset of n-token shingles; a text under n tokens is one short shingle."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(gold: str, predicted: str) -> tuple[float, float, float]:
    """tp, fp, fn over shingles, normalised to sum 1 (all zero when both texts are empty)."""
    truth, guess = shingles(gold), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_scores(gold: str, predicted: str) -> tuple[float, float]:
    """(precision, recall) of one page; a page with fp = fn = 0 scores 1 on both."""
    tp, fp, fn = page_counts(gold, predicted)
    if fp == fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def score(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """(F1, precision, recall) over (gold, predicted) pages, as the set's evaluation computes it."""
    scores = [page_scores(gold, predicted) for gold, predicted in pairs]
    if not scores:
        return 0.0, 0.0, 0.0
    precision = sum(p for p, _ in scores) / len(scores)
    recall = sum(r for _, r in scores) / len(scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def load_pages(limit: int | None = None, ids: list[str] | None = None) -> list[tuple[str, str, str, bytes]]:
    """(id, url, gold body, html bytes) for the set's pages, in id order."""
    truth = json.loads((SET / "ground-truth.json").read_text(encoding="utf-8"))
    chosen = ids if ids is not None else sorted(truth)[:limit]
    return [
        (
            page,
            truth[page].get("url") or "",
            truth[page]["articleBody"],
            gzip.decompress((SET / "html" / f"{page}.html.gz").read_bytes()),
        )
        for page in chosen
    ]


def newsweave_extractor(
    pages: list[tuple[str, str, str, bytes]], field: str = "body", extract_only: bool = False
) -> Callable[[str, str, bytes], str]:
    """A function page -> text running newsweave's HTML cleaning (or extract_html alone).

    With extract_only the pages are decoded and repaired here, before any timing, so the
    rate measured is that of extract_html itself.
    """
    pipeline = Pipeline()
    today = dt.date.today()
    decoded: dict[str, str] = {}
    if extract_only:
        for page, _, _, html in pages:
            text, _ = decode(html, declared_charset(html), guess_language=lambda t: pipeline.languages.identify(t)[0])
            decoded[page] = repair(text)[0]

    def run(page: str, url: str, html: bytes) -> str:
        raw = RawArticle(html, f"{page}.html", "html", url or None)
        try:
            if extract_only:
                doc = extract_html(Document(id=raw.id, source=raw.source, raw_sha256=""), decoded[page], raw.url, today)
            else:
                doc = pipeline.clean(raw, today)
        except NewsweaveError:  # a page we cannot read scores as empty, like a missed page
            return ""
        return doc.text if field == "text" else doc.body

    return run


def trafilatura_extractor(page: str, url: str, html: bytes) -> str:
    return trafilatura.extract(html) or ""


def measure(extractors: list[Callable[[str, str, bytes], str]], pages: list[tuple[str, str, str, bytes]]):
    """Per extractor: (F1, precision, recall, pages/s, outputs).

    The extractors take turns on each page and the clock is this process's CPU time, so
    other load on a shared machine, which comes and goes, weighs on all of them alike. Who
    goes first rotates from page to page: the second to parse a page finds it warm in the
    CPU caches, which is worth a few per cent.
    """
    for extract in extractors:  # first calls load lazy parts (dateparser, trafilatura's config)
        extract(pages[0][0], pages[0][1], pages[0][3])
    outputs: list[list[str]] = [[] for _ in extractors]
    seconds = [0.0] * len(extractors)
    for i, (page, url, _, html) in enumerate(pages):
        for k in range(len(extractors)):
            n = (i + k) % len(extractors)
            start = time.process_time()
            outputs[n].append(extractors[n](page, url, html))
            seconds[n] += time.process_time() - start
    results = []
    for out, spent in zip(outputs, seconds, strict=True):
        f1, precision, recall = score((gold, text) for (_, _, gold, _), text in zip(pages, out, strict=True))
        results.append((f1, precision, recall, len(pages) / max(spent, 1e-9), out))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--pages", type=Path, default=None, help="a file of page ids, one a line")
    parser.add_argument("--field", choices=("body", "text"), default="body")
    parser.add_argument("--per-page", type=Path, default=None, help="write per-page scores (JSONL) here")
    args = parser.parse_args()
    if not (SET / "ground-truth.json").exists():
        print(f"skipped: {SET} not found (needs ../shared/eval)")
        return 0
    ids = args.pages.read_text().split() if args.pages else None
    pages = load_pages(args.limit, ids)
    extractors = {
        f"newsweave(clean.{args.field})": newsweave_extractor(pages, args.field),
        f"newsweave(extract_html.{args.field})": newsweave_extractor(pages, args.field, extract_only=True),
        "trafilatura.extract": trafilatura_extractor,
    }
    results = measure(list(extractors.values()), pages)
    ours, theirs = results[0], results[-1]
    if args.per_page:
        with args.per_page.open("w", encoding="utf-8") as out:
            for (page, url, gold, _), a, b in zip(pages, ours[4], theirs[4], strict=True):
                out.write(
                    json.dumps(
                        {
                            "id": page,
                            "url": url,
                            "newsweave": page_scores(gold, a),
                            "trafilatura": page_scores(gold, b),
                            "gold": gold,
                            "newsweave_text": a,
                            "trafilatura_text": b,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    parts = [f"pages={len(pages)}"]
    for name, (f1, precision, recall, rate, _) in zip(extractors, results, strict=True):
        parts.append(f"{name}: f1={f1:.3f} p={precision:.3f} r={recall:.3f} pages/s={rate:.1f}")
    print("extraction " + " | ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
