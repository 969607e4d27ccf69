"""The Trainer: the lessons it must show (xor, symmetry), determinism, stopping and divergence."""

import numpy as np
import pytest

from engine.spec.project import Project
from engine.train import Trainer
from tests.conftest import tiny_project


def make(doc) -> Trainer:
    return Trainer(Project.from_dict(doc))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_same_project_and_seed_give_bit_identical_losses(backend):
    doc = tiny_project(backend=backend, epochs=5)
    runs = []
    for _ in range(2):
        trainer = make(doc)
        trainer.run()
        runs.append((trainer.metrics.column("train_loss"), trainer.state_dict()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for key in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][key], runs[1][1][key])


def test_different_seeds_differ():
    a, b = make(tiny_project(epochs=3)), make({**tiny_project(epochs=3), "seed": 2})
    a.run()
    b.run()
    assert a.metrics.column("train_loss")[-1] != b.metrics.column("train_loss")[-1]


def xor_doc(layers, epochs=150):
    return {
        "seed": 1,
        "data": {"name": "xor", "samples": 400},
        "network": {"layers": layers},
        "training": {"optimizer": {"name": "adam", "lr": 0.03}, "batch_size": 10, "epochs": epochs},
    }


def test_a_perceptron_cannot_solve_xor_but_one_hidden_layer_can():
    perceptron = make(xor_doc([]))
    final = perceptron.run()
    assert 0.3 <= final.test_accuracy <= 0.7
    hidden = make(xor_doc([{"type": "dense", "units": 4, "activation": "tanh"}]))
    assert hidden.run().test_accuracy >= 0.95


@pytest.mark.parametrize(("init", "changes"), [("zeros", False), ({"name": "constant", "value": 0.3}, True)])
def test_symmetric_init_keeps_hidden_units_identical(init, changes):
    doc = xor_doc([{"type": "dense", "units": 5, "activation": "tanh"}], epochs=20)
    doc["network"]["init"] = init
    trainer = make(doc)
    before = trainer.state_dict()["layers.0.linear.weight"].copy()
    trainer.run()
    weights = trainer.state_dict()["layers.0.linear.weight"]
    assert np.allclose(weights, weights[0:1], atol=1e-12), "hidden units became different"
    assert (not np.allclose(weights, before)) == changes


