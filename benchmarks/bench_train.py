"""Headless training speed: the Trainer against a minimal hand-written torch loop on the same data.

    python benchmarks/bench_train.py [--seconds 3] [--optimizers] [--optimizer-seconds 1]

Reports steps/s and epochs/s for TF Playground's spiral config (x1, x2, sin x1, sin x2 -> 8 tanh ->
8 tanh -> 1; batch 10; SGD 0.03; 250 training points) and for a wider net (3 x 64 relu, batch 64,
Adam), each next to the torch loop, and prints the ratios (both sides measured in this process).
Then TF Playground's configs A, B, C on the playground preset, Layerlab's measured epochs/s next
to TF Playground's RECORDED figures (not measured here: its engine cannot run in this process,
so no ratio is printed against them);
then every optimizer's epochs/s on the spiral config next to SGD's (`--optimizers`: that table
alone, `--optimizer-seconds` each). Run on a quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.spec.project import Project  # noqa: E402
from engine.train import Trainer  # noqa: E402

# TF Playground's figures are RECORDED, not measured by this script (its JavaScript cannot run here):
# the engine alone in Node, recorded 2026-12-01 on this machine kind; the page in headless Chromium,
# from shared/reference/tf-playground.md. Printed as recorded figures, never as a measured ratio.
RECORDED_ON = "2026-12-01"
PLAYGROUND_CONFIGS = {
    "A spiral x1 x2 sin x1 sin x2 -> 8 -> 8 tanh": ("spiral", ["x1", "x2", "sin_x1", "sin_x2"], [8, 8]),
    "B circle x1 x2 -> 4 -> 2 tanh": ("circle", ["x1", "x2"], [4, 2]),
    "C xor x1 x2 -> 4 tanh": ("xor", ["x1", "x2"], [4]),
}
RECORDED_ENGINE_EPOCHS_PER_S = {"A": 1060.0, "B": 3070.0, "C": 4100.0}
RECORDED_PAGE_EPOCHS_PER_S = {"A": 20.0, "B": 40.0, "C": 46.0}

CONFIGS = {
    "spiral 8-8 tanh, batch 10, sgd": {
        "seed": 0,
        "data": {"name": "spiral", "features": ["x1", "x2", "sin_x1", "sin_x2"]},
        "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}] * 2},
        "training": {"optimizer": {"name": "sgd", "lr": 0.03}, "batch_size": 10},
    },
    "spiral 3x64 relu, batch 64, adam": {
        "seed": 0,
        "data": {"name": "spiral", "features": ["x1", "x2", "sin_x1", "sin_x2"]},
        "network": {"layers": [{"type": "dense", "units": 64, "activation": "relu"}] * 3},
        "training": {"optimizer": {"name": "adam", "lr": 0.003}, "batch_size": 64},
    },
}


def time_trainer(doc: dict, seconds: float, backend: str = "auto") -> tuple[float, float, str]:
    doc = {**doc, "training": {**doc["training"], "backend": backend, "epochs": 1_000_000}}
    trainer = Trainer(Project.from_dict(doc))
    trainer.run(epochs=2)  # warm-up
    start_steps, start_epochs, start = trainer.step_count, trainer.epoch, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(epochs=trainer.epoch + 10)
    elapsed = time.perf_counter() - start
    return (
        (trainer.step_count - start_steps) / elapsed,
        (trainer.epoch - start_epochs) / elapsed,
        trainer.backend_name,
    )


def time_torch_loop(doc: dict, seconds: float) -> tuple[float, float]:
    """The baseline: the same data and net in the plainest eager torch loop (no evaluation)."""
    trainer = Trainer(Project.from_dict({**doc, "training": {**doc["training"], "backend": "torch"}}))
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(trainer.dataset.x_train))
    y = torch.as_tensor(trainer.dataset.y_train, dtype=torch.float32).reshape(-1, 1)
    units = [layer["units"] for layer in doc["network"]["layers"]]
    act = nn.Tanh if doc["network"]["layers"][0]["activation"] == "tanh" else nn.ReLU
    layers, width = [], x.shape[1]
    for n in units:
        layers += [nn.Linear(width, n), act()]
        width = n
    model = nn.Sequential(*layers, nn.Linear(width, 1))
    opt_name, lr = doc["training"]["optimizer"]["name"], doc["training"]["optimizer"]["lr"]
    opt = (
        torch.optim.SGD(model.parameters(), lr)
        if opt_name == "sgd"
        else torch.optim.Adam(model.parameters(), lr)
    )
    loss_fn = nn.BCEWithLogitsLoss()
    batch = doc["training"]["batch_size"]
    rng = np.random.default_rng(0)
    steps, epochs, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        order = torch.from_numpy(rng.permutation(len(x)))
        for i in range(0, len(x), batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
            steps += 1
        epochs += 1
    elapsed = time.perf_counter() - start
    return steps / elapsed, epochs / elapsed


def playground_doc(data: str, features: list[str], units: list[int]) -> dict:
    """TF Playground's recipe: tanh layers, batch 10, SGD 0.03, 250 training points, its preset."""
    return {
        "seed": 0,
        "data": {"name": data, "features": features},
        "network": {"layers": [{"type": "dense", "units": n, "activation": "tanh"} for n in units]},
        "training": {"preset": "playground", "optimizer": {"name": "sgd", "lr": 0.03}, "batch_size": 10},
    }


