"""Story clustering on a multilingual stream: the SemEval-2022 Task 8 articles in one corpus.

Every article of the dev pairs (10 languages) goes into one fresh corpus, in the order the
pairs file first names it; then, for the pairs annotators rated the same event (Overall <=
1.5), the share whose two articles ended in one story, and for the pairs rated unrelated
(Overall >= 3.5), the share that did not; each also for cross-lingual pairs alone. The
articles come from the cache `training/stories.py` keeps (bench/.cache/stories; the first
run processes every text, which takes long on two cores).

    .venv/bin/python -m bench.story_stream
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from newsweave.corpus import Corpus
from newsweave.settings import Settings
from training.stories import PAIRS, processed, semeval_pairs, text_key

SAME, UNRELATED = 1.5, 3.5  # Overall at most / at least


def share(pairs, story_of) -> tuple[int, int]:
    """(pairs whose two articles share a story, pairs counted)."""
    counted = [p for p in pairs if story_of.get(text_key(p.text1)) is not None and story_of.get(text_key(p.text2)) is not None]
    return sum(story_of[text_key(p.text1)] == story_of[text_key(p.text2)] for p in counted), len(counted)


def line(name: str, together: int, total: int, wanted: str) -> str:
    rate = together / total if total else float("nan")
    return f"{name}: {together}/{total} share a story ({rate:.3f}; {wanted})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    pairs = semeval_pairs()
    texts = list(dict.fromkeys(t for p in pairs for t in (p.text1, p.text2)))
    documents = processed(texts)
    story_of: dict[str, int | None] = {}
    settings = Settings()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "stream.db", settings) as corpus:
        added = {}
        for text in texts:
            doc = documents.get(text_key(text))
            if doc is not None:
                added[text_key(text)] = corpus.add(doc).id
        seconds = time.perf_counter() - started
        story_of = {key: corpus.store.story_of(doc_id) for key, doc_id in added.items()}
    same = [p for p in pairs if -p.target <= SAME]
    unrelated = [p for p in pairs if -p.target >= UNRELATED]
    print(f"story stream semeval: articles={len(added)} stories={len(set(story_of.values()))} story_similarity={settings.story_similarity} "
          f"cluster_docs/s={len(added) / seconds:.1f}")
    for name, group, wanted in (("same event (Overall<=1.5)", same, "target >= 0.85"),
                                ("unrelated (Overall>=3.5)", unrelated, "target <= 0.01")):
        together, total = share(group, story_of)
        cross = share([p for p in group if p.lang1 != p.lang2], story_of)
        print(line(name, together, total, wanted) + " | " + line("cross-lingual", *cross, wanted))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
