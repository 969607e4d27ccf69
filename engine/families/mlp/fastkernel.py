"""One plain-SGD mini-batch step of a small dense stack, compiled with numba when it is installed.

At the playground's sizes a NumPy step is ~45 library calls on 10x8 matrices and the calls, not
the arithmetic, cost the time. This kernel does the same forward pass, backward pass and update
in plain loops, compiled once (cached on disk). NumpyBackend uses it only where it computes
exactly what the NumPy path computes (tests/engine/test_fastpath.py compares the two).
"""

from __future__ import annotations

import numpy as np

ACT_CODES = {"linear": 0, "sigmoid": 1, "tanh": 2, "relu": 3}
LOSS_CODES = {"mse": 0, "half_mse": 1, "bce": 2}

try:
    from numba import njit

    from engine.families.mlp.kernel_cache import drop_stale

    drop_stale()  # before any cached kernel is loaded
    from numba.typed import List
except ImportError:  # numba is optional: without it the NumPy path runs every step
    njit = None
    List = None


def available() -> bool:
    return njit is not None


def warm_up() -> None:
    """Compile (or load from the disk cache) now, with the argument types NumpyBackend passes.

    The first compile on a machine takes ~15 s; later processes load it in well under a second.
    """
    if njit is None:
        return
    weights, biases = typed_list([np.zeros((1, 2))]), typed_list([np.zeros(1)])
    targets = np.zeros((3, 1))[:, 0]  # a strided view, as train_batch passes it
    sgd_batch(weights, biases, np.zeros(1, dtype=np.int64), np.zeros((3, 2)), targets, 0.0, 0, 2)


def typed_list(arrays: list[np.ndarray]):
    """A numba list sharing the arrays' memory (in-place updates stay visible both ways)."""
    out = List()
    for a in arrays:
        out.append(a)
    return out


if njit is not None:

    @njit(cache=True, fastmath=False)
    def _act(code, z):
        if code == 1:
            return 0.5 * (1.0 + np.tanh(0.5 * z))
        if code == 2:
            return np.tanh(z)
        if code == 3:
            return z if z > 0.0 else 0.0
        return z

    @njit(cache=True, fastmath=False)
    def _act_grad(code, z, a):
        if code == 1:
            return a * (1.0 - a)
        if code == 2:
            return 1.0 - a * a
        if code == 3:
            return 1.0 if z > 0.0 else 0.0
        return 1.0

    @njit(cache=True, fastmath=False)
    def sgd_batch(Ws, bs, codes, x, t, lr, loss_code, width, keep_if_not_finite=False):
        """Forward, backward and w -= lr*g for one batch; returns the batch's mean data loss. With
        `keep_if_not_finite` a batch whose loss is not finite leaves the weights as they were."""
        return _batch(Ws, bs, codes, x, t, lr, loss_code, width, keep_if_not_finite, Ws, bs, False)

    @njit(cache=True, fastmath=False)
    def batch_gradients(Ws, bs, codes, x, t, loss_code, width, gWs, gbs):
        """Forward and backward for one batch, the gradients written into gWs/gbs (arrays shaped as
        Ws/bs), the weights left alone; returns the batch's mean data loss (no gradients when it is
        not finite). An optimizer's update then follows (engine/families/mlp/optimizer_kernel.py)."""
        return _batch(Ws, bs, codes, x, t, 0.0, loss_code, width, True, gWs, gbs, True)

    @njit(cache=True, fastmath=False)
    def _batch(Ws, bs, codes, x, t, lr, loss_code, width, keep_if_not_finite, gWs, gbs, store):
        """sgd_batch's work; with `store` each gradient goes to gWs/gbs instead of w -= lr*g."""
        n, n_layers = x.shape[0], len(Ws)
        rows = np.arange(n)
        zs, acts = np.zeros((n_layers, n, width)), np.zeros((n_layers + 1, n, width))
        dz, new_dz = np.zeros((n, width)), np.zeros((n, width))
        return batch_rows(
            Ws, bs, codes, x, t, rows, lr, loss_code, keep_if_not_finite, gWs, gbs, store, zs, acts, dz, new_dz
        )  # fmt: skip

    @njit(cache=True, fastmath=False)
    def batch_rows(  # noqa: C901
        Ws, bs, codes, X, T, rows, lr, loss_code, keep_if_not_finite, gWs, gbs, store, zs, acts, dz, new_dz
    ):
        """_batch on rows `rows` of inputs X and targets T, in the room zs, acts (layers [+1], rows,
        width) and dz, new_dz (rows, width) its caller allocated once (engine/families/mlp/epoch_kernel.py
        walks an epoch in the same room): the same arithmetic in the same order, so the same bits."""
        n_layers = len(Ws)
        n = rows.shape[0]
        for r in range(n):
            for i in range(X.shape[1]):
                acts[0, r, i] = X[rows[r], i]
        for layer in range(n_layers):
            W, b, code = Ws[layer], bs[layer], codes[layer]
            n_out, n_in = W.shape
            for r in range(n):
                for o in range(n_out):
                    s = b[o]
                    for i in range(n_in):
                        s += W[o, i] * acts[layer, r, i]
                    zs[layer, r, o] = s
                    acts[layer + 1, r, o] = _act(code, s)
        # Output layer: one unit. d loss / d z of the output, as NumpyBackend._loss computes it.
        last = n_layers - 1
        code = codes[last]
        loss = 0.0
        for r in range(n):
            z, a, target = zs[last, r, 0], acts[n_layers, r, 0], T[rows[r]]
            if loss_code == 2:  # bce on logits
                loss += max(z, 0.0) + np.log1p(np.exp(-abs(z))) - target * z
                dz[r, 0] = (0.5 * (1.0 + np.tanh(0.5 * z)) - target) / n
            else:
                diff = a - target
                scale = 0.5 if loss_code == 1 else 1.0
                loss += scale * diff * diff
                dz[r, 0] = (2.0 * scale / n) * diff * _act_grad(code, z, a)
        loss /= n
        if keep_if_not_finite and not np.isfinite(loss):
            return loss
        # Backward and update, output layer first; each layer's gradient uses its weights before the update.
        for layer in range(n_layers - 1, -1, -1):
            W, b, gW, gb_out = Ws[layer], bs[layer], gWs[layer], gbs[layer]
            n_out, n_in = W.shape
            if layer > 0:
                prev = codes[layer - 1]
                for r in range(n):
                    for i in range(n_in):
                        s = 0.0
                        for o in range(n_out):
                            s += dz[r, o] * W[o, i]
                        new_dz[r, i] = s * _act_grad(prev, zs[layer - 1, r, i], acts[layer, r, i])
            for o in range(n_out):
                gb = 0.0
                for r in range(n):
                    gb += dz[r, o]
                if store:
                    gb_out[o] = gb
                else:
                    b[o] -= lr * gb
                for i in range(n_in):
                    g = 0.0
                    for r in range(n):
                        g += dz[r, o] * acts[layer, r, i]
                    if store:
                        gW[o, i] = g
                    else:
                        W[o, i] -= lr * g
            dz, new_dz = new_dz, dz
        return loss
