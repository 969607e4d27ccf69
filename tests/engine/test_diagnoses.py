"""Each diagnosis of engine/diagnostics.py on real runs: its true alarm, and the false alarm it
must not give (a converged network's small gradients and small steps are its success)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.diagnostics import (
    UPDATE_TOO_SMALL,
    VANISHING_ABSOLUTE,
    VANISHING_RATIO,
    advise_update,
    chance_level,
    diagnose,
    initial_loss_warning,
)
from engine.snapshot import LayerStat
from engine.spec.project import Project
from engine.train import Trainer


def _trainer(
    layers, data="spiral", lr=0.03, optimizer="sgd", init="xavier_uniform", samples=200, **data_keys
):
    doc = {
        "seed": 1,
        "data": {"name": data, "samples": samples, **data_keys},
        "network": {"layers": layers, **({"init": init} if init is not None else {})},
        "training": {"optimizer": {"name": optimizer, "lr": lr}, "batch_size": 10, "epochs": 1000},
    }
    return Trainer(Project.from_dict(doc))


def _chance(trainer) -> float:
    return chance_level(trainer.head, trainer.dataset.y_train).loss


def test_vanishing_gradients_fire_on_a_deep_sigmoid_net_early_in_training():
    trainer = _trainer([{"type": "dense", "units": 8, "activation": "sigmoid"}] * 10)
    snap = trainer.run_epoch()
    warning = diagnose(snap.layers, snap.train_loss, _chance(trainer))
    assert warning is not None and warning.startswith("Vanishing gradients"), warning
    first, last = snap.layers[0].grad_norm, snap.layers[-1].grad_norm
    assert first < VANISHING_RATIO * last  # the signal itself: the first layer gets next to nothing
    assert diagnose(snap.layers) == warning  # the depth alone says so too


def test_a_converged_one_hidden_layer_xor_net_gets_no_gradient_or_rate_alarm():
    """The false alarms that were reported: at 99% accuracy the old rules said "vanishing
    gradients" (a hidden layer's gradient under 1e-3 of the output's) and "learning rate too low"
    (steps under 1e-6 of the weights), both because the loss had fallen to ~1e-3."""
    trainer = _trainer([{"type": "dense", "units": 8, "activation": "relu"}], data="xor", lr=0.5, samples=400)
    chance = _chance(trainer)
    faded = crawled = 0
    for _ in range(150):
        snap = trainer.run_epoch()
        if snap.train_accuracy < 0.99:
            continue
        stats = snap.layers
        faded += stats[0].grad_norm < max(VANISHING_RATIO * stats[-1].grad_norm, VANISHING_ABSOLUTE)
        steps = [s.update_ratio for s in stats if s.update_ratio > 0]
        crawled += bool(steps) and float(np.median(steps)) < UPDATE_TOO_SMALL
        assert diagnose(stats, snap.train_loss, chance) is None, (snap.epoch, snap.train_loss)
        assert advise_update(stats, snap.train_loss, chance) is None, (snap.epoch, snap.train_loss)
        # Without the loss, one hidden layer cannot have gradients fading "on the way back".
        assert not (diagnose(stats) or "").startswith("Vanishing")
    assert faded and crawled, "the run no longer shows the signals that fooled the old rules"
    assert snap.train_loss < 0.01 * chance


def test_gradients_near_zero_everywhere_alarm_only_while_the_loss_is_high():
    flat = [
        LayerStat("layers.0.linear.weight", 1.0, 1e-9, 1e-10),
        LayerStat("head.linear.weight", 1.0, 2e-9, 1e-10),
    ]
    chance = math.log(2)
    warning = diagnose(flat, loss=0.69, chance_loss=chance)
    assert warning is not None and warning.startswith("Gradients are near zero")
    assert diagnose(flat, loss=1e-4, chance_loss=chance) is None  # learnt: nothing left to push


def test_exploding_gradients_fire_on_a_non_finite_gradient_and_not_on_a_healthy_net():
    broken = [
        LayerStat("layers.0.linear.weight", 1.0, math.inf, 0.1),
        LayerStat("head.linear.weight", 1.0, 1.0, 0.1),
    ]
    assert diagnose(broken, loss=1e-4, chance_loss=0.69).startswith("Exploding gradients")  # at any loss
    trainer = _trainer(
        [{"type": "dense", "units": 16, "activation": "relu"}] * 6, init={"name": "normal", "std": 0.7}
    )
    snap = trainer.run_epoch()
    assert snap.status != "diverged"
    first, last = snap.layers[0].grad_norm, snap.layers[-1].grad_norm
    warning = diagnose(snap.layers, snap.train_loss, _chance(trainer))
    if first > 1e3 * last:
        assert warning is not None and warning.startswith("Exploding gradients")
    healthy = _trainer([{"type": "dense", "units": 8, "activation": "tanh"}] * 2, data="xor")
    for _ in range(5):
        snap = healthy.run_epoch()
        assert diagnose(snap.layers, snap.train_loss, _chance(healthy)) is None


def test_learning_rate_too_low_fires_at_1e_7_and_not_at_a_tiny_loss():
    trainer = _trainer([{"type": "dense", "units": 8, "activation": "tanh"}], lr=1e-7)
    snap = trainer.run_epoch()
    warning = advise_update(snap.layers, snap.train_loss, _chance(trainer))
    assert warning is not None and "too low" in warning
    # The same step sizes at a training loss of 1e-4: the network has learnt, small steps are right.
    assert advise_update(snap.layers, 1e-4, _chance(trainer)) is None


@pytest.mark.parametrize(("lr", "alarm"), [(30.0, True), (0.1, False)])
def test_learning_rate_too_high_fires_on_huge_steps_only(lr, alarm):
    trainer = _trainer([{"type": "dense", "units": 8, "activation": "tanh"}], data="xor", lr=lr)
    snap = trainer.run_epoch()
    warning = advise_update(snap.layers, snap.train_loss, _chance(trainer))
    assert (warning is not None and "too high" in warning) == alarm, warning


def test_the_loss_at_the_start_far_above_ln_k_says_the_weights_are_too_large():
    layers = [{"type": "dense", "units": 16, "activation": "relu"}] * 3
    big = _trainer(layers, data="spiral3", init={"name": "normal", "std": 1.5}, params={"classes": 3})
    loss = big.evaluate().train_loss
    warning = initial_loss_warning(loss, big.head)
    assert loss > 2 * math.log(3)
    assert warning is not None and "ln 3 = 1.10" in warning and "too large" in warning
    assert f"{loss:.3g}" in warning
    default = _trainer(layers, data="spiral3", params={"classes": 3}, standardize="features")
    assert initial_loss_warning(default.evaluate().train_loss, default.head) is None
    # Far below ln K: an untrained network already sure of its answers.
    low = initial_loss_warning(0.2, default.head)
    assert low is not None and "far below" in low
    # No even-guess level for a regression's loss.
    regression = _trainer([{"type": "dense", "units": 4, "activation": "tanh"}], data="sine")
    assert initial_loss_warning(50.0, regression.head) is None
