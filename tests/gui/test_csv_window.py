"""A CSV in the window: a fresh project named after the file, the data panel telling the file's
rows and its problems, File ▸ Recent and the file dialogs starting where the user's files are."""

from __future__ import annotations

import json

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from gui import files
from tests.gui.helpers import make_window


def _good_csv(path, rows=40):
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(rows)))
    return path


def _menu(window, name):
    from PySide6.QtWidgets import QMenu

    return window.findChild(QMenu, name)


def _texts(menu):
    return [a.text() for a in menu.actions()]


def _trigger(menu, text):
    next(a for a in menu.actions() if a.text() == text).trigger()


def test_opening_a_csv_starts_a_fresh_project_named_after_the_file(qtbot, window, tmp_path, monkeypatch):
    assert window.open_example("xor")
    assert window.model.project.expect  # the example's promise
    network = window.model.document()["network"]
    csv = _good_csv(tmp_path / "measurements.csv")
    panel = window.dataPanel
    assert panel.open_csv(str(csv))
    project = window.model.project
    assert (project.name, project.description, project.expect) == ("measurements", "", {})
    assert project.data.name == "csv" and project.data.path == str(csv)
    assert window.model.document()["network"] == network  # the user's network stays
    # What the data panel shows for it.
    assert panel.datasetCombo.currentText() == "measurements.csv"
    assert panel.samplesSpin.isReadOnly() and panel.samplesSpin.value() == 40
    assert "40 rows" in panel.samplesSpin.toolTip()
    assert not panel.regenerateButton.isEnabled()
    assert "nothing to regenerate" in panel.regenerateButton.toolTip()
    assert panel.csvErrorLabel.isHidden()
    # Save as "csvproj": the dialog starts beside the CSV, and the file gets the project suffix.
    calls = []

    def save_dialog(parent, caption, start, filters):
        calls.append(start)
        return str(tmp_path / "csvproj"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    assert window.save_as()
    assert calls == [str(tmp_path / "measurements.layerlab.json")]
    saved = tmp_path / "csvproj.layerlab.json"
    doc = json.loads(saved.read_text())
    assert doc["name"] == "measurements" and doc["description"] == "" and "expect" not in doc
    assert window.model.path == saved
    # Ctrl+Z goes back to the example, promise and all.
    window.model.undo_stack.undo()
    assert window.model.project.name == "XOR" and window.model.project.expect
    assert panel.datasetCombo.currentText() != "measurements.csv"
    assert panel.regenerateButton.isEnabled()
    assert not panel.samplesSpin.isReadOnly() and panel.samplesSpin.isEnabled()  # xor's samples
    # Any non-CSV set keeps the CSV item's "Open CSV…" text.
    assert "Open CSV…" in [panel.datasetCombo.itemText(i) for i in range(panel.datasetCombo.count())]


def test_a_csv_error_stays_in_the_data_panel_until_fixed(qtbot, window, tmp_path):
    panel = window.dataPanel
    before = window.model.document()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,0\n3,oops,1\n")
    assert not panel.open_csv(str(bad))
    assert window.model.document() == before
    assert not panel.csvErrorLabel.isHidden()
    assert "bad.csv" in panel.csvErrorLabel.text() and "line 3" in panel.csvErrorLabel.text()
    window.model.edit("unrelated", lambda doc: doc["training"].update(epochs=9))
    assert not panel.csvErrorLabel.isHidden()  # still there after other edits
    # Fixing the file and opening it again clears it.
    _good_csv(bad)
    assert panel.open_csv(str(bad))
    assert panel.csvErrorLabel.isHidden()
    # A CSV in use that breaks later says so when it is read again.
    bad.write_text("a,b,label\n1,2,0\n")
    assert panel.open_csv(str(bad)) is False
    assert "only one data row" in panel.csvErrorLabel.text()
    _good_csv(bad, rows=7)
    assert panel.open_csv(str(bad))  # the same file, fixed: read again, no new project
    assert panel.csvErrorLabel.isHidden() and panel.samplesSpin.value() == 7


def test_recent_lists_what_was_opened_and_dialogs_start_in_the_project_folder(
    qtbot, window, tmp_path, monkeypatch
):
    recent = _menu(window, "recentMenu")
    assert window.open_example("gauss")
    assert recent.isEnabled() and _texts(recent)[0] == "Two Gaussians (example)"
    csv = _good_csv(tmp_path / "table.csv")
    assert window.dataPanel.open_csv(str(csv))
    assert _texts(recent)[:2] == ["table.csv (CSV)", "Two Gaussians (example)"]
    folder = tmp_path / "projects"
    folder.mkdir()
    assert window.save_as(folder / "mine.layerlab.json")
    assert _texts(recent)[0] == "mine.layerlab.json"
    # Recent reopens each kind: the example, then the CSV (on the current project).
    _trigger(recent, "Two Gaussians (example)")
    assert window.model.project.data.name == "gauss"
    _trigger(recent, "table.csv (CSV)")
    assert window.model.project.data.path == str(csv)
    # File ▸ Open starts in the current project's folder; the CSV dialog beside the CSV in use.
    window.open_project(folder / "mine.layerlab.json")
    starts = []
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        lambda parent, caption, start, filters: starts.append(start) or ("", ""),
    )
    window.findChild(QAction, "openAction").trigger()
    assert starts == [str(folder)]
    window.dataPanel.openCsvButton.click()
    assert starts[-1] == str(tmp_path)
    # A file that is gone stays listed, greyed out, saying so.
    csv.unlink()
    window.menu_state.refresh(files.recent_files())
    gone = next(a for a in recent.actions() if a.text() == "table.csv (CSV)")
    assert not gone.isEnabled() and "no longer there" in gone.toolTip()
    window.dataPanel.trainRatioSpin.setValue(60)  # any edit refreshes the panel
    assert window.dataPanel.samplesSpin.text() == "–"  # the CSV in use is gone: no row count
    assert "no such file" in window.dataPanel.csvErrorLabel.text()


