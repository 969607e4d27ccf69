"""The GAN family's trainer: a generator G (noise -> the plane) against a discriminator D (the
plane -> the logit of "real"), each with its own optimizer, in torch on the CPU.

A step is `d_steps` discriminator updates (each on a fresh batch of real points against as many
generated ones, the binary cross-entropy of telling them apart), then one generator update: with
`loss: "non_saturating"` G minimises -log D(G(z)); with "minimax", log(1 - D(G(z))), the game's own
objective, whose gradient vanishes while D rejects G's samples confidently. An epoch is the steps in
which D sees every real point about once. Points are standardised (one mean and one scale for the
plane) inside; everything reported and drawn is in the data's own units.

Metrics per epoch, on 1,000 samples from a fixed noise seed and the whole training split: `d_loss`
(D's cross-entropy on real and generated points), `g_loss` (G's own loss), `nearest_real` (the mean
distance from a sample to its nearest real point: how far off the data G's samples lie), and for
the ring of 8 Gaussians `modes_covered`: the modes with at least MODE_SHARE of the samples within
MODE_RADIUS_STDS of the mode's std of its centre (mode collapse shows as a number).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from engine.errors import SpecError
from engine.families import FAMILIES
from engine.families.mlp.network import build_network
from engine.families.mlp.task import TaskHead
from engine.family_state import ResumeParts
from engine.metrics import MetricsLog
from engine.run_control import TERMINAL, RunControl, check_fits, drop_grads, use_foreach
from engine.snapshot import Snapshot
from engine.spec.project import Project, TrainingSpec

EVAL_SAMPLES = 1000
MODE_SHARE = 0.025  # a mode holds at least 25 of the 1,000 samples...
MODE_RADIUS_STDS = 3.0  # ...within 3 of its std of its centre
EVAL_SEED = 54321


class GanTrainer(RunControl):
    """One run of a 2-D GAN on a project's points (their labels mark the modes of a ring)."""

    backend_name = "torch"
    device = "cpu"
    layer_infos = ()
    # What a resumed step reads besides the weights (engine/family_state.py).
    resume_parts = ResumeParts(
        optimizers=("g_optimizer", "d_optimizer"),
        rngs=("_generator_rng",),
        queues=("_stream",),
        counters=("_steps_in_epoch",),
        plain=("single_updates",),
    )
    head = TaskHead("regression", 0, "bce", "linear", 2, "value")
    exports_models = False  # no one model takes the data's inputs: the parts are exported one by one
    EXPORT_PARTS = ("generator", "discriminator")

    def __init__(self, project: Project, dataset=None):
        from engine.data import make_dataset
        from engine.nn.preprocess import build_preprocessor

        self.project = project.copy()
        self.family = FAMILIES["gan"]
        self.settings = s = self.project.model.settings
        data = dataset if dataset is not None else make_dataset(vars(self.project.data), self.project.seed)
        if data.kind != "points2d":
            raise SpecError("data.name", f"the GAN generates 2-D points; {data.name} is {data.kind} data")
        self.dataset = data
        # The raw plane (x1, x2): what the views' grid is drawn over.
        self.preprocessor = build_preprocessor(data, {"features": ["x1", "x2"], "standardize": "none"})
        real = np.asarray(data.x_train, dtype=np.float64)
        self.n_train = len(real)
        if self.n_train == 0:
            raise SpecError("data.train_fraction", "leaves no training points")
        self.centre, self.scale = real.mean(axis=0), float(real.std()) or 1.0
        self.real = torch.as_tensor((real - self.centre) / self.scale, dtype=torch.float32)
        torch.manual_seed(self.project.seed)
        g, d = s["generator"], s["discriminator"]
        self.generator = build_network(g["layers"], (s["noise_dim"],), 2, "linear", s["init"])
        self.discriminator = build_network(d["layers"], (2,), 1, "linear", s["init"])
        self.g_optimizer = _optimizer(self.generator, g["optimizer"])
        # Each network's parameters (loaded in place, never replaced): the gradients an update drops.
        self._g_parameters = tuple(self.generator.parameters())
        self._d_parameters = tuple(self.discriminator.parameters())
        self.d_optimizer = _optimizer(self.discriminator, d["optimizer"])
        self._generator_rng = torch.Generator().manual_seed(self.project.seed + 1)  # noise and batches
        self.eval_noise = torch.randn(
            (EVAL_SAMPLES, s["noise_dim"]), generator=torch.Generator().manual_seed(EVAL_SEED)
        )
        self.modes = _modes(data)
        self._real_tree = None  # a k-d tree of the training points, built at the first measure
        self._init_control(self.project.training.epochs)
        self.metrics = MetricsLog(self.family.log_columns)
        self.last_snapshot: Snapshot | None = None
        self._stream: list[torch.Tensor] = []
        self._steps_in_epoch = 0
        self.single_updates = {"discriminator": 0, "generator": 0}  # taken one at a time (update())
        self._checkpoint = self.state_dict()

    @property
    def training(self) -> TrainingSpec:
        return self.project.training

    def apply_live(self, training: TrainingSpec) -> bool:
        if training.batch_size != self.training.batch_size:
            return False
        self._take_training(training)
        return True

    def learning_rate(self) -> float:
        return self.settings["generator"]["optimizer"]["lr"]

    def _batch_size(self) -> int:
        size = self.training.batch_size
        return self.n_train if size == "all" else min(int(size), self.n_train)

    def steps_per_epoch(self) -> int:
        return max(math.ceil(self.n_train / (self._batch_size() * self.settings["d_steps"])), 1)

    # -- the loop ------------------------------------------------------------------------------
    def _real_batch(self) -> torch.Tensor:
        if not self._stream:
            order = torch.randperm(self.n_train, generator=self._generator_rng)
            self._stream = list(torch.split(order, self._batch_size()))
        return self.real[self._stream.pop(0)]

    def _noise(self, count: int) -> torch.Tensor:
        return torch.randn((count, self.settings["noise_dim"]), generator=self._generator_rng)

    def d_loss_of(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """D's binary cross-entropy: real points labelled 1, generated ones 0 (mean over both)."""
        real_logit, fake_logit = self.discriminator(real), self.discriminator(fake)
        ones, zeros = torch.ones_like(real_logit), torch.zeros_like(fake_logit)
        return 0.5 * (
            F.binary_cross_entropy_with_logits(real_logit, ones)
            + F.binary_cross_entropy_with_logits(fake_logit, zeros)
        )

    def g_loss_of(self, fake: torch.Tensor) -> torch.Tensor:
        logit = self.discriminator(fake)
        if self.settings["loss"] == "minimax":  # log(1 - D): minus D's cross-entropy on fakes labelled 0
            return -F.binary_cross_entropy_with_logits(logit, torch.zeros_like(logit))
        return F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit))  # -log D

    def _d_update(self) -> float:
        """One discriminator update on a fresh real batch against as many generated points."""
        if not self.discriminator.training:  # evaluation and the views switch it to eval
            self.discriminator.train()
        real = self._real_batch()
        with torch.no_grad():
            fake = self.generator(self._noise(len(real)))
        d_loss = self.d_loss_of(real, fake)
        drop_grads(self._d_parameters)
        d_loss.backward()
        self.d_optimizer.step()
        return d_loss.item()

    def _g_update(self) -> float:
        """One generator update on a batch of fresh noise."""
        if not self.generator.training:
            self.generator.train()
        g_loss = self.g_loss_of(self.generator(self._noise(self._batch_size())))
        drop_grads(self._g_parameters)
        g_loss.backward()
        self.g_optimizer.step()
        return g_loss.item()

    def step(self) -> float:
        """d_steps discriminator updates, then one generator update; returns G's loss."""
        if self.status in TERMINAL:
            return float("nan")
        start = time.perf_counter()
        d_losses = [self._d_update() for _ in range(self.settings["d_steps"])]
        value = self._g_update()
        self.step_count += 1
        self._steps_in_epoch += 1
        self.elapsed += time.perf_counter() - start
        if not all(math.isfinite(v) for v in (value, *d_losses)):
            self._diverge(value)
            return value
        if self._steps_in_epoch >= self.steps_per_epoch():
            self._steps_in_epoch = 0
            self.epoch += 1
            self._close_epoch(self._evaluate())
        return value

    def update(self, player: str) -> float:
        """One update of one player ("discriminator" or "generator"), outside the steps and epochs:
        GAN Lab's slow motion, to see what each player's move does. Returns that player's loss."""
        if self.status == "diverged":
            return float("nan")
        value = self._d_update() if player == "discriminator" else self._g_update()
        self.single_updates[player] += 1
        if not math.isfinite(value):
            self._diverge(value)
        return value

    def _diverge(self, value: float) -> None:
        self.load_state_dict(self._checkpoint)
        self.status = "diverged"
        self.message = (
            f"a loss became {value} at epoch {self.epoch}, step {self.step_count}: training stopped and the "
            "last finite weights were kept. Try smaller learning rates."
        )

    # -- measures ------------------------------------------------------------------------------
    def generated(self, noise: torch.Tensor | None = None) -> np.ndarray:
        """G's samples in the data's own units (from the fixed evaluation noise by default)."""
        self.generator.eval()
        with torch.no_grad():
            out = self.generator(self.eval_noise if noise is None else noise).numpy().astype(np.float64)
        return out * self.scale + self.centre

    def d_probability(self, points: np.ndarray) -> np.ndarray:
        """D's probability that each point (data units) is real."""
        self.discriminator.eval()
        x = torch.as_tensor(
            (np.asarray(points, dtype=np.float64) - self.centre) / self.scale, dtype=torch.float32
        )
        with torch.no_grad():
            return torch.sigmoid(self.discriminator(x))[:, 0].numpy()

    def _evaluate(self) -> Snapshot:
        self.generator.eval()
        self.discriminator.eval()
        with torch.no_grad():
            fake = self.generator(self.eval_noise)
            d_loss = float(self.d_loss_of(self.real, fake))
            g_loss = float(self.g_loss_of(fake))
        samples = fake.numpy().astype(np.float64) * self.scale + self.centre  # generated(), already drawn
        covered = None if self.modes is None else modes_covered(samples, *self.modes)
        metrics = {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "modes_covered": covered,
            "nearest_real": self._nearest(samples),
        }
        return Snapshot(
            self.epoch, self.step_count, metrics, self.learning_rate(), self.elapsed, status=self.status
        )

    def _nearest(self, samples: np.ndarray) -> float:
        """The mean distance from a sample to its nearest training point (data units)."""
        # An exact nearest-neighbour query in a k-d tree of the (fixed) training points: it prunes
        # only boxes farther than the best point found, and measures the rest as √(dx·dx + dy·dy),
        # the operations of np.linalg.norm, so the figure is the norm of every pair's minimum bit
        # for bit (tests/engine/test_family_speed.py), several times sooner than all 400k pairs.
        if self._real_tree is None:
            from scipy.spatial import cKDTree

            self._real_tree = cKDTree(np.asarray(self.dataset.x_train, dtype=np.float64))
        distance, _ = self._real_tree.query(np.asarray(samples, dtype=np.float64), k=1)
        return float(distance.mean())

    def snapshot(self) -> Snapshot:
        base = self.last_snapshot or self._evaluate()
        return replace(base, status=self.status, message=self.message, elapsed=self.elapsed)

    def evaluate(self) -> Snapshot:
        return self._evaluate()

    def export_part(self, part: str) -> tuple[torch.nn.Module, torch.Tensor]:
        """The generator (noise -> a point, data units) or the discriminator (a point -> the
        probability that it is real), and an example batch."""
        import copy

        from engine.families.gan.export import DiscriminatorPart, GeneratorPart

        if part == "generator":
            module = GeneratorPart(copy.deepcopy(self.generator), self.centre, self.scale)
            return module, torch.randn(
                (3, self.settings["noise_dim"]), generator=torch.Generator().manual_seed(0)
            )
        module = DiscriminatorPart(copy.deepcopy(self.discriminator), self.centre, self.scale)
        return module, torch.as_tensor(np.asarray(self.dataset.x_train[:3], dtype=np.float32))

    def view_probe(self, grid):
        from engine.families.gan.view import gan_probe

        return gan_probe(self, grid)

    # -- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        state = {f"generator.{k}": v for k, v in self.generator.state_dict().items()}
        state |= {f"discriminator.{k}": v for k, v in self.discriminator.state_dict().items()}
        return {k: v.detach().cpu().numpy().copy() for k, v in state.items()}

    @property
    def epoch_state(self) -> dict[str, np.ndarray]:
        return self._checkpoint

    def swap_in(self, state: dict[str, np.ndarray]) -> None:
        check_fits(self.state_dict(), state, "this GAN")
        for prefix, net in (("generator.", self.generator), ("discriminator.", self.discriminator)):
            own = net.state_dict()
            net.load_state_dict({k: torch.as_tensor(np.asarray(state[prefix + k])) for k in own})

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.swap_in(state)
        self._checkpoint = self.state_dict()


def _optimizer(network, spec: dict):
    from engine.nn.optim import OPTIMIZERS

    params = {k: v for k, v in spec.items() if k not in ("name", "lr")}
    optimizer = OPTIMIZERS[spec["name"]].factory(network.parameters(), spec["lr"], **params)
    use_foreach(optimizer)
    return optimizer


def _modes(data) -> tuple[np.ndarray, float] | None:
    """(the mode centres, the radius that counts as near one) for the ring of 8 Gaussians, else None."""
    if data.name != "ring8":
        return None
    x, y = np.asarray(data.x_train, dtype=np.float64), np.asarray(data.y_train)
    centres = np.stack([x[y == k].mean(axis=0) for k in range(data.n_classes)])
    spread = float(
        np.sqrt(np.mean([np.mean((x[y == k] - centres[k]) ** 2) for k in range(data.n_classes)]) / 2)
    )
    return centres, MODE_RADIUS_STDS * spread


def modes_covered(samples: np.ndarray, centres: np.ndarray, radius: float) -> float:
    """How many modes hold at least MODE_SHARE of `samples` within `radius` of their centre."""
    distance = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    near = (distance <= radius).sum(axis=0)
    return float(np.count_nonzero(near >= MODE_SHARE * len(samples)))
