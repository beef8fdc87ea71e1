"""Train the plain-text boilerplate line classifier → src/newsweave/models/boilerplate/model.json.

Data: the *train* pages of ../shared/eval/article-extraction, built and labelled by
`training.boilerplate_data` (see there for rendering, labels and the fixed page split), plus
two crops of each train page: its article block with 0–8 lines of furniture either side,
and with 0–1 lines, the shapes plain-text news usually arrives in (a scraper's text, an
HTML extractor's output), so the model learns a whole page and a nearly clean article.

Model: a logistic-regression probe on each line's USE-multilingual sentence vector (its
score feeds stage 1, fitted out of fold like stage 2), then two stages of gradient-boosted
trees (scikit-learn's GradientBoostingClassifier, training only; inference is numpy in
`newsweave.clean.lineclass`). Stage 2 is trained on out-of-fold stage-1 scores (5 folds by
page) so it learns from scores like those it will see on new pages. The sequence model
(`lineclass.SequenceModel`) is `GRU_MEMBERS` bidirectional GRUs from different seeds
(PyTorch, training only; inference is numpy in `newsweave.clean.bigru`), each reading a
page's stage-1 features and its lines' sentence vectors projected on their first
`GRU_PROJECTION` principal directions (PCA of the training pages' lines), also out of fold
(the projection too). The final score is the `BLEND`-weighted mean of their mean and stage
2's (`lineclass.blended`). The decision is fitted on that out-of-fold score: a threshold
and a block penalty (`lineclass.kept_in_blocks`: body lines come in few runs, so an island
of body-like lines must bring enough evidence to be kept), the pair with the most recall
among those whose F1 is within 0.005 of the best.

    make train-boilerplate   # installs the [train] extra (torch==2.13.0, the CPU build); ~30 min on 2 cores
    .venv/bin/python -m training.boilerplate   # the same, with the extra already installed
"""

from __future__ import annotations

import json
import time
from collections import Counter
from itertools import pairwise

import numpy as np

from newsweave.clean.bigru import BiGRU, standardised
from newsweave.clean.lineclass import (
    DEFAULT_MODEL,
    ENCODER,
    FEATURES,
    SCORE_FEATURES,
    CharTable,
    Probe,
    SequenceModel,
    blended,
    kept_in_blocks,
    line_vectors,
    score_features,
    sequence_inputs,
    shape_features,
    token_sets,
    with_semantics,
)
from training import boilerplate_data as data

SEED = 20240611
FOLDS = 5
TREES = 120
DEPTH = 4
LEARNING_RATE = 0.1
CROP_MARGIN = 8  # furniture lines kept either side of the article block in a crop
F1_SLACK = 0.005  # give up this much F1 for recall when choosing the threshold
PROBE_C = 1.0  # inverse L2 strength of the sentence-vector probe (sklearn's default)
# The line-sequence model (BiGRUs over stage-1 features and projected sentence vectors;
# see newsweave.clean.lineclass.SequenceModel and newsweave.clean.bigru).
GRU_MEMBERS = 3  # seeds averaged: three seeds of one GRU scored 1.3 points of OOF F1 apart
GRU_PROJECTION = 16  # principal directions of the sentence vectors it reads
GRU_SIZE = 32
GRU_DENSE = 64
GRU_EPOCHS = 25
GRU_BATCH = 4  # pages per step
GRU_RATE = 3e-3
GRU_DROPOUT = 0.2
BLEND = 0.5  # weight of the sequence model against stage 2 in the final score
# Block penalties (log-odds of evidence) tried with each threshold (`lineclass.kept_in_blocks`;
# 0 = the threshold alone, 1e6 = one block).
PENALTIES = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 1e6)


def crop(page: data.Page, rng: np.random.Generator, margin: int) -> data.Page:
    """The page's article block with up to `margin` lines of furniture either side."""
    body = [i for i, y in enumerate(page.labels) if y]
    start = max(0, body[0] - int(rng.integers(0, margin + 1)))
    end = min(len(page.lines), body[-1] + 1 + int(rng.integers(0, margin + 1)))
    return data.Page(page.id, page.split, page.lines[start:end], page.labels[start:end], page.rules[start:end])


