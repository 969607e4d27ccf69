"""Adagrad, Adadelta and RMSProp on the numpy fast path, with torch.optim (in float64) as the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.families.mlp.fastpath import NumpyBackend
from engine.spec.project import Project
from engine.train import Trainer
from engine.train_state import SavedState, apply_state, write_state
from tests.engine.test_fastpath import doc
from tests.engine.test_resume import assert_same_run

STEPS = 50
OPTIMIZERS = {
    "adagrad": {"name": "adagrad", "lr": 0.05},
    "adadelta": {"name": "adadelta", "lr": 1.0, "rho": 0.8},
    "rmsprop": {"name": "rmsprop", "lr": 0.005},
    "rmsprop-momentum": {"name": "rmsprop", "lr": 0.002, "alpha": 0.9, "momentum": 0.7},
}
VARIANTS = {
    "plain": {},
    "weight-decay": {"weight_decay": 0.02},
    "l2-clip-norm": {"l2": 0.01, "grad_clip": {"mode": "norm", "max": 0.1}},
    "decay-clip-value": {"weight_decay": 0.05, "grad_clip": {"mode": "value", "max": 0.02}},
}


def training(optimizer: str, variant: str) -> dict:
    extra = dict(VARIANTS[variant])
    decay = {"weight_decay": extra.pop("weight_decay")} if "weight_decay" in extra else {}
    return {"optimizer": OPTIMIZERS[optimizer] | decay, **extra}


def in_float64(trainer: Trainer) -> Trainer:
    """The torch backend computing in float64, as the fast path does, so the two agree to rounding."""
    backend = trainer.backend
    backend.network.double()
    # torch's Adagrad allocates its sums when built: built again, they are float64 too
    backend.set_optimizer(backend.optimizer_name, trainer.learning_rate())
    backend._splits = {
        name: (x.double(), t if t.dtype == torch.int64 else t.double())
        for name, (x, t) in backend._splits.items()
    }
    return trainer


def steps_of(backend: str, **kw) -> tuple[list[float], dict[str, np.ndarray], Trainer]:
    trainer = Trainer(Project.from_dict(doc(backend, epochs=100, **kw)))
    assert trainer.backend_name == backend
    if backend == "torch":
        in_float64(trainer)
    losses = [trainer.step() for _ in range(STEPS)]
    return losses, trainer.state_dict(), trainer


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_fast_path_steps_exactly_like_torch_optim(optimizer, variant):
    kw = training(optimizer, variant)
    numpy_losses, numpy_state, fast = steps_of("numpy", **kw)
    torch_losses, torch_state, _ = steps_of("torch", **kw)
    assert isinstance(fast.backend, NumpyBackend)
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=0, atol=1e-10)
    assert numpy_state.keys() == torch_state.keys()
    for key, value in torch_state.items():
        np.testing.assert_allclose(numpy_state[key], value, rtol=0, atol=1e-10, err_msg=key)
    moved = {k: v for k, v in numpy_state.items() if k.endswith("weight")}
    start = Trainer(Project.from_dict(doc("numpy", **kw))).state_dict()
    assert any(not np.allclose(moved[k], start[k], atol=1e-3) for k in moved), "training did not move"


@pytest.mark.parametrize("name", ["adagrad", "adadelta", "rmsprop"])
def test_auto_backend_takes_the_fast_path_for_these_optimizers(name):
    dense = [{"type": "dense", "units": 4, "activation": "tanh"}]
    assert NumpyBackend.unsupported_reason(dense, "sigmoid", "bce", name) is None
    trainer = Trainer(Project.from_dict(doc("auto", optimizer={"name": name, "lr": 0.1})))
    assert trainer.backend_name == "numpy" and isinstance(trainer.backend, NumpyBackend)


def test_catalog_defaults_reach_the_fast_path():
    """A Hyper without the optimizer's settings trains with the catalog's defaults (torch's own)."""
    kw = {"optimizer": {"name": "rmsprop", "lr": 0.01}}
    full = Trainer(Project.from_dict(doc("numpy", **kw)))
    bare = Trainer(Project.from_dict(doc("numpy", **kw)))
    bare.backend.hyper.optimizer = {}
    for _ in range(20):
        assert full.step() == bare.step()
    assert all(np.array_equal(v, bare.state_dict()[k]) for k, v in full.state_dict().items())


@pytest.mark.parametrize("optimizer", ["adagrad", "adadelta", "rmsprop-momentum"])
def test_a_resumed_fast_run_equals_the_run_that_never_stopped(tmp_path, optimizer):
    def project() -> Project:
        return Project.from_dict(doc("numpy", epochs=6, optimizer=OPTIMIZERS[optimizer]))

    whole = Trainer(project())
    whole.run()
    part = Trainer(project())
    part.run(3)
    for _ in range(4):  # mid-epoch
        part.step()
    write_state(part, tmp_path)
    saved = SavedState(tmp_path)
    again = Trainer(project(), dataset=saved.dataset())
    apply_state(again, saved)
    assert isinstance(again.backend, NumpyBackend) and again.backend._rule.t == part.backend._rule.t > 0
    again.run()
    assert_same_run(again, whole)