def test_step_and_run_epoch_count_updates():
    trainer = make(tiny_project(epochs=3))
    n_train = len(trainer.dataset.x_train)  # 100 rows, batch 10 -> 10 steps per epoch
    trainer.step()
    assert (trainer.step_count, trainer.epoch) == (1, 0)
    snap = trainer.run_epoch()
    assert (snap.epoch, snap.step) == (1, n_train // 10)
    assert trainer.run().epoch == 3 and trainer.status == "completed"


def test_full_batch_and_stochastic_modes():
    full = make(tiny_project(batch_size="all", epochs=2))
    full.run()
    assert full.step_count == 2
    sgd = make(tiny_project(batch_size=1, epochs=1))
    sgd.run()
    assert sgd.step_count == len(sgd.dataset.x_train)


def test_stop_request_returns_paused_and_can_resume():
    trainer = make(tiny_project(epochs=50))
    seen = []

    def on_snapshot(snap):
        seen.append(snap.epoch)
        if snap.epoch == 4:
            trainer.request_stop()

    assert trainer.run(on_snapshot=on_snapshot).status == "paused"
    assert trainer.epoch == 4
    trainer.run()
    assert trainer.epoch == 50 and trainer.status == "completed"


def test_huge_learning_rate_diverges_and_keeps_finite_weights():
    doc = tiny_project(optimizer={"name": "sgd", "lr": 100.0}, epochs=50)
    doc["network"]["layers"] = [{"type": "dense", "units": 8, "activation": "relu"}] * 3
    doc["data"] = {"name": "plane", "samples": 200}
    trainer = make(doc)
    final = trainer.run()
    assert final.status == "diverged"
    assert "learning rate" in final.message
    assert all(np.isfinite(v).all() for v in trainer.state_dict().values())


def test_early_stopping_restores_the_best_weights():
    doc = tiny_project(
        optimizer={"name": "adam", "lr": 0.3},
        epochs=400,
        early_stopping={"enabled": True, "patience": 5, "min_delta": 0.0, "restore_best": True},
    )
    doc["data"] = {"name": "gauss", "samples": 100, "noise": 0.5, "validation_fraction": 0.2}
    doc["network"]["layers"] = [{"type": "dense", "units": 32, "activation": "relu"}] * 2
    trainer = make(doc)
    best = {}

    def remember(snap):
        if not best or snap.val_loss < best["loss"]:
            best.update(loss=snap.val_loss, epoch=snap.epoch, state=trainer.state_dict())

    final = trainer.run(on_snapshot=remember)
    assert final.status == "early_stopping" and trainer.epoch < 400
    assert f"best {best['loss']:.4g} at epoch {best['epoch']}" in final.message
    for key, value in best["state"].items():
        np.testing.assert_array_equal(trainer.state_dict()[key], value)
    assert trainer.backend.evaluate("validation")[0] == pytest.approx(best["loss"])
    # What is reported at the end describes the weights kept, not the discarded last epoch's.
    assert final.val_loss == pytest.approx(best["loss"])
    assert final.test_loss == pytest.approx(trainer.backend.evaluate("test")[0])


def test_live_learning_rate_change_keeps_epoch_and_weights():
    trainer = make(tiny_project(epochs=10))
    trainer.run(epochs=3)
    state = trainer.state_dict()
    new = Project.from_dict(tiny_project(epochs=10, optimizer={"name": "sgd", "lr": 0.5})).training
    assert trainer.apply_live(new)
    assert trainer.epoch == 3 and trainer.learning_rate() == 0.5
    for key, value in state.items():
        np.testing.assert_array_equal(trainer.state_dict()[key], value)


def test_loss_penalty_is_reported_apart_from_data_loss():
    trainer = make(tiny_project(l1=0.01, l2=0.02, epochs=1))
    snap = trainer.run()
    weights = [v for k, v in trainer.state_dict().items() if k.endswith("weight")]
    expected = 0.01 * sum(np.abs(w).sum() for w in weights) + 0.01 * sum((w**2).sum() for w in weights)
    assert snap.penalty == pytest.approx(expected, rel=1e-5)


def test_snapshots_hold_numpy_and_numbers_only():
    snap = make(tiny_project(epochs=1)).run()
    assert isinstance(snap.train_loss, float) and isinstance(snap.test_accuracy, float)
    assert snap.layers and all(isinstance(s.grad_norm, float) for s in snap.layers)


def test_numpy_and_torch_backends_learn_alike():
    losses = {}
    for backend in ("numpy", "torch"):
        trainer = make(tiny_project(backend=backend, epochs=5))
        trainer.run()
        losses[backend] = trainer.metrics.column("train_loss")
    np.testing.assert_allclose(losses["numpy"], losses["torch"], rtol=1e-4)


def test_playground_preset_trains_spiral_like_the_playground():
    doc = {
        "seed": 0,
        "data": {"name": "circle", "noise": 0.0, "features": ["x1", "x2"]},
        "network": {"layers": [{"type": "dense", "units": 4, "activation": "tanh"}] * 2},
        "training": {"preset": "playground", "optimizer": {"name": "sgd", "lr": 0.03}, "epochs": 100},
    }
    trainer = make(doc)
    assert trainer.backend_name == "numpy"
    state = trainer.state_dict()
    assert np.allclose(state["layers.0.linear.bias"], 0.1)
    assert np.all(np.abs(state["layers.0.linear.weight"]) <= 0.5)
    final = trainer.run()
    assert final.test_loss < 0.1 and final.test_accuracy > 0.95
