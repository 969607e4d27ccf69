"""Headless epochs/s of the torch-backed supervised examples against a hand-written torch loop.

    python benchmarks/bench_torch_models.py [--seconds 2] [--rounds 4] [--example digits_cnn]
                                            [--check] [--loop-foreach]

For digits_cnn (conv 16 -> max-pool -> conv 32 -> dense 64 -> dropout -> 10 classes, Adam, batch
64) and sequence_lstm (LSTM 32 -> 1, Adam, batch 32), the mlp family's Trainer on its torch
backend (as `main.py train` builds it) and a plain eager torch loop train in this process epoch
by epoch in turn, on one thread, as benchmarks/bench_families.py measures the other families
(its timing and optimizer helpers are reused): epochs per wall second and per CPU second of both
sides, their ratio per round, then the median and spread over the rounds.

The loop is what a torch user writes for the same work per epoch: stock modules (nn.Conv2d +
nn.ReLU, nn.MaxPool2d, nn.Flatten, nn.Linear, nn.Dropout, nn.LSTM with a last-step read-out) in
an nn.Sequential holding the trainer's initial weights; the same optimizer and rate; the trainer's
own tensors; a NumPy permutation per epoch; then the loss and (for classes) the accuracy of the
training and the test split in eval mode under no_grad. What the trainer does beyond it (kept,
part of its figure): the train-mode loss it saw over the epoch where dropout makes the two differ,
per-layer gradient norms, weight norms and update ratios on each epoch's last batch, a float()
of each batch loss (the divergence check), the finiteness check and checkpoint copy of the
weights, and its Snapshot and metrics-log row per epoch. With --check, both sides train 3 epochs
from the same weights first and print their metrics (the batch orders differ, so the numbers agree
closely, not bit for bit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_families  # noqa: E402
from bench_families import optimizer  # noqa: E402

from engine.cli import load_project_arg  # noqa: E402
from engine.nn.layers import ConvLayer, DenseLayer, Recurrent  # noqa: E402
from engine.train import build_trainer  # noqa: E402

EXAMPLES = ("digits_cnn", "sequence_lstm")
ACTIVATIONS = {"Tanh": nn.Tanh, "ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "Identity": nn.Identity}


class LastStep(nn.Module):
    """An nn.LSTM over (batch, steps, features) read at its last step, as a torch user writes it."""

    def __init__(self, lstm: nn.LSTM):
        super().__init__()
        self.lstm = lstm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return out[:, -1]


def _activation(module: nn.Module) -> nn.Module:
    name = type(module).__name__
    if name not in ACTIVATIONS:
        raise SystemExit(f"the hand-written loop knows tanh/relu/sigmoid/identity, not {name}")
    return ACTIVATIONS[name]()


def stock_modules(layer: nn.Module) -> list[nn.Module]:
    """The stock torch modules doing what one of the trainer's layers does (weights copied later)."""
    if isinstance(layer, DenseLayer):
        linear = layer.linear
        return [nn.Flatten(), nn.Linear(linear.in_features, linear.out_features), _activation(layer.act)]
    if isinstance(layer, ConvLayer):
        c = layer.conv
        conv = nn.Conv2d(c.in_channels, c.out_channels, c.kernel_size, stride=c.stride, padding=c.padding)
        return [conv, _activation(layer.act)]
    if isinstance(layer, Recurrent):
        if not isinstance(layer.cell, nn.LSTM) or layer.return_sequences:
            raise SystemExit("the hand-written loop reads an LSTM at its last step only")
        return [LastStep(nn.LSTM(layer.cell.input_size, layer.cell.hidden_size, batch_first=True))]
    if isinstance(layer, nn.MaxPool2d):
        return [nn.MaxPool2d(layer.kernel_size)]
    if isinstance(layer, nn.Dropout):
        return [nn.Dropout(layer.p)]
    if isinstance(layer, nn.Flatten):
        return [nn.Flatten()]
    raise SystemExit(f"the hand-written loop does not build {type(layer).__name__}")


def stock_network(network: nn.Module) -> nn.Sequential:
    """network's layers and head as an nn.Sequential of stock modules holding the same weights."""
    modules = [m for layer in [*network.layers, network.head] for m in stock_modules(layer)]
    net = nn.Sequential(*modules)
    ours, theirs = list(net.parameters()), list(network.parameters())
    assert [p.shape for p in ours] == [p.shape for p in theirs], "the loop's net differs from the trainer's"
    with torch.no_grad():
        for mine, source in zip(ours, theirs, strict=True):
            mine.copy_(source)
    return net


class SupervisedLoop:
    """A classifier or regressor trained by a plain torch loop on the trainer's tensors."""

    def __init__(self, trainer):
        backend = trainer.backend
        self.model = stock_network(backend.network)
        self.opt = optimizer(self.model.parameters(), trainer.training.optimizer)
        self.train, self.test = backend._splits["train"], backend._splits.get("test")
        self.classes = trainer.head.task == "classification"
        self.loss = F.cross_entropy if self.classes else F.mse_loss
        self.batch = trainer._batch_size()
        self.rng = np.random.default_rng(trainer.project.seed + 1)
        self.epoch, self.last = 0, {}

    def _measure(self, x: torch.Tensor, t: torch.Tensor) -> tuple[float, float | None]:
        out = self.model(x)
        accuracy = float((out.argmax(1) == t).double().mean()) if self.classes else None
        return float(self.loss(out, t)), accuracy

    def run_epoch(self) -> None:
        model, (x, t) = self.model, self.train
        model.train()
        order = torch.from_numpy(self.rng.permutation(len(x)))
        for idx in order.split(self.batch):
            loss = self.loss(model(x[idx]), t[idx])
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        model.eval()
        with torch.no_grad():
            train_loss, train_accuracy = self._measure(x, t)
            test_loss, test_accuracy = self._measure(*self.test)
        self.epoch += 1
        self.last = {
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
        }


def make_pair(example: str):
    trainer = build_trainer(load_project_arg(example, ["training.epochs=1000000", "training.device=cpu"]))
    if type(trainer.backend).__name__ != "TorchBackend":
        raise SystemExit(f"{example} does not train on the torch backend")
    return trainer, SupervisedLoop(trainer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per side per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--example", action="append", choices=EXAMPLES, help="one example (repeatable)")
    parser.add_argument("--check", action="store_true", help="first compare 3 epochs' metrics of both sides")
    parser.add_argument(
        "--loop-foreach", action="store_true", help="the loop's optimizers on torch's foreach kernels too"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    bench_families.LOOP_FOREACH = True if args.loop_foreach else None
    print(f"the loop's optimizers: {'foreach kernels' if args.loop_foreach else 'torch default'}")
    for example in args.example or EXAMPLES:
        if args.check:
            bench_families.check(example, make_pair=make_pair)
        bench_families.bench(example, args.seconds, args.rounds, make_pair=make_pair)
    return 0


if __name__ == "__main__":
    sys.exit(main())
