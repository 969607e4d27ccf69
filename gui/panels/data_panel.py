"""The data panel: which dataset, a thumbnail of it, noise, size, split, batch size and input features.

Every change is one `model.edit`; `changed({"data"|"training"})` refreshes the widgets quietly.
"""

from __future__ import annotations

import os
import random
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
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
from engine.data.painted import describe_painted
from engine.errors import SpecError
from engine.spec.catalog.features import FEATURES
from gui.panels.csv_file import CsvFileChoice
from gui.panels.csv_source import inspect_csv, resolve
from gui.panels.dataset_preview import draw_preview
from gui.panels.validation_field import ValidationSpin
from gui.project_model import ProjectModel
from gui.widgets.param_form import ParamForm, camel, fill_combo, scrolling_column, set_quietly, tag

KIND_TEXT = {"image": "images", "tabular": "a table", "sequence": "sequences"}
OPEN_CSV_TEXT = "Open CSV…"
PAINTED = ("painted", "painted_curve")  # sets whose points are the project's own (Paint, over the map)
PREVIEW_SIZE = 112


def fixed_reason(name: str, params: dict, defaults: dict) -> str:
    """Why Regenerate has nothing to draw anew for set `name` ("" when it has: generated data,
    or digits placed at random offsets by their shift)."""
    if name == "csv":
        return "A CSV file's rows are fixed"
    if name in PAINTED:
        return "Painted points are fixed"
    randomly_placed = name == "digits" and (params or {}).get("shift", 0)
    if defaults["max_samples"] != MAX_SAMPLES and not randomly_placed:  # a real set's own rows
        return f"{DATASETS[name].label} is a fixed set of real samples"
    return ""


class DataPanel(CsvFileChoice, QWidget):
    """Edits `data` (and training.batch_size, which is about how the data is fed)."""

    message = Signal(str)
    csvOpened = Signal(str)  # the path of a CSV file now in use (File ▸ Recent lists it)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.setObjectName("dataPanel")
        self._features_group = self._features_box()
        scrolling_column(self, self._dataset_box(), self._sampling_box(), self._features_group)
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
        self._build_csv_button()
        row.addWidget(self.datasetCombo, 1)
        row.addWidget(self.openCsvButton)
        layout.addLayout(row)
        self._add_csv_labels(layout)
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
        self._sampling_form, self._batch_row = form, batch
        return box

    def set_family(self, family: str) -> None:
        """The perceptron looks at one point a step: it has no batch size to set. The GAN plays in
        the plane itself: input features do not apply to it."""
        self._sampling_form.setRowVisible(self._batch_row, family != "perceptron")
        self._features_group.setVisible(family != "gan")

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
        if data.name in PAINTED:
            back = "Choose another set above to go back to generated points."
            self.datasetHelpLabel.setText(f"{describe_painted(data.name, data.params)}. {back}")
        self.csvPathLabel.setText(f"File: {data.path}" if data.path else "No file chosen")
        self.csvPathLabel.setToolTip(data.path or "")
        self.csvPathLabel.setVisible(is_csv)
        why = fixed_reason(data.name, data.params, defaults)
        self.regenerateButton.setEnabled(not why)
        self.regenerateButton.setToolTip(
            f"{why}: there is nothing to regenerate "
            "(the seed in the Training tab reshuffles the train/test split)"
            if why
            else "Place the digits at new random offsets (a new random seed)"
            if data.name == "digits"
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
            self.csvTargetRow.hide()
        if data.name in PAINTED:  # the size is the points painted: a fact, shown plainly
            self._samples_read_only(True)
            self.samplesSpin.setSuffix(" points")
            with signals_blocked(self.samplesSpin):
                self.samplesSpin.setRange(0, max(len(data.params["points"]), 1))
                self.samplesSpin.setValue(len(data.params["points"]))
            self.samplesSpin.setToolTip("paint or erase points over the map to change them")

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
            if data.name in PAINTED:
                text = "not enough points to train on yet"
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