def sentence_vectors(pages: list[data.Page]) -> dict[int, np.ndarray]:
    """Each page's lines as USE-multilingual vectors (every distinct line encoded once)."""
    from newsweave.embed import UniversalSentenceEncoder

    encoder = UniversalSentenceEncoder()
    if encoder.name != ENCODER:
        raise SystemExit(f"the line model is defined on {ENCODER}, not {encoder.name}")
    distinct = sorted({line for p in pages for line in p.lines})
    row = {line: i for i, line in enumerate(distinct)}
    table = line_vectors(encoder, distinct)
    return {k: table[[row[line] for line in p.lines]] for k, p in enumerate(pages)}


def fit_probe(vectors: list[np.ndarray], labels: list[np.ndarray]) -> Probe:
    """A logistic-regression probe on sentence vectors: P(body) from what a line says."""
    from sklearn.linear_model import LogisticRegression  # training only

    model = LogisticRegression(C=PROBE_C, max_iter=2000).fit(np.vstack(vectors), np.concatenate(labels))
    return Probe(model.coef_[0].tolist(), float(model.intercept_[0]))


def fit(features: np.ndarray, labels: np.ndarray):
    from sklearn.ensemble import GradientBoostingClassifier  # training only

    return GradientBoostingClassifier(
        n_estimators=TREES, max_depth=DEPTH, learning_rate=LEARNING_RATE, subsample=0.8, random_state=SEED
    ).fit(features, labels)


def export(model, features: np.ndarray) -> dict:
    """Trees as flat node lists; leaves point to themselves. Checked against sklearn."""
    prior = float(np.clip(model.init_.class_prior_[1], 1e-9, 1 - 1e-9))
    trees = []
    for estimator in model.estimators_[:, 0]:
        tree = estimator.tree_
        leaf = tree.children_left == -1
        own = np.arange(tree.node_count)
        trees.append({
            "feature": np.where(leaf, 0, tree.feature).tolist(),
            "threshold": np.where(leaf, 0.0, tree.threshold).tolist(),
            "left": np.where(leaf, own, tree.children_left).tolist(),
            "right": np.where(leaf, own, tree.children_right).tolist(),
            "value": [round(float(v), 6) for v in tree.value[:, 0, 0] * model.learning_rate],
        })
    spec = {"depth": DEPTH, "base": float(np.log(prior / (1 - prior))), "trees": trees}
    from newsweave.clean.lineclass import TreeEnsemble

    ours = TreeEnsemble(spec).margin(features)
    theirs = model.decision_function(features)
    if np.max(np.abs(ours - theirs)) > 1e-3:
        raise SystemExit(f"exported trees disagree with sklearn by {np.max(np.abs(ours - theirs)):.4f}")
    return spec


