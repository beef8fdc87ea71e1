"""Line-labelled plain text built from ../shared/eval/article-extraction (MIT, Scrapinghub).

For each of the 181 pages:

1. **Render** the whole page as a reader's flattened text with `html-text` (visible text
   only, a line break at every block element: `html_text.extract_text(html,
   guess_layout=True)`), so the text holds navigation, teasers, footers and all.
2. **Lines** are what the pipeline hands `filter_boilerplate` for plain text: the text is
   cut into paragraphs by `split_paragraphs` and repeated paragraphs are dropped with
   `drop_repeated_paragraphs`, exactly as `Pipeline.clean` does.
3. **Label**: the page's tokens (`\\w+` runs, case-folded) are aligned with the gold body's
   tokens by `difflib.SequenceMatcher` (a longest-common-block alignment, so it keeps
   order). A token counts as gold when it lies in an aligned block of at least 3 tokens,
   or, for a line shorter than that, in a block at least as long as the line (a short
   heading inside the article). A line is body when at least half its tokens are gold.
   Order matters: a menu word that also occurs somewhere in the article ("Home",
   "Politics") is not aligned, because it sits outside the run of matching text. Lines with no `\\w` token are not body.
4. **Split by page**: a page is a test page when the first 8 hex digits of
   sha256("boilerplate-split:" + page id) modulo 10 are below 3 (about 30 % of pages),
   train otherwise. Fixed, so every script sees the same split.

Training (`training.boilerplate`) fits on the train pages; `bench.boilerplate` and the
quality-floor test score the test pages. Needs `html-text` (in the dev and train extras).
Nothing is copied into the repo.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import regex

from newsweave.clean.boilerplate import rule_flags
from newsweave.clean.paragraphs import split_paragraphs
from newsweave.clean.repeats import drop_repeated_paragraphs
from newsweave.document import Document, Paragraph
from training.evaldata import eval_path

EVAL = eval_path("article-extraction")
_TOKEN = regex.compile(r"\w+")
MIN_BLOCK = 3  # aligned runs shorter than this are chance matches ("the", "said")
BODY_SHARE = 0.5  # share of a line's tokens that must be gold for the line to be body


@dataclass
class Page:
    id: str
    split: str  # "train" or "test"
    lines: list[str]
    labels: list[int]  # 1 = article body
    rules: list[tuple[bool, bool, bool, bool]]


def available() -> bool:
    return (EVAL / "ground-truth.json").exists()


def split_of(page_id: str) -> str:
    digest = hashlib.sha256(f"boilerplate-split:{page_id}".encode()).hexdigest()
    return "test" if int(digest[:8], 16) % 10 < 3 else "train"


def render(html: str) -> str:
    import html_text  # dev/train extra only

    return html_text.extract_text(html, guess_layout=True)


def page_lines(text: str) -> list[str]:
    """The paragraphs `Pipeline.clean` would hand the boilerplate filter for this text."""
    doc = Document("page", "page", "", paragraphs=[Paragraph(p) for p in split_paragraphs(text)])
    drop_repeated_paragraphs(doc)
    return [p.text for p in doc.paragraphs]


def label_lines(lines: list[str], gold: str) -> list[int]:
    tokens = [_TOKEN.findall(line.casefold()) for line in lines]
    flat = [t for ts in tokens for t in ts]
    gold_tokens = _TOKEN.findall(gold.casefold())
    block_len = [0] * len(flat)
    matcher = difflib.SequenceMatcher(None, flat, gold_tokens, autojunk=False)
    for a, _b, size in matcher.get_matching_blocks():
        for j in range(a, a + size):
            block_len[j] = size
    labels = []
    start = 0
    for ts in tokens:
        end = start + len(ts)
        if ts:
            gold_count = sum(1 for j in range(start, end) if block_len[j] >= min(MIN_BLOCK, end - start))
            labels.append(int(gold_count >= BODY_SHARE * len(ts)))
        else:
            labels.append(0)
        start = end
    return labels


def prf(labels: np.ndarray, kept: np.ndarray) -> tuple[float, float, float]:
    """Line-level precision, recall and F1 of the lines ``kept`` against body labels (1)."""
    tp = float(np.sum(kept & (labels == 1)))
    precision = tp / max(float(np.sum(kept)), 1.0)
    recall = tp / max(float(np.sum(labels == 1)), 1.0)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def furniture_kept(labels: list[int] | np.ndarray, kept: np.ndarray) -> dict[str, int]:
    """Where the furniture lines kept on one page lie against its gold article span (first
    to last body line): before it (headers, menus), inside it (captions, inserted boxes) or
    after it (teasers, comments, footers)."""
    labels = np.asarray(labels)
    body = np.flatnonzero(labels)
    where = {"before": 0, "inside": 0, "after": 0}
    for i in np.flatnonzero(kept & (labels == 0)):
        where["before" if not len(body) or i < body[0] else "after" if i > body[-1] else "inside"] += 1
    return where


def load_pages(split: str | None = None) -> list[Page]:
    """Every page (or those of one split), rendered, cut into lines and labelled (a few seconds)."""
    truth = json.loads((EVAL / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        if split and split_of(page_id) != split:
            continue
        html = gzip.decompress((EVAL / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        lines = page_lines(render(html))
        labels = label_lines(lines, truth[page_id]["articleBody"])
        pages.append(Page(page_id, split_of(page_id), lines, labels, [rule_flags(line) for line in lines]))
    return pages


if __name__ == "__main__":
    loaded = load_pages()
    for split in ("train", "test"):
        chosen = [p for p in loaded if p.split == split]
        lines = sum(len(p.lines) for p in chosen)
        body = sum(sum(p.labels) for p in chosen)
        print(f"{split}: pages={len(chosen)} lines={lines} body={body}")
