"""The history slider: paused, every view shows the chosen epoch; Play shows the run as it is; a
branch starts a second run from the epoch shown."""

from __future__ import annotations

import numpy as np

from engine.probes import dense_probe, grid_inputs, probe_grid
from engine.session.session import GRID_RESOLUTION
from engine.train import Trainer
from tests.gui.helpers import train_until


def paused_after(qtbot, window, epochs: int) -> int:
    train_until(qtbot, window, epochs)
    window.pause()
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=5000)
    return window.last_frame.main.latest.epoch


def scrub_to(qtbot, window, epoch: int) -> None:
    window.historySlider.setValue(epoch)
    qtbot.waitUntil(
        lambda: window.history_view is not None and window.history_view.requested == epoch, timeout=5000
    )


def test_a_scrubbed_epoch_shows_the_map_of_a_run_stopped_there(qtbot, window):
    assert not window.historySlider.isEnabled()  # nothing to look back at yet
    latest = paused_after(qtbot, window, 15)
    slider = window.historySlider
    assert slider.isEnabled() and (slider.minimum(), slider.maximum(), slider.value()) == (0, latest, latest)

    scrub_to(qtbot, window, 7)
    stopped = Trainer(window.model.project)
    stopped.run(7)
    grid = grid_inputs(stopped, GRID_RESOLUTION)
    expected = dense_probe(stopped)
    expected = expected.compute(grid) if expected is not None else probe_grid(stopped, grid)
    shown = window.boundaryView._probe
    assert np.array_equal(shown.output, expected.output)
    assert window.epochLabel.text() == f"Epoch 7 of {latest:,} (looking back)"
    assert all(line.isVisible() and line.value() == 7 for line in window.curvesView.cursors)
    assert f"Train loss {stopped.evaluate().train_loss:.4f}" in window.summaryLabel.text()
    # the unit maps are that epoch's too
    units = window.networkView.unit_nodes[0]
    assert all(
        np.array_equal(node.map, values) for node, values in zip(units, expected.units[0], strict=True)
    )

    window.historyBar.latestButton.click()
    assert window.history_view is None
    assert window.epochLabel.text() == f"Epoch {latest:,}"
    assert not any(line.isVisible() for line in window.curvesView.cursors)


def test_play_returns_to_the_live_run(qtbot, window):
    paused_after(qtbot, window, 10)
    scrub_to(qtbot, window, 3)
    window.play()
    qtbot.waitUntil(lambda: window.history_view is None and window.epoch > 10, timeout=10000)
    assert not window.historySlider.isEnabled()  # no scrubbing while training
    assert "looking back" not in window.epochLabel.text()


def test_branch_from_here_asks_the_session_for_a_branch_at_the_epoch_shown(qtbot, window, monkeypatch):
    """The session's side (a second run beside the first) is tested in test_session_history.py."""
    paused_after(qtbot, window, 12)
    scrub_to(qtbot, window, 6)
    sent = []
    monkeypatch.setattr(window.training, "send", lambda command, arg: sent.append((command, arg)))
    bar = window.historyBar
    bar.branchButton.setChecked(True)
    assert not bar.branchRow.isHidden()
    bar.branchKey.setCurrentIndex(bar.branchKey.findData("lr"))
    bar.branchValue.setEditText("-3")
    bar.branchGo.click()
    assert "Cannot branch: Learning rate: '-3' is out of range" in window.statusBar().currentMessage()
    assert sent == []
    bar.branchValue.setEditText("0.01")
    bar.branchGo.click()
    assert sent == [
        ("branch", ("main", 6, "learning rate 0.01 from epoch 6", {"training.optimizer.lr": 0.01}))
    ]
    assert not bar.branchButton.isChecked()


def test_a_gan_branches_on_its_own_settings(qtbot, window, monkeypatch):
    """The branch row offers the family's keys (the GAN's loss, not the mlp's optimizer)."""
    from tests.gui.helpers import open_example

    open_example(qtbot, window, "gan_ring")
    for _ in range(2):
        window.step()
    qtbot.waitUntil(lambda: window.last_frame.main.latest.epoch == 2, timeout=30000)
    bar = window.historyBar
    offered = [bar.branchKey.itemData(i) for i in range(bar.branchKey.count())]
    assert "loss" in offered and "optimizer" not in offered and "init" not in offered
    scrub_to(qtbot, window, 1)
    sent = []
    monkeypatch.setattr(window.training, "send", lambda command, arg: sent.append((command, arg)))
    bar.branchButton.setChecked(True)
    bar.branchKey.setCurrentIndex(bar.branchKey.findData("loss"))
    bar.branchValue.setEditText("minimax")
    bar.branchGo.click()
    assert sent and sent[0][0] == "branch" and sent[0][1][3] == {"model.loss": "minimax"}
