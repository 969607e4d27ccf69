"""Headless epochs/s of the autoencoder and GAN examples against a hand-written torch loop.

    python benchmarks/bench_families.py [--seconds 2] [--rounds 4] [--example autoencoder_digits]
                                        [--check] [--loop-foreach]

For each bundled example (autoencoder_digits, gan_ring) Layerlab's trainer (engine.train.
build_trainer, as `main.py train` builds it) and a plain eager torch loop train in this process,
epoch by epoch in turn (ours, loop, ours, loop, ...), so that both see the same load on a shared
machine; each round prints epochs per wall-clock second of both sides and their ratio, and the
same per CPU second of this process (one thread: the work done, less sensitive to other load),
then the median and spread of the ratios over the rounds. Both sides run with
torch.set_num_threads(1), as the window's training process sets it (engine/session/process.py)
and as benchmarks/bench_train.py does.

The loop does the same work per epoch as the trainer:
  autoencoder: the same layers and activations as nn.Sequential, the same initial weights, the
    same optimizer, learning rate and batch size, the trainer's own (preprocessed) arrays, one
    randperm per epoch; then the trainer's evaluation: the mean squared reconstruction error of
    the test split and of the training split in eval mode under no_grad (the plain variant's
    penalty is a constant 0: not computed by the loop).
  gan: the same generator and discriminator, the same two optimizers, batch size and d_steps;
    steps per epoch = ceil(n_train / (batch * d_steps)), a stream of real batches over epochs; then
    the trainer's evaluation on its fixed 1,000 noise samples: D's loss on the whole training split
    against them, G's loss, the samples in data units, modes_covered (the trainer's function) and
    nearest_real as a torch user writes it (torch.cdist in float64: equal to the trainer's figure
    to ~1e-15, not bit for bit).
What the trainer does beyond the loop (kept, part of its figure): a float() of each loss per
update (divergence check), the learning-rate schedule lookup per step, a copy of the weights per
epoch (the checkpoint a divergence goes back to), and its Snapshot and metrics-log row per epoch.
What it does differently, with the same numbers bit for bit (tests/engine/test_family_speed.py):
its networks are engine/families/mlp/network.py's, a module per layer whose forward calls F.linear
and the activation's torch function itself (fewer module calls than the loop's flat nn.Sequential);
its optimizers run on torch's foreach kernels (engine/run_control.use_foreach), where the loop's
use torch's default on the CPU, a Python loop over the parameters, as a torch user writes
`torch.optim.Adam(params, lr=...)`; the GAN's nearest_real is a k-d tree query. With
--loop-foreach the loop's optimizers run on the foreach kernels too: the ratio then compares the
rest alone (both figures are in the README).
With --check, both sides train 3 epochs from the same seed first and their metrics are printed
side by side: equal numbers show that the loop really is the same computation.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.cli import load_project_arg  # noqa: E402
from engine.train import build_trainer  # noqa: E402

EXAMPLES = ("autoencoder_digits", "gan_ring")
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}


def make_trainer(example: str):
    return build_trainer(load_project_arg(example, ["training.epochs=1000000"]))


def sequential(
    layers: list[dict], n_in: int, n_out: int, out_activation: str, like: nn.Module
) -> nn.Sequential:
    """nn.Linear + activation per dense layer, then the output layer; the weights copied from `like`."""
    modules, width = [], n_in
    for layer in layers:
        if layer["type"] != "dense" or layer["activation"] not in ACTIVATIONS:
            raise SystemExit(
                f"the hand-written loop builds dense tanh/relu/sigmoid/linear layers only: {layer}"
            )
        modules += [nn.Linear(width, layer["units"]), ACTIVATIONS[layer["activation"]]()]
        width = layer["units"]
    modules += [nn.Linear(width, n_out), ACTIVATIONS[out_activation]()]
    net = nn.Sequential(*modules)
    ours, theirs = list(net.parameters()), list(like.parameters())
    assert [p.shape for p in ours] == [p.shape for p in theirs], "the loop's net differs from the trainer's"
    with torch.no_grad():
        for mine, source in zip(ours, theirs, strict=True):
            mine.copy_(source)
    return net


LOOP_FOREACH = None  # torch's default (the Python loop over parameters on the CPU); --loop-foreach: True


def optimizer(params, spec: dict) -> torch.optim.Optimizer:
    """The trainer's optimizer, written out (the examples use adam)."""
    if spec["name"] == "adam":
        return torch.optim.Adam(
            params,
            lr=spec["lr"],
            betas=(spec["beta1"], spec["beta2"]),
            eps=spec["eps"],
            weight_decay=spec["weight_decay"],
            foreach=LOOP_FOREACH,
        )
    if spec["name"] == "sgd":
        return torch.optim.SGD(
            params, lr=spec["lr"], weight_decay=spec.get("weight_decay", 0.0), foreach=LOOP_FOREACH
        )
    raise SystemExit(f"the hand-written loop knows adam and sgd, not {spec['name']}")


