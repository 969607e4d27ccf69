"""The Trainer: owns data, model, optimizer state and the training loop; emits Snapshots.

It is written once for every backend (torch or the numpy fast path). Stopping is a flag checked
once per step; a non-finite loss stops training at once and keeps the last finite weights.
Early stopping watches the validation split; the test split is reported and never decides.

The Trainer alone writes its status (engine/run_control.py: play, pause, step, the epoch budget).
`build_trainer` makes the trainer of any family: this one for `mlp`, the family's own otherwise.
"""

from __future__ import annotations

import math
import time

import numpy as np

from engine.errors import SpecError
from engine.families import FAMILIES
from engine.families.mlp.backend import Hyper
from engine.families.mlp.build import build_parts
from engine.metrics import MetricsLog
from engine.run_control import TERMINAL, RunControl
from engine.snapshot import Snapshot
from engine.spec.project import Project, TrainingSpec

# The most batches one compiled call of a lone run takes (~6 ms of the spiral's): a stop request
# waits at most that long, and an epoch of the playground's (25 batches) is one call.
EPOCH_CALL_BATCHES = 256

DIVERGED_HINT = (
    "the loss became {value} at epoch {epoch}, step {step}: training stopped and the last finite weights "
    "were kept. Likely causes: a learning rate too large for this optimizer ({lr:g}), no gradient clipping, "
    "inputs on very different scales, or an unbounded activation (relu/linear) amplifying values. "
    "Try a smaller learning rate, gradient clipping, or standardised inputs."
)


