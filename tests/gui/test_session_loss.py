"""The window outlives its training process: a killed session is noticed and replaced, and a
failing or crashing exporter never takes training down."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import torch

from gui.exports import export_to
from tests.gui.helpers import make_window, train_until

FAULTS = Path(__file__).parent / "faults"  # its sitecustomize.py injects faults into child processes


# The relay sees the pipe close within its 50 ms poll; waits are generous only because a loaded
# machine can hold the event loop back (speed is never asserted in tests).
NOTICED_MS = 20000


def _kill_session(window) -> None:
    os.kill(window.training.process.pid, signal.SIGKILL)


def test_a_killed_session_is_noticed_and_play_resumes_from_its_last_state(qtbot):
    window = make_window(qtbot)
    window.trainingPanel.epochsSpin.setValue(1_000_000)
    train_until(qtbot, window, 30)
    window.pause()
    # The pause's frame and its checkpoint are two messages: wait for both.
    qtbot.waitUntil(
        lambda: (
            not window.last_frame.running
            and window._checkpoint is not None
            and window._checkpoint.epoch == window.last_frame.main.latest.epoch
        ),
        timeout=10000,
    )
    paused_at = window._checkpoint.epoch
    dead = window.training.process
    _kill_session(window)
    qtbot.waitUntil(lambda: bool(window.session_lost), timeout=NOTICED_MS)
    assert "killed (SIGKILL)" in window.runMessage.text()
    assert f"continue from epoch {paused_at:,}" in window.runMessage.text()
    assert not window.running and window.playButton.isEnabled()

    window.play()
    assert window.training.process is not dead and window.training.process.is_alive()
    qtbot.waitUntil(lambda: window.epoch > paused_at + 5, timeout=30000)
    window.pause()
    resumed = window.metrics.column("epoch")
    assert resumed[0] == 1 and (resumed[1:] > resumed[:-1]).all()  # one curve, cut back, not restarted
    gradients = window.gradientView._history.epochs()
    assert gradients[0] == 1 and (gradients[1:] > gradients[:-1]).all()  # the gradient flow too
    assert not window.session_lost and window.runMessage.isHidden()
    window.close()


def test_step_and_reset_also_bring_a_dead_session_back(qtbot):
    window = make_window(qtbot)
    _kill_session(window)
    qtbot.waitUntil(lambda: bool(window.session_lost), timeout=NOTICED_MS)
    window.reset()  # afresh, in a new process
    with qtbot.waitSignal(window.training.worker.frameReady, timeout=60000):
        pass  # the new process has loaded torch and built the run
    assert window.training.process.is_alive() and window.epoch == 0
    window.step()
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=20000)
    _kill_session(window)
    qtbot.waitUntil(lambda: bool(window.session_lost), timeout=NOTICED_MS)
    window.step()  # resumes from epoch 1, then steps
    qtbot.waitUntil(lambda: window.epoch == 2, timeout=60000)
    window.close()


EXPORTS = [
    ("onnx", "m.onnx"),
    ("torchscript", "m.pt"),
    ("torch_export", "m.pt2"),
    ("safetensors", "weights"),
    ("script", "standalone"),
]


@pytest.mark.parametrize(
    "fault, exports", [("enospc", EXPORTS), ("abort", [("torchscript", "m.pt")])], ids=["enospc", "abort"]
)
def test_a_full_disk_or_a_crashing_exporter_leaves_training_alive(
    qtbot, monkeypatch, tmp_path, fault, exports
):
    """Each model format from File > Export on a full disk (every fsync fails), and an exporter
    that aborts its process as TorchScript's did: an error message, no file, training goes on."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FAULTS), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("LAYERLAB_TEST_FAULT", fault)
    window = make_window(qtbot)  # its session, and the session's exporters, start with the fault
    results = []
    window.training.worker.exported.connect(lambda written, error: results.append((written, error)))
    for count, (fmt, target) in enumerate(exports, start=1):
        export_to(window, fmt, tmp_path / target)
        # (the lambda runs in the relay thread as the result arrives; the window shows it after)
        qtbot.waitUntil(lambda count=count: len(results) == count, timeout=120000)
        written, error = results[-1]
        assert written == "" and error.startswith(f"{fmt} export failed"), error
        assert ("No space left on device" in error) if fault == "enospc" else ("SIGABRT" in error), error
        qtbot.waitUntil(
            lambda error=error: window.statusBar().currentMessage() == f"Export failed: {error}", timeout=5000
        )
        assert window.training.process.is_alive() and not window.session_lost
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no file, not even a temporary one
    window.step()  # training goes on
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=20000)
    window.close()


def test_an_edit_while_the_session_is_dead_reaches_a_new_one(qtbot):
    """A network edit after the death starts afresh (the old weights no longer fit); a training
    edit goes on from the last weights."""
    window = make_window(qtbot)
    window.step()
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=20000)
    _kill_session(window)
    qtbot.waitUntil(lambda: bool(window.session_lost), timeout=NOTICED_MS)
    window.model.edit("units", lambda doc: doc["network"]["layers"][0].update(units=3))
    assert not window.session_lost and window.training.process.is_alive()
    # The rebuild, then its first frame (the epoch counter comes with frames).
    qtbot.waitUntil(
        lambda: (
            window.run_info is not None
            and window.run_info.layer_infos[0].out_shape == (3,)
            and window.epoch == 0
        ),  # was 1: the new run's first frame has come
        timeout=60000,
    )
    assert window.epoch == 0 and len(window.metrics) == 0  # a fresh run, not the old weights
    window.step()
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=20000)
    qtbot.waitUntil(lambda: window._checkpoint is not None and window._checkpoint.epoch == 1, timeout=10000)
    _kill_session(window)
    qtbot.waitUntil(lambda: bool(window.session_lost), timeout=NOTICED_MS)
    window.trainingPanel.learningRateSpin.setValue(0.01)  # a training edit: the weights still fit
    assert not window.session_lost
    window.step()  # after the new session's load and restore: epoch 2, not a fresh epoch 1
    qtbot.waitUntil(lambda: window.epoch == 2, timeout=60000)
    window.close()


@pytest.mark.skipif(torch.cuda.is_available(), reason="the project must fail to build: no CUDA here")
def test_a_session_dead_while_play_is_off_offers_a_button_that_starts_a_new_one(qtbot):
    window = make_window(qtbot)
    window.model.edit("device", lambda doc: doc["training"].update(device="cuda"))
    qtbot.waitUntil(lambda: not window.playButton.isEnabled(), timeout=30000)  # cannot build here
    _kill_session(window)
    qtbot.waitUntil(lambda: bool(window.session_lost), timeout=NOTICED_MS)
    assert not window.playButton.isEnabled()  # Play cannot bring it back, so a button must
    assert window.outputPanel.fixButton.text() == "Start a new training process"
    window.outputPanel.fixButton.click()
    assert not window.session_lost and window.training.process.is_alive()
    window.model.undo_stack.undo()  # the CPU again: the new session builds it
    qtbot.waitUntil(window.playButton.isEnabled, timeout=60000)
    window.close()
