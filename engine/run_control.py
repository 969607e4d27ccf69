"""How every family's trainer is driven: play, pause, step an epoch, an epoch budget, stop requests.

A trainer owns its status: ready -> running (play) -> paused (pause, or a stop request) ->
completed (the epoch budget reached), early_stopping or diverged. Whoever drives it (the CLI, the
window's session, a race) asks it to play, pause or step and reads the status back. A family's
trainer (engine/train.py's for `mlp`, engine/families/*/trainer.py) subclasses this and gives
`step()` (one update, closing the epoch after its last), `snapshot()`, `state_dict()`, `project`,
`metrics` and `training` (its TrainingSpec); `run_epoch()` may be its own (the mlp's compiled one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

TERMINAL = ("completed", "early_stopping", "diverged")


def check_fits(expected: dict[str, np.ndarray], state: dict, what: str) -> None:
    """SpecError (path "weights") unless `state` holds exactly `expected`'s tensors, shape for shape."""
    from engine.errors import SpecError

    for key, value in expected.items():
        if key not in state:
            raise SpecError("weights", f"missing tensor {key!r} for {what}")
        if tuple(np.shape(state[key])) != tuple(np.shape(value)):
            raise SpecError(
                "weights", f"{key} has shape {tuple(np.shape(state[key]))}, needs {tuple(np.shape(value))}"
            )
    extra = sorted(set(state) - set(expected))
    if extra:
        raise SpecError("weights", f"tensors not in {what}: {', '.join(extra[:5])}")


def use_foreach(optimizer) -> None:
    """Run a torch `optimizer` on torch's foreach kernels: one call per operation over all the
    parameters instead of a Python loop over them (on the CPU torch picks the loop by default).
    The same numbers bit for bit (tests/engine/test_family_speed.py checks every optimizer of the
    catalog); for the digits autoencoder's 8 small tensors an Adam update takes ~25% less time. A
    resumed run keeps it (the project's group settings win over the file's, engine/family_state.py)."""
    for group in optimizer.param_groups:
        group["foreach"] = True


def drop_grads(parameters) -> None:
    """optimizer.zero_grad(set_to_none=True) for these parameters (their optimizer's own), without
    its profiler scope and walk over the parameter groups: ~15 us less per update."""
    for parameter in parameters:
        parameter.grad = None


class RunControl:
    """Status, epoch budget and stop flag of one run; subclasses train."""

    def _init_control(self, epochs: int) -> None:
        self.epoch = 0
        self.step_count = 0
        self.elapsed = 0.0
        self.status = "ready"
        self.message = ""
        # Training stops by itself ("completed") at `target` epochs while `budget` is on; the
        # window turns the budget off to train until paused. Play after the end adds another
        # training.epochs, as the playground does.
        self.target = epochs
        self.budget = True
        self._stop = threading.Event()

    # -- what subclasses give ------------------------------------------------------------------
    def step(self) -> float:
        raise NotImplementedError

    def run_epoch(self):
        """Train until the current epoch ends (or a stop is requested); returns the latest snapshot."""
        if self.status in TERMINAL:
            return self.snapshot()
        self.status = "running"
        epoch = self.epoch
        while self.epoch == epoch and self.status == "running" and not self._stop.is_set():
            self.step()
        return self.snapshot()

    def snapshot(self):
        raise NotImplementedError

    def _take_training(self, training) -> None:
        """New training settings applied live: a completed run with epochs left may go on, and
        the budget is the new one (a running run is never stopped by a smaller one)."""
        self.project.training = training
        if self.status == "completed" and self.epoch < training.epochs:
            self.status = "ready"
        self.target = max(self.target, training.epochs) if self.status == "running" else training.epochs

    def _close_epoch(self, snapshot) -> None:
        """An epoch has ended with `snapshot`: keep it, its weights (the checkpoint a divergence
        goes back to) and its row of the metrics log; complete the run when its budget is spent."""
        self.last_snapshot = snapshot
        self._checkpoint = self.state_dict()
        self.metrics.append(snapshot)
        if self.status == "running" and self.budget_spent:
            self.status = "completed"

    # -- status: play, pause, step, budget -----------------------------------------------------
    def play(self) -> bool:
        """Start or continue training; after the end, train another training.epochs. False when
        the run diverged (a rebuild is needed)."""
        if self.status == "diverged":
            return False
        if self.status in ("completed", "early_stopping") or self.budget_spent:
            self.target = self.epoch + self.training.epochs
        self.status = "running"
        return True

    def pause(self) -> None:
        if self.status == "running":
            self.status = "paused"

    def step_epoch(self) -> None:
        """Train exactly one epoch from a pause (or the end), then stay paused."""
        if self.status == "diverged":
            return
        self.status = "ready"
        epoch = self.epoch
        try:
            while self.epoch == epoch and self.status not in ("diverged", "early_stopping"):
                self.step()
        finally:
            if self.status not in ("diverged", "early_stopping"):
                self.status = "paused"

    def set_budget(self, on: bool) -> None:
        """Stop by itself at the target (on) or train until paused (off)."""
        self.budget = bool(on)
        if self.budget and self.epoch >= self.target:
            self.target = self.epoch + self.training.epochs  # past the old stop: a budget from here

    @property
    def budget_spent(self) -> bool:
        return self.budget and self.epoch >= self.target

    def request_stop(self) -> None:
        """Ask a running run()/run_epoch() to return after the current step."""
        self._stop.set()

    def run(self, epochs: int | None = None, on_snapshot: Callable | None = None):
        """Train until `epochs` total epochs (default: the project's), a stop request, or a terminal state."""
        self.target = self.training.epochs if epochs is None else epochs
        self.budget = True
        self._stop.clear()
        if self.status == "completed" and self.epoch < self.target:
            self.status = "ready"  # a later, larger target resumes a completed run
        while self.epoch < self.target and self.status not in TERMINAL and not self._stop.is_set():
            snapshot = self.run_epoch()
            if on_snapshot is not None:
                on_snapshot(snapshot)
        if self.status == "running":  # stopped by a request (a target reached completes in step())
            self.status = "completed" if self.epoch >= self.target else "paused"
        self._stop.clear()
        return self.snapshot()