def test_save_as_adds_the_suffix_only_to_a_bare_name_and_asks_before_replacing(
    qtbot, window, tmp_path, monkeypatch
):
    answer = [str(tmp_path / "plain.json")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (answer[0], ""))
    assert window.save_as()
    assert window.model.path == tmp_path / "plain.json"
    taken = tmp_path / "taken.layerlab.json"
    taken.write_text("keep me")
    answer[0] = str(tmp_path / "taken")
    asked = []
    window.confirm_overwrite = lambda path: asked.append(path) or False
    assert not window.save_as()
    assert asked == [taken] and taken.read_text() == "keep me"


def test_open_example_shows_what_each_example_is(qtbot, window):
    from engine.examples import example_names

    menu = _menu(window, "examplesMenu")
    texts = _texts(menu)
    assert len(texts) == len(example_names())
    xor = next(a for a in menu.actions() if a.text().startswith("xor — "))
    assert "Not linearly separable" in xor.text() and len(xor.text()) < 80
    assert "bends the boundary around the quadrants" in xor.toolTip()
    assert "test accuracy ≥ 0.95 within 200 epochs" in xor.toolTip()


def test_a_project_opened_from_the_command_line_is_in_recent(qtbot, tmp_path):
    from engine.examples import example_path

    path = tmp_path / "start.layerlab.json"
    path.write_text(example_path("xor").read_text())
    w = make_window(qtbot, path)
    try:
        assert _texts(_menu(w, "recentMenu"))[0] == "start.layerlab.json"
    finally:
        w.shutdown()


def test_a_table_or_image_set_opened_from_the_spiral_can_train(qtbot, window, tmp_path):
    """The spiral's sin x1 / sin x2 features exist for 2-D sets only: a CSV or digits opened from
    it used to leave Play dead ("derived features apply to 2-D point sets only")."""
    assert "sin_x1" in window.model.project.data.features
    assert window.dataPanel.open_csv(str(_good_csv(tmp_path / "table.csv")))
    assert window.model.project.data.features == ["x1", "x2"]
    qtbot.waitUntil(
        lambda: window.run_info is not None and window.run_info.dataset.kind == "tabular", timeout=30000
    )
    assert window.playButton.isEnabled() and window.runMessage.isHidden()
    window.model.undo_stack.undo()  # back to the spiral, its features with it
    assert "sin_x1" in window.model.project.data.features
    window.dataPanel._select_dataset("digits")
    assert window.model.project.data.features == ["x1", "x2"]
    qtbot.waitUntil(
        lambda: window.run_info is not None and window.run_info.dataset.kind == "image", timeout=30000
    )


def test_a_project_with_features_its_data_cannot_have_offers_the_fix(qtbot, window):
    window.model.edit("digits", lambda doc: doc["data"].update(name="digits"))  # keeps sin x1, sin x2
    qtbot.waitUntil(lambda: not window.playButton.isEnabled(), timeout=30000)
    assert "data.features" in window.runMessage.text()
    window._on_fix_clicked()  # the run panel's "Use the raw inputs"
    assert window.model.project.data.features == ["x1", "x2"]
    qtbot.waitUntil(window.playButton.isEnabled, timeout=30000)


def test_the_target_column_is_chosen_from_the_header_and_named_in_the_panel(qtbot, window, tmp_path):
    from tests.gui.helpers import train_until

    csv = tmp_path / "flowers.csv"
    rows = "".join(
        f"{i % 2},{1.0 + 3 * (i % 2) + (i % 5) * 0.1:.2f},{(i * 7) % 11 / 10:.1f}\n" for i in range(40)
    )
    csv.write_text("species,petal,noise\n" + rows)
    panel = window.dataPanel
    window.panelTabs.setCurrentWidget(panel)
    assert panel.open_csv(str(csv))
    combo = panel.csvTargetCombo
    assert combo.isVisible() and [combo.itemData(i) for i in range(combo.count())] == [
        "species",
        "petal",
        "noise",
    ]
    assert combo.currentData() == "noise"  # no target named: the last column
    assert "Target: noise (column 3 of 3), regression" in panel.datasetHelpLabel.text()
    combo.setCurrentIndex(0)
    assert window.model.project.data.target == "species"
    assert "Target: species (column 1 of 3), classification of 2 classes" in panel.datasetHelpLabel.text()
    qtbot.waitUntil(
        lambda: window.run_info is not None and window.run_info.dataset.input_names == ("petal", "noise"),
        timeout=30000,
    )
    assert window.run_info.dataset.task == "classification"
    train_until(qtbot, window, 2)
    window.model.edit(
        "bad target", lambda doc: doc["data"].update(target="Species")
    )  # e.g. a hand-edited file
    assert "no column 'Species'; columns: species, petal, noise" in panel.csvErrorLabel.text()
    assert panel.csvErrorLabel.isVisible() and combo.count() == 3 and combo.currentIndex() == -1
    combo.setCurrentIndex(0)  # the fix: choose a column the file has
    assert window.model.project.data.target == "species" and panel.csvErrorLabel.isHidden()
    window.model.undo_stack.undo()
    assert window.model.project.data.target == "Species"
