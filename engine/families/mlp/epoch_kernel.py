"""An epoch's compiled mini-batches of one small dense stack in one call, on flat arrays.

A lone run paid ~10 µs of Python and numba boxing around each compiled batch (and ~400 µs of
typed-list building per process and element type at start-up). Here one call walks the epoch's
planned batches through the very step a batch alone takes (fastkernel.batch_rows, inside sgd_batch
and optimizer_batch, then optimizer_kernel.update), so the weights follow the same path bit for
bit, without each batch's row copies and scratch arrays. The network's parameters are one flat
array (every weight matrix, then every bias, back to back: NumpyBackend's own arrays are views
into it), the optimizer's buffers two more laid out alike, so the call takes plain arrays only. A batch whose loss is not finite changes nothing and
the walk stops there: the caller's step() then takes that batch and diverges by its own rules.
"""

from __future__ import annotations

import numpy as np

from engine.families.mlp import fastkernel

if fastkernel.available():
    from numba import njit
    from numba.typed import List

    from engine.families.mlp.optimizer_kernel import update  # noqa: E402 - compiled only with numba

    @njit(cache=True, fastmath=False)
    def _views(flat, shapes):
        """The layers' weight matrices, then their bias vectors, as views into `flat`."""
        weights, biases = List(), List()
        at = 0
        for layer in range(shapes.shape[0]):
            n_out, n_in = shapes[layer, 0], shapes[layer, 1]
            weights.append(flat[at : at + n_out * n_in].reshape((n_out, n_in)))
            at += n_out * n_in
        for layer in range(shapes.shape[0]):
            n_out = shapes[layer, 0]
            biases.append(flat[at : at + n_out])
            at += n_out
        return weights, biases

    @njit(cache=True, fastmath=False)
    def epoch_batches(  # flat arguments: numba boxes each container anew per call
        params, shapes, codes, loss_code, width, x, t, idx, lrs, opt, settings, m, v, counters
    ):
        """Run batches idx[j] (rows of x, t) at rates lrs[j], in order; returns how many were done.

        opt: optimizer_kernel.CODES, or -1 for plain SGD (sgd_batch's step, no buffers read); m, v
        and counters are the update rule's flat buffers and [started, t]. Each batch is
        fastkernel.batch_rows, the step sgd_batch and optimizer_batch take, in one room for all.
        """
        Ws, bs = _views(params, shapes)
        n, n_layers = idx.shape[1], len(Ws)
        zs, acts = np.zeros((n_layers, n, width)), np.zeros((n_layers + 1, n, width))
        dz, new_dz = np.zeros((n, width)), np.zeros((n, width))
        done = 0
        if opt < 0:
            for j in range(idx.shape[0]):
                loss = fastkernel.batch_rows(
                    Ws, bs, codes, x, t, idx[j], lrs[j], loss_code, True, Ws, bs, False, zs, acts, dz, new_dz
                )
                if not np.isfinite(loss):  # the weights are as before this batch
                    break
                done += 1
            return done
        mW, mb = _views(m, shapes)
        vW, vb = _views(v, shapes)
        gW, gb = List(), List()
        for layer in range(n_layers):
            gW.append(np.zeros_like(Ws[layer]))
            gb.append(np.zeros_like(bs[layer]))
        for j in range(idx.shape[0]):
            # optimizer_kernel.optimizer_batch's steps: the gradients, then the rule's update.
            loss = fastkernel.batch_rows(
                Ws, bs, codes, x, t, idx[j], 0.0, loss_code, True, gW, gb, True, zs, acts, dz, new_dz
            )
            if not np.isfinite(loss):
                break
            if opt >= 3:
                counters[1] += 1
            started = counters[0] != 0
            update(opt, Ws, gW, mW, vW, lrs[j], started, counters[1], settings)
            update(opt, bs, gb, mb, vb, lrs[j], started, counters[1], settings)
            counters[0] = 1
            done += 1
        return done


def available() -> bool:
    return fastkernel.available()


def warm_up() -> None:
    """Compile (or load from the disk cache) with the argument types NumpyBackend passes."""
    if not available():
        return
    shapes = np.array([[1, 2]], dtype=np.int64)
    for opt in (-1, 0):
        epoch_batches(
            np.zeros(3), shapes, np.zeros(1, dtype=np.int64), 2, 2, np.zeros((3, 2)), np.zeros(3),
            np.zeros((1, 3), dtype=np.int64), np.zeros(1), opt, np.zeros(7), np.zeros(3), np.zeros(3),
            np.zeros(2, dtype=np.int64),
        )  # fmt: skip


layer_statistics = None  # without numba NumpyBackend computes them in NumPy
if fastkernel.available():

    @njit(cache=True, fastmath=False)
    def layer_statistics(params, before, grads, shapes):  # noqa: F811 - the compiled one
        """Per weight matrix (the leading part of the flat arrays): the L2 norms of the weights now,
        of their gradient, of the last update (params - before) and of the weights before it."""
        out = np.zeros((shapes.shape[0], 4))
        at = 0
        for layer in range(shapes.shape[0]):
            w = g = d = w0 = 0.0
            for i in range(at, at + shapes[layer, 0] * shapes[layer, 1]):
                w += params[i] * params[i]
                g += grads[i] * grads[i]
                step = params[i] - before[i]
                d += step * step
                w0 += before[i] * before[i]
            out[layer, 0], out[layer, 1], out[layer, 2], out[layer, 3] = (
                np.sqrt(w), np.sqrt(g), np.sqrt(d), np.sqrt(w0),
            )  # fmt: skip
            at += shapes[layer, 0] * shapes[layer, 1]
        return out
