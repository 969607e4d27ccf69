"""The window's side of training: a child process runs engine.session.session; a QThread relays its events.

Commands go straight down a pipe from the GUI thread. A FrameRelay (QObject) in a QThread
blocks on the other pipe and re-emits each event as a Qt signal, which Qt queues to the GUI
thread. The window therefore never waits for training, and training never waits for painting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.probes import DenseProbe, ProbeDrawer
from engine.session.errors import describe
from engine.session.frames import Frame, RunFrame, RunInfo
from engine.session.process import run_child
from gui.threads import new_thread

__all__ = ["Frame", "RunInfo", "SessionClient", "FrameRelay", "start_session_early"]

# "spawn": a fork of a process that already runs Qt threads is not safe.
_CONTEXT = multiprocessing.get_context("spawn")


EVENT_PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process


def _widen_pipe(connection) -> None:
    """Let a frame with every unit's map (~0.8 MB) fit in the pipe at once.

    With the default 64 KB the session's write waited, chunk by chunk, for the relay thread, which
    in turn waited for the window's painting to let go of the interpreter lock (measured: 3.9 ms
    per such frame). Where the pipe cannot be widened (not Linux, a lower limit) nothing changes.
    """
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, EVENT_PIPE_BYTES)
    except (ImportError, AttributeError, OSError, ValueError):
        pass  # Windows has no fcntl; older kernels or a lowered limit refuse the size


class SessionProcess:
    """The training session's process, started, and the window's ends of its two pipes."""

    def __init__(self) -> None:
        commands_out, self.commands = _CONTEXT.Pipe(duplex=False)
        self.events, events_in = _CONTEXT.Pipe(duplex=False)
        _widen_pipe(events_in)
        self.process = _CONTEXT.Process(
            target=run_child, args=(commands_out, events_in), name="layerlab-training", daemon=True
        )
        self.process.start()
        commands_out.close()  # the child holds its own copies now
        events_in.close()


_early_session: SessionProcess | None = None


def start_session_early() -> None:
    """Start the session process now, before the window's own imports and build.

    The process spends ~5 s importing torch and loading the compiled step before it can train;
    the window spends as long importing and building itself. Started first, the two overlap on
    the two cores instead of following each other (measured: ready to play after 5.6-5.7 s
    instead of 9.4-9.9 s).
    The first SessionClient takes this process over.
    """
    global _early_session
    if _early_session is None:
        _early_session = SessionProcess()


def _take_early_session() -> SessionProcess | None:
    global _early_session
    session, _early_session = _early_session, None
    if session is not None and not session.process.is_alive():
        session.commands.close()
        session.events.close()
        return None
    return session


class FrameRelay(QObject):
    """Lives in the relay QThread: turns the session's events into signals.

    It also draws fast-path networks over the input plane: such a frame carries the network's
    parameters (a DenseProbe), computed here over the run's grid into the GridProbe the views
    show, so the training process spends no time on it.
    """

    rebuilt = Signal(object)  # RunInfo
    compareBuilt = Signal(object)  # tuple of RunInfo: the runs of a comparison
    frameReady = Signal(object)  # Frame
    historyShown = Signal(object)  # engine.session.frames.HistoryView, its probe drawn like a frame's
    buildFailed = Signal(str, str)  # key path (may be ""), reason: no run could be built from the project
    failed = Signal(str, str)  # key path (may be ""), reason: trouble that leaves the run as it is
    exported = Signal(str, str)  # what was written, error ("" when it worked)
    stateSaved = Signal(str, str)  # the trained-state folder, error ("" when it worked)
    checkpoint = Signal(object)  # engine.session.session.Checkpoint: the weights to resume from
    optimizerStepped = Signal(object)  # (generation, epoch, rows, lr, deltas): engine/optimizer_step.py
    sessionEnded = Signal()  # the session's pipe closed: it ended, by shutdown or by dying

    def __init__(self, events, send) -> None:
        super().__init__()
        self._events = events
        self._send = send
        self._stop = threading.Event()
        self._drawers: dict[str, ProbeDrawer] = {}  # run id -> the drawer over that run's grid

    def frame_consumed(self) -> None:
        """The window has drawn a frame: the session may send the next one."""
        self._send("consumed", None)

    @Slot()
    def relay(self) -> None:
        """Forward events until the session ends or `stop()` is called."""
        try:
            while not self._stop.is_set():
                if not self._events.poll(0.05):
                    continue
                kind, payload = self._events.recv()
                if kind == "frame":
                    self.frameReady.emit(self._drawn(payload))
                elif kind == "rebuilt":
                    self._set_runs((payload,))
                    self.rebuilt.emit(payload)
                elif kind == "history_shown":
                    self.historyShown.emit(self._drawn_view(payload))
                elif kind == "compare_built":
                    self._set_runs(payload)
                    self.compareBuilt.emit(payload)
                elif kind == "build_failed":
                    self.buildFailed.emit(*payload)
                elif kind == "failed":
                    self.failed.emit(*payload)
                elif kind == "exported":
                    self.exported.emit(*payload)
                elif kind == "state_saved":
                    self.stateSaved.emit(*payload)
                elif kind == "checkpoint":
                    self.checkpoint.emit(payload)
                elif kind == "optimizer_step":
                    self.optimizerStepped.emit(payload)
        except (EOFError, OSError):
            pass  # the session process has ended
        finally:
            self.sessionEnded.emit()
            QThread.currentThread().quit()

    def _set_runs(self, infos) -> None:
        self._drawers = {}
        for info in infos:
            self._drawers[info.run_id] = drawer = ProbeDrawer()
            drawer.set_run(info.generation, info.grid)

    def _drawn(self, frame: Frame) -> Frame:
        """`frame` with each run's DenseProbe drawn into a GridProbe (other probes pass unchanged)."""
        if not any(isinstance(run.probe, DenseProbe) for run in frame.runs):
            return frame
        return dataclasses.replace(frame, runs=tuple(self._drawn_run(frame, run) for run in frame.runs))

    def _drawn_run(self, frame: Frame, run: RunFrame) -> RunFrame:
        if not isinstance(run.probe, DenseProbe):
            return run
        drawer = self._drawers.get(run.run_id)
        try:
            probe = None if drawer is None else drawer.draw(frame.generation, run.probe, frame.running)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop the relay
            probe = None
            self.failed.emit("", f"could not draw the network's output: {describe(exc)}")
        return dataclasses.replace(run, probe=probe)

    def _drawn_view(self, view):
        """A HistoryView with its DenseProbe drawn, as frames are (a still picture: drawn in full)."""
        drawer = self._drawers.get(view.run_id)
        if not isinstance(view.probe, DenseProbe) or drawer is None:
            return view
        try:
            probe = drawer.draw_aside(view.generation, view.probe)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop the relay
            probe = None
            self.failed.emit("", f"could not draw the network's output: {describe(exc)}")
        return dataclasses.replace(view, probe=probe)

    def stop(self) -> None:
        self._stop.set()


