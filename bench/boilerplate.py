"""Plain-text boilerplate filter: line-level quality on held-out pages, and clean-stage speed.

Quality: the *test* pages of ../shared/eval/article-extraction (split and labels by
`training.boilerplate_data`: whole rendered page text, a line is body when it aligns with the gold
article body). Each page's lines go through `filter_boilerplate` as one document; a line is
predicted body when it is still among the document's paragraphs afterwards. Precision,
recall and F1 are over all test lines pooled (body = positive), for the rules alone and
for rules + classifier. `from the HTML` scores two HTML extractors the same way, for
reference (`html_reference`). `crop` repeats this on each test page's article block with 3
lines of furniture either side (plain-text news as scraped). lines/s is the filter alone.
The F1 interval resamples the test pages (`f1_interval`). `furniture kept` says where the
non-body lines the filter kept lie against each page's gold article span
(`boilerplate_data.furniture_kept`): before it, inside it, or after it.

Speed: `Pipeline().clean(RawArticle(...))` over every article text in
../shared/eval/news-similarity/pairs.csv, on one core (the process pins itself to one CPU
and the sentence encoder runs one thread), steady state (after one untimed pass), with
the share of that time spent in the boilerplate filter; `pairs_model_drops` is the share of those articles' paragraphs the
classifier removed (almost all of them are article text, so this should stay small).

    .venv/bin/python -m bench.boilerplate
"""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import time
from collections import Counter
from typing import NamedTuple

import numpy as np

import newsweave.pipeline as pipeline_module
from newsweave.clean import metadata
from newsweave.clean.boilerplate import BoilerplateFilter
from newsweave.document import Document, Paragraph, RawArticle
from newsweave.settings import Settings
from training import boilerplate_data as data
from training.evaldata import eval_path

PAIRS = eval_path("news-similarity", "pairs.csv")
CROP_MARGIN = 3


def kept_lines(stage: BoilerplateFilter, lines: list[str]) -> np.ndarray:
    paragraphs = [Paragraph(line) for line in lines]
    doc = stage(Document("page", "page", "", paragraphs=list(paragraphs)))
    kept = {id(p) for p in doc.paragraphs}
    return np.array([id(p) in kept for p in paragraphs])


class Evaluation(NamedTuple):
    prf: tuple[float, float, float]  # line-level precision, recall, F1, all pages' lines pooled
    lines_per_s: float  # the filter alone
    furniture_kept: Counter[str]  # kept non-body lines before, inside, after the gold article span
    f1_interval: tuple[float, float]  # 95% bootstrap interval of F1, pages resampled


def f1_interval(counts: np.ndarray, rounds: int = 2000) -> tuple[float, float]:
    """95% interval of pooled F1 when the pages themselves are resampled (`counts`: per page,
    body lines kept, lines kept, body lines). Errors come page by page (one site's teaser
    list is a dozen lines), so 49 pages measure F1 less finely than 8,500 lines suggest."""
    rng = np.random.default_rng(0)
    tp, kept, body = counts[rng.integers(0, len(counts), (rounds, len(counts)))].sum(axis=1).T
    f1 = 2 * tp / np.maximum(kept + body, 1)
    low, high = np.percentile(f1, [2.5, 97.5])
    return float(low), float(high)


def evaluate(stage: BoilerplateFilter, pages: list[data.Page]) -> Evaluation:
    started = time.perf_counter()
    kept = [kept_lines(stage, p.lines) for p in pages]
    seconds = time.perf_counter() - started
    where: Counter[str] = Counter()
    counts = []  # per page: body lines kept, lines kept, body lines (for `f1_interval`)
    for page, page_kept in zip(pages, kept, strict=True):
        labels = np.asarray(page.labels)
        where.update(data.furniture_kept(labels, page_kept))
        counts.append((int(np.sum(page_kept & (labels == 1))), int(np.sum(page_kept)), int(np.sum(labels))))
    labels = np.concatenate([p.labels for p in pages])
    return Evaluation(data.prf(labels, np.concatenate(kept)), len(labels) / seconds, where, f1_interval(np.array(counts)))


def cropped(page: data.Page) -> data.Page:
    body = [i for i, y in enumerate(page.labels) if y]
    start, end = max(0, body[0] - CROP_MARGIN), min(len(page.lines), body[-1] + 1 + CROP_MARGIN)
    return data.Page(page.id, page.split, page.lines[start:end], page.labels[start:end], page.rules[start:end])


def test_quality(test: list[data.Page]) -> dict[str, float]:
    """Line-level scores on the test pages (`evaluate` is also the quality-floor test's)."""
    rules, new = BoilerplateFilter(rules_only=True), BoilerplateFilter()
    new(Document("warm", "warm", "", paragraphs=[Paragraph("Warm up.")]))  # load the weights
    rp, rr, rf = evaluate(rules, test).prf
    scored = evaluate(new, test)
    np_, nr, nf = scored.prf
    crops = [cropped(p) for p in test]
    _, _, crf = evaluate(rules, crops).prf
    cp, cr, cf = evaluate(new, crops).prf
    return {
        "pages": len(test), "lines": sum(len(p.lines) for p in test), "rules_p": rp, "rules_r": rr, "rules_f1": rf,
        "new_p": np_, "new_r": nr, "new_f1": nf, "lines_per_s": scored.lines_per_s, "crop_rules_f1": crf,
        "crop_p": cp, "crop_r": cr, "crop_f1": cf, "kept": scored.furniture_kept, "f1_interval": scored.f1_interval,
    }