def playground_table(seconds: float) -> None:
    """Configs A, B, C on the playground preset: Layerlab measured now, TF Playground as recorded."""
    print(
        f"\nTF Playground's configs on the playground preset: Layerlab MEASURED in this run; TF Playground\n"
        f"RECORDED, not measured in this run (its engine in Node {RECORDED_ON}, its page in headless\n"
        f"Chromium, both on this machine kind)"
    )
    print(
        f"{'config':44} {'backend':8} {'Layerlab epochs/s':>18} {'RECORDED engine':>16} {'RECORDED page':>14}"
    )
    for name, (data, features, units) in PLAYGROUND_CONFIGS.items():
        _, epochs, used = time_trainer(playground_doc(data, features, units), seconds)
        key = name[0]
        engine, page = RECORDED_ENGINE_EPOCHS_PER_S[key], RECORDED_PAGE_EPOCHS_PER_S[key]
        # No ratio: the recorded figures were not measured in this run, on this load.
        print(f"{name:44} {used:8} {epochs:18,.0f} {f'~{engine:,.0f}':>16} {f'~{page:,.0f}':>14}")


OPTIMIZER_LR = {"adadelta": 1.0}  # Adadelta's steps are unit-correct: lr ~ 1; the others keep 0.03


def optimizer_table(seconds: float) -> None:
    """Every catalog optimizer on config A (the spiral 8-8 tanh net), epochs/s next to SGD's."""
    from engine.spec.catalog.optimizers import OPTIMIZERS

    doc = CONFIGS["spiral 8-8 tanh, batch 10, sgd"]
    print(f"\n{'optimizer on config A':22} {'backend':8} {'epochs/s':>10} {'x sgd':>8}")
    sgd_epochs = None
    for name in OPTIMIZERS:
        opt = {"name": name, "lr": OPTIMIZER_LR.get(name, 0.03)}
        _, epochs, used = time_trainer({**doc, "training": {**doc["training"], "optimizer": opt}}, seconds)
        sgd_epochs = sgd_epochs or epochs  # sgd is the catalog's first entry
        print(f"{name:22} {used:8} {epochs:10.1f} {epochs / sgd_epochs:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--optimizer-seconds", type=float, default=1.0)
    parser.add_argument("--optimizers", action="store_true", help="only the per-optimizer table on config A")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.optimizers:
        optimizer_table(args.optimizer_seconds)
        return
    print(f"{'config':36} {'runner':22} {'steps/s':>10} {'epochs/s':>10} {'x torch loop':>13}")
    for name, doc in CONFIGS.items():
        base_steps, base_epochs = time_torch_loop(doc, args.seconds)
        print(f"{name:36} {'hand-written torch loop':22} {base_steps:10.0f} {base_epochs:10.1f} {1.0:13.2f}")
        for backend in ("auto", "torch"):
            steps, epochs, used = time_trainer(doc, args.seconds, backend)
            label = f"Trainer ({used})"
            print(f"{'':36} {label:22} {steps:10.0f} {epochs:10.1f} {epochs / base_epochs:13.2f}")
    playground_table(args.seconds)
    optimizer_table(args.optimizer_seconds)


if __name__ == "__main__":
    main()
