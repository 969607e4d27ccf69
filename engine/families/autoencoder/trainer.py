"""The autoencoder family's trainer: mini-batch training of encoder and decoder with torch.

Loss per batch = reconstruction (mean squared error against the clean, preprocessed input) +
the variant's penalty: none (plain), none on a corrupted input (denoising), λ·sparsity (sparse:
L1 of the codes or KL to a target mean activation), λ·‖∂h/∂x‖²_F (contractive). Each epoch
reports `reconstruction` (test split), `train_reconstruction` and `penalty` (training split, the
variant's term before its weight λ), measured in eval mode on the clean inputs.
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
from engine.families.autoencoder.model import (
    build_autoencoder,
    contractive_penalty,
    corrupt,
    sparsity_penalty,
)
from engine.families.autoencoder.settings import MIRROR, mirrored
from engine.families.mlp.task import TaskHead
from engine.family_state import ResumeParts
from engine.metrics import MetricsLog
from engine.run_control import TERMINAL, RunControl, check_fits, drop_grads, use_foreach
from engine.schedules import learning_rate as scheduled_rate
from engine.snapshot import Snapshot
from engine.spec.project import Project, TrainingSpec

EVAL_CHUNK = 4096
NO_PENALTY = torch.zeros(())  # the plain and denoising variants' penalty (read, never written to)


class AutoencoderTrainer(RunControl):
    """One run of an autoencoder on a project's data (its labels only colour the views)."""

    backend_name = "torch"
    device = "cpu"
    layer_infos = ()
    # What a resumed step reads besides the weights (engine/family_state.py).
    resume_parts = ResumeParts(
        optimizers=("optimizer",), rngs=("_generator",), queues=("_pending",), counters=("_batches_in_epoch",)
    )

    def __init__(self, project: Project, dataset=None):
        from engine.data import make_dataset
        from engine.nn.preprocess import build_preprocessor

        self.project = project.copy()
        self.family = FAMILIES[self.project.model.family]
        self.settings = self.project.model.settings
        self.dataset = (
            dataset if dataset is not None else make_dataset(vars(self.project.data), self.project.seed)
        )
        self.preprocessor = build_preprocessor(self.dataset, vars(self.project.data))
        self.x_train = self._inputs(self.dataset.x_train)
        self.x_test = self._inputs(self.dataset.x_test) if len(self.dataset.x_test) else None
        self.n_train, self.n_in = self.x_train.shape
        if self.n_train == 0:
            raise SpecError("data.train_fraction", "leaves no training points")
        self.head = TaskHead("regression", 0, "mse", "linear", self.n_in, "value")
        s = self.settings
        encoder = s["encoder"]["layers"]
        decoder = mirrored(encoder) if s["decoder"] == MIRROR else s["decoder"]["layers"]
        torch.manual_seed(self.project.seed)
        self.model = self._build_model(encoder, decoder)
        self._parameters = tuple(self.model.parameters())  # loaded in place, never replaced
        self._generator = torch.Generator().manual_seed(self.project.seed + 1)  # noise and batch order
        self.optimizer = self._make_optimizer()
        self._init_control(self.project.training.epochs)
        self.metrics = MetricsLog(self.family.log_columns)
        self.last_snapshot: Snapshot | None = None
        self._pending: list[torch.Tensor] = []
        self._batches_in_epoch = 0
        self._checkpoint = self.state_dict()

    def _build_model(self, encoder: list, decoder: list):
        s = self.settings
        return build_autoencoder(encoder, decoder, self.n_in, s["latent"], s["code_activation"], s["init"])

    def _inputs(self, x: np.ndarray) -> torch.Tensor:
        values = self.preprocessor.apply_numpy(x).reshape(len(x), -1)
        return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))

    def _make_optimizer(self) -> torch.optim.Optimizer:
        from engine.nn.optim import OPTIMIZERS

        opt = self.training.optimizer
        params = {k: v for k, v in opt.items() if k not in ("name", "lr")}
        optimizer = OPTIMIZERS[opt["name"]].factory(self.model.parameters(), opt["lr"], **params)
        use_foreach(optimizer)
        return optimizer

    @property
    def training(self) -> TrainingSpec:
        return self.project.training

    def apply_live(self, training: TrainingSpec) -> bool:
        """The epoch budget, rate, schedule and clipping apply at once; a new optimizer or batch size rebuilds."""
        old = self.training
        if training.optimizer["name"] != old.optimizer["name"] or training.batch_size != old.batch_size:
            return False
        if {k: v for k, v in training.optimizer.items() if k != "lr"} != {
            k: v for k, v in old.optimizer.items() if k != "lr"
        }:
            return False
        self._take_training(training)
        return True

    def learning_rate(self) -> float:
        training = self.training
        schedule = training.schedule
        if schedule["name"] == "constant" and not schedule.get("warmup_epochs", 0.0):
            return training.optimizer["lr"]  # what the schedule gives, without its lookups each step
        steps = max(math.ceil(self.n_train / self._batch_size()), 1)
        fraction = self.epoch + self._batches_in_epoch / steps
        return scheduled_rate(training.schedule, training.optimizer["lr"], fraction)

    def _batch_size(self) -> int:
        size = self.training.batch_size
        return self.n_train if size == "all" else min(int(size), self.n_train)

    # -- the loop ------------------------------------------------------------------------------
    def _loss_terms(self, x: torch.Tensor, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction, the variant's penalty before its weight) of a clean batch `x`."""
        s, model = self.settings, self.model
        variant = s["variant"]
        if variant == "contractive":
            penalty, code = contractive_penalty(model.encoder, x, create_graph=train)
            return F.mse_loss(model.decoder(code), x), penalty
        seen = (
            corrupt(x, s["noise_kind"], s["noise"], self._generator)
            if variant == "denoising" and train
            else x
        )
        out, code = model(seen)
        reconstruction = F.mse_loss(out, x)  # mean((out - x)²), bit for bit, in one autograd node
        if variant == "sparse":
            return reconstruction, sparsity_penalty(code, s["sparsity_kind"], s["sparsity_target"])
        return reconstruction, NO_PENALTY

    def _objective(self, reconstruction: torch.Tensor, penalty: torch.Tensor) -> torch.Tensor:
        """What the optimizer minimises: the reconstruction plus the variant's weighted penalty."""
        s = self.settings
        if s["variant"] not in ("sparse", "contractive"):
            return reconstruction  # the penalty is a constant 0: adding 0·0 changes no number
        weight = s["sparsity"] if s["variant"] == "sparse" else s["contraction"]
        return reconstruction + weight * penalty

    def step(self) -> float:
        """One optimizer update on the next mini-batch; finishes the epoch after its last batch."""
        if self.status in TERMINAL:
            return float("nan")
        if not self._pending:
            order = torch.randperm(self.n_train, generator=self._generator)
            self._pending = list(torch.split(order, self._batch_size()))
            self._batches_in_epoch = 0
        start = time.perf_counter()
        lr = self.learning_rate()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if not self.model.training:  # the views and evaluation switch the whole model to eval
            self.model.train()
        loss = self._objective(*self._loss_terms(self.x_train[self._pending.pop(0)], train=True))
        drop_grads(self._parameters)
        loss.backward()
        clip = self.training.grad_clip
        if clip["mode"] == "norm":
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip["max"])
        elif clip["mode"] == "value":
            torch.nn.utils.clip_grad_value_(self.model.parameters(), clip["max"])
        self.optimizer.step()
        self._batches_in_epoch += 1
        self.step_count += 1
        self.elapsed += time.perf_counter() - start
        value = loss.item()
        if not math.isfinite(value):
            self._diverge(value, lr)
            return value
        if not self._pending:
            self.epoch += 1
            self._close_epoch(self._evaluate(lr))
        return value

    def _diverge(self, value: float, lr: float) -> None:
        self.load_state_dict(self._checkpoint)
        self.status = "diverged"
        self.message = (
            f"the loss became {value} at epoch {self.epoch}, step {self.step_count}: training stopped and "
            f"the last finite weights were kept. Try a smaller learning rate ({lr:g}) or gradient clipping."
        )
        self._pending = []

    def _measure(self, x: torch.Tensor) -> tuple[float, float]:
        """(reconstruction, penalty) over a whole split, in eval mode, on clean inputs."""
        self.model.eval()
        totals = np.zeros(2)
        for chunk in torch.split(x, EVAL_CHUNK):
            with torch.enable_grad() if self.settings.get("variant") == "contractive" else torch.no_grad():
                reconstruction, penalty = self._loss_terms(chunk, train=False)
            totals += len(chunk) * np.array([float(reconstruction.detach()), float(penalty.detach())])
        return float(totals[0] / len(x)), float(totals[1] / len(x))

    def _evaluate(self, lr: float) -> Snapshot:
        train_reconstruction, penalty = self._measure(self.x_train)
        test = None if self.x_test is None else self._measure(self.x_test)[0]
        metrics = {"reconstruction": test, "train_reconstruction": train_reconstruction, "penalty": penalty}
        return Snapshot(self.epoch, self.step_count, metrics, lr, self.elapsed, status=self.status)

    def snapshot(self) -> Snapshot:
        base = self.last_snapshot or self._evaluate(self.learning_rate())
        return replace(base, status=self.status, message=self.message, elapsed=self.elapsed)

    def evaluate(self) -> Snapshot:
        return self._evaluate(self.learning_rate())

    # -- what views and exports take -------------------------------------------------------------
    def codes(self, x: torch.Tensor) -> np.ndarray:
        self.model.eval()
        with torch.no_grad():
            return self.model.encoder(x).numpy()

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Decoded codes, in the preprocessed (standardised) units the model sees."""
        self.model.eval()
        with torch.no_grad():
            return self.model.decoder(torch.as_tensor(codes, dtype=torch.float32)).numpy()

    def view_probe(self, grid):
        from engine.families.autoencoder.view import autoencoder_probe

        return autoencoder_probe(self)

    EXPORT_PARTS = ("encoder", "decoder")

    def export_part(self, part: str) -> tuple[torch.nn.Module, torch.Tensor]:
        """The encoder (raw inputs -> code) or the decoder (code -> raw units), and an example batch."""
        import copy

        from engine.export.models import example_input
        from engine.families.autoencoder.model import DecoderPart, EncoderPart

        pre, latent = self.preprocessor, self.settings["latent"]
        if part == "encoder":
            module = EncoderPart(copy.deepcopy(pre).cpu().float(), copy.deepcopy(self.model.encoder), latent)
            return module, example_input(self)
        module = DecoderPart(copy.deepcopy(self.model.decoder), pre.mean.float(), pre.std.float())
        return module, torch.randn((3, latent), generator=torch.Generator().manual_seed(0))

    def torch_network(self):
        """The model from preprocessed inputs to reconstructions in raw units (what exports wrap)."""
        import copy

        from engine.families.autoencoder.model import Reconstruction

        pre = self.preprocessor
        return Reconstruction(copy.deepcopy(self.model), pre.mean.float(), pre.std.float())

    # -- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.detach().cpu().numpy().copy() for k, v in self.model.state_dict().items()}

    @property
    def epoch_state(self) -> dict[str, np.ndarray]:
        return self._checkpoint

    def swap_in(self, state: dict[str, np.ndarray]) -> None:
        expected = self.model.state_dict()
        check_fits(expected, state, "this autoencoder")
        self.model.load_state_dict({k: torch.as_tensor(np.asarray(state[k])) for k in expected})

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.swap_in(state)
        self._checkpoint = self.state_dict()
