"""The window's traps (issue 14): a preset that refused Adam with Play dead, runs that ended
silently, out-of-range values clamped without a word, networks worse than chance left unsaid."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engine.cli import load_project_arg
from tests.gui.helpers import card, new_run, train_until


def _choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_adam_on_the_playground_preset_switches_to_standard_in_one_undoable_edit(qtbot, window):
    assert window.model.project.training.preset == "playground"
    generation = window.run_info.generation
    _choose(window.trainingPanel.optimizerCombo, "adam")
    training = window.model.project.training
    assert training.optimizer["name"] == "adam" and training.preset == "standard"
    note = window.trainingPanel.presetNote
    assert note.isVisibleTo(window.trainingPanel)
    assert "Switched to the standard algorithm" in note.text() and "Ctrl+Z" in note.text()
    assert "training starts again" in note.text()
    assert "standard algorithm" in window.statusBar().currentMessage()
    qtbot.waitUntil(
        lambda: window.run_info is not None and window.run_info.generation > generation, timeout=10000
    )
    assert window.playButton.isEnabled() and window.stepButton.isEnabled()
    train_until(qtbot, window, 3)  # Adam trains
    window.pause()
    window.model.undo_stack.undo()  # one step back: SGD and the playground together
    training = window.model.project.training
    assert training.optimizer["name"] == "sgd" and training.preset == "playground"
    assert not note.isVisibleTo(window.trainingPanel)
    assert "standard algorithm" not in window.statusBar().currentMessage()  # the note is stale now
    qtbot.waitUntil(lambda: window.run_info is not None and window.playButton.isEnabled(), timeout=10000)


def test_gelu_on_the_playground_preset_switches_to_standard(qtbot, window):
    _choose(card(window, 0).activationCombo, "gelu")
    project = window.model.project
    assert project.network.layers[0]["activation"] == "gelu"
    assert project.training.preset == "standard"
    qtbot.waitUntil(lambda: window.run_info is not None and window.run_info.backend == "torch", timeout=10000)
    assert window.playButton.isEnabled()


def test_choosing_the_playground_preset_brings_the_optimizer_along(qtbot, window):
    _choose(window.trainingPanel.optimizerCombo, "adam")
    assert window.model.project.training.preset == "standard"
    _choose(window.trainingPanel.presetCombo, "playground")
    training = window.model.project.training
    assert training.preset == "playground" and training.optimizer["name"] == "sgd"
    assert "plain SGD" in window.trainingPanel.presetNote.text()
    qtbot.waitUntil(lambda: window.run_info is not None and window.playButton.isEnabled(), timeout=10000)


def test_a_project_the_preset_refuses_offers_a_button_that_fixes_it(qtbot, window):
    """Opened as it is (no edit to complete), a refused project keeps Play off but says why
    beside a button that makes it trainable."""
    project = load_project_arg("spiral", ["training.optimizer.name=adam"])
    window.model.replace(project, None)
    qtbot.waitUntil(lambda: not window.playButton.isEnabled(), timeout=10000)
    button = window.outputPanel.fixButton
    qtbot.waitUntil(lambda: button.isVisibleTo(window), timeout=10000)
    assert "plain sgd" in window.runMessage.text().lower()
    assert button.text() == "Use the standard algorithm"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.model.project.training.preset == "standard"
    qtbot.waitUntil(lambda: window.playButton.isEnabled(), timeout=10000)
    assert not window.runMessage.isVisible() and not button.isVisibleTo(window)


def test_play_trains_until_paused_past_the_epoch_budget(qtbot, window):
    window.trainingPanel.epochsSpin.setValue(5)
    assert not window.trainingPanel.stopAtEpochCheck.isChecked()  # the window's default
    train_until(qtbot, window, 15)
    assert window.running
    window.pause()
    qtbot.waitUntil(lambda: not window.last_frame.running, timeout=5000)


def test_stop_after_stops_at_the_budget_and_says_so(qtbot, window):
    window.trainingPanel.epochsSpin.setValue(5)
    window.trainingPanel.stopAtEpochCheck.setChecked(True)
    window.play()
    qtbot.waitUntil(lambda: not window.running, timeout=20000)
    assert window.epoch == 5
    assert "Stopped: reached epoch 5" in window.statusBar().currentMessage()
    ready = new_run(window)
    window.model.replace(load_project_arg("xor", []), None)  # another project: that stop is not its own
    qtbot.waitUntil(ready, timeout=10000)
    assert "Stopped" not in window.statusBar().currentMessage()


def test_a_network_worse_than_chance_says_so_with_a_fix(qtbot, window):
    project = load_project_arg("xor", ["training.optimizer.lr=100"])
    window.model.replace(project, None)
    qtbot.waitUntil(
        lambda: window.run_info is not None and window.run_info.dataset.name == "xor", timeout=10000
    )
    train_until(qtbot, window, 10)
    window.pause()
    qtbot.waitUntil(lambda: window.runMessage.isVisible(), timeout=5000)
    assert "worse than chance" in window.runMessage.text().lower()
    assert "learning rate" in window.runMessage.text().lower()
    button = window.outputPanel.fixButton
    assert button.isVisibleTo(window) and "10" in button.text()
    generation = window.run_info.generation
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.model.project.training.optimizer["lr"] == 10.0
    qtbot.waitUntil(lambda: window.run_info.generation > generation and window.epoch == 0, timeout=10000)


def test_an_out_of_range_learning_rate_is_refused_with_its_range(qtbot, window):
    spin = window.trainingPanel.learningRateSpin
    assert "training.optimizer.lr: range 1e-07..100" in spin.toolTip()
    before = window.model.project.training.optimizer["lr"]
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "0")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.model.project.training.optimizer["lr"] == before  # not clamped to 1e-07
    assert spin.value() == before
    message = window.statusBar().currentMessage()
    assert "training.optimizer.lr" in message and "range 1e-07..100" in message


def test_every_range_box_refuses_and_says_so(qtbot, window):
    spin = window.trainingPanel.clipMaxSpin
    assert "training.grad_clip.max: range 1e-06..1e+06" in spin.toolTip()
    window.model.edit("clip", lambda doc: doc["training"]["grad_clip"].update(mode="norm", max=1.0))
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "0")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.model.project.training.grad_clip["max"] == 1.0
    assert (
        "training.grad_clip.max: 0 is outside the range 1e-06..1e+06" in window.statusBar().currentMessage()
    )


def test_a_parameter_form_refuses_out_of_range_values_by_name(qtbot):
    from engine.spec.registry import Param
    from gui.widgets.param_form import ParamForm

    form = ParamForm("optimizer")
    qtbot.addWidget(form)
    form.set_params((Param("momentum", 0.9, float, 0.0, 1.0, help="how much of the last step is kept"),))
    editor = form.editors["momentum"]
    assert "range 0..1" in editor.toolTip()
    refused, changed = [], []
    form.refused.connect(refused.append)
    form.valueChanged.connect(lambda *a: changed.append(a))
    form.show()
    editor.lineEdit().selectAll()
    qtbot.keyClicks(editor, "5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert not changed and editor.value() == 0.9
    assert refused == ["optimizer.momentum: 5 is outside the range 0..1; kept 0.9"]
