"""A race's speed: 8 variants of the spiral trained together against the same 8 trained one by one.

    python benchmarks/bench_race.py [--epochs 300] [--rounds 3]

Two races on TF Playground's spiral config (x1, x2, sin x1, sin x2 -> 8 tanh -> 8 tanh -> 1, batch
10): 8 learning rates of SGD (all on the compiled fast path, batched by engine/race/stepping.py)
and the 8 optimizers (only plain SGD is batched; the others train their epochs one by one).
Reports epochs/s per run for the batched race and for 8 sequential runs, measured in this process,
and their ratio. Run on a quiet machine: both sides are measured alike, so the ratio is what counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.families.mlp.fastkernel import warm_up  # noqa: E402
from engine.race import make_variants, step_together, variant_project  # noqa: E402
from engine.spec.project import Project  # noqa: E402
from engine.train import Trainer  # noqa: E402

SPIRAL = {
    "seed": 0,
    "data": {"name": "spiral", "features": ["x1", "x2", "sin_x1", "sin_x2"]},
    "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}] * 2},
    "training": {"optimizer": {"name": "sgd", "lr": 0.03}, "batch_size": 10, "device": "cpu"},
}
RATES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 0.02, 0.05)
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw")


def races() -> dict[str, list[dict]]:
    return {
        "8 learning rates (sgd)": [{"training.optimizer.lr": lr} for lr in RATES],
        "8 optimizers": [{"training.optimizer": {"name": name, "lr": 0.03}} for name in OPTIMIZERS],
    }


def batched(project: Project, variants: list[dict], epochs: int) -> float:
    trainers = make_variants(project, variants)
    for trainer in trainers:
        trainer.target = epochs
        trainer.play()
    start = time.perf_counter()
    while any(t.status == "running" for t in trainers):
        step_together(trainers, max_seconds=0.05)
    return time.perf_counter() - start


def sequential(project: Project, variants: list[dict], epochs: int) -> float:
    trainers = [Trainer(variant_project(project, overrides)) for overrides in variants]
    start = time.perf_counter()
    for trainer in trainers:
        trainer.run(epochs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each side")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    warm_up()
    project = Project.from_dict(SPIRAL)
    for name, variants in races().items():
        known = [v for v in variants if _valid(project, v)]
        batched(project, known, 5), sequential(project, known, 5)  # warm caches and kernels
        # Interleaved rounds, the best of each side: a busy moment on a shared machine slows one
        # round, not the comparison.
        together = alone = float("inf")
        for _ in range(args.rounds):
            together = min(together, batched(project, known, args.epochs))
            alone = min(alone, sequential(project, known, args.epochs))
        n = len(known)
        print(
            f"{name}: {n} runs x {args.epochs} epochs; batched {args.epochs * n / together:,.0f} "
            f"epochs/s in all, {args.epochs / together:,.0f} per run; sequential "
            f"{args.epochs * n / alone:,.0f} epochs/s in all; batched / sequential = {alone / together:.2f}x"
        )


def _valid(project: Project, overrides: dict) -> bool:
    try:
        variant_project(project, overrides)
    except Exception as exc:  # noqa: BLE001 - an optimizer this build lacks is left out, and said
        print(f"left out {overrides}: {exc}")
        return False
    return True


if __name__ == "__main__":
    main()
