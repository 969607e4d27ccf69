"""Compare mode in the window: pick a setting and values, watch the runs side by side, keep one.

The session's side (shared start, each run equal to its variant alone) is tested in
tests/engine/test_session_runs.py; here: what the learner sees and does.
"""

from __future__ import annotations

import numpy as np

from engine.race import variant_project
from engine.train import Trainer
from tests.gui.helpers import start_comparison


def test_a_bad_value_is_named_and_nothing_starts(qtbot, window, monkeypatch):
    sent = []
    monkeypatch.setattr(window.training, "send", lambda command, arg: sent.append(command))
    window.compareButton.click()
    view = window.compareView
    view.keyCombo.setCurrentIndex(view.keyCombo.findData("lr"))
    view.valuesEdit.setText("0.1, -2")
    view.startButton.click()
    assert "Learning rate: '-2' is out of range" in view.errorLabel.text()
    view.keyCombo.setCurrentIndex(view.keyCombo.findData("optimizer"))
    view.valuesEdit.setText("sgd, adamm")
    view.startButton.click()
    assert "'adamm' is not one of" in view.errorLabel.text()
    assert "compare" not in sent and not window.comparing
    view.cancelButton.click()
    assert window.viewStack.currentIndex() == 0


def test_three_learning_rates_train_side_by_side_and_the_table_follows(qtbot, window):
    start_comparison(qtbot, window, "lr", "0.3, 0.03, 0.003")
    view = window.compareView
    assert view.curves.legend_names() == [
        "learning rate 0.3",
        "learning rate 0.03",
        "learning rate 0.003",
    ]
    assert len(view.maps.views) == 3
    assert window.panelTabs.isVisible()  # the editing panels stay beside the comparison
    for _ in range(5):
        window.step()
    qtbot.waitUntil(lambda: all(s.epoch >= 5 for s in window.compare_stats.values()), timeout=20000)
    assert view.curves.curve_count("loss") == 6  # train and test of each run
    # each run's numbers are its variant trained alone for those epochs
    for run_id, info in window.compare_runs.items():
        alone = Trainer(variant_project(window.model.project, info.overrides))
        alone.run(5)
        expected = alone.evaluate()
        assert window.compare_logs[run_id].column("train_loss")[4] == expected.train_loss
        text = window.compareTable.cell_text(run_id, "Train loss")
        assert text == f"{expected.train_loss:.4f}"
    # every map shows its own run's output
    outputs = [view.maps.views[r]._probe.output for r in window.compare_runs]
    assert not np.array_equal(outputs[0], outputs[2])
    # a target every run passes at once names epoch 1; an unreachable one says "not yet"
    window.compareTarget.setValue(0.0 if "loss" in window._compare_target_metric else 0.01)
    reached = [window.compareTable.cell_text(r, view.table.target_title) for r in window.compare_runs]
    assert all(text.startswith("epoch ") for text in reached)
    window.compareTarget.setValue(1.0 if "accuracy" in window._compare_target_metric else 0.0)
    reached = [window.compareTable.cell_text(r, view.table.target_title) for r in window.compare_runs]
    assert "not yet" in reached


def test_keeping_a_run_makes_its_setting_the_projects_and_training_goes_on(qtbot, window):
    start_comparison(qtbot, window, "lr", "0.3, 0.01")
    for _ in range(4):
        window.step()
    qtbot.waitUntil(lambda: all(s.epoch >= 4 for s in window.compare_stats.values()), timeout=20000)
    kept = window.compareView.run_ids[1]
    loss = window.compare_logs[kept].column("train_loss")[-1]
    window.compareTable.selectRow(1)
    window.keepRunButton.click()
    qtbot.waitUntil(lambda: not window.comparing and window.last_frame.main is not None, timeout=20000)
    assert window.viewStack.currentIndex() == 0
    assert window.model.project.training.optimizer["lr"] == 0.01
    assert window.run_info.epoch == 4 and window.metrics.column("train_loss")[-1] == loss
    window.model.undo_stack.undo()  # the kept setting is one undoable edit
    assert window.model.project.training.optimizer["lr"] != 0.01


def test_a_variant_the_session_refuses_is_said_on_the_setup_row(qtbot, window):
    window.compareButton.click()
    view = window.compareView
    view.keyCombo.setCurrentIndex(view.keyCombo.findData("optimizer"))
    view.valuesEdit.setText("sgd, adam")  # the spiral's playground preset trains with plain SGD only
    view.startButton.click()
    qtbot.waitUntil(lambda: "playground preset" in view.errorLabel.text(), timeout=20000)
    assert not window.comparing and view.startButton.isEnabled()
    # One click: the standard algorithm (an undoable edit), and the same comparison starts.
    assert view.fixButton.isVisible()
    view.fixButton.click()
    qtbot.waitUntil(lambda: window.comparing, timeout=20000)
    assert window.model.project.training.preset == "standard"
    assert [info.label for info in window.compare_runs.values()] == ["optimizer sgd", "optimizer adam"]
    assert not view.fixButton.isVisible() and view.errorLabel.text() == ""
    window.model.undo_stack.undo()
    assert window.model.project.training.preset == "playground"


def test_reset_starts_every_run_again(qtbot, window):
    window.model.edit("standard", lambda doc: doc["training"].update(preset="standard"))
    qtbot.waitUntil(lambda: window.model.project.training.preset == "standard", timeout=5000)
    start_comparison(qtbot, window, "optimizer", "sgd, adam")
    window.step()
    qtbot.waitUntil(lambda: all(s.epoch >= 1 for s in window.compare_stats.values()), timeout=20000)
    before = set(window.compare_runs)
    generation = window.run_info.generation
    window.reset()
    qtbot.waitUntil(lambda: window.run_info.generation != generation, timeout=20000)
    assert set(window.compare_runs) == before
    assert all(s.epoch == 0 for s in window.compare_stats.values())


