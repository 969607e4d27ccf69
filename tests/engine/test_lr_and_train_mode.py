"""The learning rate each epoch logs, against the schedules' formulas written out here, and the
train loss as the optimizer saw it (train mode) beside the eval-mode train loss."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.metrics import MetricsLog
from engine.spec.project import Project
from engine.train import Trainer


def _doc(layers, schedule=None, lr=0.05, epochs=12, backend="auto", optimizer="sgd", samples=200):
    return {
        "seed": 3,
        "data": {"name": "spiral", "samples": samples, "noise": 0.0, "train_fraction": 0.5},
        "network": {"layers": layers},
        "training": {
            "optimizer": {"name": optimizer, "lr": lr},
            "batch_size": 32,  # 100 training points: three batches of 32 and one of 4
            "epochs": epochs,
            "backend": backend,
            "schedule": schedule or {"name": "constant"},
        },
    }


def _train(doc) -> Trainer:
    trainer = Trainer(Project.from_dict(doc))
    trainer.run()
    return trainer


def _cosine(lr0, e, period, low):
    return lr0 * low + 0.5 * (lr0 - lr0 * low) * (1 + math.cos(math.pi * min(e, period) / period))


def _step(lr0, e, rate, every):
    return lr0 * rate ** math.floor(e / every)


@pytest.mark.parametrize(
    ("schedule", "formula"),
    [
        ({"name": "cosine", "period": 8.0, "min_fraction": 0.0}, lambda e: _cosine(0.05, e, 8.0, 0.0)),
        ({"name": "step", "rate": 0.5, "every": 3.0}, lambda e: _step(0.05, e, 0.5, 3.0)),
    ],
)
def test_the_logged_rate_is_the_schedule_s_formula_at_each_epoch_s_last_step(schedule, formula):
    layers = [{"type": "dense", "units": 6, "activation": "tanh"}]
    trainer = _train(_doc(layers, schedule, backend="torch"))
    steps = math.ceil(100 / 32)
    epochs = trainer.metrics.column("epoch")
    # Epoch e's row is written after its last step, taken at fractional epoch (e - 1) + (steps - 1) / steps.
    expected = [formula(e - 1 + (steps - 1) / steps) for e in epochs]
    np.testing.assert_allclose(trainer.metrics.column("lr"), expected, rtol=1e-12, atol=1e-15)
    if schedule["name"] == "cosine":  # past its period the rate is 0: what the window says in words
        assert trainer.metrics.column("lr")[-1] == 0.0


DROPOUT = [
    {"type": "dense", "units": 32, "activation": "relu"},
    {"type": "dropout", "rate": 0.5},
    {"type": "dense", "units": 32, "activation": "relu"},
]


def test_with_dropout_the_loss_the_optimizer_saw_is_clearly_above_the_eval_mode_loss():
    doc = _doc(DROPOUT, lr=0.01, epochs=30, optimizer="adam")
    doc["data"]["name"] = "xor"
    trainer = _train(doc)
    assert trainer.backend_name == "torch"
    seen, evaluated = trainer.metrics.column("train_loss_seen"), trainer.metrics.column("train_loss")
    assert np.isfinite(seen).all()
    assert evaluated[-1] < 0.5 * evaluated[0]  # it learnt: the gap below is dropout's, not a stall
    # Half the units dropped at every step: the optimizer sees a much worse network than eval mode.
    assert np.all(seen[-5:] > 1.3 * evaluated[-5:]), (seen[-5:], evaluated[-5:])


def test_the_seen_loss_is_the_batch_losses_mean_weighted_by_batch_size():
    """Dropout at rate 0 and a rate too small to move the weights: train mode then is eval mode
    and every batch sees the same network, so the rows-weighted mean of the batch losses is the
    eval-mode loss of the whole split. An unweighted mean (the last batch has 4 rows, not 32), a
    missed batch or another column would each miss it by far more than the tolerance."""
    layers = [{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dropout", "rate": 0.0}]
    trainer = Trainer(Project.from_dict(_doc(layers, lr=1e-7, epochs=3)))
    before = trainer.evaluate().train_loss
    trainer.run()
    seen = trainer.metrics.column("train_loss_seen")
    np.testing.assert_allclose(seen, trainer.metrics.column("train_loss"), rtol=2e-6)
    np.testing.assert_allclose(seen[0], before, rtol=2e-6)


def test_the_fast_path_keeps_no_seen_loss_and_the_csv_has_the_column_last():
    trainer = _train(_doc([{"type": "dense", "units": 6, "activation": "tanh"}], epochs=3))
    assert trainer.backend_name == "numpy"
    assert np.isnan(trainer.metrics.column("train_loss_seen")).all()
    header, first = trainer.metrics.to_csv().splitlines()[:2]
    assert header.split(",")[-1] == "train_loss_seen"
    assert first.endswith(",")  # no value: an empty cell, as the other missing metrics
    assert trainer.metrics.columns == MetricsLog().columns  # the window's log has the same columns


def test_a_run_saved_with_dropout_resumes_with_its_seen_losses(tmp_path):
    from engine.train_state import load_state, write_state

    doc = _doc(DROPOUT, lr=0.01, epochs=4, optimizer="adam")
    trainer = _train(doc)
    (tmp_path / "run.state").mkdir()
    write_state(trainer, tmp_path / "run.state")
    again = Trainer(Project.from_dict(doc))
    load_state(again, tmp_path / "run.state")
    np.testing.assert_array_equal(
        again.metrics.column("train_loss_seen"), trainer.metrics.column("train_loss_seen")
    )
    assert again.last_snapshot.metric("train_loss_seen") == trainer.last_snapshot.metric("train_loss_seen")
