"""The data panel's CSV file: the CSV… button, the file and error lines, the target column chosen
from the header, opening a file, and the Samples box showing a file's rows. A mixin of DataPanel
(gui/panels/data_panel.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from gui import files
from gui.panels.csv_source import inspect_csv, resolve
from gui.widgets.param_form import tag


class CsvFileChoice:
    """openCsvButton, csvPathLabel, csvTargetCombo, csvErrorLabel and `open_csv`; the panel keeps
    the signals."""

    def _build_csv_button(self) -> None:
        self.openCsvButton = tag(
            QToolButton(), "openCsvButton", "Open CSV file", "Load your own table from a CSV file"
        )
        self.openCsvButton.setText("CSV…")
        self.openCsvButton.clicked.connect(self._on_open_csv_clicked)

    def _add_csv_labels(self, layout: QVBoxLayout) -> None:
        self.csvPathLabel = QLabel()
        self.csvPathLabel.setObjectName("csvPathLabel")
        self.csvPathLabel.setWordWrap(True)
        layout.addWidget(self.csvPathLabel)
        self.csvTargetRow = QWidget()
        target_row = QHBoxLayout(self.csvTargetRow)
        target_row.setContentsMargins(0, 0, 0, 0)
        self.csvTargetCombo = tag(
            QComboBox(),
            "csvTargetCombo",
            "Target column",
            "the column the network learns to predict; every other column is an input",
        )
        self.csvTargetCombo.currentIndexChanged.connect(self._on_csv_target_chosen)
        target_row.addWidget(QLabel("Target column"))
        target_row.addWidget(self.csvTargetCombo, 1)
        self.csvTargetRow.hide()
        layout.addWidget(self.csvTargetRow)
        # A CSV problem stays here until a usable file or another dataset is chosen (the status
        # bar forgets it after seconds).
        self.csvErrorLabel = QLabel()
        self.csvErrorLabel.setObjectName("csvErrorLabel")
        self.csvErrorLabel.setWordWrap(True)
        self.csvErrorLabel.setStyleSheet("QLabel { color: #c5221f; }")
        self.csvErrorLabel.hide()
        self._open_error = ""  # the last CSV that could not be opened (the project kept its data)
        layout.addWidget(self.csvErrorLabel)

    def _refresh_csv(self, data: Any) -> None:
        """Samples shows the file's rows (read-only); a file that cannot be used (any more) says why,
        in red."""
        facts = inspect_csv(resolve(data.path, self._model.path), data.target) if data.path else None
        self._show_csv_error(
            self._open_error or (facts.error if facts else "Choose a CSV file (the CSV… button).")
        )
        self._refresh_csv_target(facts, data.target)
        self._samples_read_only(True)
        if facts is None or facts.error:
            with signals_blocked(self.samplesSpin):
                self.samplesSpin.setRange(0, 0)
                self.samplesSpin.setSpecialValueText("–")  # not a misleading "1"
            self.samplesSpin.setToolTip("the rows of a usable CSV file")
            return
        used = min(data.samples, facts.rows) if data.samples else facts.rows
        with signals_blocked(self.samplesSpin):
            self.samplesSpin.setRange(1, max(facts.rows, 1))
            self.samplesSpin.setValue(used)
        self.samplesSpin.setToolTip(
            f"{os.path.basename(data.path)} has {facts.rows:,} rows and {facts.inputs} input columns; "
            + ("all of them are used" if used == facts.rows else f"data.samples uses {used:,} of them")
        )

    def _refresh_csv_target(self, facts, target: str | None) -> None:
        """The header's columns to choose the target from, the current one selected (the last
        when the project names none); the help line says which it is."""
        columns = facts.columns if facts is not None else ()
        self.csvTargetRow.setVisible(bool(columns))
        with signals_blocked(self.csvTargetCombo):
            self.csvTargetCombo.clear()
            for i, name in enumerate(columns):
                self.csvTargetCombo.addItem(f"{name}  (column {i + 1})", name)
            chosen = target if target in columns else (columns[-1] if columns and target is None else None)
            self.csvTargetCombo.setCurrentIndex(columns.index(chosen) if chosen is not None else -1)
        line = facts.target_text() if facts is not None else ""
        if line:
            self.datasetHelpLabel.setText(f"{line}. Every other column is an input.")
        self.csvTargetCombo.setToolTip(line or "the column the network learns to predict")

    def _on_csv_target_chosen(self, index: int) -> None:
        name = self.csvTargetCombo.itemData(index)
        if name is not None and name != self._model.project.data.target:
            self._model.edit(f"Target column: {name}", lambda doc: doc["data"].update(target=name))

    def _samples_read_only(self, on: bool) -> None:
        """A CSV's row count is shown plainly, not greyed out: it is a fact about the file."""
        self.samplesSpin.setReadOnly(on)
        self.samplesSpin.setSuffix(" rows" if on else "")
        symbols = QAbstractSpinBox.ButtonSymbols
        self.samplesSpin.setButtonSymbols(symbols.NoButtons if on else symbols.UpDownArrows)
        if on:
            self.samplesSpin.setEnabled(True)

    def _show_csv_error(self, text: str) -> None:
        self.csvErrorLabel.setText(text)
        self.csvErrorLabel.setVisible(bool(text))

    def _on_open_csv_clicked(self) -> None:
        data = self._model.project.data
        current = resolve(data.path, self._model.path) if data.name == "csv" and data.path else ""
        start = os.path.dirname(current) if current else files.dialog_folder(self._model.path)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open CSV", start, "CSV files (*.csv *.tsv *.txt);;All files (*)"
        )
        if path:
            files.remember_folder(os.path.dirname(path))
            self.open_csv(path)

    def open_csv(self, path: str) -> bool:
        """Start a new project on the CSV at `path` (last column the target, until another is chosen
        in csvTargetCombo), named after the file:
        the previous project's name, description and promise (`expect`) belong to other data. The
        network and training settings stay; Save asks where (beside the CSV); Ctrl+Z goes back.
        A file that cannot be used changes nothing and says why in red until fixed."""
        path = os.path.abspath(os.path.expanduser(path))
        facts = inspect_csv(path)
        if facts.error:
            self._open_error = facts.error
            self._show_csv_error(facts.error)
            self.message.emit(facts.error)
            return False
        self._open_error = ""
        data = self._model.project.data
        if data.name == "csv" and data.path and resolve(data.path, self._model.path) == path:
            self._model.reload_data()  # the same file, perhaps fixed since: read it again
        elif not self._open_fresh(path):
            return False
        self._refresh()  # the error label, even when nothing else changed
        self.message.emit(f"Loaded {os.path.basename(path)}: {facts.rows:,} rows, {facts.inputs} inputs")
        self.csvOpened.emit(path)
        return True

    def _open_fresh(self, path: str) -> bool:
        values = {"name": "csv", "path": path, "target": None, "params": {}, "samples": None, "noise": 0.0}
        values["features"] = ["x1", "x2"]  # the table's own columns: derived features are for 2-D sets

        def fresh(doc: dict) -> None:
            doc["data"].update(values)
            doc.update(name=Path(path).stem, description="")
            doc.pop("expect", None)

        return self._model.edit(f"Open CSV {os.path.basename(path)}", fresh, detach=True)
