"""Worse than chance, what the playground preset refuses, and the session's epoch budget."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.cli import load_project_arg
from engine.diagnostics import chance_level, layer_display_name, worse_than_chance
from engine.errors import SpecError
from engine.families.mlp.task import TaskHead, encode_targets
from engine.presets import class_count, playground_refusal
from engine.session.session import Session
from engine.snapshot import Snapshot
from engine.train import Trainer


def _snap(loss: float, accuracy: float | None, epoch: int = 10) -> Snapshot:
    return Snapshot(epoch, epoch, _metrics(loss, accuracy), 0.1, 0.0)


def test_chance_loss_is_the_best_constant_prediction_s_loss_by_torch():
    """Checked against torch's own losses of the best constant output (an independent oracle)."""
    labels = np.array([0] * 30 + [1] * 50 + [2] * 20)
    prior = np.bincount(labels) / len(labels)
    head = TaskHead("classification", 3, "cross_entropy", "linear", 3, "index")
    logits = torch.log(torch.tensor(prior, dtype=torch.float64)).repeat(len(labels), 1)
    oracle = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    chance = chance_level(head, labels)
    assert chance.loss == pytest.approx(float(oracle), rel=1e-9)
    assert chance.accuracy == pytest.approx(0.5)

    binary = np.array([0] * 25 + [1] * 75)
    head = TaskHead("classification", 2, "bce", "linear", 1, "binary")
    p = binary.mean()
    logit = torch.full((len(binary), 1), math.log(p / (1 - p)), dtype=torch.float64)
    oracle = torch.nn.functional.binary_cross_entropy_with_logits(
        logit, torch.tensor(binary, dtype=torch.float64)[:, None]
    )
    assert chance_level(head, binary).loss == pytest.approx(float(oracle), rel=1e-9)

    values = np.random.default_rng(0).normal(3.0, 2.0, 200).astype(np.float32)
    for loss, expected in (
        ("mse", torch.nn.functional.mse_loss),
        ("mae", torch.nn.functional.l1_loss),
    ):
        head = TaskHead("regression", 0, loss, "linear", 1, "value")
        t = torch.tensor(encode_targets(head, values), dtype=torch.float64)
        best = t.mean() if loss == "mse" else t.median()
        oracle = expected(torch.full_like(t, float(best)), t)
        assert chance_level(head, values).loss == pytest.approx(float(oracle), rel=1e-3)


def test_worse_than_chance_says_so_with_a_learning_rate_hint():
    head = TaskHead("classification", 2, "bce", "linear", 1, "binary")
    chance = chance_level(head, np.array([0, 1] * 50))
    warning = worse_than_chance(_snap(31.0, 0.46), chance, lr=100.0)
    assert warning is not None and warning.startswith("Worse than chance")
    assert "learning rate (100)" in warning and "lower" in warning
    nothing = worse_than_chance(_snap(0.70, 0.5), chance, lr=0.03)
    assert nothing is not None and nothing.startswith("No better than chance")
    assert worse_than_chance(_snap(0.3, 0.9), chance) is None  # learning
    assert worse_than_chance(_snap(0.69, 0.6), chance) is None  # better than guessing already
    assert worse_than_chance(_snap(31.0, 0.46, epoch=0), chance) is None  # nothing trained yet


def test_xor_at_lr_100_ends_worse_than_chance_and_at_lr_01_does_not():
    for lr, bad in ((100.0, True), (0.1, False)):
        trainer = Trainer(load_project_arg("xor", [f"training.optimizer.lr={lr}", "training.epochs=20"]))
        snap = trainer.run()
        chance = chance_level(trainer.head, trainer.dataset.y_train)
        assert (worse_than_chance(snap, chance, lr) is not None) == bad


def test_display_names_match_the_diagram():
    assert layer_display_name("layers.0.linear.weight") == "hidden 1"
    assert layer_display_name("layers.11") == "hidden 12"
    assert layer_display_name("head.linear.weight") == "output"


@pytest.mark.parametrize(
    "override",
    [
        "training.optimizer.name=adam",
        "training.optimizer.name=rmsprop",
        "training.loss=mse",
        'network.layers=[{"type":"dense","units":4,"activation":"gelu"}]',
        'network.layers=[{"type":"dense","units":300,"activation":"tanh"}]',
        'network.layers=[{"type":"dense","units":4,"activation":"tanh"},{"type":"dropout"}]',
        "data.name=spiral3",
        None,
    ],
)
def test_playground_refusal_agrees_with_the_build(override):
    """The window's check (no data, no network) refuses exactly what building the run refuses."""
    project = load_project_arg("spiral", [override] if override else [])
    assert project.training.preset == "playground"
    try:
        Trainer(project)
        built = True
    except SpecError:
        built = False
    refusal = playground_refusal(project, class_count(project.to_dict()))
    assert (refusal is None) == built, refusal
    if refusal is not None:
        assert refusal.path and refusal.reason


def test_the_session_trains_past_the_budget_until_paused_when_told():
    frames = []
    session = Session(lambda kind, payload: frames.append(payload) if kind == "frame" else None)
    session.handle("epoch_budget", False)
    session.load(load_project_arg("xor", ["training.epochs=3"]))
    session.play()
    while session.trainer.epoch < 10:
        session._consumed()
        session.tick()
        assert session.running, f"stopped at epoch {session.trainer.epoch}"
    session.pause()
    assert frames[-1].main.status == "paused"


def test_the_session_stops_at_the_budget_by_default():
    session = Session(lambda kind, payload: None)
    session.load(load_project_arg("xor", ["training.epochs=3"]))
    session.play()
    while session.running:
        session._consumed()
        session.tick()
    assert session.trainer.epoch == 3 and session.trainer.status == "completed"
    session.handle("epoch_budget", False)
    session.handle("epoch_budget", True)  # turned on again past the stop: a budget from here
    session.play()
    while session.running:
        session._consumed()
        session.tick()
    assert session.trainer.epoch == 6


def _metrics(loss: float, accuracy: float) -> dict:
    return {
        "train_loss": loss,
        "test_loss": loss,
        "penalty": 0.0,
        "train_accuracy": accuracy,
        "test_accuracy": accuracy,
    }
