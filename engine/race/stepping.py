"""Advancing Trainers together: the fast path's mini-batches of every run in one compiled call.

On the numpy fast path an epoch of the spiral is ~25 batches, each ~10 µs of Python and call
overhead around a few µs of arithmetic. `step_together` runs every running trainer's batches of
an epoch except the last in one compiled call (engine/families/mlp/race_kernel.py, which calls
the very kernels a lone Trainer's train_batch calls, plain SGD's or the other optimizers', so
the weights are bit for bit the same); each Trainer then takes its epoch's last batch itself
(layer statistics, evaluation, early stopping, status) through `Trainer.step()`. A lone
Trainer's run_epoch() is a race of one, and so is the window's session. Runs the compiled step
cannot train (the torch backend, clipping, input noise, L1/L2 of the standard preset, the
playground's L1/L2, wide layers on big batches) train their epoch with `Trainer.run_epoch()`
one after another."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from engine.families.mlp import race_kernel
from engine.families.mlp.optimizer_kernel import SETTINGS

# What a race of plain SGD passes for the optimizers' settings and counters (the kernel reads them
# only for the other optimizers).
_NO_SETTINGS = np.zeros((1, len(SETTINGS)))
_NO_COUNTERS = np.zeros((1, 2), dtype=np.int64)

# The most compiled batches a trainer takes in one round: ~0.6 ms of the spiral's, so 8 runs
# answer a command within ~5 ms, whatever the size of their epochs.
MAX_ROUND_BATCHES = 64


def step_together(trainers: Sequence, max_seconds: float = 0.0) -> int:
    """Advance every trainer whose status is "running", together, for about `max_seconds` (at
    least one round; a round is the rest of the epoch each running trainer is in, or at most
    MAX_ROUND_BATCHES of its batches, so a long epoch still lets its caller look at commands and
    send frames between rounds). Returns the number of rounds. Trainers stop by their own rules
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
    stopped: set[int] = set()
    if race_kernel.available() and batched:
        stopped = _batched_batches(batched)
    else:
        batched = []
    done = {id(t) for t, _ in batched}
    for trainer in trainers:
        if id(trainer) not in done:
            trainer.run_epoch()
        elif len(trainer._pending) <= 1 or id(trainer) in stopped:
            # The epoch's last batch, or the batch whose loss was not finite: the Trainer's own step()
            # takes it (layer statistics; divergence by its own rules).
            _finish_epoch(trainer)


def batchable(trainer) -> bool:
    """Whether `step_together` trains this trainer's batches in the compiled call (not one by one)."""
    return race_kernel.available() and _compiled_parts(trainer) is not None


def _compiled_parts(trainer) -> tuple | None:
    hook = getattr(getattr(trainer, "backend", None), "compiled_parts", None)
    return hook(trainer._batch_size()) if hook is not None else None


def _finish_epoch(trainer) -> None:
    """The epoch's remaining batches (normally its last) through the Trainer's own step()."""
    epoch = trainer.epoch
    while trainer.epoch == epoch and trainer.status == "running":
        trainer.step()


# -- the batched part: reads the Trainer's pending batches (engine/train.py's _pending, _start_epoch,
# _batches_in_epoch) and books the steps it took as step() would -------------------------------------
def _batched_batches(batched: list[tuple]) -> set[int]:
    """The planned batches of every trainer in one compiled call; returns the ids of the trainers
    the kernel stopped early (a loss that was not finite)."""
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
    all_parts = [parts for _, parts in batched]
    Ws, bs, starts, codes, loss_codes, xs, ts, width, buffers = _STACKS.get(all_parts)
    # Optimizer codes and settings each round: a live setting (momentum, betas) may change them.
    opts = np.array([parts.optimizer for parts in all_parts], dtype=np.int64)
    any_rule = bool((opts >= 0).any())  # plain SGD reads neither settings nor counters
    settings = np.stack([parts.settings for parts in all_parts]) if any_rule else _NO_SETTINGS
    counters = np.stack([parts.counters for parts in all_parts]) if any_rule else _NO_COUNTERS
    begin = time.perf_counter()
    _, done = race_kernel.race_batches(
        Ws,
        bs,
        starts,
        codes,
        loss_codes,
        xs,
        ts,
        idx,
        sizes,
        counts,
        lrs,
        width,
        opts,
        settings,
        *buffers,
        counters,
    )
    if any_rule:
        for parts, row in zip(all_parts, counters, strict=True):
            parts.counters[...] = row  # the optimizers' step counters, back in their rules
    share = (time.perf_counter() - begin) / len(batched)
    stopped = {id(t) for (t, _), n, planned in zip(batched, done, counts, strict=True) if n < planned}
    for (trainer, _), steps in zip(batched, done, strict=True):
        steps = int(steps)
        del trainer._pending[:steps]
        trainer._batches_in_epoch += steps
        trainer.step_count += steps
        trainer.elapsed += share
    return stopped


def _plan(trainer) -> tuple[list[np.ndarray], list[float]]:
    """The batches this round runs compiled (all pending but the epoch's last) and their rates."""
    if not trainer._pending:
        trainer._start_epoch()
    rows = trainer._pending[:-1][:MAX_ROUND_BATCHES]
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
        key = tuple(id(a) for p in parts for a in (*p.weights, *p.biases, p.x, p.t, *p.buffers[0]))
        if key != self._key:
            self._value, self._key = _stack(parts), key
        return self._value


_STACKS = _StackCache()


def _stack(parts: list) -> tuple:
    from engine.families.mlp.fastkernel import typed_list

    weights, biases, starts, xs, ts = [], [], [0], [], []
    buffers: tuple[list, ...] = ([], [], [], [])  # the optimizers' m and v, of weights and biases
    depth = max(len(p.weights) for p in parts)
    codes = np.zeros((len(parts), depth), dtype=np.int64)
    loss_codes = np.zeros(len(parts), dtype=np.int64)
    width = 1
    for k, p in enumerate(parts):
        weights += p.weights
        biases += p.biases
        for into, arrays in zip(buffers, p.buffers, strict=True):
            into += arrays
        starts.append(len(weights))
        codes[k, : len(p.act_codes)] = p.act_codes
        loss_codes[k] = p.loss_code
        xs.append(p.x)
        ts.append(np.ascontiguousarray(p.t.reshape(len(p.t), -1)[:, 0]))
        width = max(width, p.x.shape[1], *(max(w.shape) for w in p.weights))
    return (
        typed_list(weights),
        typed_list(biases),
        np.array(starts, dtype=np.int64),
        codes,
        loss_codes,
        typed_list(xs),
        typed_list(ts),
        width,
        tuple(typed_list(arrays) for arrays in buffers),
    )
