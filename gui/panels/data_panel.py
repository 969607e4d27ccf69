"""The data panel: which dataset, a thumbnail of it, noise, size, split, batch size and input features.

Every change is one `model.edit`; `changed({"data"|"training"})` refreshes the widgets quietly.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from engine.data import DATASETS, MAX_SAMPLES, dataset_defaults, preview
from engine.errors import SpecError
from engine.spec.catalog.features import FEATURES
from gui import files
from gui.panels.csv_source import inspect_csv, resolve
from gui.panels.dataset_preview import draw_preview
from gui.panels.validation_field import ValidationSpin
from gui.project_model import ProjectModel
from gui.widgets.param_form import ParamForm, camel, fill_combo, scrolling_column, set_quietly, tag

KIND_TEXT = {"image": "images", "tabular": "a table", "sequence": "sequences"}
OPEN_CSV_TEXT = "Open CSV…"
PREVIEW_SIZE = 112


class DataPanel(QWidget):
    """Edits `data` (and training.batch_size, which is about how the data is fed)."""

    message = Signal(str)
    csvOpened = Signal(str)  # the path of a CSV file now in use (File ▸ Recent lists it)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.setObjectName("dataPanel")
        scrolling_column(self, self._dataset_box(), self._sampling_box(), self._features_box())
        model.changed.connect(self._on_model_changed)
        model.editRejected.connect(lambda *_: self._refresh())
        self._refresh()

    # --- construction -------------------------------------------------------------------------
    def _dataset_box(self) -> QGroupBox:
        box = QGroupBox("Dataset")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.datasetCombo = tag(QComboBox(), "datasetCombo", "Dataset")
        self.datasetCombo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        fill_combo(self.datasetCombo, DATASETS, [n for n in DATASETS if n != "csv"])
        self.datasetCombo.addItem(OPEN_CSV_TEXT, "csv")
        self.datasetCombo.setItemData(
            self.datasetCombo.count() - 1, DATASETS["csv"].help, Qt.ItemDataRole.ToolTipRole
        )
        self.datasetCombo.currentIndexChanged.connect(self._on_dataset_changed)
        self.openCsvButton = tag(
            QToolButton(), "openCsvButton", "Open CSV file", "Load your own table from a CSV file"
        )
        self.openCsvButton.setText("CSV…")
        self.openCsvButton.clicked.connect(self._on_open_csv_clicked)
        row.addWidget(self.datasetCombo, 1)
        row.addWidget(self.openCsvButton)
        layout.addLayout(row)
        self.csvPathLabel = QLabel()
        self.csvPathLabel.setObjectName("csvPathLabel")
        self.csvPathLabel.setWordWrap(True)
        layout.addWidget(self.csvPathLabel)
        # A CSV problem stays here until a usable file or another dataset is chosen (the status
        # bar forgets it after seconds).
        self.csvErrorLabel = QLabel()
        self.csvErrorLabel.setObjectName("csvErrorLabel")
        self.csvErrorLabel.setWordWrap(True)
        self.csvErrorLabel.setStyleSheet("QLabel { color: #c5221f; }")
        self.csvErrorLabel.hide()
        self._open_error = ""  # the last CSV that could not be opened (the project kept its data)
        layout.addWidget(self.csvErrorLabel)
        row = QHBoxLayout()
        self.datasetPreview = QLabel()
        self.datasetPreview.setObjectName("datasetPreview")
        self.datasetPreview.setAccessibleName("Dataset preview")
        self.datasetPreview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.datasetPreview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.datasetPreview.setWordWrap(True)
        row.addWidget(self.datasetPreview)
        side = QVBoxLayout()
        self.datasetHelpLabel = QLabel()
        self.datasetHelpLabel.setObjectName("datasetHelpLabel")
        self.datasetHelpLabel.setWordWrap(True)
        self.datasetHelpLabel.setStyleSheet("color: palette(placeholder-text);")
        self.regenerateButton = tag(QPushButton("Regenerate"), "regenerateButton", "Regenerate")
        self.regenerateButton.clicked.connect(self._on_regenerate_clicked)
        side.addWidget(self.datasetHelpLabel, 1)
        side.addWidget(self.regenerateButton)
        row.addLayout(side, 1)
        layout.addLayout(row)
        self.datasetParams = ParamForm("dataset")
        self.datasetParams.valueChanged.connect(self._on_dataset_param_changed)
        layout.addWidget(self.datasetParams)
        return box

    def _sampling_box(self) -> QGroupBox:
        box = QGroupBox("Sampling")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.noiseSpin = tag(QDoubleSpinBox(), "noiseSpin", "Noise")
        self.noiseSpin.setDecimals(2)
        self.noiseSpin.setSingleStep(0.05)
        self.noiseSpin.setKeyboardTracking(False)
        self.noiseSpin.valueChanged.connect(self._on_noise_changed)
        self.samplesSpin = tag(QSpinBox(), "samplesSpin", "Samples", "how many points to generate")
        self.samplesSpin.setKeyboardTracking(False)
        self.samplesSpin.setSingleStep(100)
        self.samplesSpin.setGroupSeparatorShown(True)
        self.samplesSpin.valueChanged.connect(self._on_samples_changed)
        self.trainRatioSpin = tag(
            QSpinBox(),
            "trainRatioSpin",
            "Training share",
            "share of the points used for training (a validation split comes out of it); the rest test",
        )
        self.trainRatioSpin.setRange(5, 95)
        self.trainRatioSpin.setSingleStep(5)
        self.trainRatioSpin.setSuffix(" %")
        self.trainRatioSpin.setKeyboardTracking(False)
        self.trainRatioSpin.valueChanged.connect(self._on_train_ratio_changed)
        self.validationSpin = ValidationSpin()
        self.validationSpin.fractionChosen.connect(self._on_validation_changed)
        self.batchSizeSpin = tag(QSpinBox(), "batchSizeSpin", "Batch size", "examples per gradient step")
        self.batchSizeSpin.setRange(1, 100_000)
        self.batchSizeSpin.setKeyboardTracking(False)
        self.batchSizeSpin.valueChanged.connect(self._on_batch_size_changed)
        self.fullBatchCheck = tag(
            QCheckBox("whole set"),
            "fullBatchCheck",
            "Whole training set per batch",
            "one step per epoch on every training example (full-batch gradient descent)",
        )
        self.fullBatchCheck.toggled.connect(self._on_full_batch_toggled)
        batch = QHBoxLayout()
        batch.addWidget(self.batchSizeSpin, 1)
        batch.addWidget(self.fullBatchCheck)
        form.addRow("Noise", self.noiseSpin)
        form.addRow("Samples", self.samplesSpin)
        form.addRow("Train split", self.trainRatioSpin)
        form.addRow("Validation", self.validationSpin)
        form.addRow("Batch size", batch)
        return box

    def _features_box(self) -> QGroupBox:
        box = QGroupBox("Input features")
        grid = QGridLayout(box)
        grid.setSpacing(4)
        self.feature_buttons: dict[str, QToolButton] = {}
        for i, (name, entry) in enumerate(FEATURES.items()):
            button = tag(QToolButton(), f"feature{camel(name)}", f"Feature {entry.title}", entry.help)
            button.setText(entry.title)
            button.setCheckable(True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.toggled.connect(lambda on, n=name: self._on_feature_toggled(n, on))
            grid.addWidget(button, i // 4, i % 4)
            self.feature_buttons[name] = button
            setattr(self, f"feature{camel(name)}", button)
        self.featuresNote = QLabel()
        self.featuresNote.setObjectName("featuresNote")
        self.featuresNote.setWordWrap(True)
        self.featuresNote.setStyleSheet("color: palette(placeholder-text);")
        grid.addWidget(self.featuresNote, 2, 0, 1, 4)
        return box

    # --- refreshing ---------------------------------------------------------------------------
    def _on_model_changed(self, sections: set) -> None:
        if sections & {"data", "training"}:
            self._refresh()

    def _refresh(self) -> None:
        project = self._model.project
        data = project.data
        defaults = dataset_defaults(data.name)
        entry = DATASETS[data.name]
        is_csv = data.name == "csv"
        csv_index = self.datasetCombo.findData("csv")
        self.datasetCombo.setItemText(
            csv_index, os.path.basename(data.path) if is_csv and data.path else OPEN_CSV_TEXT
        )
        set_quietly(self.datasetCombo, data.name)
        self.datasetCombo.setToolTip(data.path if is_csv and data.path else entry.help)
        self.datasetHelpLabel.setText(entry.help)
        self.csvPathLabel.setText(f"File: {data.path}" if data.path else "No file chosen")
        self.csvPathLabel.setToolTip(data.path or "")
        self.csvPathLabel.setVisible(is_csv)
        self.regenerateButton.setEnabled(not is_csv)
        self.regenerateButton.setToolTip(
            "A CSV file's rows are fixed: there is nothing to regenerate (the seed in the Training "
            "tab reshuffles the train/test split)"
            if is_csv
            else "Draw new points (a new random seed)"
        )
        self.datasetParams.set_params(entry.params, data.params)
        self._refresh_sampling(data, defaults)
        batch = project.training.batch_size
        set_quietly(self.fullBatchCheck, batch == "all")
        self.batchSizeSpin.setEnabled(batch != "all")
        if batch != "all":
            set_quietly(self.batchSizeSpin, batch)
        self._refresh_features(data.features, defaults["kind"] == "points2d")
        self._refresh_preview(data, defaults)

    def _refresh_sampling(self, data: Any, defaults: dict) -> None:
        lo, hi = defaults["noise_range"]
        with signals_blocked(self.noiseSpin):
            self.noiseSpin.setRange(lo, hi)
        set_quietly(self.noiseSpin, data.noise)
        self.noiseSpin.setEnabled(hi > 0)
        self.noiseSpin.setToolTip(
            defaults["noise_help"] or ("this set takes no noise" if hi == 0 else "noise")
        )
        fixed = defaults["samples"] is None or defaults["max_samples"] != MAX_SAMPLES
        with signals_blocked(self.samplesSpin):
            self.samplesSpin.setRange(1, defaults["max_samples"])
            self.samplesSpin.setSpecialValueText("")
        set_quietly(self.samplesSpin, data.samples or defaults["samples"] or 1)
        self.samplesSpin.setEnabled(not fixed)
        self._samples_read_only(False)
        self.samplesSpin.setToolTip(
            "how many points to generate" if not fixed else "this set's size is fixed"
        )
        set_quietly(self.trainRatioSpin, round(data.train_fraction * 100))
        early = self._model.project.training.early_stopping["enabled"]
        self.validationSpin.show_fraction(data.validation_fraction, data.train_fraction, early)
        if data.name == "csv":
            self._refresh_csv(data)
        else:
            self._show_csv_error(self._open_error)

    def _refresh_csv(self, data: Any) -> None:
        """Samples shows the file's rows (read-only); a file that cannot be used (any more) says why,
        in red."""
        facts = inspect_csv(resolve(data.path, self._model.path), data.target) if data.path else None
        self._show_csv_error(
            self._open_error or (facts.error if facts else "Choose a CSV file (the CSV… button).")
        )
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

    def _refresh_features(self, features: list[str], points2d: bool) -> None:
        for name, button in self.feature_buttons.items():
            set_quietly(button, name in features)
            button.setEnabled(points2d)
        self.featuresNote.setText("" if points2d else "Derived features apply to 2-D point sets only.")
        self.featuresNote.setVisible(not points2d)

    def _refresh_preview(self, data: Any, defaults: dict) -> None:
        try:
            points = preview(
                data.name, n=200, seed=self._model.project.seed, noise=data.noise, params=data.params
            )
        except SpecError:
            points = None
        if points is None:
            self.datasetPreview.setPixmap(QPixmap())
            text = KIND_TEXT.get(defaults["kind"], defaults["kind"])
            if data.name == "csv" and data.path:
                facts = inspect_csv(resolve(data.path, self._model.path), data.target)  # cached
                text += f"\n{facts.rows:,} rows\n{facts.inputs} inputs" if not facts.error else "\n(unusable)"
            self.datasetPreview.setText(text)
            return
        pixmap = draw_preview(points[0], points[1], defaults["domain"], PREVIEW_SIZE)
        self.datasetPreview.setPixmap(pixmap)

    # --- editing ------------------------------------------------------------------------------
    def _edit_data(self, text: str, **values: Any) -> bool:
        return self._model.edit(text, lambda doc: doc["data"].update(values))

    def _on_dataset_changed(self, _index: int) -> None:
        name = self.datasetCombo.currentData()
        if name == "csv" and not self._model.project.data.path:
            self._refresh()  # show the current set until a file is chosen
            self._on_open_csv_clicked()
            return
        self._select_dataset(name)

    def _select_dataset(self, name: str, **extra: Any) -> bool:
        defaults = dataset_defaults(name)
        noise = min(self._model.project.data.noise, defaults["noise_range"][1])
        keep_file = name == "csv"
        values = {"name": name, "params": {}, "samples": None, "noise": noise}
        if not keep_file:
            values.update(path=None, target=None)
        if defaults["kind"] != "points2d":  # derived features (sin x1, ...) exist for 2-D sets only
            values["features"] = ["x1", "x2"]
        values.update(extra)
        self._open_error = ""  # another dataset: the failed CSV no longer matters
        return self._edit_data(f"Dataset: {DATASETS[name].title}", **values)

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
        """Start a new project on the CSV at `path` (last column the target), named after the file:
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

    def _on_regenerate_clicked(self) -> None:
        old = self._model.project.seed
        seed = old
        while seed == old:
            seed = random.randrange(2**31 - 1)
        self._model.edit("Regenerate data", lambda doc: doc.update(seed=seed))

    def _on_dataset_param_changed(self, key: str, value: Any) -> None:
        params = {**self._model.project.data.params, key: value}
        self._edit_data(f"Dataset {key}: {value}", params=params)

    def _on_noise_changed(self, value: float) -> None:
        self._edit_data(f"Noise {value:g}", noise=float(value))

    def _on_samples_changed(self, value: int) -> None:
        self._edit_data(f"Samples {value}", samples=int(value))

    def _on_train_ratio_changed(self, value: int) -> None:
        self._edit_data(f"Train split {value}%", train_fraction=value / 100)

    def _on_validation_changed(self, value: Any) -> None:
        text = value if value == "auto" else f"{value:.0%}"
        self._edit_data(f"Validation {text}", validation_fraction=value)

    def _on_batch_size_changed(self, value: int) -> None:
        self._model.edit(f"Batch size {value}", lambda doc: doc["training"].update(batch_size=int(value)))

    def _on_full_batch_toggled(self, on: bool) -> None:
        batch = "all" if on else self.batchSizeSpin.value()
        self._model.edit(f"Batch size {batch}", lambda doc: doc["training"].update(batch_size=batch))

    def _on_feature_toggled(self, name: str, on: bool) -> None:
        chosen = set(self._model.project.data.features)
        if on:
            chosen.add(name)
        else:
            chosen.discard(name)
        features = [n for n in FEATURES if n in chosen]
        self._edit_data(f"Feature {FEATURES[name].title} {'on' if on else 'off'}", features=features)
