"""The numpy BiGRU against a plain, one-direction-at-a-time reading of PyTorch's GRU equations."""

import json

import numpy as np
import pytest

from newsweave.clean.bigru import CLIP, BiGRU
from newsweave.clean.lineclass import DEFAULT_MODEL, LineClassifier, SequenceModel
from newsweave.clean.lineclass import FEATURES as FEATURE_NAMES

FEATURES, DENSE, SIZE = 5, 4, 3
VECTOR, PROJECTED = 6, 2  # sentence-vector width and principal directions, for SequenceModel


def random_spec(rng: np.random.Generator, features: int = FEATURES) -> dict:
    def weights(*shape: int) -> list:
        return rng.normal(0, 0.7, shape).tolist()

    spec = {"mean": weights(features), "scale": (rng.random(features) + 0.5).tolist(),
            "dense_w": weights(DENSE, features), "dense_b": weights(DENSE),
            "out_w": weights(2 * SIZE + DENSE), "out_b": 0.3}
    for suffix in ("", "_reverse"):
        spec[f"ih_w{suffix}"] = weights(3 * SIZE, DENSE)
        spec[f"hh_w{suffix}"] = weights(3 * SIZE, SIZE)
        spec[f"ih_b{suffix}"] = weights(3 * SIZE)
        spec[f"hh_b{suffix}"] = weights(3 * SIZE)
    return spec


def reference(spec: dict, features: np.ndarray) -> np.ndarray:
    """h' = (1 - z) * n + z * h, with r, z, n as torch.nn.GRU documents them."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    s = {k: np.asarray(v) for k, v in spec.items()}
    x = np.clip((features - s["mean"]) / s["scale"], -CLIP, CLIP)
    dense = np.maximum(x @ s["dense_w"].T + s["dense_b"], 0)
    outputs = []
    for suffix, order in (("", range(len(x))), ("_reverse", reversed(range(len(x))))):
        h, out = np.zeros(SIZE), np.zeros((len(x), SIZE))
        for t in order:
            gi = s[f"ih_w{suffix}"] @ dense[t] + s[f"ih_b{suffix}"]
            gh = s[f"hh_w{suffix}"] @ h + s[f"hh_b{suffix}"]
            r = sig(gi[:SIZE] + gh[:SIZE])
            z = sig(gi[SIZE:2 * SIZE] + gh[SIZE:2 * SIZE])
            n = np.tanh(gi[2 * SIZE:] + r * gh[2 * SIZE:])
            h = (1 - z) * n + z * h
            out[t] = h
        outputs.append(out)
    return sig(np.hstack([*outputs, dense]) @ s["out_w"] + s["out_b"])


def test_the_stacked_two_way_pass_matches_the_gru_equations():
    rng = np.random.default_rng(7)
    for lines in (1, 2, 9):
        spec = random_spec(rng)
        features = rng.normal(0, 2, (lines, FEATURES))
        np.testing.assert_allclose(BiGRU(spec).predict(features), reference(spec, features), atol=1e-12)
    assert BiGRU(random_spec(rng)).predict(np.zeros((0, FEATURES))).shape == (0,)


def test_several_networks_in_one_loop_score_as_their_mean():
    rng = np.random.default_rng(6)
    specs = [random_spec(rng) for _ in range(3)]
    for lines in (1, 2, 9):
        features = rng.normal(0, 1, (lines, FEATURES))
        expected = np.mean([reference(spec, features) for spec in specs], axis=0)
        np.testing.assert_allclose(BiGRU(*specs).predict(features), expected, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="at least one"):
        BiGRU()


def test_a_line_far_away_changes_a_score_both_ways():
    spec = random_spec(np.random.default_rng(3))
    features = np.random.default_rng(4).normal(0, 1, (30, FEATURES))
    base = BiGRU(spec).predict(features)
    for changed, watched in ((29, 0), (0, 29)):
        edited = features.copy()
        edited[changed] += 3
        assert abs(BiGRU(spec).predict(edited)[watched] - base[watched]) > 1e-9


def test_the_sequence_model_averages_its_members_over_features_and_projected_vectors():
    rng = np.random.default_rng(5)
    members = [random_spec(rng, FEATURES + PROJECTED) for _ in range(3)]
    center, components = rng.normal(0, 1, VECTOR), rng.normal(0, 1, (PROJECTED, VECTOR))
    model = SequenceModel({"center": center.tolist(), "components": components.tolist(), "members": members})
    features, vectors = rng.normal(0, 1, (7, FEATURES)), rng.normal(0, 1, (7, VECTOR))
    inputs = np.hstack([features, (vectors - center) @ components.T])
    expected = np.mean([reference(member, inputs) for member in members], axis=0)
    np.testing.assert_allclose(model.predict(features, vectors), expected, rtol=1e-9, atol=1e-12)
    edited = vectors.copy()
    edited[3] += 2  # what a line says reaches its own score
    assert abs(model.predict(features, edited)[3] - expected[3]) > 1e-9


def test_the_shipped_sequence_model_fits_the_feature_set():
    weights = LineClassifier(DEFAULT_MODEL).load()
    assert 0 < weights.blend < 1
    sequence = weights.sequence
    projected, width = sequence.components.shape
    assert sequence.center.shape == (width,) and 0 < projected < width
    nets = len(sequence.members.mean)
    assert nets >= 2
    assert sequence.members.mean.shape == sequence.members.scale.shape == (nets, len(FEATURE_NAMES) + projected)
    scores = sequence.predict(np.zeros((4, len(FEATURE_NAMES))), np.zeros((4, width)))
    assert scores.shape == (4,) and np.all((scores > 0) & (scores < 1))


@pytest.mark.parametrize("era", ["before any sequence model", "one GRU on features alone"])
def test_a_model_file_from_before_the_sequence_model_asks_for_retraining(tmp_path, era):
    raw = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    if era == "before any sequence model":
        del raw["sequence"]
    else:  # the earlier format: one BiGRU's weights where the members now are
        raw["sequence"] = raw["sequence"]["members"][0]
    old = tmp_path / "model.json"
    old.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match=r"predates the line-sequence model.*make train-boilerplate"):
        LineClassifier(old).load()