class Trainer(RunControl):
    """Trains one project; step() / run_epoch() / run() are synchronous and thread-agnostic."""

    def __init__(self, project: Project, dataset=None):
        self.project = project.copy()
        run = build_parts(self.project, dataset)
        self.dataset, self.head, self.preprocessor = run.dataset, run.head, run.preprocessor
        self.network, self.layer_infos, self.backend = run.network, run.layer_infos, run.backend
        self.backend_name, self.device, self.hyper = run.backend_name, run.device, run.hyper
        self.n_train = len(self.dataset.x_train)
        self._init_control(self.project.training.epochs)
        self.family = FAMILIES[self.project.model.family]
        self.metrics = MetricsLog(self.family.log_columns)
        self.last_snapshot: Snapshot | None = None
        self._rng = np.random.default_rng(self.project.seed + 1)
        self._pending: list[np.ndarray] = []
        self._batches_in_epoch = 0
        self._carry = np.zeros(0, dtype=np.int64)
        self._fixed_order = self._rng.permutation(self.n_train)
        self._checkpoint = self.backend.state_dict()
        self._best: tuple[float, int, dict] | None = None
        self._bad_epochs = 0
        # The batch losses the optimizer saw this epoch (sum weighted by rows, rows): kept where
        # train mode differs from eval mode (dropout, batch norm), which only the torch backend runs.
        self._seen = [0.0, 0] if _train_mode_differs(self.project, self.backend_name) else None

    # -- settings that apply live ------------------------------------------------------------
    @property
    def training(self) -> TrainingSpec:
        return self.project.training

    def apply_live(self, training: TrainingSpec) -> bool:
        """Adopt new training settings without a reset; False if they need a rebuild."""
        old = self.training
        rebuild = (
            training.preset != old.preset
            or training.loss != old.loss
            or training.device != old.device
            or training.backend != old.backend
            or (training.preset == "playground" and training.batch_size != old.batch_size)
            # The playground's algorithm fixes its optimizer: a change goes through the rebuild's
            # checks (and fails there), instead of training on live and failing at the next reset.
            or (training.preset == "playground" and training.optimizer["name"] != old.optimizer["name"])
            # "auto" validation exists only while early stopping is on: toggling it re-splits the data.
            or (
                self.project.data.validation_fraction == "auto"
                and training.early_stopping["enabled"] != old.early_stopping["enabled"]
            )
        )
        if rebuild:
            return False
        if training.optimizer["name"] != old.optimizer["name"]:
            if not hasattr(self.backend, "set_optimizer"):
                return False
            self.hyper.optimizer = _own_params(training.optimizer)
            self.backend.set_optimizer(training.optimizer["name"], training.optimizer["lr"])
        self.project.training = training
        self.hyper.l1, self.hyper.l2 = training.l1, training.l2
        self.hyper.clip_mode, self.hyper.clip_max = training.grad_clip["mode"], training.grad_clip["max"]
        self.hyper.input_noise = training.input_noise
        self.hyper.optimizer = _own_params(training.optimizer)
        if self.status in TERMINAL and self.status != "diverged" and self.epoch < training.epochs:
            self.status = "ready"
        # While running, a smaller budget must not stop a run already past it; paused, it is the budget.
        self.target = max(self.target, training.epochs) if self.status == "running" else training.epochs
        return True

    # -- the loop ----------------------------------------------------------------------------
    def learning_rate(self) -> float:
        from engine.schedules import learning_rate

        schedule = self.training.schedule
        if schedule["name"] == "constant" and not schedule.get("warmup_epochs", 0.0):
            return self.training.optimizer["lr"]  # the common case, asked once per step: keep it cheap
        steps = max(self._steps_per_epoch(), 1)
        fraction = self.epoch + self._batches_in_epoch / steps
        return learning_rate(self.training.schedule, self.training.optimizer["lr"], fraction)

    def _batch_size(self) -> int:
        size = self.training.batch_size
        return self.n_train if size == "all" else min(int(size), self.n_train)

    def _steps_per_epoch(self) -> int:
        if self.training.preset == "playground":
            return max(self.n_train // self._batch_size(), 1)
        return math.ceil(self.n_train / self._batch_size())

    def _start_epoch(self) -> None:
        size = self._batch_size()
        if self.training.preset == "playground":
            # The playground walks one fixed order and carries leftovers into the next epoch.
            stream = np.concatenate([self._carry, self._fixed_order])
            full = len(stream) // size * size
            self._pending = [stream[i : i + size] for i in range(0, full, size)]
            self._carry = stream[full:]
        else:
            order = self._rng.permutation(self.n_train)
            self._pending = [order[i : i + size] for i in range(0, self.n_train, size)]
        self._batches_in_epoch = 0

    def step(self) -> float:
        """One optimizer update; finishes the epoch (evaluation, snapshot) when it was the last batch."""
        if self.status in TERMINAL:
            return float("nan")
        if not self._pending:
            self._start_epoch()
        start = time.perf_counter()
        idx = self._pending.pop(0)
        lr = self.learning_rate()
        loss = self.backend.train_batch(idx, lr, collect=not self._pending)
        self._batches_in_epoch += 1
        self.elapsed += time.perf_counter() - start
        if not math.isfinite(loss):
            self._diverge(loss, lr)
            return loss
        if self._seen is not None:
            self._seen[0] += loss * len(idx)
            self._seen[1] += len(idx)
        self.step_count += 1
        if not self._pending:
            self._finish_epoch(lr)
            if self.status == "running" and self.budget_spent:
                self.status = "completed"
        return loss

    def run_epoch(self) -> Snapshot:
        """Train until the current epoch ends (or a stop is requested); returns the latest snapshot."""
        if self.status in TERMINAL:
            return self.snapshot()
        self.status = "running"
        epoch = self.epoch
        if not self._pending and hasattr(self.backend, "compiled_epoch"):
            self._compiled_epoch()  # all but the epoch's last batch in one compiled call
        while self.epoch == epoch and self.status == "running" and not self._stop.is_set():
            self.step()  # the last batch (layer statistics, evaluation), or every batch off the kernel
        return self.snapshot()

    def _compiled_epoch(self) -> None:
        """Plan the epoch as _start_epoch does and train all its batches but the last through the
        backend's compiled epoch (the kernels train_batch takes one by one, so the same bits); the
        rest stays pending for step(): the last batch, and any the kernel did not take."""
        batches, last = self._plan_epoch()
        lrs = self._rates(len(batches))
        done = 0
        while done < len(batches) and not self._stop.is_set():
            start = time.perf_counter()
            chunk = slice(done, done + EPOCH_CALL_BATCHES)  # a stop request is seen between calls
            n = self.backend.compiled_epoch(batches[chunk], lrs[chunk])
            if n is None:
                break
            self.elapsed += time.perf_counter() - start
            done += n
            self._batches_in_epoch += n
            self.step_count += n
            if n < len(batches[chunk]):  # a loss that was not finite: step() takes that batch
                break
        self._pending = [*batches[done:], last]

    def _plan_epoch(self) -> tuple[np.ndarray, np.ndarray]:
        """_start_epoch's batches (drawing the same permutation) as one array of all but the last
        batch, one batch a row, and the last batch (which may be smaller)."""
        size, n = self._batch_size(), self.n_train
        self._batches_in_epoch = 0
        if self.training.preset == "playground":
            stream = np.concatenate([self._carry, self._fixed_order])
            full = len(stream) // size * size
            self._carry = stream[full:]
            order, count = stream[:full], full // size
        else:
            order, count = self._rng.permutation(n), -(-n // size)
        split = (count - 1) * size
        return order[:split].reshape(count - 1, size), order[split:]

    def _rates(self, count: int) -> np.ndarray:
        """The learning rate step() would ask for at each of the epoch's first `count` batches."""
        schedule = self.training.schedule
        if schedule["name"] == "constant" and not schedule.get("warmup_epochs", 0.0):
            return np.full(count, self.learning_rate())
        rates = np.empty(count)
        try:
            for j in range(count):
                self._batches_in_epoch = j
                rates[j] = self.learning_rate()
        finally:
            self._batches_in_epoch = 0
        return rates

    # -- epoch end: evaluation, early stopping, divergence -----------------------------------
    def _finish_epoch(self, lr: float) -> None:
        self.epoch += 1
        snap = self._evaluate(lr, self._seen_loss())
        state = self.backend.state_dict()  # the checkpoint a later divergence goes back to
        if not math.isfinite(snap.train_loss) or not self.backend.all_fit_float32():
            self._diverge(snap.train_loss, lr)
            return
        self._checkpoint = state
        self.last_snapshot = snap
        self.metrics.append(snap)
        self._early_stopping(snap)

    def _seen_loss(self) -> float | None:
        """The mean batch loss of the epoch just trained, as the optimizer saw it (train mode), and
        a fresh start for the next; None where it is not kept."""
        if self._seen is None or not self._seen[1]:
            return None
        loss = self._seen[0] / self._seen[1]
        self._seen = [0.0, 0]
        return loss

    def _evaluate(self, lr: float, seen: float | None = None) -> Snapshot:
        from engine.families.mlp.task import epoch_accuracy as accuracy

        train_loss, train_out = self.backend.evaluate("train")
        test_loss, test_out = (None, None)
        if len(self.dataset.x_test):
            test_loss, test_out = self.backend.evaluate("test")
        val_loss, val_out = (None, None)
        if len(self.dataset.y_val):
            val_loss, val_out = self.backend.evaluate("validation")
        metrics = {
            "train_loss": float(train_loss),
            "test_loss": None if test_loss is None else float(test_loss),
            "penalty": self.backend.penalty(),
            "train_accuracy": accuracy(self.head, train_out, self.dataset.y_train),
            "test_accuracy": None if test_out is None else accuracy(self.head, test_out, self.dataset.y_test),
            "val_loss": None if val_loss is None else float(val_loss),
            "val_accuracy": None if val_out is None else accuracy(self.head, val_out, self.dataset.y_val),
            "train_loss_seen": seen,
        }
        return Snapshot(
            epoch=self.epoch,
            step=self.step_count,
            metrics=metrics,
            lr=lr,
            elapsed=self.elapsed,
            layers=self.backend.layer_stats(),
            status=self.status,
        )

    def _early_stopping(self, snap: Snapshot) -> None:
        rule = self.training.early_stopping
        if not rule["enabled"]:
            return
        monitored = snap.val_loss  # never the test split: its figures must stay an honest estimate
        if monitored is None or not math.isfinite(monitored):
            return
        if self._best is None or monitored < self._best[0] - rule["min_delta"]:
            self._best = (monitored, self.epoch, self.backend.state_dict())
            self._bad_epochs = 0
            return
        self._bad_epochs += 1
        if self._bad_epochs >= rule["patience"]:
            best_loss, best_epoch, best_state = self._best
            restored = ""
            if rule["restore_best"]:
                self.backend.load_state_dict(best_state)
                restored = f"; restored the weights of epoch {best_epoch}"
                # The figures reported from now on describe the weights kept, not those discarded.
                self.last_snapshot = self._evaluate(snap.lr)
            self.status = "early_stopping"
            self.message = (
                f"early stopping at epoch {self.epoch}: the validation loss has not improved"
                + (f" by more than {rule['min_delta']:g}" if rule["min_delta"] > 0 else "")
                + f" for {rule['patience']} epochs (best {best_loss:.4g} at epoch {best_epoch})"
                f"{restored}"
            )

    def _diverge(self, value: float, lr: float) -> None:
        if not _finite_state(self.backend.state_dict()):
            self.backend.load_state_dict(self._checkpoint)
        self.status = "diverged"
        self.message = DIVERGED_HINT.format(value=value, epoch=self.epoch, step=self.step_count, lr=lr)
        self._pending = []

    def snapshot(self) -> Snapshot:
        """The latest epoch's metrics with the current status and message."""
        base = self.last_snapshot or self._evaluate(self.learning_rate())
        from dataclasses import replace

        return replace(base, status=self.status, message=self.message, elapsed=self.elapsed)

    def evaluate(self) -> Snapshot:
        """The metrics of the weights as they are now (e.g. a past epoch's, swapped in)."""
        return self._evaluate(self.learning_rate())

    # -- weights -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        return self.backend.state_dict()

    @property
    def epoch_state(self) -> dict[str, np.ndarray]:
        """The weights after the last finished epoch: a fresh copy each epoch that nothing changes
        afterwards (made anyway to check for divergence), so a history may keep it as it is."""
        return self._checkpoint

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        expected = self.backend.state_dict()
        for key, value in expected.items():
            if key not in state:
                raise SpecError("weights", f"missing tensor {key!r} for this network")
            if tuple(np.shape(state[key])) != value.shape:
                raise SpecError(
                    "weights",
                    f"{key} has shape {tuple(np.shape(state[key]))}, the network needs {value.shape}",
                )
        extra = sorted(set(state) - set(expected))
        if extra:
            raise SpecError("weights", f"tensors not in this network: {', '.join(extra[:5])}")
        self.backend.load_state_dict(state)
        self._checkpoint = self.backend.state_dict()

    def torch_network(self):
        """The torch Network holding the current weights (the numpy fast path copies its state in)."""
        import torch

        if self.network is None:  # the NumPy fast path starts without torch (engine/nn/numpy_init.py)
            from engine.families.mlp.build import torch_twin

            with torch.random.fork_rng(devices=[]):  # drawing it leaves torch's own stream as it was
                self.network = torch_twin(self.project, self.preprocessor, self.head)
        own = self.network.state_dict()
        state = self.backend.state_dict()
        self.network.load_state_dict(
            {k: torch.as_tensor(np.asarray(state[k])).to(v.dtype) for k, v in own.items()}
        )
        return self.network


def build_trainer(project: Project, dataset=None):
    """The trainer of `project`'s model family (this module's Trainer for `mlp`)."""
    return FAMILIES[project.model.family].trainer_class()(project, dataset)


TRAIN_MODE_LAYERS = ("dropout", "batchnorm")  # layers that act otherwise in train mode than in eval


def _train_mode_differs(project: Project, backend_name: str) -> bool:
    """Whether the loss the optimizer sees (train mode) means something else than the eval-mode
    loss: a dropout or batch-norm layer, which only the torch backend runs (the fast path's dense
    stacks train and evaluate alike, and its compiled batches skip step())."""
    return backend_name == "torch" and any(
        layer.get("type") in TRAIN_MODE_LAYERS for layer in project.network.layers
    )


def _own_params(optimizer: dict) -> dict:
    return {k: v for k, v in optimizer.items() if k not in ("name", "lr")}


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _finite_state(state: dict[str, np.ndarray]) -> bool:
    """Every float is finite and fits float32 (the fast path computes in float64; exports are float32)."""
    # One pass per array: the largest magnitude is NaN if any value is, and NaN <= x is False.
    return all(v.size == 0 or np.abs(v).max() <= FLOAT32_MAX for v in state.values() if v.dtype.kind == "f")


__all__ = ["Hyper", "Trainer", "TERMINAL", "build_trainer"]