class AutoencoderLoop:
    """The digits autoencoder (plain variant) as a plain torch loop on the trainer's arrays."""

    def __init__(self, trainer):
        s = trainer.settings
        if s["variant"] != "plain":
            raise SystemExit("the hand-written autoencoder loop is the plain variant")
        encoder = s["encoder"]["layers"]
        decoder = list(reversed(encoder)) if s["decoder"] == "mirror" else s["decoder"]["layers"]
        self.encoder = sequential(
            encoder, trainer.n_in, s["latent"], s["code_activation"], trainer.model.encoder
        )
        self.decoder = sequential(decoder, s["latent"], trainer.n_in, "linear", trainer.model.decoder)
        self.model = nn.Sequential(self.encoder, self.decoder)
        self.opt = optimizer(self.model.parameters(), trainer.training.optimizer)
        self.x_train, self.x_test = trainer.x_train, trainer.x_test
        self.batch = trainer._batch_size()
        self.gen = torch.Generator().manual_seed(trainer.project.seed + 1)
        self.epoch, self.last = 0, {}

    def run_epoch(self) -> None:
        model, x = self.model, self.x_train
        model.train()
        for idx in torch.randperm(len(x), generator=self.gen).split(self.batch):
            xb = x[idx]
            loss = F.mse_loss(model(xb), xb)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        model.eval()
        with torch.no_grad():
            train = float(F.mse_loss(model(x), x))
            test = float(F.mse_loss(model(self.x_test), self.x_test))
        self.epoch += 1
        self.last = {"reconstruction": test, "train_reconstruction": train, "penalty": 0.0}


class GanLoop:
    """The ring GAN as a plain torch loop on the trainer's standardised points."""

    def __init__(self, trainer):
        from engine.families.gan.trainer import modes_covered

        s = trainer.settings
        self.d_steps, self.noise_dim, self.loss = s["d_steps"], s["noise_dim"], s["loss"]
        g, d = s["generator"], s["discriminator"]
        self.G = sequential(g["layers"], s["noise_dim"], 2, "linear", trainer.generator)
        self.D = sequential(d["layers"], 2, 1, "linear", trainer.discriminator)
        self.g_opt, self.d_opt = (
            optimizer(self.G.parameters(), g["optimizer"]),
            optimizer(self.D.parameters(), d["optimizer"]),
        )
        self.real, self.batch = trainer.real, trainer._batch_size()
        self.steps = max(math.ceil(len(self.real) / (self.batch * self.d_steps)), 1)
        self.gen = torch.Generator().manual_seed(trainer.project.seed + 1)
        self.eval_noise = trainer.eval_noise
        self.scale, self.centre = trainer.scale, trainer.centre
        self.real_points = torch.as_tensor(np.asarray(trainer.dataset.x_train, dtype=np.float64))
        self.modes, self.modes_covered = trainer.modes, modes_covered
        self.stream: list[torch.Tensor] = []
        self.epoch, self.last = 0, {}

    def d_loss(self, real, fake):
        r, f = self.D(real), self.D(fake)
        return 0.5 * (
            F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
            + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
        )

    def g_loss(self, fake):
        logit = self.D(fake)
        if self.loss == "minimax":
            return -F.binary_cross_entropy_with_logits(logit, torch.zeros_like(logit))
        return F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit))

    def run_epoch(self) -> None:
        G, D = self.G, self.D
        G.train()
        D.train()
        for _ in range(self.steps):
            for _ in range(self.d_steps):
                if not self.stream:
                    self.stream = list(torch.randperm(len(self.real), generator=self.gen).split(self.batch))
                real = self.real[self.stream.pop(0)]
                with torch.no_grad():
                    fake = G(torch.randn((len(real), self.noise_dim), generator=self.gen))
                loss = self.d_loss(real, fake)
                self.d_opt.zero_grad(set_to_none=True)
                loss.backward()
                self.d_opt.step()
            loss = self.g_loss(G(torch.randn((self.batch, self.noise_dim), generator=self.gen)))
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        G.eval()
        D.eval()
        with torch.no_grad():
            fake = G(self.eval_noise)
            d_loss, g_loss = float(self.d_loss(self.real, fake)), float(self.g_loss(fake))
        samples = fake.numpy().astype(np.float64) * self.scale + self.centre
        nearest = torch.cdist(torch.from_numpy(samples), self.real_points).min(dim=1).values.mean()
        self.epoch += 1
        self.last = {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "modes_covered": None if self.modes is None else self.modes_covered(samples, *self.modes),
            "nearest_real": float(nearest),
        }


