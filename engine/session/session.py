"""A training session driven by commands: the loop behind the window, run in its own process.

Why a process: on a 2-core machine a training thread and the window share one interpreter lock.
Measured here, the window's paint code then waited for the lock on every Qt call (seconds of
event-loop lag, ~3 frames/s). In a child process training and painting truly run side by side.

The session holds runs (engine/session/run_slot.py): one, id "main", or in compare mode up to 8
variants of the project (engine/session/compare.py), or a run and its branches
(engine/session/history_mode.py). The window sends commands (`load`, `load_saved`,
`save_state`, `train_settings`, `compare`, `leave_compare`, `show_epoch`, `branch`, `play`,
`pause`, `step`, `update` (one player of a GAN), `speed`, `epoch_budget`, `export`, `restore`, `consumed`, `shutdown`;
play/pause/step act on every run) and receives events (engine/session/frames.py): `rebuilt`
(RunInfo) when a new main run exists, `compare_built` (a RunInfo per run), `build_failed` (key
path, reason) when no run could be built (nothing can train until the project changes),
`history_shown` (HistoryView: a run at a past epoch), `state_saved` (folder, error or ""),
`failed` (key path, reason) for trouble that leaves the runs as they are, `checkpoint` (the main
run's weights), and `frame` (Frame) at most FRAME_RATE times a second, carrying for each run
that changed every epoch finished since the previous frame, its latest snapshot and its response
on the view grid (for a small fast-path network, its parameters, which the receiver draws over
RunInfo.grid). Frames are throttled here and only here; training speed does not depend on the
frame rate. Each Trainer owns its status; the session only asks it to
play, pause or step. Qt-free and synchronous, so tests can drive a Session directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from engine.errors import SpecError
from engine.inspect import DATA_PERIOD
from engine.session.compare import CompareMode
from engine.session.errors import describe
from engine.session.exports import Exports
from engine.session.frames import MAIN_RUN, Checkpoint, Frame
from engine.session.history_mode import HistoryMode
from engine.session.player_moves import PlayerMoves
from engine.session.run_slot import RunSlot, advance
from engine.session.saved_runs import SavedRuns
from engine.session.view_options import ViewOptions
from engine.session.weight_moves import WeightMoves

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


class Session(CompareMode, HistoryMode, SavedRuns, PlayerMoves, WeightMoves, ViewOptions, Exports):
    """Owns the runs (one, or up to 8 in compare mode); `handle` applies a command, `tick` trains one slice."""

    def __init__(self, send: Callable[[str, Any], None]):
        self._send = send
        self.runs: dict[str, RunSlot] = {}
        self.project = None  # the project loaded last: compare mode's variants start from it
        self.comparing: tuple | None = None  # the (label, overrides) pairs while comparing
        self.generation = 0
        self.running = False
        # Whether runs stop after training.epochs (Play then adds as many again). The window turns
        # it off ("epoch_budget" False): training runs until paused, early stopping or divergence.
        self.epoch_budget = True
        self._eps_limit = 0.0  # epochs per second; 0 = as fast as possible
        self._pace_start = (0.0, 0)  # (time, epoch) when the current pace began
        self._next_frame = 0.0  # when the next frame is due (perf_counter seconds)
        self._frame_in_flight = False  # back-pressure: one frame at a time until the window says "consumed"
        self._rate_mark = (time.perf_counter(), 0)
        self._rate = 0.0
        self._frame_cost = 0.0  # seconds a frame takes to compute (a moving average)
        self._units_sent = 0.0  # when the last frame with unit maps was sent
        self._data_sent = 0.0  # when the last frame with a data probe (images, sequences, tables) was sent
        self._histograms_sent = (0.0, None)  # (when, (generation, epoch)) of the last histograms sent
        self._histograms_cost = 0.0  # seconds the last took to measure
        self.view_options: dict = {}  # the window's choices for the data views, e.g. {"sample": 3}
        self._checkpoint_sent = 0.0  # when the weights last went to the window
        self._exports: list = []  # engine.export.job.ExportJob under way
        self.command_id = 0

    @property
    def trainer(self):
        """The first run's Trainer (the only one outside compare mode), or None."""
        first = next(iter(self.runs.values()), None)
        return None if first is None else first.trainer

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
            self.running, self.runs = False, {}
            return False
        handler = {
            "load": self.load,
            "train_settings": self.apply_training,
            "compare": self.compare,
            "leave_compare": self.leave_compare,
            "show_epoch": self.show_epoch,
            "save_state": self.save_state,
            "load_saved": self.load_saved,
            "branch": self.branch,
            "play": lambda _: self.play(),
            "pause": lambda _: self.pause(),
            "step": lambda _: self.step_epoch(),
            "update": self.update_player,
            "set_weight": self.set_weight,
            "swap_units": self.swap_units,
            "optimizer_step": self.optimizer_step,
            "speed": self.set_speed,
            "view_options": self.set_view_options,
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
        from engine.train import build_trainer

        self.running = False
        self.generation += 1
        self._frame_in_flight = False
        self.project, self.comparing, self.runs = project, None, {}
        try:
            trainer = build_trainer(project)
        except SpecError as exc:
            self._send("build_failed", (exc.path, exc.reason))
            return
        except Exception as exc:  # noqa: BLE001 - anything else must reach the window, not end the session
            self._send("build_failed", ("", describe(exc)))
            return
        self.runs = {MAIN_RUN: self._slot(MAIN_RUN, trainer)}
        self._started()
        self._send("rebuilt", self.runs[MAIN_RUN].info(self.generation))
        self.emit_frame()

    def _slot(
        self, run_id: str, trainer, label: str = "", overrides: dict | None = None, history=None
    ) -> RunSlot:
        from engine.probes import grid_inputs

        trainer.set_budget(self.epoch_budget)
        try:
            grid = grid_inputs(trainer, GRID_RESOLUTION)
        except Exception as exc:  # noqa: BLE001 - a view failing must not stop training
            grid = None
            self._send("failed", ("", f"could not draw the network's output: {describe(exc)}"))
        return RunSlot(run_id, trainer, grid, label, overrides, history)

    def _started(self) -> None:
        self._rate, self._rate_mark = 0.0, (time.perf_counter(), 0)

    def apply_training(self, project) -> None:
        """New training settings: applied live when the engine can, else the runs are rebuilt."""
        if self.comparing is not None:
            self.apply_compare_training(project)
            return
        trainer = self.trainer
        if trainer is None or not trainer.apply_live(project.copy().training):
            self.load(project)
            return
        self.project = project
        self.emit_frame()

    def _trainers(self) -> list:
        return [slot.trainer for slot in self.runs.values()]

    def play(self) -> None:
        if not self.runs or self.running:
            return
        started = [trainer.play() for trainer in self._trainers()]
        if not any(started):
            self.emit_frame()  # every run diverged: the window already shows why; a reset is needed
            return
        self.running = True
        now = time.perf_counter()
        self._pace_start = (now, self.trainer.epoch)
        self._rate_mark = (now, self.trainer.epoch)
        self.emit_frame()

    def pause(self) -> None:
        if self.running:
            self.running = False
            for trainer in self._trainers():
                trainer.pause()
            self.emit_frame()

    def step_epoch(self) -> None:
        """Train exactly one epoch of every run (pausing first), then show it."""
        if not self.runs:
            return
        self.running = False
        for slot in self.runs.values():
            try:
                slot.trainer.step_epoch()
            except Exception as exc:  # noqa: BLE001
                self._send("failed", ("", describe(exc)))
            slot.collect()
        self._frame_in_flight = False  # a deliberate step is always shown
        self.emit_frame()

    def set_epoch_budget(self, on: bool) -> None:
        self.epoch_budget = bool(on)
        for trainer in self._trainers():
            trainer.set_budget(self.epoch_budget)

    def set_speed(self, epochs_per_second: float) -> None:
        self._eps_limit = max(0.0, float(epochs_per_second))
        if self.trainer is not None:
            self._pace_start = (time.perf_counter(), self.trainer.epoch)

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
        self.runs[MAIN_RUN].history.record(trainer.epoch, trainer.epoch_state)
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
        """The window is ready for a frame and some run has news."""
        return not self._frame_in_flight and any(slot.has_news for slot in self.runs.values())

    def _allowed_epoch(self, now: float) -> int | None:
        if self._eps_limit <= 0:
            return None
        t0, e0 = self._pace_start
        return e0 + 1 + int((now - t0) * self._eps_limit)

    def tick(self, interrupted: Callable[[], bool] | None = None) -> None:
        """Train for up to SLICE_SECONDS (or until the pace allows no more), sending frames as due.

        The runs take one batch each in turn (variants that all fit the race kernel take a whole
        epoch each, together: engine/race/stepping.py). The slice also ends when a frame falls due or, with
        `interrupted` (e.g. a pipe's poll), as soon as a command waits: frames then leave on time
        and clicks apply within an epoch.
        """
        if not self.runs or not self.running:
            self.running = False
            return
        start = time.perf_counter()
        allowed = self._allowed_epoch(start)
        next_check = start  # a command already waiting ends the slice before any batch
        slots = list(self.runs.values())
        try:
            while (now := time.perf_counter()) - start < SLICE_SECONDS:
                if now >= self._next_frame and self._frame_wanted():
                    break
                if interrupted is not None and now >= next_check:
                    if interrupted():
                        break
                    next_check = now + COMMAND_CHECK_SECONDS
                active = [s for s in slots if s.trainer.status == "running"]
                if allowed is not None:
                    active = [s for s in active if s.trainer.epoch < allowed]
                if not active:
                    break
                advance(active)
        except Exception as exc:  # noqa: BLE001 - e.g. CUDA out of memory: pause and say so
            self.running = False
            for trainer in self._trainers():
                trainer.pause()
            self._send("failed", ("", describe(exc)))
            self._frame_in_flight = False
            self.emit_frame()
            return
        if all(s.trainer.status != "running" for s in slots):  # each run completed, stopped early or diverged
            self.running = False
            self._frame_in_flight = False  # the final state is always shown
            self.emit_frame()
        elif time.perf_counter() >= self._next_frame and self._frame_wanted():
            self.emit_frame(news_only=True)

    def emit_frame(self, news_only: bool = False) -> None:
        """Send a frame: with `news_only` (the loop's frames) the runs with news, else every run
        (a click or a setting is always answered with the whole state)."""
        from engine.probes import run_probe

        first = self.trainer
        if first is None:
            return
        now = time.perf_counter()
        mark_time, mark_epoch = self._rate_mark
        if now - mark_time >= 0.5:
            measured = (first.epoch - mark_epoch) / (now - mark_time)
            self._rate = measured if self.running else 0.0
            self._rate_mark = (now, first.epoch)
        # Unit maps are most of a frame's cost; while training they come at the network view's pace.
        with_units = not self.running or now - self._units_sent >= UNITS_PERIOD
        if with_units:
            self._units_sent = now
        with_data = not self.running or now - self._data_sent >= DATA_PERIOD
        if with_data:
            self._data_sent = now
        runs = []
        for slot in self.runs.values():
            if news_only and not slot.has_news:
                continue
            try:
                # A small fast-path network goes as its parameters: the window's relay thread draws
                # it, and the ~1 ms probe (3% of training at 30 frames a second) leaves this process.
                units = with_units and self.comparing is None  # compare mode draws maps only
                data = self.view_options if with_data and self.comparing is None else None
                probe = run_probe(slot.trainer, slot.grid, units=units, data=data)
            except Exception as exc:  # noqa: BLE001 - a view failing must not stop training
                probe = None
                self._send("failed", ("", f"could not draw the network's output: {describe(exc)}"))
            runs.append(slot.frame(probe, self._histograms(slot, now)))
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
            runs=tuple(runs),
            epochs_per_second=self._rate,
            running=self.running,
            command_id=self.command_id,
        )
        self._send("frame", frame)
        main = self.runs.get(MAIN_RUN)
        if main is not None and (not self.running or now - self._checkpoint_sent >= CHECKPOINT_SECONDS):
            self._checkpoint_sent = now
            trainer = main.trainer
            self._send("checkpoint", Checkpoint(self.generation, trainer.epoch, trainer.state_dict()))
        if not with_units:  # unit maps come at their own pace; the output-only frame sets the rate
            # Averaged: one frame slowed by the machine must not stretch the period for all.
            cost = time.perf_counter() - now
            self._frame_cost = cost if self._frame_cost == 0.0 else 0.8 * self._frame_cost + 0.2 * cost
