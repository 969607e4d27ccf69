"""The step a trainer's own optimizer would take on a few training points, without taking it.

The backprop step-through (gui/views/backprop_panel.py) computes the gradients itself, but the
update of momentum, Adam, RMSProp and the rest also reads running averages that live in the
training process. The session (engine/session/weight_moves.py) asks this module there: one real
step with the trainer's backend on the traced rows, then the weights, the optimizer's state, the
layer statistics and the random generators all put back, so training goes on as if nothing
happened; the answer is each weight's change.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from engine.errors import SpecError


def optimizer_step(trainer, rows, lr: float) -> dict[str, np.ndarray]:
    """Δ of every tensor of the state dict after one step of the trainer's optimizer at rate `lr`
    on training rows `rows` (without input noise: the step on the points as traced)."""
    import torch

    rows = np.atleast_1d(np.asarray(rows))
    count = len(trainer.dataset.x_train)
    if rows.dtype.kind not in "iu" or not len(rows) or rows.min() < 0 or rows.max() >= count:
        raise SpecError("rows", f"training points are numbered 0 to {count - 1}, not {rows.tolist()}")
    backend = trainer.backend
    before = backend.state_dict()
    buffers, info = backend.optimizer_state()
    stats, hyper, generator = backend._stats, backend.hyper, torch.random.get_rng_state()
    backend.hyper = dataclasses.replace(hyper, input_noise=0.0)
    try:
        loss = backend.train_batch(rows.astype(np.int64), float(lr), collect=True)
        after = backend.state_dict()
    finally:
        backend.hyper = hyper
        backend.load_state_dict(before)
        backend.load_optimizer_state(buffers, info)
        backend._stats = stats
        torch.random.set_rng_state(generator)
    if not np.isfinite(loss):
        raise SpecError("rows", f"the step on these points is not finite (loss {loss})")
    return {key: np.asarray(after[key], np.float64) - np.asarray(before[key], np.float64) for key in before}
