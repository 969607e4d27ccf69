"""The mechanics of training in the window: the learning rate under the curves and in the status
bar (and a schedule that brought it to 0 said in words), dropout's train-mode loss beside the
eval-mode one, and a loss at the start far from ln K said before training."""

from __future__ import annotations

import math

import numpy as np

from tests.gui.helpers import make_window, open_example, train_until, write_project


def _project(path, layers, schedule=None, init=None, data="xor", lr=0.05, optimizer="sgd", **data_keys):
    network = {"layers": layers, **({"init": init} if init is not None else {})}
    doc = {
        "seed": 2,
        "data": {"name": data, "samples": 200, **data_keys},
        "network": network,
        "training": {
            "optimizer": {"name": optimizer, "lr": lr},
            "batch_size": 25,  # 100 training points: 4 steps an epoch
            "epochs": 1000,
            "schedule": schedule or {"name": "constant"},
        },
    }
    return write_project(path / "mechanics.layerlab.json", doc)


def _paused_at(qtbot, window, epochs: int) -> None:
    train_until(qtbot, window, epochs)
    window.pause()
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=5000)
    # The curves are painted by the view pacer after the frame: wait for the rate plot's points.
    qtbot.waitUntil(lambda: len(window.curvesView.rates()[0]) == len(window.metrics), timeout=5000)


def test_the_rate_plot_draws_the_cosine_schedule_and_the_status_bar_says_it_reached_0(qtbot, tmp_path):
    period = 6.0
    path = _project(
        tmp_path, [{"type": "dense", "units": 4, "activation": "tanh"}], {"name": "cosine", "period": period}
    )
    window = make_window(qtbot, path)
    try:
        assert window.lrLabel.text() == "lr 0.05"  # before the first step: the rate it starts with
        _paused_at(qtbot, window, 10)
        epochs, rates = window.curvesView.rates()
        assert window.curvesView.lr_plot.objectName() == "lrPlot" and window.curvesView.lr_plot.isVisible()
        # Each epoch's rate is its last step's, at fractional epoch (e - 1) + 3/4: the formula itself.
        at = np.minimum(epochs - 1 + 3 / 4, period)
        expected = 0.5 * 0.05 * (1 + np.cos(np.pi * at / period))
        np.testing.assert_allclose(rates, expected, rtol=1e-9, atol=1e-15)
        assert rates[-1] == 0.0
        # The loss plot and the rate plot share their epoch axis.
        loss_view = window.curvesView.loss_plot.getPlotItem().getViewBox()
        assert window.curvesView.lr_plot.getPlotItem().getViewBox().linkedView(0) is loss_view
        assert window.lrLabel.text() == "lr 0"
        assert "cosine schedule brought it down from 0.05" in window.lrLabel.toolTip()
        assert "not frozen" in window.lrLabel.toolTip()
        assert not window.curvesView._train_seen.isVisible()  # no dropout: one train curve
    finally:
        window.shutdown()


def test_dropout_draws_the_loss_the_optimizer_saw_beside_the_eval_mode_loss(qtbot, tmp_path):
    layers = [
        {"type": "dense", "units": 16, "activation": "relu"},
        {"type": "dropout", "rate": 0.5},
        {"type": "dense", "units": 16, "activation": "relu"},
    ]
    window = make_window(qtbot, _project(tmp_path, layers, lr=0.01, optimizer="adam"))
    try:
        _paused_at(qtbot, window, 4)
        seen = window.curvesView._train_seen
        qtbot.waitUntil(
            lambda: seen.getData()[0] is not None and len(seen.getData()[0]) == len(window.metrics)
        )
        assert seen.isVisible()
        np.testing.assert_array_equal(seen.getData()[1], window.metrics.column("train_loss_seen"))
        names = [text.text for _, text in window.curvesView.loss_plot.getPlotItem().legend.items]
        assert "train (as trained)" in names
        # A constant rate: drawn flat, and nothing said about a schedule.
        assert np.all(window.curvesView.rates()[1] == 0.01)
        assert window.lrLabel.text() == "lr 0.01" and "schedule" not in window.lrLabel.toolTip()
    finally:
        window.shutdown()


def test_a_loss_at_the_start_far_above_ln_k_is_said_before_training(qtbot, tmp_path):
    layers = [{"type": "dense", "units": 16, "activation": "relu"}] * 3
    path = _project(
        tmp_path, layers, init={"name": "normal", "std": 1.5}, data="spiral3", params={"classes": 3}
    )
    window = make_window(qtbot, path)
    try:
        message = window.outputPanel.runMessage
        qtbot.waitUntil(message.isVisible, timeout=5000)
        assert message.text().startswith("The loss at the start is ")
        assert f"ln 3 = {math.log(3):.2f}" in message.text()
        open_example(qtbot, window, "xor")  # starts at 0.88, near ln 2 = 0.69: nothing to say
        assert window.last_frame.main.latest.epoch == 0
        assert not message.isVisible()
    finally:
        window.shutdown()
