"""Many mini-batches of several small dense stacks in one compiled call (a race, engine/race).

A race's variants each pay ~10 µs of Python and numba-boxing overhead per batch around a few µs of
arithmetic. This kernel walks every variant through its own list of batches inside one call,
calling for each the very kernel its Trainer calls alone (fastkernel.sgd_batch for plain SGD,
optimizer_kernel.optimizer_batch for the other compiled optimizers, on the optimizer's own
buffers), so a variant's weights follow exactly (bit for bit) the path they follow when its
Trainer steps alone. A batch whose loss is not finite changes nothing and the variant stops
there: its Trainer then takes that batch itself and diverges by its own rules."""

from __future__ import annotations

import numpy as np

from engine.families.mlp import fastkernel
from engine.families.mlp.optimizer_kernel import SETTINGS

if fastkernel.available():
    from numba import njit
    from numba.typed import List

    from engine.families.mlp.optimizer_kernel import optimizer_batch  # noqa: E402 - compiled only with numba

    @njit(cache=True, fastmath=False)
    def _layers(arrays, begin, end):
        out = List()
        for layer in range(begin, end):
            out.append(arrays[layer])
        return out

    @njit(cache=True, fastmath=False)
    def race_batches(  # flat arguments: numba took ~0.5 ms to type a tuple of typed lists per call
        Ws, bs, starts, codes, loss_codes, xs, ts, idx, sizes, counts, lrs, width,
        opts, settings, mWs, vWs, mbs, vbs, counters,
    ):  # fmt: skip
        """Run variant k's first counts[k] batches (rows idx[k, j, :sizes[k]], rate lrs[k, j]).

        Ws/bs hold every variant's layers back to back, variant k's at starts[k]:starts[k+1];
        codes[k] are its activation codes. opts: optimizer codes (K,), settings (K, len(SETTINGS)),
        the optimizers' buffers mW, vW, mb, vb back to back as the layers, counters (K, 2); a
        variant with code -1 takes sgd_batch, as a lone plain-SGD run does. Returns (losses (K, batches),
        batches done per variant).
        """
        n_variants = len(counts)
        losses = np.full(lrs.shape, np.nan)
        done = np.zeros(n_variants, dtype=np.int64)
        for k in range(n_variants):  # plain SGD: nothing but the weights
            if opts[k] >= 0:
                continue
            first, last = starts[k], starts[k + 1]
            Wk, bk = _layers(Ws, first, last), _layers(bs, first, last)
            code_k = codes[k, : last - first].copy()
            x, t = xs[k], ts[k]
            for j in range(counts[k]):
                rows = idx[k, j, : sizes[k]]
                loss = fastkernel.sgd_batch(
                    Wk, bk, code_k, x[rows], t[rows], lrs[k, j], loss_codes[k], width, True
                )
                if not np.isfinite(loss):  # the weights are as before this batch
                    break
                losses[k, j] = loss
                done[k] += 1
        for k in range(n_variants):  # the other optimizers: their buffers and room for the gradients
            if opts[k] < 0:
                continue
            first, last = starts[k], starts[k + 1]
            Wk, bk = _layers(Ws, first, last), _layers(bs, first, last)
            code_k = codes[k, : last - first].copy()
            x, t = xs[k], ts[k]
            gW, gb = List(), List()
            for layer in range(last - first):
                gW.append(np.zeros_like(Wk[layer]))
                gb.append(np.zeros_like(bk[layer]))
            state = (
                _layers(mWs, first, last),
                _layers(vWs, first, last),
                _layers(mbs, first, last),
                _layers(vbs, first, last),
                counters[k],
            )
            for j in range(counts[k]):
                rows = idx[k, j, : sizes[k]]
                loss = optimizer_batch(
                    Wk, bk, code_k, x[rows], t[rows], loss_codes[k], width, gW, gb,
                    opts[k], state, lrs[k, j], settings[k],
                )  # fmt: skip
                if not np.isfinite(loss):
                    break
                losses[k, j] = loss
                done[k] += 1
        return losses, done


def available() -> bool:
    return fastkernel.available()


def warm_up() -> None:
    """Compile (or load from the disk cache) with the argument types engine/race passes."""
    if not available():
        return
    fastkernel.warm_up()
    Ws, bs = fastkernel.typed_list([np.zeros((1, 2))]), fastkernel.typed_list([np.zeros(1)])
    xs, ts = fastkernel.typed_list([np.zeros((3, 2))]), fastkernel.typed_list([np.zeros(3)])
    rules = (
        np.array([-1]),
        np.zeros((1, len(SETTINGS))),
        *(fastkernel.typed_list([np.zeros((1, 2))]), fastkernel.typed_list([np.zeros((1, 2))])),
        *(fastkernel.typed_list([np.zeros(1)]), fastkernel.typed_list([np.zeros(1)])),
        np.zeros((1, 2), dtype=np.int64),
    )
    one = (np.zeros((1, 1, 3), dtype=np.int64), np.array([3]), np.array([1]), np.zeros((1, 1)), 2)
    race_batches(
        Ws,
        bs,
        np.array([0, 1]),
        np.zeros((1, 1), dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        xs,
        ts,
        *one,
        *rules,
    )
