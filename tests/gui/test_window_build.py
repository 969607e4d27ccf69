"""Building a network by clicking, training it, and seeing the loss fall and the boundary move."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.gui.helpers import card, train_until


def test_window_opens_on_spiral_ready_to_play(window):
    assert window.model.project.data.name == "spiral"
    assert window.playButton.isEnabled()
    assert "Epoch 0" in window.epochLabel.text()
    for name in (
        "playButton",
        "stepButton",
        "resetButton",
        "datasetCombo",
        "addLayerButton",
        "layerList",
        "optimizerCombo",
        "lossCombo",
        "learningRateSpin",
        "epochLabel",
        "lossPlot",
        "boundaryView",
        "gradientPlot",
        "networkView",
    ):
        widget = window.findChild(object, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    assert card(window, 0).findChild(object, "activationCombo") is not None


def test_build_by_clicking_then_train(qtbot, window):
    layers_before = len(window.model.project.network.layers)
    qtbot.mouseClick(window.builderPanel.addLayerButton, Qt.MouseButton.LeftButton)
    assert len(window.model.project.network.layers) == layers_before + 1
    new = card(window, layers_before)
    units = window.model.project.network.layers[-1]["units"]
    qtbot.mouseClick(new.unitsPlusButton, Qt.MouseButton.LeftButton)
    assert window.model.project.network.layers[-1]["units"] == units + 1
    combo = new.activationCombo
    combo.setCurrentIndex(combo.findData("relu"))
    assert window.model.project.network.layers[-1]["activation"] == "relu"
    qtbot.waitUntil(lambda: len(window.run_info.layer_infos) == layers_before + 2, timeout=10000)
    qtbot.waitUntil(lambda: window.last_frame.generation == window.run_info.generation, timeout=10000)
    assert window.boundaryView.image.image is not None
    image_before = np.array(window.boundaryView.image.image, copy=True)
    qtbot.mouseClick(window.playButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch >= 30, timeout=30000)
    window.pause()
    loss = window.metrics.column("train_loss")
    assert loss[-1] < loss[0]
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=5000)
    image_after = np.asarray(window.boundaryView.image.image)
    assert image_after.shape == image_before.shape
    assert np.abs(image_after - image_before).max() > 0.01
    # The curves and the gradient plot hold data.
    x, y = window.curvesView._train_loss.getData()
    assert len(x) >= 30


def test_step_trains_exactly_one_epoch(qtbot, window):
    qtbot.mouseClick(window.stepButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.epoch == 1, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.epoch == 2, timeout=10000)
    assert "Epoch 2" in window.epochLabel.text()
    assert not window.running


def test_space_toggles_play_and_r_resets(qtbot, window):
    window.trainingPanel.epochsSpin.setValue(100_000)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.running
    qtbot.waitUntil(lambda: window.epoch >= 3, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.running
    qtbot.keyClick(window, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.epoch == 0 and window.last_frame.main.latest.epoch == 0, timeout=10000)
    assert len(window.metrics) == 0


def test_live_learning_rate_change_keeps_the_epoch(qtbot, window):
    window.trainingPanel.epochsSpin.setValue(100_000)  # keep it running through the change
    train_until(qtbot, window, 5)
    generation = window.run_info.generation
    window.trainingPanel.learningRateSpin.setValue(0.1)
    assert window.model.project.training.optimizer["lr"] == 0.1
    epoch = window.epoch
    qtbot.waitUntil(lambda: window.epoch >= epoch + 3, timeout=10000)
    assert window.run_info.generation == generation  # no rebuild
    assert window.running
    qtbot.waitUntil(lambda: abs(window.last_frame.main.latest.lr - 0.1) < 1e-12, timeout=5000)
    window.pause()


def test_architecture_change_reinitialises(qtbot, window):
    train_until(qtbot, window, 3)
    generation = window.run_info.generation
    qtbot.mouseClick(card(window, 0).unitsMinusButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.run_info.generation > generation, timeout=10000)
    qtbot.waitUntil(lambda: window.epoch == 0, timeout=10000)
    assert not window.running


def test_undo_redo_network_edits(qtbot, window):
    n = len(window.model.project.network.layers)
    qtbot.mouseClick(window.builderPanel.addLayerButton, Qt.MouseButton.LeftButton)
    combo = card(window, n).activationCombo
    combo.setCurrentIndex(combo.findData("sigmoid"))
    assert window.model.project.network.layers[-1]["activation"] == "sigmoid"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.model.project.network.layers[-1]["activation"] != "sigmoid"
    assert len(window.model.project.network.layers) == n + 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.model.project.network.layers) == n
    assert len(window.builderPanel._cards) == n
    qtbot.keyClick(
        window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.keyClick(
        window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.model.project.network.layers[-1]["activation"] == "sigmoid"
    assert card(window, n).activationCombo.currentData() == "sigmoid"


def test_invalid_stack_marks_the_card_and_disables_play(qtbot, window):
    window.model.edit("conv", lambda doc: doc["network"]["layers"].append({"type": "conv2d"}))
    bad = card(window, 2)
    qtbot.waitUntil(lambda: bad.errorLabel.isVisible(), timeout=10000)
    assert "conv2d" in bad.errorLabel.text() or "image" in bad.errorLabel.text()
    assert not window.playButton.isEnabled()
    window.play()
    assert not window.running
    window.model.undo_stack.undo()
    qtbot.waitUntil(lambda: window.playButton.isEnabled(), timeout=10000)
    assert not card(window, 0).errorLabel.isVisible()


@pytest.mark.parametrize("edit", ["gelu activation", "adam optimizer"])
def test_an_edit_the_preset_cannot_train_switches_the_preset_and_play_stays_alive(qtbot, window, edit):
    """The spiral uses the playground preset (dense stacks, plain SGD). An edit it cannot run once
    left Play, Step and Reset dead; now the same edit moves to the standard algorithm, undoably."""
    train_until(qtbot, window, 2)
    generation = window.run_info.generation
    if edit == "gelu activation":
        combo = card(window, 0).activationCombo
        combo.setCurrentIndex(combo.findData("gelu"))
    else:
        combo = window.trainingPanel.optimizerCombo
        combo.setCurrentIndex(combo.findData("adam"))
    assert window.model.project.training.preset == "standard"
    rebuilt = lambda: window.run_info is not None and window.run_info.generation > generation  # noqa: E731
    qtbot.waitUntil(rebuilt, timeout=10000)
    assert window.playButton.isEnabled() and window.stepButton.isEnabled()
    assert not window.runMessage.isVisible()
    generation = window.run_info.generation
    window.model.undo_stack.undo()
    assert window.model.project.training.preset == "playground"
    qtbot.waitUntil(rebuilt, timeout=10000)
    assert window.playButton.isEnabled()


def test_diverging_run_shows_its_message_and_keeps_finite_weights(qtbot, window):
    def diverge(doc):
        doc["data"] = {"name": "plane", "samples": 200}
        doc["network"]["layers"] = [{"type": "dense", "units": 8, "activation": "relu"}] * 3
        doc["training"]["optimizer"] = {"name": "sgd", "lr": 100.0}

    generation = window.run_info.generation
    window.model.edit("diverge", diverge)
    qtbot.waitUntil(lambda: window.run_info.generation > generation, timeout=10000)
    assert not window.run_info.head.classification
    window.play()
    qtbot.waitUntil(lambda: window.runMessage.isVisible(), timeout=20000)
    assert "diverged" in window.runMessage.text().lower()
    assert "learning rate" in window.runMessage.text().lower()
    assert not window.running
    assert not window.playButton.isEnabled()
    assert np.isfinite(window.last_frame.main.probe.output).all()
    assert window.statusBar().currentMessage().startswith("Diverged: the loss became")
    fix = window.outputPanel.fixButton  # Play is off, so the panel offers the way on
    assert fix.isVisibleTo(window) and fix.text() == "Reset"
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.playButton.isEnabled() and window.epoch == 0, timeout=10000)


def test_dataset_change_shows_new_points(qtbot, window):
    generation = window.run_info.generation
    combo = window.dataPanel.datasetCombo
    combo.setCurrentIndex(combo.findData("circle"))
    assert window.model.project.data.name == "circle"
    qtbot.waitUntil(lambda: window.run_info.generation > generation, timeout=10000)
    x, _ = window.boundaryView._train.getData()
    assert len(x) == len(window.run_info.dataset.x_train)
    assert window.discretizeCheck.isEnabled()
    train_until(qtbot, window, 5)
    window.pause()
    generation = window.run_info.generation
    combo.setCurrentIndex(combo.findData("plane"))  # regression: no boundary to discretize
    qtbot.waitUntil(lambda: window.run_info.generation > generation, timeout=10000)
    assert not window.discretizeCheck.isEnabled()


def test_reorder_layers_by_buttons_and_drop(qtbot, window):
    window.model.edit(
        "two kinds",
        lambda doc: doc["network"].update(
            layers=[
                {"type": "dense", "units": 3, "activation": "relu"},
                {"type": "dense", "units": 5, "activation": "tanh"},
            ]
        ),
    )
    units = lambda: [layer["units"] for layer in window.model.project.network.layers]  # noqa: E731
    assert units() == [3, 5]
    qtbot.mouseClick(card(window, 0).moveDownButton, Qt.MouseButton.LeftButton)
    assert units() == [5, 3]
    # What a drag in the layer list asks for: move row 1 to row 0.
    window.builderPanel.layerList.moveRequested.emit(1, 0)
    assert units() == [3, 5]
    assert card(window, 1).unitsSpin.value() == 5
    window.model.undo_stack.undo()
    assert units() == [5, 3]


def test_pausing_shows_the_paused_epoch_in_every_view(qtbot, window):
    """While training, the busy views repaint later and in parts; the pause frame draws them all."""
    train_until(qtbot, window, 60)
    window.pause()
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=5000)
    final = window.last_frame.main.latest.epoch
    # The frame that says "paused" has just been shown: nothing may still wait to be drawn.
    assert not window.view_pacer.pending and not window.view_pacer.timer.isActive()
    curves = (
        window.curvesView._train_loss,
        window.curvesView._train_accuracy,
        window.gradientView._grad_curves[0],
        window.gradientView._ratio_curves[0],
    )
    for curve in curves:  # the pause frame handed every curve its epoch
        assert curve.getOriginalDataset()[0][-1] == final
    # What is drawn is clipped to the view's x range, which pyqtgraph fits only when it next paints
    # (the accuracy plot follows the loss plot's range): on a loaded machine that paint comes later.
    qtbot.waitUntil(lambda: all(curve.getData()[0][-1] == final for curve in curves), timeout=5000)
    probe = window.last_frame.main.probe
    for node, values in zip(window.networkView.unit_nodes[0], probe.units[0], strict=True):
        assert np.shares_memory(node.map, values)  # this very frame's unit maps, not an older one


def test_axes_read_in_plain_units(window):
    """No SI prefix: the decision map's x1 runs -6..6, not "-6000..6000" (milli-scaled) or "x1 (m)"."""
    for plot in (window.boundaryView, window.curvesView.loss_plot, window.gradientView.plot_widget):
        for name in ("bottom", "left"):
            axis = plot.getPlotItem().getAxis(name)
            assert axis.autoSIPrefixScale == 1.0
            assert axis.labelUnitPrefix == ""
    ticks = window.boundaryView.getPlotItem().getAxis("bottom").tickStrings([-6.0, 0.0, 6.0], 1.0, 2.0)
    assert ticks == ["-6", "0", "6"]


def test_legends_sit_beside_the_curves_not_on_them(qtbot, window):
    """Live curves go anywhere; a legend inside the plot area always hid some (the newest epochs)."""
    train_until(qtbot, window, 3)
    window.pause()
    qtbot.waitUntil(lambda: window.view_pacer.pending == {}, timeout=5000)
    plots = {"loss": window.curvesView.loss_plot, "gradients": window.gradientView.plot_widget}
    for name, widget in plots.items():
        plot = widget.getPlotItem()
        entries = [label.text for _, label in plot.legend.items]
        assert len(entries) >= 2, name
        assert plot.legend.isVisible() and plot.legend.sceneBoundingRect().height() > 0, name
        area = plot.getViewBox().sceneBoundingRect()
        assert not plot.legend.sceneBoundingRect().intersects(area), f"{name}: legend over the curves"
    assert set(entries) == {"hidden 1", "hidden 2", "output"}  # named as the diagram names them