class SessionClient(QObject):
    """Owns the session process (the early one, or a new one) and the relay thread; the window
    talks through these signals."""

    loadRequested = Signal(object)
    trainingChanged = Signal(object)
    playRequested = Signal()
    pauseRequested = Signal()
    stepRequested = Signal()
    speedChanged = Signal(float)
    exportRequested = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        session = _take_early_session() or SessionProcess()
        self.process = session.process
        self._commands = session.commands
        self._lock = threading.Lock()
        self.command_id = 0  # numbers play/pause/step, so stale frames can be told from fresh ones
        events_out = session.events
        self.thread = new_thread("layerlabTrainingRelay")
        self.worker = FrameRelay(events_out, self.send)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.relay)
        self.loadRequested.connect(lambda project: self.send("load", project))
        self.trainingChanged.connect(lambda project: self.send("train_settings", project))
        self.playRequested.connect(lambda: self.send_control("play"))
        self.pauseRequested.connect(lambda: self.send_control("pause"))
        self.stepRequested.connect(lambda: self.send_control("step"))
        self.speedChanged.connect(lambda eps: self.send("speed", eps))
        self.exportRequested.connect(lambda fmt, path: self.send("export", (fmt, path)))
        self.thread.start()

    def send_control(self, command: str) -> None:
        self.command_id += 1
        self.send(command, self.command_id)

    def send(self, command: str, arg) -> None:
        """Queue a command for the session; silently dropped once it has ended."""
        with self._lock, contextlib.suppress(OSError, ValueError):  # the session has ended
            self._commands.send((command, arg))

    def stop(self, timeout_ms: int = 3000) -> bool:
        """End the session and the relay thread; True when both have ended."""
        self.send("shutdown", None)
        self.process.join(timeout_ms / 1000)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(1.0)
        self.worker.stop()
        ended = self.thread.wait(timeout_ms)
        with self._lock:
            self._commands.close()
        return ended and not self.process.is_alive()
