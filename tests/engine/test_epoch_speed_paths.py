"""The fast path's whole-epoch call (engine/families/mlp/epoch_kernel.py) against the batch-by-batch path.

Trainer.run_epoch() trains all of an epoch's batches but the last in one compiled call on flat
arrays; Trainer.step() takes them one at a time through train_batch (fastkernel.sgd_batch or
optimizer_kernel.optimizer_batch on typed lists, or NumPy where the kernels do not apply). The
reference here is that step-by-step path, driven independently of run_epoch: every epoch's
figures, the step count and the final weights must be equal bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.families.mlp import epoch_kernel
from engine.families.mlp.update_rules import UpdateRule
from engine.spec.project import Project
from engine.train import Trainer

pytestmark = pytest.mark.skipif(not epoch_kernel.available(), reason="numba is not installed")

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "adagrad", "adadelta", "rmsprop")
LR = {"adadelta": 1.0}


def spiral(optimizer: str = "sgd", preset: str = "standard", **training) -> dict:
    return {
        "seed": 3,
        "data": {"name": "spiral", "features": ["x1", "x2", "sin_x1", "sin_x2"]},
        "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}] * 2},
        "training": {
            "preset": preset,
            "optimizer": {"name": optimizer, "lr": LR.get(optimizer, 0.03)},
            "batch_size": 10,
            "epochs": 50,
            **training,
        },
    }


def by_run_epoch(doc: dict, epochs: int) -> tuple[Trainer, list]:
    trainer = Trainer(Project.from_dict(doc))
    snaps: list = []
    trainer.run(epochs=epochs, on_snapshot=snaps.append)
    return trainer, snaps


def by_steps(doc: dict, epochs: int) -> tuple[Trainer, list]:
    """The reference: one train_batch at a time through Trainer.step(), never run_epoch()."""
    trainer = Trainer(Project.from_dict(doc))
    trainer.target, trainer.status = epochs, "running"
    snaps: list = []
    while trainer.epoch < epochs and trainer.status == "running":
        epoch = trainer.epoch
        trainer.step()
        if trainer.epoch != epoch and trainer.status != "diverged":
            snaps.append(trainer.last_snapshot)
    if trainer.status == "diverged":  # run() hands on the snapshot its last epoch ended with
        snaps.append(trainer.snapshot())
    return trainer, snaps


def assert_same_runs(doc: dict, epochs: int = 50) -> Trainer:
    fast, fast_snaps = by_run_epoch(doc, epochs)
    ref, ref_snaps = by_steps(doc, epochs)
    assert fast.backend_name == "numpy"
    assert [dict(s.metrics) for s in fast_snaps] == [dict(s.metrics) for s in ref_snaps]
    assert fast.step_count == ref.step_count and fast.epoch == ref.epoch
    assert (fast.status == "diverged") == (ref.status == "diverged")
    for key, value in ref.state_dict().items():
        assert np.array_equal(fast.state_dict()[key], value), key
    for a, b in zip(fast_snaps, ref_snaps, strict=True):
        assert [s.name for s in a.layers] == [s.name for s in b.layers]
        for x, y in zip(a.layers, b.layers, strict=True):
            assert x == y  # the same code computes them on the same weights
    return fast


def compiled_batches_taken(trainer: Trainer) -> int | None:
    """What the compiled epoch answers for one batch of the next epoch (None: not taken)."""
    backend = trainer.backend
    saved = backend.state_dict()
    rows = np.arange(trainer._batch_size())[None, :]
    taken = backend.compiled_epoch(rows, np.zeros(1))
    backend.load_state_dict(saved)
    return taken


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_compiled_optimizer_trains_the_epoch_as_batch_by_batch(optimizer):
    trainer = assert_same_runs(spiral(optimizer))
    assert compiled_batches_taken(trainer) == 1, "the whole-epoch call should take this run"


@pytest.mark.parametrize(
    "extra",
    [
        {"l1": 0.001, "l2": 0.001},
        {"grad_clip": {"mode": "norm", "max": 0.5}},
        {"grad_clip": {"mode": "value", "max": 0.01}},
        {"input_noise": 0.1},
    ],
    ids=["l1-l2", "clip-norm", "clip-value", "input-noise"],
)
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop"])
def test_settings_off_the_kernels_still_train_as_batch_by_batch(optimizer, extra):
    trainer = assert_same_runs(spiral(optimizer, **extra), epochs=20)
    assert compiled_batches_taken(trainer) is None  # these go through NumPy, batch by batch


@pytest.mark.parametrize("extra", [{}, {"l1": 0.003}, {"l2": 0.003}], ids=["plain", "l1", "l2"])
def test_the_playground_preset_and_its_carried_remainder(extra):
    # 250 points in batches of 10... and of 12, whose remainder carries into the next epoch.
    assert_same_runs(spiral("sgd", "playground", **extra))
    assert_same_runs(spiral("sgd", "playground", batch_size=12, **extra), epochs=30)


def test_a_short_last_batch_and_a_schedule():
    assert_same_runs(spiral("momentum", batch_size=16, schedule={"name": "step", "every": 3, "rate": 0.5}))


@pytest.mark.parametrize("lr", [30.0, 100.0])  # both turn infinite inside the compiled call
def test_a_run_that_diverges_diverges_as_batch_by_batch(lr):
    doc = spiral("sgd")
    doc["data"] = {"name": "plane", "samples": 200}
    doc["network"]["layers"] = [{"type": "dense", "units": 8, "activation": "relu"}] * 3
    doc["training"]["optimizer"]["lr"] = lr
    trainer = assert_same_runs(doc, epochs=50)
    assert trainer.status == "diverged"
    assert all(np.isfinite(v).all() for v in trainer.state_dict().values())


def test_the_state_is_a_copy_and_a_reload_keeps_the_live_arrays():
    trainer, _ = by_run_epoch(spiral("adam"), 2)
    backend = trainer.backend
    state = trainer.state_dict()
    live = backend.W[0]
    trainer.run(epochs=4)
    assert not np.array_equal(state["layers.0.linear.weight"], backend.W[0])
    trainer.load_state_dict(state)
    assert backend.W[0] is live and np.array_equal(live, state["layers.0.linear.weight"])
    assert np.shares_memory(backend.W[0], backend._params)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_the_flat_update_equals_the_per_parameter_update(optimizer):
    rng = np.random.default_rng(0)
    shapes = [(8, 4), (8, 8), (1, 8), (8,), (8,), (1,)]
    opt = {"weight_decay": 0.01, "momentum": 0.9}
    per = [rng.standard_normal(s) for s in shapes]
    flat = np.concatenate([p.ravel() for p in per])
    rule_per, rule_flat = UpdateRule(optimizer, per), UpdateRule(optimizer, per)
    for _ in range(5):
        grads = [rng.standard_normal(s) for s in shapes]
        rule_per.step(per, grads, 0.05, opt)
        rule_flat.step_flat(flat, np.concatenate([g.ravel() for g in grads]), 0.05, opt)
    assert np.array_equal(np.concatenate([p.ravel() for p in per]), flat)
    assert np.array_equal(rule_per.m_flat, rule_flat.m_flat)
    assert np.array_equal(rule_per.v_flat, rule_flat.v_flat)


def test_layer_statistics_are_the_norms_they_name():
    trainer, snaps = by_run_epoch(spiral("sgd"), 3)
    backend = trainer.backend
    stats = snaps[-1].layers
    for stat, W in zip(stats, backend.W, strict=True):
        assert stat.weight_norm == pytest.approx(np.linalg.norm(W), rel=1e-12)
        assert stat.grad_norm > 0 and 0 < stat.update_ratio < 1


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_the_accuracy_off_the_output_is_task_accuracy(activation):
    from engine.families.mlp.task import TaskHead, accuracy, epoch_accuracy

    rng = np.random.default_rng(1)
    edges = np.array([0.0, 1e-17, -1e-17, 0.5, 0.5 + 1e-16, 0.5 - 1e-16, -1.0, 1.0, 2.0, np.nan, np.inf])
    outputs = np.concatenate([edges, rng.standard_normal(500)]).reshape(-1, 1)
    labels = rng.integers(0, 2, len(outputs))
    for loss in ("half_mse", "mse", "bce"):
        head = TaskHead("classification", 2, loss, activation, 1, "pm1")
        assert epoch_accuracy(head, outputs, labels) == accuracy(head, outputs, labels)
