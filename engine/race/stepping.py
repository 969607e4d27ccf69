"""Advancing a race's Trainers together: the fast path's SGD batches of every variant in one call.

On the numpy fast path an epoch of the spiral is ~25 batches of ~14 µs Python overhead around
~3 µs of arithmetic. `step_together` runs every running variant's mini-batches of an epoch
except the last in one compiled call (engine/families/mlp/race_kernel.py, which calls the same
kernel a lone Trainer calls, so the weights are bit for bit the same); each Trainer then takes
its epoch's last batch itself (layer statistics, evaluation, early stopping, status) through
`Trainer.step()`. Variants the compiled step cannot train (the torch backend, momentum/Adam,
clipping, input noise, the playground's L1/L2) train their epoch with `Trainer.run_epoch()`,
one after another.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from engine.families.mlp import race_kernel


def step_together(trainers: Sequence, max_seconds: float = 0.0) -> int:
    """Advance every trainer whose status is "running" by whole epochs, together, for about
    `max_seconds` (at least one round; a round is one epoch of each running trainer, or the rest
    of the epoch one is in). Returns the number of rounds. Trainers stop by their own rules
    (budget reached: "completed", "early_stopping", "diverged"; a pause or request_stop between
    rounds is seen at the next round); this function never writes a status.
    """
    start = time.perf_counter()
    rounds = 0
    while True:
        running = [t for t in trainers if t.status == "running" and not t._stop.is_set()]
        if not running:
            return rounds
        _round(running)
        rounds += 1
        if time.perf_counter() - start >= max_seconds:
            return rounds


def _round(trainers: Sequence) -> None:
    batched = [(t, parts) for t in trainers if (parts := _compiled_parts(t)) is not None]
    if race_kernel.available() and batched:
        _batched_batches(batched)
    else:
        batched = []
    done = {id(t) for t, _ in batched}
    for trainer in trainers:
        if id(trainer) in done:
            _finish_epoch(trainer)
        else:
            trainer.run_epoch()


def batchable(trainer) -> bool:
    """Whether `step_together` trains this trainer's batches in the compiled call (not one by one)."""
    return race_kernel.available() and _compiled_parts(trainer) is not None


def _compiled_parts(trainer) -> tuple | None:
    hook = getattr(trainer.backend, "compiled_sgd_parts", None)
    return hook() if hook is not None else None


def _finish_epoch(trainer) -> None:
    """The epoch's remaining batches (normally its last) through the Trainer's own step()."""
    epoch = trainer.epoch
    while trainer.epoch == epoch and trainer.status == "running":
        trainer.step()


# -- the batched part: reads the Trainer's pending batches (engine/train.py's _pending, _start_epoch,
# _batches_in_epoch) and books the steps it took as step() would -------------------------------------
def _batched_batches(batched: list[tuple]) -> None:
    plans = [_plan(trainer) for trainer, _ in batched]
    n_batches = max(len(rows) for rows, _ in plans)
    size = max((len(r[0]) for r, _ in plans if r), default=1)
    idx = np.zeros((len(plans), max(n_batches, 1), size), dtype=np.int64)
    lrs = np.zeros((len(plans), max(n_batches, 1)))
    counts = np.array([len(rows) for rows, _ in plans], dtype=np.int64)
    sizes = np.array([len(rows[0]) if rows else 1 for rows, _ in plans], dtype=np.int64)
    for k, (rows, rates) in enumerate(plans):
        for j, row in enumerate(rows):
            idx[k, j, : len(row)] = row
        lrs[k, : len(rates)] = rates
    Ws, bs, starts, codes, loss_codes, xs, ts, width = _STACKS.get([parts for _, parts in batched])
    begin = time.perf_counter()
    _, done = race_kernel.sgd_batches(
        Ws, bs, starts, codes, loss_codes, xs, ts, idx, sizes, counts, lrs, width
    )
    share = (time.perf_counter() - begin) / len(batched)
    for (trainer, _), steps in zip(batched, done, strict=True):
        steps = int(steps)
        del trainer._pending[:steps]
        trainer._batches_in_epoch += steps
        trainer.step_count += steps
        trainer.elapsed += share


def _plan(trainer) -> tuple[list[np.ndarray], list[float]]:
    """The batches this round runs compiled (all pending but the epoch's last) and their rates."""
    if not trainer._pending:
        trainer._start_epoch()
    rows = trainer._pending[:-1]
    first = trainer._batches_in_epoch
    schedule = trainer.training.schedule
    if schedule["name"] == "constant" and not schedule.get("warmup_epochs", 0.0):
        return rows, [trainer.learning_rate()] * len(rows)
    rates = []
    try:
        for j in range(len(rows)):
            trainer._batches_in_epoch = first + j  # the rate step() would ask for at that batch
            rates.append(trainer.learning_rate())
    finally:
        trainer._batches_in_epoch = first
    return rows, rates


class _StackCache:
    """The last race's numba lists: built from Python they cost ~400 µs a round (a third of the
    round's work), and a race hands in the same live arrays every round. It holds the arrays, so
    their ids cannot be reused by other arrays while an entry lives."""

    def __init__(self):
        self._key: tuple = ()
        self._value: tuple = ()

    def get(self, parts: list[tuple]) -> tuple:
        key = tuple(id(a) for W, b, _, _, x, t in parts for a in (*W, *b, x, t))
        if key != self._key:
            self._value, self._key = _stack(parts), key
        return self._value


_STACKS = _StackCache()


def _stack(parts: list[tuple]) -> tuple:
    from engine.families.mlp.fastkernel import typed_list

    weights, biases, starts, xs, ts = [], [], [0], [], []
    depth = max(len(W) for W, *_ in parts)
    codes = np.zeros((len(parts), depth), dtype=np.int64)
    loss_codes = np.zeros(len(parts), dtype=np.int64)
    width = 1
    for k, (W, b, act_codes, loss_code, x, t) in enumerate(parts):
        weights += W
        biases += b
        starts.append(len(weights))
        codes[k, : len(act_codes)] = act_codes
        loss_codes[k] = loss_code
        xs.append(x)
        ts.append(np.ascontiguousarray(t.reshape(len(t), -1)[:, 0]))
        width = max(width, x.shape[1], *(max(w.shape) for w in W))
    return (
        typed_list(weights),
        typed_list(biases),
        np.array(starts, dtype=np.int64),
        codes,
        loss_codes,
        typed_list(xs),
        typed_list(ts),
        width,
    )