def test_a_branch_opens_as_a_comparison_of_the_run_and_its_branch(qtbot, window):
    window.step()
    window.step()
    qtbot.waitUntil(lambda: window.epoch >= 2 and not window.last_frame.running, timeout=20000)
    bar = window.historyBar
    assert not bar.branchButton.isHidden()
    window.historySlider.setValue(1)
    qtbot.waitUntil(lambda: window.history_view is not None, timeout=5000)
    bar.branchButton.setChecked(True)
    bar.branchKey.setCurrentIndex(bar.branchKey.findData("lr"))
    bar.branchValue.setEditText("0.1")
    bar.branchGo.click()
    qtbot.waitUntil(lambda: window.comparing, timeout=20000)
    assert window.viewStack.currentWidget() is window.compareView
    labels = [info.label for info in window.compare_runs.values()]
    assert len(labels) == 2 and "learning rate 0.1 from epoch 1" in labels


def test_a_paused_comparison_shows_its_last_frame_in_full(qtbot, window, monkeypatch):
    """While training the page is drawn in parts (gui/view_pacer.py); pausing draws what is left."""
    start_comparison(qtbot, window, "lr", "0.3, 0.03, 0.003")
    view = window.compareView
    latest, frames = {}, []
    show = window._show_compare_frame

    def recording(frame):
        frames.append(frame)
        latest.update({run.run_id: run.probe for run in frame.runs if run.probe is not None})
        show(frame)

    monkeypatch.setattr(window, "_show_compare_frame", recording)
    window.play()
    qtbot.waitUntil(lambda: sum(f.running for f in frames) >= 5, timeout=20000)
    window.pause()
    qtbot.waitUntil(lambda: not frames[-1].running, timeout=20000)
    assert view.maps.waiting() == []
    assert not any(name.startswith("compare_") for name in window.view_pacer.pending)
    for run_id, stats in window.compare_stats.items():
        assert view.maps.views[run_id]._probe is latest[run_id]  # no map left a frame behind
        assert window.compareTable.cell_text(run_id, "Epoch") == f"{stats.epoch:,}"
        curve = view.curves._curves[run_id]["train_loss"]
        assert curve.xData[-1] == stats.epoch


def test_two_settings_compare_every_combination_of_their_values(qtbot, window, monkeypatch):
    view = window.compareView
    window.compareButton.click()
    assert not view.valuesEdit2.isEnabled()  # no second setting until one is chosen
    view.keyCombo.setCurrentIndex(view.keyCombo.findData("lr"))
    view.valuesEdit.setText("0.3, 0.03")
    view.keyCombo2.setCurrentIndex(view.keyCombo2.findData("batch_size"))
    assert view.valuesEdit2.isEnabled()
    view.valuesEdit2.setText("5, 10, 25, 50, 125")
    sent = []
    real_send = window.training.send
    monkeypatch.setattr(window.training, "send", lambda command, arg: sent.append(command))
    view.startButton.click()  # 2 x 5 = 10 runs: too many, said, nothing sent
    assert "2 × 5 = 10 variants" in view.errorLabel.text() and "compare" not in sent
    monkeypatch.setattr(window.training, "send", real_send)
    view.valuesEdit2.setText("5, 25")
    view.startButton.click()
    qtbot.waitUntil(lambda: window.comparing, timeout=20000)
    labels = [info.label for info in window.compare_runs.values()]
    assert labels == [
        "learning rate 0.3, batch size 5",
        "learning rate 0.3, batch size 25",
        "learning rate 0.03, batch size 5",
        "learning rate 0.03, batch size 25",
    ]
    assert view.curves.legend_names() == labels


def test_eight_runs_at_1440x900_show_every_label_whole(qtbot, window):
    """Issue 9: with 8 runs of two settings the curves' column was ~150 px and its legend clipped."""
    from gui.compare.curves import MIN_WIDTH

    window.model.edit("standard", lambda doc: doc["training"].update(preset="standard"))
    qtbot.waitUntil(lambda: window.model.project.training.preset == "standard", timeout=5000)
    window.resize(1440, 900)
    view = window.compareView
    window.compareButton.click()
    view.keyCombo.setCurrentIndex(view.keyCombo.findData("optimizer"))
    view.valuesEdit.setText("sgd, momentum, rmsprop, adam")
    view.keyCombo2.setCurrentIndex(view.keyCombo2.findData("lr"))
    view.valuesEdit2.setText("0.03, 0.003")
    view.startButton.click()
    qtbot.waitUntil(lambda: window.comparing, timeout=20000)
    curves, key = view.curves, view.curves.run_key
    qtbot.waitUntil(lambda: key.isVisible() and key.width() > 0 and len(view.maps.titles) == 8, timeout=5000)
    assert window.width() == 1440  # nothing on the page asks for more than the screen gives
    assert curves.key_entries[:2] == ["sgd · 0.03", "sgd · 0.003"]  # the settings' names said once
    assert "optimizer · learning rate" in key.text()
    assert curves.loss_plot.width() >= MIN_WIDTH
    metrics = key.fontMetrics()
    for entry in curves.key_entries:
        assert metrics.horizontalAdvance(f"■ {entry}") < key.width()
    assert key.heightForWidth(key.width()) <= key.height()  # every wrapped line of the key shows
    for title in view.maps.titles:
        assert title.sizeHint().width() <= title.width(), title.text()
