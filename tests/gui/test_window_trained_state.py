"""A project saved from the window keeps its trained run: opened again it shows the same epoch,
curves and map, and Play goes on from there."""

from __future__ import annotations

import numpy as np

from tests.gui.helpers import make_window, train_until


def test_save_and_open_restore_the_epoch_curves_and_weights(qtbot, window, tmp_path):
    train_until(qtbot, window, 20)
    window.pause()
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=5000)
    epoch = window.last_frame.main.latest.epoch
    path = tmp_path / "trained.json"
    with qtbot.waitSignal(window.training.worker.stateSaved, timeout=10000) as saved:
        assert window.save_as(path)
    assert saved.args == [str(tmp_path / "trained.state"), ""]
    assert "and its trained run" in window.statusBar().currentMessage()
    losses = window.metrics.column("train_loss")
    weights = window._checkpoint.state
    shown = window.boundaryView._probe.output

    reopened = make_window(qtbot, path)
    try:
        qtbot.waitUntil(lambda: reopened.last_frame.main.latest.epoch == epoch, timeout=10000)
        assert reopened.epochLabel.text() == f"Epoch {epoch:,}"
        assert np.array_equal(reopened.metrics.column("train_loss"), losses)
        x, _ = reopened.curvesView._train_loss.getData()
        assert x[-1] == epoch
        qtbot.waitUntil(lambda: reopened._checkpoint is not None, timeout=5000)
        assert all(np.array_equal(reopened._checkpoint.state[k], weights[k]) for k in weights)
        assert np.array_equal(reopened.boundaryView._probe.output, shown)
        train_until(qtbot, reopened, epoch + 3)  # Play goes on from the saved epoch
        assert reopened.metrics.column("epoch")[: len(losses)].tolist() == list(range(1, epoch + 1))
    finally:
        reopened.shutdown()


def test_a_damaged_saved_run_opens_fresh_and_says_why(qtbot, window, tmp_path):
    train_until(qtbot, window, 5)
    window.pause()
    path = tmp_path / "p.json"
    with qtbot.waitSignal(window.training.worker.stateSaved, timeout=10000):
        window.save_as(path)
    (tmp_path / "p.state" / "state.safetensors").write_bytes(b"garbage")
    with qtbot.waitSignal(window.training.worker.failed, timeout=10000) as failed:
        assert window.open_project(path)
    assert "the trained run was not restored" in failed.args[1]
    qtbot.waitUntil(lambda: window.last_frame.main.latest.epoch == 0, timeout=10000)


def test_a_saved_gan_run_opens_at_its_epoch_with_its_pictures(qtbot, window, tmp_path):
    """Every family keeps its trained run: a GAN saved at epoch k opens at k, with the same samples."""
    from tests.gui.helpers import open_example

    open_example(qtbot, window, "gan_ring")
    for _ in range(3):
        window.step()
    qtbot.waitUntil(lambda: window.last_frame.main.latest.epoch == 3, timeout=30000)
    path = tmp_path / "gan.json"
    with qtbot.waitSignal(window.training.worker.stateSaved, timeout=10000) as saved:
        assert window.save_as(path)
    assert saved.args == [str(tmp_path / "gan.state"), ""]
    generated = window.last_frame.main.probe.fake.copy()
    reopened = make_window(qtbot, path)
    try:
        qtbot.waitUntil(lambda: reopened.last_frame.main.latest.epoch == 3, timeout=20000)
        np.testing.assert_array_equal(reopened.last_frame.main.probe.fake, generated)
        assert reopened.ganView.isVisible()
    finally:
        reopened.shutdown()
