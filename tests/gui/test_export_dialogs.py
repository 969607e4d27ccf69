"""File > Export's dialogs start in the project's folder, else where the last dialog led."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from gui import exports
from tests.gui.helpers import write_project


def test_export_dialogs_start_in_the_projects_folder_then_where_the_last_one_led(
    qtbot, window, tmp_path, monkeypatch
):
    asked = []

    def save_dialog(parent, caption, start, filters):
        asked.append(start)
        return "", ""  # cancelled: nothing is exported

    def folder_dialog(parent, caption, start):
        asked.append(start)
        return str(tmp_path / "elsewhere")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", folder_dialog)
    monkeypatch.setattr(exports, "export_to", lambda window, key, path: None)
    (tmp_path / "proj").mkdir()
    (tmp_path / "elsewhere").mkdir()

    assert window.model.path is None  # the default example: no file yet
    exports.export_dialog(window, "plots_png")  # leads to tmp/elsewhere
    exports.export_dialog(window, "onnx")
    assert asked[1] == str(tmp_path / "elsewhere" / "model.onnx")

    window.model.mark_saved(write_project(tmp_path / "proj" / "p.layerlab.json", window.model.document()))
    exports.export_dialog(window, "torchscript")
    exports.export_dialog(window, "metrics")
    assert asked[2:] == [str(tmp_path / "proj" / "model.pt"), str(tmp_path / "proj" / "metrics.csv")]
