"""Many plain-SGD mini-batches of several small dense stacks in one compiled call (a race, engine/race).

A race's variants each pay ~14 µs of Python and numba-boxing overhead per batch around ~3 µs of
arithmetic (fastkernel.sgd_batch). This kernel walks every variant through its own list of
batches inside one call, calling that same sgd_batch for each, so a variant's weights follow
exactly (bit for bit) the path they follow when its Trainer steps alone. A batch whose loss is not
finite changes nothing (sgd_batch's keep_if_not_finite) and the variant stops there: its Trainer
then takes that batch itself and diverges by its own rules.
"""

from __future__ import annotations

import numpy as np

from engine.families.mlp import fastkernel

if fastkernel.available():
    from numba import njit
    from numba.typed import List

    @njit(cache=True, fastmath=False)
    def sgd_batches(Ws, bs, starts, codes, loss_codes, xs, ts, idx, sizes, counts, lrs, width):
        """Run variant k's first counts[k] batches (rows idx[k, j, :sizes[k]], rate lrs[k, j]).

        Ws/bs hold every variant's layers back to back, variant k's at starts[k]:starts[k+1];
        codes[k] are its activation codes. Returns (losses (K, batches), batches done per variant).
        """
        n_variants = len(counts)
        losses = np.full(lrs.shape, np.nan)
        done = np.zeros(n_variants, dtype=np.int64)
        for k in range(n_variants):
            Wk, bk = List(), List()
            for layer in range(starts[k], starts[k + 1]):
                Wk.append(Ws[layer])
                bk.append(bs[layer])
            code_k = codes[k, : starts[k + 1] - starts[k]].copy()
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
    sgd_batches(
        Ws,
        bs,
        np.array([0, 1]),
        np.zeros((1, 1), dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        xs,
        ts,
        np.zeros((1, 1, 3), dtype=np.int64),
        np.array([3]),
        np.array([1]),
        np.zeros((1, 1)),
        2,
    )