def fit_projection(vectors: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Center and first `GRU_PROJECTION` principal directions of these lines' sentence vectors."""
    from sklearn.decomposition import PCA  # training only

    pca = PCA(n_components=GRU_PROJECTION, svd_solver="full").fit(np.vstack(vectors).astype(np.float64))
    return pca.mean_, pca.components_


def fit_sequence(features: list[np.ndarray], labels: list[np.ndarray], seed: int) -> dict:
    """Train one BiGRU on whole pages (PyTorch, CPU, training only) and export its weights."""
    import torch  # training only: pip install torch==2.13.0 (the CPU build)
    from torch import nn

    torch.manual_seed(seed)
    torch.set_num_threads(2)  # fixed, with deterministic kernels: a rerun writes the same weights
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(seed)
    rows = np.vstack(features)
    mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-6

    def tensor(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(standardised(x, mean, scale).astype(np.float32))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dense = nn.Linear(rows.shape[1], GRU_DENSE)
            self.dropout = nn.Dropout(GRU_DROPOUT)
            self.gru = nn.GRU(GRU_DENSE, GRU_SIZE, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * GRU_SIZE + GRU_DENSE, 1)

        def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            dense = self.dropout(torch.relu(self.dense(x)))
            packed = nn.utils.rnn.pack_padded_sequence(dense, lengths, batch_first=True, enforce_sorted=False)
            states, _ = self.gru(packed)
            states, _ = nn.utils.rnn.pad_packed_sequence(states, batch_first=True, total_length=x.shape[1])
            return self.out(torch.cat([states, dense], -1)).squeeze(-1)

    net = Net()
    optimiser = torch.optim.Adam(net.parameters(), lr=GRU_RATE, weight_decay=1e-5)
    loss = nn.BCEWithLogitsLoss(reduction="none")
    pad = nn.utils.rnn.pad_sequence
    for _ in range(GRU_EPOCHS):
        net.train()
        order = rng.permutation(len(features))
        for start in range(0, len(order), GRU_BATCH):
            batch = order[start:start + GRU_BATCH]
            x = pad([tensor(features[k]) for k in batch], batch_first=True)
            y = pad([torch.from_numpy(labels[k].astype(np.float32)) for k in batch], batch_first=True)
            mask = pad([torch.ones(len(labels[k])) for k in batch], batch_first=True)
            optimiser.zero_grad()
            lengths = torch.tensor([len(labels[k]) for k in batch])
            ((loss(net(x, lengths), y) * mask).sum() / mask.sum()).backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
    net.eval()

    def weights(t: torch.Tensor) -> list:
        return np.round(t.detach().numpy().astype(np.float64), 6).tolist()

    spec = {"mean": np.round(mean, 6).tolist(), "scale": np.round(scale, 6).tolist(),
            "dense_w": weights(net.dense.weight), "dense_b": weights(net.dense.bias),
            "out_w": weights(net.out.weight[0]), "out_b": float(net.out.bias.detach()[0])}
    for suffix in ("", "_reverse"):
        spec[f"ih_w{suffix}"] = weights(getattr(net.gru, f"weight_ih_l0{suffix}"))
        spec[f"hh_w{suffix}"] = weights(getattr(net.gru, f"weight_hh_l0{suffix}"))
        spec[f"ih_b{suffix}"] = weights(getattr(net.gru, f"bias_ih_l0{suffix}"))
        spec[f"hh_b{suffix}"] = weights(getattr(net.gru, f"bias_hh_l0{suffix}"))
    # The numpy reader must say what PyTorch says, on a training page.
    with torch.no_grad():
        theirs = torch.sigmoid(net(tensor(features[0])[None], torch.tensor([len(labels[0])])))[0].numpy()
    ours = BiGRU(spec).predict(features[0])
    if np.max(np.abs(ours - theirs)) > 1e-3:
        raise SystemExit(f"the exported BiGRU disagrees with PyTorch by {np.max(np.abs(ours - theirs)):.4f}")
    return spec


def kept_by_page(scores: np.ndarray, offsets: np.ndarray, threshold: float, penalty: float) -> list[np.ndarray]:
    """The decision (`lineclass.kept_in_blocks`) on each page; page k is scores[offsets[k]:offsets[k + 1]]."""
    return [kept_in_blocks(scores[a:b], threshold, penalty) for a, b in pairwise(offsets.tolist())]


def fit_decision(scores: np.ndarray, labels: np.ndarray, offsets: np.ndarray) -> tuple[float, float, tuple]:
    """The threshold and block penalty (`lineclass.kept_in_blocks`) for the out-of-fold scores:
    of the pairs whose F1 is within `F1_SLACK` of the best, the one with the most recall
    (then the smaller penalty and threshold). Penalty 0 is the plain threshold."""
    results = []
    for penalty in PENALTIES:
        for threshold in np.round(np.arange(0.05, 0.951, 0.01), 2).tolist():
            kept = np.concatenate(kept_by_page(scores, offsets, threshold, penalty))
            results.append((data.prf(labels, kept), penalty, threshold))
    best = max(f1 for (_, _, f1), _, _ in results)
    quality, penalty, threshold = max(
        (r for r in results if r[0][2] >= best - F1_SLACK), key=lambda r: (r[0][1], -r[1], -r[2])
    )
    return threshold, penalty, quality


def whole_page_errors(scores: np.ndarray, labels: np.ndarray, offsets: np.ndarray, pages: int,
                      threshold: float, penalty: float) -> tuple[tuple[float, float, float], dict[str, int]]:
    """P/R/F1 of the decision on the first `pages` pages (the whole ones, not the crops), and
    where its kept furniture lies: before, inside or after each page's gold article span.

    The pooled out-of-fold figure is two thirds crops (mostly article text); whole pages are
    what the filter meets in use (it runs only on text that looks like a page dump) and what
    `bench/boilerplate.py` scores, so this is the figure to compare with the held-out one.
    """
    kept = kept_by_page(scores, offsets[:pages + 1], threshold, penalty)
    where: Counter[str] = Counter()
    for k, page_kept in enumerate(kept):
        where.update(data.furniture_kept(labels[offsets[k]:offsets[k + 1]], page_kept))
    return data.prf(labels[:offsets[pages]], np.concatenate(kept)), {key: where[key] for key in ("before", "inside", "after")}


def stacked(pages: list[data.Page], first: dict[int, np.ndarray], feats: dict[int, np.ndarray],
            tokens: dict[int, list[set[str]]]) -> np.ndarray:
    return np.vstack([np.hstack([feats[k], score_features(first[k], tokens[k])]) for k in range(len(pages))])


def main() -> int:
    if not data.available():
        print(f"skipped: {data.EVAL} not found (needs ../shared/eval or $NEWSWEAVE_EVAL)")
        return 0
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    train = [p for p in data.load_pages() if p.split == "train"]
    pages = train + [crop(p, rng, CROP_MARGIN) for p in train] + [crop(p, rng, 1) for p in train]
    # Folds by page: a page and its crops always fall in the same fold.
    order = rng.permutation(len(train))
    fold_of_page = {train[i].id: f % FOLDS for f, i in enumerate(order)}
    folds = np.array([fold_of_page[p.id] for p in pages])
    chars = CharTable()
    vectors = sentence_vectors(pages)
    shapes = {k: shape_features(p.lines, p.rules, chars) for k, p in enumerate(pages)}
    # The probe is stacked like stage 2: each page's semantic features come from a probe
    # fitted on the other folds' whole pages, so stage 1 learns from scores like new pages get.
    feats = {}
    for f in range(FOLDS):
        probe = fit_probe([vectors[k] for k in range(len(train)) if folds[k] != f],
                          [np.array(train[k].labels) for k in range(len(train)) if folds[k] != f])
        for k in np.flatnonzero(folds == f):
            feats[k] = with_semantics(shapes[k], vectors[k], probe)
    feats = {k: feats[k] for k in range(len(pages))}
    final_probe = fit_probe([vectors[k] for k in range(len(train))], [np.array(p.labels) for p in train])
    tokens = {k: token_sets(p.lines) for k, p in enumerate(pages)}
    labels = {k: np.array(p.labels) for k, p in enumerate(pages)}

    def rows(keys, table):
        return np.vstack([table[k] for k in keys]) if table is feats else np.concatenate([table[k] for k in keys])

    everything = list(range(len(pages)))
    first_oof: dict[int, np.ndarray] = {}
    for f in range(FOLDS):
        inside = [k for k in everything if folds[k] != f]
        model = fit(rows(inside, feats), rows(inside, labels))
        for k in everything:
            if folds[k] == f:
                first_oof[k] = model.predict_proba(feats[k])[:, 1]
    all_features = rows(everything, feats)
    all_labels = rows(everything, labels)
    stage1 = fit(all_features, all_labels)
    second_inputs = stacked(pages, first_oof, feats, tokens)
    second_oof = np.zeros(len(all_labels))
    offsets = np.cumsum([0] + [len(p.lines) for p in pages])
    row_fold = np.repeat(folds, np.diff(offsets))
    for f in range(FOLDS):
        model = fit(second_inputs[row_fold != f], all_labels[row_fold != f])
        second_oof[row_fold == f] = model.predict_proba(second_inputs[row_fold == f])[:, 1]
    stage2 = fit(second_inputs, all_labels)

    # The sequence model reads whole pages, out of fold like stage 2, its projection too
    # (fitted on the fold's whole train pages, each line once).
    def fit_members(keys: list[int], seed: int, name: str) -> dict:
        center, components = fit_projection([vectors[k] for k in keys if k < len(train)])
        inputs = [sequence_inputs(feats[k], vectors[k], center, components) for k in keys]
        members = []
        for m in range(GRU_MEMBERS):
            members.append(fit_sequence(inputs, [labels[k] for k in keys], seed + 1000 * m))
            print(f"  sequence member {m + 1}/{GRU_MEMBERS}, {name} ({time.perf_counter() - started:.0f} s)", flush=True)
        return {"center": np.round(center, 6).tolist(), "components": np.round(components, 6).tolist(),
                "members": members}

    sequence_oof = np.zeros(len(all_labels))
    for f in range(FOLDS):
        model = SequenceModel(fit_members([k for k in everything if folds[k] != f], SEED + f, f"fold {f + 1}/{FOLDS}"))
        for k in np.flatnonzero(folds == f):
            sequence_oof[offsets[k]:offsets[k + 1]] = model.predict(feats[k], vectors[k])
    sequence = fit_members(everything, SEED + FOLDS, "all pages")
    blended_oof = blended(second_oof, sequence_oof, BLEND)

    threshold, penalty, (precision, recall, f1) = fit_decision(blended_oof, all_labels, offsets)
    (whole_p, whole_r, whole_f1), kept_furniture = whole_page_errors(
        blended_oof, all_labels, offsets, len(train), threshold, penalty
    )

    spec = {
        "about": "plain-text boilerplate line classifier; see models/boilerplate/NOTICE and training/boilerplate.py",
        "features": list(FEATURES),
        "score_features": list(SCORE_FEATURES),
        "threshold": threshold,
        "block_penalty": penalty,
        "training": {
            "data": "article-extraction benchmark (Scrapinghub, MIT), train split of boilerplate_data.py, plus crops",
            "pages": len(train), "lines": len(all_labels), "body_lines": int(all_labels.sum()), "seed": SEED,
            "trees_per_stage": TREES, "depth": DEPTH, "learning_rate": LEARNING_RATE,
            "sequence": {"members": GRU_MEMBERS, "projection": GRU_PROJECTION, "size": GRU_SIZE,
                         "dense": GRU_DENSE, "epochs": GRU_EPOCHS, "batch": GRU_BATCH,
                         "learning_rate": GRU_RATE, "dropout": GRU_DROPOUT},
            "out_of_fold": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)},
            "out_of_fold_whole_pages": {"precision": round(whole_p, 4), "recall": round(whole_r, 4),
                                        "f1": round(whole_f1, 4), "furniture_kept": kept_furniture},
        },
        "probe": {"encoder": ENCODER, "coef": [round(c, 6) for c in final_probe.coef.tolist()],
                  "intercept": round(final_probe.intercept, 6)},
        "stage1": export(stage1, all_features),
        "stage2": export(stage2, second_inputs),
        "sequence": sequence,
        "blend": BLEND,
    }
    DEFAULT_MODEL.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_MODEL.write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
    print(
        f"train_boilerplate pages={len(train)} lines={len(all_labels)} threshold={threshold:.2f} block_penalty={penalty:g} "
        f"oof_precision={precision:.3f} oof_recall={recall:.3f} oof_f1={f1:.3f} "
        f"whole_pages_P/R/F1={whole_p:.3f}/{whole_r:.3f}/{whole_f1:.3f} furniture_kept_before/inside/after_article="
        f"{kept_furniture['before']}/{kept_furniture['inside']}/{kept_furniture['after']} "
        f"size_kb={DEFAULT_MODEL.stat().st_size / 1024:.0f} seconds={time.perf_counter() - started:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
