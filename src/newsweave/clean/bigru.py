"""A bidirectional GRU over a document's lines, read with numpy.

The boilerplate line model's trees see a fixed window of neighbours; this reads the whole
page in order, both ways, so a line's score can depend on where the article began and
whether comments have started, however far back. It is trained with PyTorch
(`training/boilerplate.py`, training only) and stored as plain weight lists; running it
needs numpy alone, which is why the recurrence is written out here (PyTorch's `nn.GRU`
equations, gate order r, z, n).

Layers: standardise the features (clipped to ±`CLIP`), a dense ReLU layer, a one-layer
GRU each way, and a logistic read-out of [forward state, backward state, dense layer].
"""

from __future__ import annotations

import numpy as np

CLIP = 6.0  # standardised features are clipped here, in training as in reading


def standardised(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """What the network reads: features standardised with the training set's statistics."""
    return np.clip((np.asarray(features, dtype=np.float64) - mean) / scale, -CLIP, CLIP)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class BiGRU:
    """P(body) per line from a (lines × features) matrix; each spec is one network as training
    exported it. Given several (seeds of one recipe), it returns the mean of their P(body),
    walking all their recurrences in one loop: a step costs about the same for one network
    as for several, and the loop is most of the run time."""

    def __init__(self, *specs: dict) -> None:
        if not specs:
            raise ValueError("BiGRU needs at least one network's weights")

        def array(name: str) -> np.ndarray:
            return np.stack([np.asarray(spec[name], dtype=np.float64) for spec in specs])

        def directions(name: str) -> np.ndarray:
            # [net 0 forward, net 0 backward, net 1 forward, …] on the first axis.
            both = np.stack([array(name), array(f"{name}_reverse")], axis=1)
            return both.reshape(-1, *both.shape[2:])

        self.mean, self.scale = array("mean"), array("scale")
        self.dense_w, self.dense_b = array("dense_w"), array("dense_b")
        self.input_w, self.input_b = directions("ih_w"), directions("ih_b")
        self.hidden_w, self.hidden_b = directions("hh_w"), directions("hh_b")
        self.out_w, self.out_b = array("out_w"), np.array([float(spec["out_b"]) for spec in specs])
        self.size = self.hidden_w.shape[2]

    def predict(self, features: np.ndarray) -> np.ndarray:
        n, nets = len(features), len(self.mean)
        if n == 0:
            return np.zeros(0)
        x = standardised(features[None], self.mean[:, None, :], self.scale[:, None, :])
        dense = np.maximum(x @ self.dense_w.transpose(0, 2, 1) + self.dense_b[:, None, :], 0.0)
        # Input projections for every line at once; only the recurrence walks line by line.
        # Backward directions' lines are reversed up front, so step t reads row t of all.
        gates_in = np.repeat(dense, 2, axis=0) @ self.input_w.transpose(0, 2, 1) + self.input_b[:, None, :]
        gates_in[1::2] = gates_in[1::2, ::-1]
        size = self.size
        hidden_w = self.hidden_w.transpose(0, 2, 1)  # state @ weights, per direction
        state = np.zeros((2 * nets, 1, size))
        states = np.empty((n, 2 * nets, 1, size))
        for step in range(n):
            g_in = gates_in[:, step:step + 1]
            g_h = state @ hidden_w + self.hidden_b[:, None, :]
            reset_update = _sigmoid(g_in[..., :2 * size] + g_h[..., :2 * size])
            new = np.tanh(g_in[..., 2 * size:] + reset_update[..., :size] * g_h[..., 2 * size:])
            update = reset_update[..., size:]
            state = new + update * (state - new)  # (1 - z) * n + z * h
            states[step] = state
        forward, backward = states[:, 0::2, 0], states[::-1, 1::2, 0]  # (n, nets, size)
        joined = np.concatenate([forward.transpose(1, 0, 2), backward.transpose(1, 0, 2), dense], axis=2)
        scores = _sigmoid(np.einsum("mnj,mj->mn", joined, self.out_w) + self.out_b[:, None])
        return scores.mean(axis=0)
