"""The update the step-through shows for stateful optimizers (engine/optimizer_step.py): the step
the trainer's own optimizer takes on the traced points, and a training run left untouched by it."""

from __future__ import annotations

import numpy as np
import pytest

from engine.backprop_trace import trace_training_rows
from engine.errors import SpecError
from engine.optimizer_step import optimizer_step
from engine.spec.project import Project
from engine.train import Trainer

LAYERS = [{"type": "dense", "units": 4, "activation": "tanh"}] * 2


def make(backend, optimizer="adam", **training):
    doc = {
        "seed": 5,
        "data": {"name": "xor", "samples": 80},
        "network": {"layers": LAYERS},
        "training": {
            "backend": backend,
            "optimizer": {"name": optimizer, "lr": 0.01},
            "batch_size": 8,
            **training,
        },
    }
    trainer = Trainer(Project.from_dict(doc))
    assert trainer.backend_name == backend
    return trainer


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_adams_first_step_is_minus_lr_times_the_sign_of_the_gradient(backend):
    trainer = make(backend)
    rows, lr = [3], 0.01
    delta = optimizer_step(trainer, rows, lr)
    _, trace = trace_training_rows(trainer.state_dict(), trainer.project, trainer.dataset, trainer.head, rows)
    keys = ["layers.0.linear", "layers.1.linear", "head.linear"]
    for key, g_w, g_b in zip(keys, trace.grad_weights, trace.grad_biases, strict=True):
        for part, g in (("weight", g_w), ("bias", g_b)):
            # Adam at t = 1: m̂ = g, v̂ = g², so Δ = -lr·g / (|g| + eps)
            expected = -lr * g / (np.abs(g) + 1e-8)
            np.testing.assert_allclose(delta[f"{key}.{part}"], expected, atol=2e-6)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_the_step_is_the_trainers_next_and_leaves_training_untouched(backend, optimizer):
    trainer, twin = make(backend, optimizer), make(backend, optimizer)
    for t in (trainer, twin):
        t.run_epoch()  # running averages away from zero
    rows = [0, 5, 9]
    delta = optimizer_step(trainer, rows, 0.01)
    assert max(float(np.abs(d).max()) for d in delta.values()) > 1e-6
    for key, value in trainer.state_dict().items():  # put back as it was
        np.testing.assert_array_equal(value, twin.state_dict()[key])
    before = twin.state_dict()
    twin.backend.train_batch(np.array(rows), 0.01, collect=True)  # the step really taken
    for key, value in twin.state_dict().items():
        np.testing.assert_allclose(delta[key], np.asarray(value, np.float64) - before[key], atol=1e-7)
    trainer.run_epoch()
    fresh = make(backend, optimizer)
    fresh.run_epoch()
    fresh.run_epoch()
    for key, value in trainer.state_dict().items():  # the next epoch as if nothing was asked
        np.testing.assert_array_equal(value, fresh.state_dict()[key])


def test_rows_outside_the_training_split_are_refused():
    trainer = make("numpy")
    with pytest.raises(SpecError, match="numbered 0 to"):
        optimizer_step(trainer, [len(trainer.dataset.x_train)], 0.01)
