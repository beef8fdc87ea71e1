"""Event similarity on SemEval-2022 Task 8 (multilingual news pairs, human Overall scores).

Prints Pearson r against −Overall of: the event model cross-validated on the dev pairs
(grouped folds, exactly as `training/stories.py` trains it), all ten languages together and
per language pair; single signals for reference (document cosine, paragraph alignment); the
shipped model in-sample, labelled as such (it was trained on these pairs); how often the
same entity gets the same key in two reports of one event, across languages and within one;
and speed: pairs/s of the signals and model alone, and of the whole `similarity` path
(pipeline on both texts, then signals and model) after start-up.

The pairs' documents come from the cache `training/stories.py` keeps under bench/.cache
(the first run processes every text, which takes minutes).

    .venv/bin/python -m bench.similarity [--speed-pairs N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from newsweave.stories.event_model import EventModel
from newsweave.stories.pairs import PairScorer
from newsweave.stories.signals import ENTITY_GROUPS, SIGNALS, entity_group, signals
from training.stories import FOLDS, PAIRS, cross_validated, dev_table, pearson, processed, semeval_pairs, text_key


def per_language(t, scores: np.ndarray, gold: np.ndarray) -> str:
    languages = np.array([p.languages for p, s in zip(t.pairs, t.semeval, strict=True) if s])
    parts = []
    for lang in sorted(set(languages), key=lambda x: (-np.sum(languages == x), x)):
        mask = languages == lang
        parts.append(f"{lang}={pearson(scores[mask], gold[mask]):.2f}({int(mask.sum())})")
    return " ".join(parts)


def entity_agreement(t, documents) -> str:
    """How often one entity gets one key in two reports of the same event (Overall <= 1.5):
    of the document with fewer keys of a type, the share the other document also has,
    across languages against within one. Within one language a miss is a recognition miss
    or an entity only one report names; the drop across languages is keys that disagree."""
    counts: dict[tuple[bool, str], list[int]] = {}
    for p, is_semeval in zip(t.pairs, t.semeval, strict=True):
        if not is_semeval or p.target < -1.5:
            continue
        a, b = documents[text_key(p.text1)], documents[text_key(p.text2)]
        for group in ENTITY_GROUPS[:4]:
            ka = {e.id for e in a.entities if entity_group(e.id, e.type) == group}
            kb = {e.id for e in b.entities if entity_group(e.id, e.type) == group}
            small, big = sorted((ka, kb), key=len)
            hit = counts.setdefault((p.lang1 != p.lang2, group), [0, 0])
            hit[0] += len(small & big)
            hit[1] += len(small)
    parts = []
    for group in ENTITY_GROUPS[:4]:
        (cross, n_cross), (same, n_same) = counts[(True, group)], counts[(False, group)]
        parts.append(f"{group} {cross / n_cross:.2f} of {n_cross} vs {same / n_same:.2f} of {n_same}")
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-pairs", type=int, default=100, help="pairs run end to end for pairs/s")
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"skipped: {PAIRS} not found (needs ../shared/eval)")
        return 0
    t, rarity = dev_table()
    gold = t.target[t.semeval]
    oof = cross_validated(t)
    column = {name: t.rows[t.semeval, SIGNALS.index(name)] for name in ("cosine", "alignment")}
    shipped = EventModel.load()
    print(f"similarity pairs={len(gold)} (dropped {t.dropped}) | model cross-validated ({FOLDS} grouped folds) "
          f"pearson={pearson(oof, gold):.3f} | doc_cosine={pearson(column['cosine'], gold):.3f} "
          f"paragraph_alignment={pearson(column['alignment'], gold):.3f} | "
          f"shipped model in-sample pearson={pearson(shipped.score_rows(t.rows[t.semeval]), gold):.3f}")
    print(f"per language pair (cross-validated, pairs): {per_language(t, oof, gold)}")
    print(f"per language pair (doc cosine): {per_language(t, column['cosine'], gold)}")

    documents = processed([])
    print("entity keys shared by same-event pairs, across languages vs within one: "
          + entity_agreement(t, documents))
    cached = [(documents[text_key(p.text1)], documents[text_key(p.text2)])
              for p, s in zip(t.pairs, t.semeval, strict=True) if s]
    start = time.perf_counter()
    shipped.scores([signals(a, b, rarity) for a, b in cached])
    model_rate = len(cached) / (time.perf_counter() - start)

    scorer = PairScorer()
    pairs = semeval_pairs()
    scorer.texts(pairs[0].text1, pairs[0].text2)  # start-up: models load
    chosen = pairs[1 : 1 + args.speed_pairs]
    start = time.perf_counter()
    for p in chosen:
        scorer.texts(p.text1, p.text2)
    whole_rate = len(chosen) / (time.perf_counter() - start)
    print(f"speed: signals+model {model_rate:.0f} pairs/s | whole similarity path {whole_rate:.1f} pairs/s "
          f"({args.speed_pairs} pairs, both texts through the pipeline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
