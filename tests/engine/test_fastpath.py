"""The numpy fast path against torch as the oracle: same data, same init, same training -> same numbers."""

import numpy as np
import pytest

from engine.families.mlp.fastpath import NumpyBackend
from engine.spec.project import Project
from engine.train import Trainer


def doc(backend, data="xor", layers=None, epochs=3, **training):
    return {
        "seed": 4,
        "data": {"name": data, "samples": 120},
        "network": {"layers": layers or [{"type": "dense", "units": 5, "activation": "tanh"}] * 2},
        "training": {"backend": backend, "device": "cpu", "batch_size": 8, "epochs": epochs, **training},
    }


def losses_of(backend, **kw):
    trainer = Trainer(Project.from_dict(doc(backend, **kw)))
    assert trainer.backend_name == backend
    trainer.run()
    return trainer.metrics.column("train_loss"), trainer.state_dict()


CASES = {
    "tanh-sgd-bce": {},
    "relu-momentum": {
        "layers": [{"type": "dense", "units": 6, "activation": "relu"}],
        "optimizer": {"name": "momentum", "lr": 0.05, "momentum": 0.8},
    },
    "sigmoid-nesterov-mse": {
        "layers": [{"type": "dense", "units": 4, "activation": "sigmoid"}],
        "optimizer": {"name": "nesterov", "lr": 0.1},
        "loss": "mse",
    },
    "leaky-elu-adam-l1-l2": {
        "layers": [
            {"type": "dense", "units": 5, "activation": {"name": "leaky_relu", "slope": 0.1}},
            {"type": "dense", "units": 3, "activation": {"name": "elu", "alpha": 0.5}},
        ],
        "optimizer": {"name": "adam", "lr": 0.01},
        "l1": 0.001,
        "l2": 0.01,
    },
    "adamw-clip-norm": {
        "optimizer": {"name": "adamw", "lr": 0.02},
        "grad_clip": {"mode": "norm", "max": 0.1},
    },
    "sgd-decay-clip-value": {
        "optimizer": {"name": "sgd", "lr": 0.1, "weight_decay": 0.01},
        "grad_clip": {"mode": "value", "max": 0.01},
    },
    "regression-linear": {"data": "plane", "layers": [{"type": "dense", "units": 4, "activation": "linear"}]},
    "multiclass-cross-entropy": {"data": "spiral3", "optimizer": {"name": "adam", "lr": 0.01}},
}


@pytest.mark.parametrize("case", list(CASES))
def test_fast_path_trains_exactly_like_torch(case):
    numpy_losses, numpy_state = losses_of("numpy", **CASES[case])
    torch_losses, torch_state = losses_of("torch", **CASES[case])
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=2e-4)
    for key, value in torch_state.items():
        np.testing.assert_allclose(numpy_state[key], value, rtol=1e-3, atol=1e-5, err_msg=key)


@pytest.mark.parametrize("case", ["leaky-elu-adam-l1-l2", "sigmoid-nesterov-mse", "multiclass-cross-entropy"])
def test_fast_path_draws_the_grid_as_torch_does(case):
    """The maps the views draw (output and every unit) match torch's forward on the same weights."""
    numpy_trainer = Trainer(Project.from_dict(doc("numpy", **CASES[case])))
    numpy_trainer.run()
    torch_trainer = Trainer(Project.from_dict(doc("torch", **CASES[case])))
    torch_trainer.backend.load_state_dict(numpy_trainer.state_dict())
    grid = np.random.default_rng(0).uniform(-3, 3, (517, len(numpy_trainer.preprocessor.feature_names)))
    numpy_out, numpy_units = numpy_trainer.backend.forward_probe(grid.astype(np.float32))
    torch_out, torch_units = torch_trainer.backend.forward_probe(grid.astype(np.float32))
    np.testing.assert_allclose(numpy_out, torch_out, rtol=1e-4, atol=1e-5)
    assert [u.shape for u in numpy_units] == [u.shape for u in torch_units]
    for mine, theirs in zip(numpy_units, torch_units, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


def test_fast_path_layer_statistics_match_torch():
    stats = {}
    for backend in ("numpy", "torch"):
        trainer = Trainer(Project.from_dict(doc(backend, epochs=2)))
        stats[backend] = trainer.run().layers
    assert [s.name for s in stats["numpy"]] == [s.name for s in stats["torch"]]
    for a, b in zip(stats["numpy"], stats["torch"], strict=True):
        assert a.grad_norm == pytest.approx(b.grad_norm, rel=1e-3)
        assert a.update_ratio == pytest.approx(b.update_ratio, rel=1e-3)


def test_auto_backend_takes_the_fast_path_only_where_it_applies():
    assert Trainer(Project.from_dict(doc("auto"))).backend_name == "numpy"
    conv = doc("auto", data="digits", layers=[{"type": "flatten"}, {"type": "dropout", "rate": 0.1}])
    assert Trainer(Project.from_dict(conv)).backend_name == "torch"
    reason = NumpyBackend.unsupported_reason([{"type": "dropout", "rate": 0.1}], "linear", "bce", "sgd")
    assert "dropout" in reason


def test_playground_l1_kills_weights_that_cross_zero():
    project = {
        "seed": 0,
        "data": {"name": "circle", "samples": 200},
        "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}]},
        "training": {
            "preset": "playground",
            "optimizer": {"name": "sgd", "lr": 0.03},
            "l1": 0.3,
            "epochs": 30,
        },
    }
    trainer = Trainer(Project.from_dict(project))
    trainer.run()
    weights = trainer.state_dict()["layers.0.linear.weight"]
    dead = weights == 0.0
    assert dead.any(), "a strong L1 rate should zero some first-layer weights"
    trainer.run(epochs=40)
    assert np.all(trainer.state_dict()["layers.0.linear.weight"][dead] == 0.0), "dead weights came back"


@pytest.mark.parametrize(
    ("preset", "loss", "activation"),
    [
        ("standard", "auto", "tanh"),
        ("playground", "auto", "tanh"),
        ("standard", "mse", "relu"),
        ("standard", "bce", "sigmoid"),
    ],
)
def test_compiled_sgd_step_equals_the_numpy_path(preset, loss, activation):
    pytest.importorskip("numba")
    doc = {
        "seed": 3,
        "data": {"name": "spiral", "features": ["x1", "x2", "sin_x1", "sin_x2"]},
        "network": {"layers": [{"type": "dense", "units": 8, "activation": activation}] * 2},
        "training": {"preset": preset, "loss": loss, "optimizer": {"name": "sgd", "lr": 0.03}, "epochs": 100},
    }
    compiled, plain = Trainer(Project.from_dict(doc)), Trainer(Project.from_dict(doc))
    assert compiled.backend_name == "numpy" and compiled.backend._kernel is not None
    plain.backend._kernel = None  # the NumPy path for every step
    for _ in range(5):
        compiled.run_epoch()
        plain.run_epoch()
    a, b = compiled.state_dict(), plain.state_dict()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-12)
    assert compiled.last_snapshot.train_loss == pytest.approx(plain.last_snapshot.train_loss, abs=1e-12)
