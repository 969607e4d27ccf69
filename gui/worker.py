"""The training thread: one engine Trainer driven in short slices from a QThread's event loop.

The window never touches the Trainer. It sends commands (queued signals into this worker's
thread) and receives two kinds of messages: `rebuilt` when a new Trainer exists, and `frameReady`
at most FRAME_RATE times a second with every epoch finished since the previous frame, the latest
snapshot and the network's response on the view grid. Training speed is thereby independent of
the frame rate: between frames the worker simply keeps stepping.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from engine.errors import SpecError
from engine.spec import Project

FRAME_RATE = 30.0  # frames per second sent to the window, however fast training runs
SLICE_SECONDS = 0.02  # train this long per event-loop turn, so commands are answered within ~20 ms
GRID_RESOLUTION = 100  # the playground's density for the decision map


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


@dataclass(frozen=True)
class Frame:
    """One repaint's worth of news from the training thread."""

    generation: int
    snapshots: tuple  # every Snapshot finished since the previous frame, oldest first
    latest: Any  # the current Snapshot (status and message included)
    probe: Any  # GridProbe over the input plane, or None for data without a 2-D view
    epochs_per_second: float
    running: bool
    status: str
    message: str = ""


class TrainingWorker(QObject):
    """Lives in its own QThread; every slot runs there."""

    rebuilt = Signal(object)  # RunInfo
    frameReady = Signal(object)  # Frame
    failed = Signal(str, str)  # key path (may be ""), reason: the project could not be built or trained
    exported = Signal(str, str)  # what was written, error ("" when it worked)

    def __init__(self) -> None:
        super().__init__()
        self._trainer = None
        self._generation = 0
        self._running = False
        self._target = 0
        self._eps_limit = 0.0  # epochs per second; 0 = as fast as possible
        self._pace_start = (0.0, 0)  # (time, epoch) when the current pace began
        self._pending: list = []
        self._last_frame = 0.0
        self._rate_mark = (time.perf_counter(), 0)
        self._rate = 0.0
        self._timer = QTimer(self)  # a child: it moves to the worker's thread with its parent
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    # -- commands (slots, run in the worker thread) -------------------------------------------
    @Slot(object)
    def load(self, project: Project) -> None:
        """Build a fresh Trainer for `project` (re-initialised weights); paused afterwards."""
        from engine.train import Trainer

        self._stop_running()
        self._generation += 1
        try:
            trainer = Trainer(project)
        except SpecError as exc:
            self._trainer = None
            self.failed.emit(exc.path, exc.reason)
            return
        except Exception as exc:  # noqa: BLE001 - anything else must reach the window, not kill the thread
            self._trainer = None
            self.failed.emit("", _describe(exc))
            return
        self._trainer = trainer
        self._target = trainer.training.epochs
        self._pending = []
        self._rate, self._rate_mark = 0.0, (time.perf_counter(), 0)
        self.rebuilt.emit(
            RunInfo(
                generation=self._generation,
                dataset=trainer.dataset,
                head=trainer.head,
                layer_infos=tuple(trainer.layer_infos),
                backend=trainer.backend_name,
                device=str(trainer.device),
                epochs=trainer.training.epochs,
            )
        )
        self._emit_frame()

    @Slot(object)
    def apply_training(self, project: Project) -> None:
        """New training settings: applied live when the engine can, else the run is rebuilt."""
        trainer = self._trainer
        if trainer is None:
            self.load(project)
            return
        if trainer.apply_live(project.copy().training):
            self._target = (
                max(self._target, trainer.training.epochs) if self._running else trainer.training.epochs
            )
            self._emit_frame()
        else:
            self.load(project)

    @Slot()
    def play(self) -> None:
        trainer = self._trainer
        if trainer is None or self._running:
            return
        if trainer.status == "diverged":
            self._emit_frame()  # the window already shows why; a reset is needed
            return
        if trainer.epoch >= self._target or trainer.status in ("completed", "early_stopping"):
            # Like the playground, play after the end keeps going: another `epochs` epochs.
            self._target = trainer.epoch + trainer.training.epochs
            trainer.status = "ready"
        self._running = True
        self._pace_start = (time.perf_counter(), trainer.epoch)
        self._rate_mark = (time.perf_counter(), trainer.epoch)
        self._timer.start(0)
        self._emit_frame()

    @Slot()
    def pause(self) -> None:
        if self._running:
            self._stop_running()
            if self._trainer is not None and self._trainer.status == "running":
                self._trainer.status = "paused"
            self._emit_frame()

    @Slot()
    def step_epoch(self) -> None:
        """Train exactly one epoch (pausing first), then show it."""
        trainer = self._trainer
        if trainer is None:
            return
        self._stop_running()
        if trainer.status == "diverged":
            self._emit_frame()
            return
        if trainer.status in ("completed", "early_stopping"):
            trainer.status = "ready"
        epoch = trainer.epoch
        try:
            while trainer.epoch == epoch and trainer.status != "diverged":
                trainer.step()
        except Exception as exc:  # noqa: BLE001
            self.failed.emit("", _describe(exc))
        self._collect()
        if trainer.status not in ("diverged", "early_stopping"):
            trainer.status = "paused"
        self._emit_frame()

    @Slot(float)
    def set_speed(self, epochs_per_second: float) -> None:
        self._eps_limit = max(0.0, float(epochs_per_second))
        if self._trainer is not None:
            self._pace_start = (time.perf_counter(), self._trainer.epoch)

    @Slot(str, str)
    def export(self, fmt: str, path: str) -> None:
        """Write the current weights in `fmt` (engine.export); runs between two training slices."""
        from engine.export import WRITERS

        if self._trainer is None:
            self.exported.emit("", "nothing to export: the network could not be built")
            return
        try:
            if fmt == "script":
                from engine.export_script import check_supported

                check_supported(self._trainer)
            written = WRITERS[fmt](self._trainer, path)
        except SpecError as exc:
            self.exported.emit("", str(exc))
        except Exception as exc:  # noqa: BLE001 - e.g. an exporter that cannot handle this network
            self.exported.emit("", f"{fmt} export failed: {_describe(exc)}")
        else:
            self.exported.emit(str(written), "")

    @Slot()
    def shutdown(self) -> None:
        self._stop_running()
        self._trainer = None

    # -- the loop --------------------------------------------------------------------------------
    def _stop_running(self) -> None:
        self._running = False
        self._timer.stop()

    def _allowed_epoch(self, now: float) -> int | None:
        if self._eps_limit <= 0:
            return None
        t0, e0 = self._pace_start
        return e0 + 1 + int((now - t0) * self._eps_limit)

    def _tick(self) -> None:
        trainer = self._trainer
        if trainer is None or not self._running:
            self._stop_running()
            return
        start = time.perf_counter()
        allowed = self._allowed_epoch(start)
        try:
            while time.perf_counter() - start < SLICE_SECONDS:
                if trainer.epoch >= self._target or trainer.status in ("diverged", "early_stopping"):
                    break
                if allowed is not None and trainer.epoch >= allowed:
                    break
                trainer.status = "running"
                epoch = trainer.epoch
                trainer.step()
                if trainer.epoch != epoch:
                    self._collect()
        except Exception as exc:  # noqa: BLE001 - e.g. CUDA out of memory: pause and say so
            self._stop_running()
            trainer.status = "paused"
            self.failed.emit("", _describe(exc))
            self._emit_frame()
            return
        finished = trainer.epoch >= self._target or trainer.status in ("diverged", "early_stopping")
        if finished:
            if trainer.status == "running":
                trainer.status = "completed"
            self._stop_running()
            self._emit_frame()
            return
        now = time.perf_counter()
        if now - self._last_frame >= 1.0 / FRAME_RATE:
            self._emit_frame()
        if allowed is not None and trainer.epoch >= allowed:
            # Waiting for the pace: sleep in the event loop until the next epoch is due.
            wait = (allowed - self._pace_start[1]) / self._eps_limit - (now - self._pace_start[0])
            self._timer.start(max(1, int(wait * 1000)))
        else:
            self._timer.start(0)

    def _collect(self) -> None:
        snap = self._trainer.last_snapshot
        if snap is not None and (not self._pending or self._pending[-1].epoch != snap.epoch):
            self._pending.append(snap)

    def _emit_frame(self) -> None:
        from engine.probes import probe_grid

        trainer = self._trainer
        if trainer is None:
            return
        now = time.perf_counter()
        mark_time, mark_epoch = self._rate_mark
        if now - mark_time >= 0.5:
            measured = (trainer.epoch - mark_epoch) / (now - mark_time)
            self._rate = measured if self._running else 0.0
            self._rate_mark = (now, trainer.epoch)
        try:
            probe = probe_grid(trainer, GRID_RESOLUTION)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop training
            probe = None
            self.failed.emit("", f"could not draw the network's output: {_describe(exc)}")
        latest = trainer.snapshot()
        snapshots, self._pending = tuple(self._pending), []
        self._last_frame = now
        self.frameReady.emit(
            Frame(
                generation=self._generation,
                snapshots=snapshots,
                latest=latest,
                probe=probe,
                epochs_per_second=self._rate,
                running=self._running,
                status=trainer.status,
                message=trainer.message,
            )
        )


