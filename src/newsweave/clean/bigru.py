"""A bidirectional GRU over a document's lines, read with numpy.

The boilerplate line model's trees see a fixed window of neighbours; this reads the whole
page in order, both ways, so a line's score can depend on where the article began and
whether comments have started, however far back. It is trained with PyTorch
(`bench/train_boilerplate.py`, training only) and stored as plain weight lists; running it
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
    """P(body) per line from a (lines × features) matrix; `spec` is what training exported."""

    def __init__(self, spec: dict) -> None:
        def array(name: str) -> np.ndarray:
            return np.asarray(spec[name], dtype=np.float64)

        self.mean, self.scale = array("mean"), array("scale")
        self.dense_w, self.dense_b = array("dense_w"), array("dense_b")
        # Both directions stacked: [forward, backward] on the first axis.
        self.input_w = np.stack([array("ih_w"), array("ih_w_reverse")])
        self.input_b = np.stack([array("ih_b"), array("ih_b_reverse")])
        self.hidden_w = np.stack([array("hh_w"), array("hh_w_reverse")])
        self.hidden_b = np.stack([array("hh_b"), array("hh_b_reverse")])
        self.out_w, self.out_b = array("out_w"), float(spec["out_b"])
        self.size = self.hidden_w.shape[2]

    def predict(self, features: np.ndarray) -> np.ndarray:
        n = len(features)
        if n == 0:
            return np.zeros(0)
        x = standardised(features, self.mean, self.scale)
        dense = np.maximum(x @ self.dense_w.T + self.dense_b, 0.0)
        # Input projections for every line at once; only the recurrence walks line by line.
        # The backward direction's lines are reversed up front, so step t reads row t of both.
        gates_in = np.einsum("nd,kgd->kng", dense, self.input_w) + self.input_b[:, None, :]
        gates_in[1] = gates_in[1, ::-1]
        size = self.size
        hidden_w = self.hidden_w.transpose(0, 2, 1)  # state @ weights, per direction
        state = np.zeros((2, 1, size))
        states = np.empty((n, 2, 1, size))
        for step in range(n):
            g_in = gates_in[:, step:step + 1]
            g_h = state @ hidden_w + self.hidden_b[:, None, :]
            reset_update = _sigmoid(g_in[..., :2 * size] + g_h[..., :2 * size])
            new = np.tanh(g_in[..., 2 * size:] + reset_update[..., :size] * g_h[..., 2 * size:])
            update = reset_update[..., size:]
            state = new + update * (state - new)  # (1 - z) * n + z * h
            states[step] = state
        forward, backward = states[:, 0, 0], states[::-1, 1, 0]
        joined = np.hstack([forward, backward, dense])
        return _sigmoid(joined @ self.out_w + self.out_b)
