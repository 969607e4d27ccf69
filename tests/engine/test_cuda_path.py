"""The CUDA path (training.device cuda / auto) on a real GPU: the same model trained on the GPU and
on the CPU from the same initial weights agrees within float32 tolerance. Skipped where torch
sees no CUDA device (CI has none); a session with an accelerator runs it."""

from __future__ import annotations

import pytest
import torch

from engine.spec.project import Project
from engine.train import build_trainer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="torch sees no CUDA device")

CNN = [  # digits_cnn without its dropout: dropout masks come from the device's own generator
    {"type": "conv2d", "filters": 16, "kernel": 3, "stride": 1, "padding": "same", "activation": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "conv2d", "filters": 32, "kernel": 3, "stride": 1, "padding": "same", "activation": "relu"},
    {"type": "flatten"},
    {"type": "dense", "units": 64, "activation": "relu"},
]
WIDE_MLP = [{"type": "dense", "units": 256, "activation": "relu"}] * 3


def trained(device: str, data: dict, layers: list, epochs: int, **training):
    doc = {
        "seed": 0,
        "data": data,
        "network": {"layers": layers, "init": "he_uniform"},
        "training": {"backend": "torch", "device": device, "epochs": epochs, **training},
    }
    trainer = build_trainer(Project.from_dict(doc))
    trainer.run()
    return trainer


@pytest.mark.parametrize(
    "data, layers, training",
    [
        (
            {"name": "digits", "train_fraction": 0.8},
            CNN,
            {"batch_size": 64, "optimizer": {"name": "sgd", "lr": 0.05}},
        ),
        (
            {"name": "spiral3", "samples": 2000},
            WIDE_MLP,
            {"batch_size": 128, "optimizer": {"name": "adam", "lr": 0.002}},
        ),
    ],
    ids=["digits_cnn", "wide_mlp"],
)
def test_training_on_the_gpu_agrees_with_the_cpu(data, layers, training):
    gpu = trained("cuda", data, layers, 3, **training)
    cpu = trained("cpu", data, layers, 3, **training)
    assert gpu.backend.device.type == "cuda" and cpu.backend.device.type == "cpu"
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert gpu.snapshot().metric(name) == pytest.approx(
            cpu.snapshot().metric(name), rel=2e-3, abs=2e-3
        ), name
    gpu_state, cpu_state = gpu.state_dict(), cpu.state_dict()
    for key, value in cpu_state.items():
        assert abs(gpu_state[key] - value).max() < 1e-2, key


def test_auto_picks_the_gpu_and_exports_from_it(tmp_path):
    trainer = trained(
        "auto", {"name": "xor", "samples": 200}, [{"type": "dense", "units": 8, "activation": "tanh"}], 2
    )
    assert trainer.backend.device.type == "cuda"
    state = trainer.state_dict()  # arrays on the host, as saves and exports read them
    assert all(hasattr(v, "dtype") and not torch.is_tensor(v) for v in state.values())
