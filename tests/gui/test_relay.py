"""The relay thread: fast-path frames arrive as parameters and leave drawn over their run's grid."""

import multiprocessing

import numpy as np
import pytest

from engine.cli import load_project_arg
from engine.probes import DenseProbe, dense_probe, grid_inputs
from engine.session.frames import Frame, RunFrame, RunInfo
from engine.train import Trainer
from gui.session_client import FrameRelay
from gui.threads import new_thread


@pytest.fixture
def relay(qtbot):
    """A FrameRelay in its own QThread, as the window runs it, fed through a real pipe."""
    events_out, events_in = multiprocessing.Pipe(duplex=False)
    worker = FrameRelay(events_out, lambda command, arg: None)
    thread = new_thread("testRelay")
    worker.moveToThread(thread)
    thread.started.connect(worker.relay)
    thread.start()
    yield worker, events_in
    worker.stop()
    events_in.close()
    thread.quit()
    assert thread.wait(5000)


def run_parts():
    trainer = Trainer(load_project_arg("spiral", ["training.epochs=2"]))
    trainer.run()
    info = RunInfo(7, trainer.dataset, trainer.head, (), "numpy", "cpu", 2, grid=grid_inputs(trainer, 50))
    return trainer, info


def frame(generation: int, probe, running: bool = False) -> Frame:
    return Frame(generation, (RunFrame("main", "", (), None, probe, "paused"),), 0.0, running)


def test_frames_are_drawn_over_their_runs_grid(qtbot, relay):
    worker, events = relay
    trainer, info = run_parts()
    parameters = dense_probe(trainer)
    with qtbot.waitSignal(worker.rebuilt):
        events.send(("rebuilt", info))
    with qtbot.waitSignal(worker.frameReady) as drawn:
        events.send(("frame", frame(7, parameters)))
    probe = drawn.args[0].main.probe
    assert probe.output.shape == (50, 50) and len(probe.units) == 2
    np.testing.assert_allclose(probe.output, parameters.compute(info.grid).output)
    with qtbot.waitSignal(worker.frameReady) as stale:
        events.send(("frame", frame(6, parameters)))  # a frame of the previous run
    assert stale.args[0].main.probe is None


def test_a_drawing_that_fails_says_so_and_the_relay_goes_on(qtbot, relay):
    worker, events = relay
    trainer, info = run_parts()
    good = dense_probe(trainer)
    broken = DenseProbe(good.weights[:1], good.biases, good.activations, good.head)  # layers missing
    events.send(("rebuilt", info))
    with qtbot.waitSignals([worker.failed, worker.frameReady]):
        events.send(("frame", frame(7, broken)))
    with qtbot.waitSignal(worker.frameReady) as later:
        events.send(("frame", frame(7, good)))
    assert later.args[0].main.probe.output.shape == (50, 50)