def html_reference(test: list[data.Page]) -> dict[str, tuple[float, float, float]]:
    """The same line scores for extractors that read each test page's HTML instead.

    Each rendered line is labelled by the extractor's output exactly as by the gold body
    (`label_lines`): newsweave's HTML cleaning (`Pipeline.clean`) and plain
    `trafilatura.extract`. They see the markup the plain-text filter never gets, so they
    show what the 0.95 target asks of text alone.
    """
    import gzip

    import trafilatura

    pipeline = pipeline_module.Pipeline()
    labels = np.concatenate([p.labels for p in test])
    found: dict[str, list[int]] = {"newsweave_html": [], "trafilatura": []}
    for page in test:
        raw = gzip.decompress((data.EVAL / "html" / f"{page.id}.html.gz").read_bytes())
        doc = pipeline.clean(RawArticle(raw, f"{page.id}.html", "html"))
        found["newsweave_html"] += data.label_lines(page.lines, "\n".join(p.text for p in doc.paragraphs))
        found["trafilatura"] += data.label_lines(page.lines, trafilatura.extract(raw.decode("utf-8", "replace")) or "")
    return {name: data.prf(labels, np.array(kept, dtype=bool)) for name, kept in found.items()}


def clean_speed() -> dict[str, float] | None:
    if not PAIRS.exists():
        return None
    csv.field_size_limit(sys.maxsize)
    texts: dict[str, None] = {}
    for row in csv.DictReader(PAIRS.open(encoding="utf-8")):
        texts.setdefault(row["text1"])
        texts.setdefault(row["text2"])
    raws = [RawArticle(text.encode("utf-8"), f"pairs#{i}") for i, text in enumerate(texts)]
    # One core, honestly: the process is pinned to one CPU and the sentence encoder (which the
    # line model borrows for page dumps) runs one thread.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pipeline = pipeline_module.Pipeline(Settings(threads=1))
    spent = [0.0]
    drops = [0, 0]
    # The pipeline holds its boilerplate stage (older versions called a module function).
    holder, name = (pipeline, "boilerplate") if hasattr(pipeline, "boilerplate") else (pipeline_module, "filter_boilerplate")
    original = getattr(holder, name)

    def timed(doc: Document) -> Document:
        before = len(doc.paragraphs)
        started = time.perf_counter()
        result = original(doc)
        spent[0] += time.perf_counter() - started
        drops[0] += sum(1 for r in doc.removed if r.reason.startswith("boilerplate by its shape"))
        drops[1] += before
        return result

    # Warm up with one untimed pass over every article: what a long ingest pays once (the
    # sentence encoder, which the line model borrows for page dumps, imports, weights, the
    # line model's character table, dateparser's locale data and regexes) is not in the
    # figure. Parsed date lines are cached by text; that cache is emptied, so the timed
    # pass parses every date line again as it would in new articles.
    pipeline.embedder.encode(["Warm up."])
    for raw in raws:
        with contextlib.suppress(Exception):  # a bad article is the pipeline's to report, not ours
            pipeline.clean(raw)
    metadata._dateparser_parse.cache_clear()
    setattr(holder, name, timed)
    try:
        started = time.perf_counter()
        for raw in raws:
            with contextlib.suppress(Exception):
                pipeline.clean(raw)
        seconds = time.perf_counter() - started
    finally:
        setattr(holder, name, original)
    return {"articles": len(raws), "articles_per_s": len(raws) / seconds, "filter_share": spent[0] / seconds,
            "model_drops": drops[0] / max(drops[1], 1)}


def main() -> int:
    if not data.available():
        print(f"skipped: {data.EVAL} not found (needs ../shared/eval)")
        return 0
    test = data.load_pages("test")
    q = test_quality(test)
    speed = clean_speed()
    reference = html_reference(test)  # after the speed run: its pages would weigh on that process
    line = (
        f"boilerplate test_pages={q['pages']} lines={q['lines']} "
        f"rules P/R/F1={q['rules_p']:.3f}/{q['rules_r']:.3f}/{q['rules_f1']:.3f} "
        f"new P/R/F1={q['new_p']:.3f}/{q['new_r']:.3f}/{q['new_f1']:.3f} "
        f"(F1 95% interval, pages resampled: {q['f1_interval'][0]:.3f}-{q['f1_interval'][1]:.3f}) lines/s={q['lines_per_s']:.0f} "
        f"(furniture kept before/inside/after the article: {q['kept']['before']}/{q['kept']['inside']}/{q['kept']['after']}) "
        f"crop rules F1={q['crop_rules_f1']:.3f} crop new P/R/F1={q['crop_p']:.3f}/{q['crop_r']:.3f}/{q['crop_f1']:.3f}"
    )
    line += " | from the HTML, same line labels: " + " ".join(
        f"{name} P/R/F1={p:.3f}/{r:.3f}/{f:.3f}" for name, (p, r, f) in reference.items()
    )
    if speed:
        line += (
            f" clean articles/s={speed['articles_per_s']:.0f} (n={speed['articles']}, "
            f"filter {100 * speed['filter_share']:.0f}% of it) pairs_model_drops={100 * speed['model_drops']:.1f}%"
        )
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
