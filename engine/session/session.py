"""A training session driven by commands: the loop behind the window, run in its own process.

Why a process: on a 2-core machine a training thread and the window share one interpreter lock.
Measured here, the window's paint code then waited for the lock on every Qt call (seconds of
event-loop lag, ~3 frames/s). In a child process training and painting truly run side by side.

The window sends commands (`load`, `train_settings`, `play`, `pause`, `step`, `speed`,
`epoch_budget`, `export`, `consumed`, `shutdown`) and receives events: `rebuilt` (RunInfo) when a new Trainer exists,
`build_failed` (key path, reason) when none could be built (nothing can train until the project
changes), `failed` (key path, reason) for trouble that leaves the run as it is, and
`frame` (Frame) at most FRAME_RATE times a second with every epoch finished since the previous
frame, the latest snapshot and the network's response on the view grid (for a small fast-path
network, its parameters, which the receiver draws over RunInfo.grid). Training speed does not
depend on the frame rate: between frames the session keeps stepping. Qt-free and synchronous, so
tests can drive a Session directly.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.errors import SpecError

FRAME_RATE = 30.0  # frames per second sent to the window, however fast training runs
SLICE_SECONDS = 0.02  # train this long between looks at the command queue
# Within a slice, a waiting command is looked for at most this often: asking before every batch
# (a system call, ~1 us) cost 2.7% of the spiral's speed, at ~11,000 batches a second.
COMMAND_CHECK_SECONDS = 0.001
GRID_RESOLUTION = 100  # the playground's density for the decision map
PROBE_SHARE = 0.1  # at most this share of the session's time goes to drawing frames, not training
UNITS_PERIOD = 0.25  # seconds between frames that carry every unit's map (the network view's pace)
# While training, the weights go to the window this often (and at every pause, step and end), so
# a training process that dies can be replaced from where it was, not from epoch 0.
CHECKPOINT_SECONDS = 2.0
EXPORT_POLL_SECONDS = 0.1  # how often an export under way is looked at while nothing else happens


@dataclass(frozen=True)
class RunInfo:
    """What the views need to know about a freshly built run."""

    generation: int
    dataset: Any
    head: Any
    layer_infos: tuple
    backend: str
    device: str
    epochs: int
    grid: Any = None  # engine.probes.GridInputs: the points every probe of this run is drawn over


@dataclass(frozen=True)
class Checkpoint:
    """The weights of run `generation` after `epoch` epochs: what a new session resumes from."""

    generation: int
    epoch: int
    state: dict


@dataclass(frozen=True)
class Frame:
    """One repaint's worth of news from the training session."""

    generation: int
    snapshots: tuple  # every Snapshot finished since the previous frame, oldest first
    latest: Any  # the current Snapshot (status and message included)
    # GridProbe over the input plane; a DenseProbe (the network's parameters) for the receiver to
    # compute over RunInfo.grid; or None for data without a 2-D view
    probe: Any
    epochs_per_second: float
    running: bool
    status: str
    message: str = ""
    command_id: int = 0  # the last play/pause/step command applied: older frames cannot override newer clicks


