"""What the mlp family's torch backend does to run as fast as a plain torch loop (foreach optimizer
kernels, gradients dropped without zero_grad, no penalty term or second sync when there is no
penalty, train() only when evaluation left eval mode), each checked to change no number: the
trainer's losses and weights equal, bit for bit, those of the textbook step written out here."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from engine.nn.losses import penalty
from engine.nn.optim import OPTIMIZERS
from engine.spec.project import Project
from engine.train import Trainer

LAYERS = [
    {"type": "dense", "units": 6, "activation": "tanh"},
    {"type": "dropout", "rate": 0.3},  # train mode matters: eval mode would give other losses
    {"type": "dense", "units": 4, "activation": "relu"},
]
CASES = {
    "sgd": {"optimizer": {"name": "sgd", "lr": 0.1}},
    "momentum-l2": {"optimizer": {"name": "momentum", "lr": 0.05}, "l2": 0.01},
    "adam-l1-clip": {
        "optimizer": {"name": "adam", "lr": 0.01},
        "l1": 0.001,
        "grad_clip": {"mode": "norm", "max": 0.5},
    },
    "adamw": {"optimizer": {"name": "adamw", "lr": 0.01, "weight_decay": 0.05}},
    "rmsprop-value-clip": {
        "optimizer": {"name": "rmsprop", "lr": 0.005},
        "grad_clip": {"mode": "value", "max": 0.1},
    },
    "adagrad": {"optimizer": {"name": "adagrad", "lr": 0.05}},
    "adadelta": {"optimizer": {"name": "adadelta", "lr": 1.0}},
    "nesterov": {"optimizer": {"name": "nesterov", "lr": 0.05}},
}


def torch_trainer(**training) -> Trainer:
    doc = {
        "seed": 3,
        "data": {"name": "spiral", "samples": 160},
        "network": {"layers": LAYERS},
        "training": {"backend": "torch", "device": "cpu", "batch_size": 16, "epochs": 100, **training},
    }
    trainer = Trainer(Project.from_dict(doc))
    assert trainer.backend_name == "torch"
    return trainer


def textbook_step(network, optimizer, backend, idx, lr) -> float:
    """One update as the backend took it before it was made faster: train() every step,
    zero_grad, the penalty always added, the optimizer on torch's default (per-tensor) code."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    x, t = backend._splits["train"]
    rows = torch.from_numpy(idx)
    network.train()
    data_loss = backend.loss_fn(network(x[rows]), t[rows])
    weights = [w for name, w in network.named_parameters() if name.endswith("weight")]
    total = data_loss + penalty(weights, backend.hyper.l1, backend.hyper.l2)
    optimizer.zero_grad(set_to_none=True)
    total.backward()
    if backend.hyper.clip_mode == "norm":
        torch.nn.utils.clip_grad_norm_(network.parameters(), backend.hyper.clip_max)
    elif backend.hyper.clip_mode == "value":
        torch.nn.utils.clip_grad_value_(network.parameters(), backend.hyper.clip_max)
    optimizer.step()
    return float(data_loss.item())


@pytest.mark.parametrize("case", list(CASES))
def test_the_torch_backend_trains_like_the_textbook_step_bit_for_bit(case):
    trainer = torch_trainer(**CASES[case])
    backend = trainer.backend
    network = copy.deepcopy(backend.network)
    spec = OPTIMIZERS[backend.optimizer_name]
    optimizer = spec.factory(network.parameters(), trainer.learning_rate(), **backend.hyper.optimizer)
    assert all(group.get("foreach") is None for group in optimizer.param_groups)  # torch's default
    assert all(group["foreach"] for group in backend.optimizer.param_groups)  # the backend's choice
    ours, theirs = [], []
    for _ in range(2):  # two epochs: the evaluation between them leaves the network in eval mode
        trainer._start_epoch()
        batches = list(trainer._pending)
        for idx in batches:
            lr = trainer.learning_rate()
            rng_state = torch.get_rng_state()  # dropout draws its masks from torch's global generator
            ours.append(trainer.step())
            torch.set_rng_state(rng_state)
            theirs.append(textbook_step(network, optimizer, backend, idx, lr))
            torch.manual_seed(len(ours))  # a fresh, shared draw for the next batch
        assert not trainer._pending and trainer.epoch >= 1
    assert ours == theirs
    assert not backend.network.training  # the epoch's evaluation ran in eval mode
    for (name, mine), source in zip(
        backend.network.state_dict().items(), network.state_dict().values(), strict=True
    ):
        assert torch.equal(mine, source), name


def test_a_step_after_evaluation_trains_in_train_mode_again():
    trainer = torch_trainer(optimizer={"name": "sgd", "lr": 0.1})
    backend = trainer.backend
    backend.evaluate("train")
    assert not backend.network.training
    idx = np.arange(16)
    backend.train_batch(idx, 0.1, collect=False)
    assert backend.network.training  # dropout was active for that batch
