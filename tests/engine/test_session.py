"""The training session behind the window: frame pacing, back-pressure, and every epoch reported once."""

from __future__ import annotations

import time

import pytest

from engine.cli import load_project_arg
from engine.session import FRAME_RATE, Session


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
    epochs = sum(len(f.snapshots) for f in recorder.frames)
    assert epochs > len(recorder.frames)  # training outpaces the frames: several epochs per frame
    # The schedule advances by whole periods: never more than FRAME_RATE per second (plus the first).
    assert len(recorder.frames) <= FRAME_RATE * elapsed + 1


def test_every_epoch_reaches_the_window_exactly_once_in_order():
    session, recorder = started_session(consume=True)
    run_ticks(session, 0.5)
    session.pause()
    epochs = [snap.epoch for frame in recorder.frames for snap in frame.snapshots]
    assert epochs == list(range(1, session.trainer.epoch + 1))
    assert recorder.frames[-1].latest.epoch == session.trainer.epoch
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
    epoch = session.trainer.epoch
    session.tick(interrupted=lambda: True)
    assert session.trainer.epoch == epoch  # no epoch started once a command was waiting


@pytest.mark.parametrize("rate", [20.0, 50.0])
def test_speed_limit_holds_the_epoch_rate(rate):
    session, _ = started_session(consume=True)
    session.set_speed(rate)
    epoch0 = session.trainer.epoch
    start = time.perf_counter()
    while time.perf_counter() - start < 0.5:
        wait = session.wait_seconds()
        if wait:
            time.sleep(wait)
        session.tick()
    elapsed = time.perf_counter() - start
    # Never ahead of the pace (one epoch of slack for the one started at the boundary).
    assert session.trainer.epoch - epoch0 <= rate * elapsed + 1