class Session:
    """Owns one Trainer at a time; `handle` applies a command, `tick` trains one slice."""

    def __init__(self, send: Callable[[str, Any], None]):
        self._send = send
        self.trainer = None
        self._grid = None  # the current run's GridInputs
        self.generation = 0
        self.running = False
        self._target = 0
        # Whether a run stops after training.epochs (Play then adds as many again). The window turns
        # it off ("epoch_budget" False): training runs until paused, early stopping or divergence.
        self.epoch_budget = True
        self._eps_limit = 0.0  # epochs per second; 0 = as fast as possible
        self._pace_start = (0.0, 0)  # (time, epoch) when the current pace began
        self._pending: list = []
        self._next_frame = 0.0  # when the next frame is due (perf_counter seconds)
        self._frame_step = -1  # the trainer's step count when the last frame was made
        self._frame_in_flight = False  # back-pressure: one frame at a time until the window says "consumed"
        self._rate_mark = (time.perf_counter(), 0)
        self._rate = 0.0
        self._frame_cost = 0.0  # seconds a frame takes to compute (a moving average)
        self._units_sent = 0.0  # when the last frame with unit maps was sent
        self._checkpoint_sent = 0.0  # when the weights last went to the window
        self._exports: list = []  # engine.export.job.ExportJob under way
        self.command_id = 0

    def _frame_period(self) -> float:
        """Seconds between frames: FRAME_RATE, slowed down when frames are costly (a big network)."""
        return max(1.0 / FRAME_RATE, self._frame_cost / PROBE_SHARE)

    # -- commands -------------------------------------------------------------------------------
    def handle(self, command: str, arg: Any = None) -> bool:
        """Apply one command; False means the session should end."""
        if command in ("play", "pause", "step") and isinstance(arg, int):
            self.command_id = arg
        if command == "shutdown":
            # Exports under way are left to finish: each is a process of its own, and the file the
            # user asked for is still written after the window has closed.
            self.running, self.trainer = False, None
            return False
        handler = {
            "load": self.load,
            "train_settings": self.apply_training,
            "play": lambda _: self.play(),
            "pause": lambda _: self.pause(),
            "step": lambda _: self.step_epoch(),
            "speed": self.set_speed,
            "epoch_budget": self.set_epoch_budget,
            "export": lambda a: self.export(*a),
            "restore": lambda a: self.restore(*a),
            "consumed": lambda _: self._consumed(),
        }.get(command)
        if handler is None:
            self._send("failed", ("", f"unknown command {command!r}"))
        else:
            handler(arg)
        return True

    def load(self, project) -> None:
        """Build a fresh Trainer for `project` (re-initialised weights); paused afterwards."""
        from engine.train import Trainer

        self.running = False
        self.generation += 1
        self._frame_in_flight = False
        self._grid = None
        try:
            trainer = Trainer(project)
        except SpecError as exc:
            self.trainer = None
            self._send("build_failed", (exc.path, exc.reason))
            return
        except Exception as exc:  # noqa: BLE001 - anything else must reach the window, not end the session
            self.trainer = None
            self._send("build_failed", ("", describe(exc)))
            return
        from engine.probes import grid_inputs

        self.trainer = trainer
        try:
            self._grid = grid_inputs(trainer, GRID_RESOLUTION)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop training
            self._grid = None
            self._send("failed", ("", f"could not draw the network's output: {describe(exc)}"))
        self._target = trainer.training.epochs
        self._pending = []
        self._rate, self._rate_mark = 0.0, (time.perf_counter(), 0)
        info = RunInfo(
            generation=self.generation,
            dataset=trainer.dataset,
            head=trainer.head,
            layer_infos=tuple(trainer.layer_infos),
            backend=trainer.backend_name,
            device=str(trainer.device),
            epochs=trainer.training.epochs,
            grid=self._grid,
        )
        self._send("rebuilt", info)
        self.emit_frame()

    def apply_training(self, project) -> None:
        """New training settings: applied live when the engine can, else the run is rebuilt."""
        trainer = self.trainer
        if trainer is None or not trainer.apply_live(project.copy().training):
            self.load(project)
            return
        epochs = trainer.training.epochs
        self._target = max(self._target, epochs) if self.running else epochs
        self.emit_frame()

    def play(self) -> None:
        trainer = self.trainer
        if trainer is None or self.running:
            return
        if trainer.status == "diverged":
            self.emit_frame()  # the window already shows why; a reset is needed
            return
        if trainer.epoch >= self._target or trainer.status in ("completed", "early_stopping"):
            # Like the playground, play after the end keeps going: another `epochs` epochs.
            self._target = trainer.epoch + trainer.training.epochs
            trainer.status = "ready"
        self.running = True
        now = time.perf_counter()
        self._pace_start = (now, trainer.epoch)
        self._rate_mark = (now, trainer.epoch)
        self.emit_frame()

    def pause(self) -> None:
        if self.running:
            self.running = False
            if self.trainer is not None and self.trainer.status == "running":
                self.trainer.status = "paused"
            self.emit_frame()

    def step_epoch(self) -> None:
        """Train exactly one epoch (pausing first), then show it."""
        trainer = self.trainer
        if trainer is None:
            return
        self.running = False
        if trainer.status != "diverged":
            if trainer.status in ("completed", "early_stopping"):
                trainer.status = "ready"
            epoch = trainer.epoch
            try:
                while trainer.epoch == epoch and trainer.status != "diverged":
                    trainer.step()
            except Exception as exc:  # noqa: BLE001
                self._send("failed", ("", describe(exc)))
            self._collect()
            if trainer.status not in ("diverged", "early_stopping"):
                trainer.status = "paused"
        self._frame_in_flight = False  # a deliberate step is always shown
        self.emit_frame()

    def set_epoch_budget(self, on: bool) -> None:
        self.epoch_budget = bool(on)
        trainer = self.trainer
        if self.epoch_budget and trainer is not None and trainer.epoch >= self._target:
            self._target = trainer.epoch + trainer.training.epochs  # past the old stop: a budget from here

    def _budget_spent(self) -> bool:
        return self.epoch_budget and self.trainer.epoch >= self._target

    def set_speed(self, epochs_per_second: float) -> None:
        self._eps_limit = max(0.0, float(epochs_per_second))
        if self.trainer is not None:
            self._pace_start = (time.perf_counter(), self.trainer.epoch)

    def export(self, fmt: str, path: str) -> None:
        """Write the current weights in `fmt`, in a process of its own (engine/export/job.py):
        an exporter that crashes or aborts must not take training with it."""
        from engine.export.job import ExportJob

        if self.trainer is None:
            self._send("exported", ("", "nothing to export: the network could not be built"))
            return
        try:
            self._exports.append(ExportJob(self.trainer, fmt, path))
        except Exception as exc:  # noqa: BLE001 - e.g. no room for the job's temporary file
            self._send("exported", ("", f"{fmt} export failed: {describe(exc)}"))

    def poll_exports(self) -> None:
        """Report each export that has ended since the last look."""
        for job in list(self._exports):
            result = job.poll()
            if result is not None:
                self._exports.remove(job)
                self._send("exported", result)

    def restore(self, epoch: int, state: dict) -> None:
        """Continue from weights the window kept (a new session replacing one that died)."""
        trainer = self.trainer
        if trainer is None:
            return
        try:
            trainer.load_state_dict(state)
        except SpecError as exc:
            self._send("failed", (exc.path, f"could not resume from the last state: {exc.reason}"))
            return
        trainer.epoch = int(epoch)
        trainer.last_snapshot = None  # the next snapshot is measured on the restored weights
        self._frame_in_flight = False
        self.emit_frame()

    def _consumed(self) -> None:
        self._frame_in_flight = False

    # -- the loop -------------------------------------------------------------------------------
    def wait_seconds(self) -> float | None:
        """How long the caller may block waiting for a command: None = until one comes."""
        if not self.running:
            return EXPORT_POLL_SECONDS if self._exports else None
        now = time.perf_counter()
        allowed = self._allowed_epoch(now)
        if allowed is not None and self.trainer is not None and self.trainer.epoch >= allowed:
            t0, e0 = self._pace_start
            due = t0 + (allowed - e0) / self._eps_limit
            if self._frame_wanted():  # a finished epoch must not wait for the next one to be shown
                due = min(due, self._next_frame)
            if self._exports:
                due = min(due, now + EXPORT_POLL_SECONDS)
            return max(0.0, due - now)
        return 0.0

    def _frame_wanted(self) -> bool:
        """The window is ready for a frame and there is news: finished epochs, or steps taken
        since the last frame (an epoch of a big dataset takes many frames' time)."""
        if self._frame_in_flight or self.trainer is None:
            return False
        return bool(self._pending) or self.trainer.step_count != self._frame_step

    def _allowed_epoch(self, now: float) -> int | None:
        if self._eps_limit <= 0:
            return None
        t0, e0 = self._pace_start
        return e0 + 1 + int((now - t0) * self._eps_limit)

    def tick(self, interrupted: Callable[[], bool] | None = None) -> None:
        """Train for up to SLICE_SECONDS (or until the pace allows no more), sending frames as due.

        The slice also ends when a frame falls due or, with `interrupted` (e.g. a pipe's poll),
        as soon as a command waits: frames then leave on time and clicks apply within an epoch.
        """
        trainer = self.trainer
        if trainer is None or not self.running:
            self.running = False
            return
        start = time.perf_counter()
        allowed = self._allowed_epoch(start)
        next_check = start  # a command already waiting ends the slice before any batch
        try:
            while (now := time.perf_counter()) - start < SLICE_SECONDS:
                if now >= self._next_frame and self._frame_wanted():
                    break
                if interrupted is not None and now >= next_check:
                    if interrupted():
                        break
                    next_check = now + COMMAND_CHECK_SECONDS
                if self._budget_spent() or trainer.status in ("diverged", "early_stopping"):
                    break
                if allowed is not None and trainer.epoch >= allowed:
                    break
                trainer.status = "running"
                epoch = trainer.epoch
                trainer.step()
                if trainer.epoch != epoch:
                    self._collect()
        except Exception as exc:  # noqa: BLE001 - e.g. CUDA out of memory: pause and say so
            self.running = False
            trainer.status = "paused"
            self._send("failed", ("", describe(exc)))
            self._frame_in_flight = False
            self.emit_frame()
            return
        if self._budget_spent() or trainer.status in ("diverged", "early_stopping"):
            if trainer.status == "running":
                trainer.status = "completed"
            self.running = False
            self._frame_in_flight = False  # the final state is always shown
            self.emit_frame()
        elif time.perf_counter() >= self._next_frame and self._frame_wanted():
            self.emit_frame()

    def _collect(self) -> None:
        snap = self.trainer.last_snapshot
        if snap is not None and (not self._pending or self._pending[-1].epoch != snap.epoch):
            self._pending.append(snap)

    def emit_frame(self) -> None:
        from engine.probes import dense_probe, probe_grid

        trainer = self.trainer
        if trainer is None:
            return
        now = time.perf_counter()
        mark_time, mark_epoch = self._rate_mark
        if now - mark_time >= 0.5:
            measured = (trainer.epoch - mark_epoch) / (now - mark_time)
            self._rate = measured if self.running else 0.0
            self._rate_mark = (now, trainer.epoch)
        # Unit maps are most of a frame's cost; while training they come at the network view's pace.
        with_units = not self.running or now - self._units_sent >= UNITS_PERIOD
        if with_units:
            self._units_sent = now
        try:
            # A small fast-path network goes as its parameters: the window's relay thread draws
            # it, and the ~1 ms probe (3% of training at 30 frames a second) leaves this process.
            probe = dense_probe(trainer) if self._grid is not None else None
            if probe is None:
                probe = probe_grid(trainer, self._grid, units=with_units)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop training
            probe = None
            self._send("failed", ("", f"could not draw the network's output: {describe(exc)}"))
        snapshots, self._pending = tuple(self._pending), []
        self._frame_step = trainer.step_count
        # Due times advance by whole periods, so frames average FRAME_RATE even when some leave a
        # little late (the window still drawing the previous one): the next is then due sooner,
        # and back-pressure keeps it from leaving before the window has taken this one. After a
        # stall of a whole period the schedule restarts from now instead of catching up. Frames
        # sent on demand (a click, a live setting) leave the schedule alone, so a burst of edits
        # cannot push the next frames back.
        if now >= self._next_frame:
            self._next_frame = max(self._next_frame + self._frame_period(), now)
        self._frame_in_flight = True
        frame = Frame(
            generation=self.generation,
            snapshots=snapshots,
            latest=trainer.snapshot(),
            probe=probe,
            epochs_per_second=self._rate,
            running=self.running,
            status=trainer.status,
            message=trainer.message,
            command_id=self.command_id,
        )
        self._send("frame", frame)
        if not self.running or now - self._checkpoint_sent >= CHECKPOINT_SECONDS:
            self._checkpoint_sent = now
            self._send("checkpoint", Checkpoint(self.generation, trainer.epoch, trainer.state_dict()))
        if not with_units:  # unit maps come at their own pace; the output-only frame sets the rate
            # Averaged: one frame slowed by the machine must not stretch the period for all.
            cost = time.perf_counter() - now
            self._frame_cost = cost if self._frame_cost == 0.0 else 0.8 * self._frame_cost + 0.2 * cost


def describe(exc: BaseException) -> str:
    """One line for the status bar; the traceback goes to stderr for bug reports."""
    traceback.print_exception(exc)
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