def _describe(exc: BaseException) -> str:
    """One line for the status bar; the traceback goes to stderr for bug reports."""
    traceback.print_exception(exc)
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


class TrainingThread(QObject):
    """Owns the QThread and the worker; the window talks to the worker only through these signals."""

    loadRequested = Signal(object)
    trainingChanged = Signal(object)
    playRequested = Signal()
    pauseRequested = Signal()
    stepRequested = Signal()
    speedChanged = Signal(float)
    shutdownRequested = Signal()
    exportRequested = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("layerlabTraining")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(_one_torch_thread)
        self.loadRequested.connect(self.worker.load)
        self.trainingChanged.connect(self.worker.apply_training)
        self.playRequested.connect(self.worker.play)
        self.pauseRequested.connect(self.worker.pause)
        self.stepRequested.connect(self.worker.step_epoch)
        self.speedChanged.connect(self.worker.set_speed)
        self.shutdownRequested.connect(self.worker.shutdown)
        self.exportRequested.connect(self.worker.export)
        self.thread.start()

    def stop(self, timeout_ms: int = 3000) -> bool:
        """Stop training and join the thread; True when it has ended."""
        if not self.thread.isRunning():
            return True
        trainer = self.worker._trainer
        if trainer is not None:
            trainer.request_stop()
        self.shutdownRequested.emit()
        self.thread.quit()
        return self.thread.wait(timeout_ms)


def _one_torch_thread() -> None:
    # On 2 cores an intra-op thread pool in the worker would starve the window's event loop.
    import torch

    torch.set_num_threads(1)