LOOPS = {"autoencoder": AutoencoderLoop, "gan": GanLoop}


def loop_for(trainer):
    return LOOPS[trainer.family.name](trainer)


def timed(run_epoch) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one epoch."""
    wall, cpu = time.perf_counter(), time.process_time()
    run_epoch()
    return time.perf_counter() - wall, time.process_time() - cpu


def round_rates(trainer, loop, seconds: float) -> dict[str, float]:
    """One round: the two sides train epoch by epoch in turn (so both see the same load) for
    about `seconds` each; epochs per wall second and per CPU second of each side."""
    ours, theirs = np.zeros(2), np.zeros(2)
    count = 0
    while ours[0] < seconds or theirs[0] < seconds:
        ours += timed(trainer.run_epoch)
        theirs += timed(loop.run_epoch)
        count += 1
    return {
        "ours": count / ours[0],
        "loop": count / theirs[0],
        "ours_cpu": count / ours[1],
        "loop_cpu": count / theirs[1],
    }


def family_pair(example: str):
    """The example's trainer and the hand-written loop doing the same work."""
    trainer = make_trainer(example)
    return trainer, loop_for(trainer)


def check(example: str, epochs: int = 3, make_pair=family_pair) -> None:
    """Both sides from the same seed for `epochs` epochs: their metrics side by side."""
    trainer, loop = make_pair(example)
    for _ in range(epochs):
        trainer.run_epoch()
        loop.run_epoch()
    snap = trainer.snapshot()
    for name, value in loop.last.items():
        ours = snap.metric(name)
        print(f"  check after {epochs} epochs  {name:22} trainer {ours!s:>22}  loop {value!s:>22}")


def bench(example: str, seconds: float, rounds: int, make_pair=family_pair) -> None:
    trainer, loop = make_pair(example)
    for _ in range(3):  # warm-up, both sides
        trainer.run_epoch()
        loop.run_epoch()
    print(f"{example}: {trainer.n_train} training points, batch {trainer._batch_size()}")
    rounds_done = []
    for n in range(rounds):
        r = round_rates(trainer, loop, seconds)
        r["ratio"], r["ratio_cpu"] = r["ours"] / r["loop"], r["ours_cpu"] / r["loop_cpu"]
        rounds_done.append(r)
        print(
            f"  round {n + 1}: Layerlab {r['ours']:7.1f} epochs/s   torch loop {r['loop']:7.1f} epochs/s"
            f"   ratio {r['ratio']:5.2f}   (per CPU second: {r['ours_cpu']:7.1f} / {r['loop_cpu']:7.1f},"
            f" ratio {r['ratio_cpu']:5.2f})"
        )
    for key, label in (("ratio", "wall-clock"), ("ratio_cpu", "CPU-time")):
        values = [r[key] for r in rounds_done]
        print(
            f"  {label} ratio Layerlab / torch loop: median {np.median(values):.2f}"
            f" (rounds {min(values):.2f}-{max(values):.2f}; {rounds} rounds, ~{seconds:g} s a side each)"
        )


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
    global LOOP_FOREACH
    LOOP_FOREACH = True if args.loop_foreach else None
    print(f"the loop's optimizers: {'foreach kernels' if args.loop_foreach else 'torch default'}")
    for example in args.example or EXAMPLES:
        if args.check:
            check(example)
        bench(example, args.seconds, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
