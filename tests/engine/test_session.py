"""The training session behind the window: frame pacing, back-pressure, and every epoch reported once."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine.cli import load_project_arg
from engine.families.mlp.fastkernel import warm_up
from engine.session.session import COMMAND_CHECK_SECONDS, FRAME_RATE, SLICE_SECONDS, Session


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    """On a fresh machine the first step compiles the small-network kernel (~15 s); serve() does
    this before its first run, and so do these tests, so that time is not mistaken for training."""
    warm_up()


class Recorder:
    """Stands in for the window: keeps what the session sends, and says "consumed" if asked to."""

    def __init__(self, consume: bool):
        self.consume = consume
        self.frames: list = []
        self.events: list[str] = []
        self.session: Session | None = None

    def __call__(self, kind: str, payload) -> None:
        self.events.append(kind)
        if kind == "frame":
            self.frames.append(payload)
            if self.consume:
                self.session.handle("consumed")


def started_session(consume: bool, overrides=()) -> tuple[Session, Recorder]:
    recorder = Recorder(consume)
    session = Session(recorder)
    recorder.session = session
    session.load(load_project_arg("xor", ["training.epochs=1000000", *overrides]))
    session.play()
    return session, recorder


def run_ticks(session: Session, seconds: float, interrupted=None) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        session.tick(interrupted)
    return time.perf_counter() - start


def test_frames_are_throttled_however_fast_training_runs():
    session, recorder = started_session(consume=True)
    recorder.frames.clear()
    elapsed = run_ticks(session, 1.5)
    epochs = sum(len(f.main.snapshots) for f in recorder.frames)
    assert epochs > len(recorder.frames)  # training outpaces the frames: several epochs per frame
    # The schedule advances by whole periods: never more than FRAME_RATE per second (plus the first).
    assert len(recorder.frames) <= FRAME_RATE * elapsed + 1


def test_every_epoch_reaches_the_window_exactly_once_in_order():
    session, recorder = started_session(consume=True)
    run_ticks(session, 0.5)
    session.pause()
    epochs = [snap.epoch for frame in recorder.frames for snap in frame.main.snapshots]
    assert epochs == list(range(1, session.trainer.epoch + 1))
    assert recorder.frames[-1].main.latest.epoch == session.trainer.epoch
    assert recorder.frames[-1].running is False


def test_one_frame_in_flight_until_the_window_has_drawn_it():
    session, recorder = started_session(consume=False)
    count = len(recorder.frames)
    run_ticks(session, 0.3)
    assert len(recorder.frames) == count  # the play frame was never consumed: nothing more is sent
    assert session.trainer.epoch > 0  # while training carries on
    session.handle("consumed")
    run_ticks(session, 0.1)
    assert len(recorder.frames) == count + 1


def test_a_waiting_command_ends_the_training_slice_at_once():
    session, _ = started_session(consume=True)
    session.tick()  # the first frame goes out; the schedule is running
    steps = session.trainer.step_count
    session.tick(interrupted=lambda: True)
    assert session.trainer.step_count == steps  # not one more batch once a command was waiting


def test_commands_are_looked_for_every_millisecond_not_every_batch():
    """Looking costs a system call; once a millisecond keeps clicks prompt at a fraction of the cost."""
    session, _ = started_session(consume=False)  # no frames: the slice runs its full length
    session.tick()  # the first frame goes out and stays in flight
    looks: list[float] = []
    steps_at_look: list[int] = []
    command_at = time.perf_counter() + SLICE_SECONDS / 2

    def interrupted() -> bool:
        looks.append(time.perf_counter())
        steps_at_look.append(session.trainer.step_count)
        return looks[-1] >= command_at  # a command arrives half-way through the slice

    steps, started = session.trainer.step_count, time.perf_counter()
    session.tick(interrupted=interrupted)
    stopped = time.perf_counter()
    batches = session.trainer.step_count - steps
    gaps = np.diff(looks)
    # Looks are taken on the loop's clock, a hair before these timestamps: hence medians and bounds.
    # Medians, not maxima: on a busy machine one gap can hold a 10 ms preemption.
    assert len(looks) <= (stopped - started) / COMMAND_CHECK_SECONDS + 2
    assert np.median(gaps) >= COMMAND_CHECK_SECONDS
    assert batches > len(looks)  # fewer looks than batches (xor: ~0.1 ms a batch)
    assert (
        looks[-1] >= command_at and session.trainer.step_count == steps_at_look[-1]
    )  # seen: no more batches


def serve_for(session: Session, seconds: float, on_turn=None) -> None:
    """What engine.session.process.serve does between commands: wait as told, then train a slice."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        wait = session.wait_seconds()
        if wait:
            time.sleep(wait)  # serve() blocks on the command pipe this long
        session.tick()
        if on_turn is not None:
            on_turn()


def test_under_a_speed_limit_each_epoch_is_shown_when_it_ends():
    session, recorder = started_session(consume=True)
    session.set_speed(1.0)  # one epoch a second: the next epoch is a whole second away
    finished: dict[int, float] = {}
    shown: dict[int, float] = {}

    def note_times():
        now = time.perf_counter()
        finished.setdefault(session.trainer.epoch, now)
        for frame in recorder.frames:
            for snap in frame.main.snapshots:
                shown.setdefault(snap.epoch, now)

    serve_for(session, 2.5, note_times)
    epochs = [e for e in finished if e >= 1 and e in shown]
    assert len(epochs) >= 2
    # Shown within a few frame periods of finishing, not when the next epoch is allowed (1 s later).
    assert all(shown[e] - finished[e] < 0.3 for e in epochs)


def test_a_burst_of_live_edits_does_not_hold_back_the_frames():
    session, recorder = started_session(consume=True)
    project = session.trainer.project.copy()
    for n in range(60):  # e.g. a spin box scrolled through sixty learning rates while training runs
        project.training.optimizer = {"name": "sgd", "lr": 0.01 + n * 1e-4}
        session.handle("train_settings", project)
    count = len(recorder.frames)
    run_ticks(session, 0.3)
    assert len(recorder.frames) >= count + 3  # regular frames carry on at once


@pytest.mark.parametrize("rate", [20.0, 50.0])
def test_speed_limit_holds_the_epoch_rate(rate):
    session, _ = started_session(consume=True)
    session.set_speed(rate)
    epoch0 = session.trainer.epoch
    start = time.perf_counter()
    serve_for(session, 0.5)
    elapsed = time.perf_counter() - start
    # Never ahead of the pace (one epoch of slack for the one started at the boundary).
    assert session.trainer.epoch - epoch0 <= rate * elapsed + 1


def test_frames_keep_coming_within_a_long_epoch():
    # 40,000 points one at a time: an epoch is ~20,000 steps, ~0.4 s even in the compiled rounds
    # (at most 64 batches each), far longer than a frame period on a loaded machine. (10,000 points
    # took ~0.1 s an epoch once runs trained in compiled rounds: too short under load.)
    session, recorder = started_session(
        consume=True, overrides=["data.samples=40000", "training.batch_size=1"]
    )
    session.tick()  # the first frame goes out; the schedule is running
    count = len(recorder.frames)
    run_ticks(session, 0.3)
    frames = recorder.frames[count:]
    assert len(frames) >= 3
    assert any(not f.main.snapshots for f in frames)  # frames mid-epoch show the weights as they move
