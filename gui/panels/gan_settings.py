"""The GAN's panel: where the game stands (modes covered, how far samples lie from the data) and
the family's settings — noise size, discriminator steps per generator step, the generator's loss,
and each network's learning rate — as undoable ProjectModel edits of `model`."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.spec.catalog.optimizers import OPTIMIZERS
from gui.project_model import ProjectModel
from gui.widgets.param_form import SciSpinBox, fill_combo, set_quietly, tag

LOSSES = {
    "non_saturating": "non-saturating: G minimises −log D(G(z)), strong gradients while D wins",
    "minimax": "minimax: G minimises log(1 − D(G(z))), the game itself; its gradient fades while D wins",
}


def standing_text(snapshot) -> str:
    """The game's numbers at the epoch shown, in one or two lines."""
    if snapshot is None:
        return "No run yet"
    parts = [f"Epoch {snapshot.epoch:,}"]
    modes = snapshot.metric("modes_covered")
    if modes is not None:
        parts.append(f"{modes:.0f} of 8 modes covered")
    nearest = snapshot.metric("nearest_real")
    if nearest is not None:
        parts.append(f"samples lie {nearest:.3f} from the data on average")
    return " · ".join(parts)


class GanSettings(QWidget):
    """The GAN's standing and settings (objectName ganSettings)."""

    message = Signal(str)
    updateRequested = Signal(str)  # "discriminator" or "generator": one update of that player

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.setObjectName("ganSettings")
        self.standingLabel = QLabel("No run yet")
        self.standingLabel.setObjectName("ganStanding")
        self.standingLabel.setWordWrap(True)
        self.standingLabel.setStyleSheet("QLabel { font-size: 14px; font-weight: 600; }")
        self.lossesLabel = QLabel()
        self.lossesLabel.setObjectName("ganLosses")
        self.lossesLabel.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.standingLabel)
        column.addWidget(self.lossesLabel)
        column.addWidget(self._moves_box())
        column.addWidget(self._settings_box())
        column.addStretch(1)
        model.changed.connect(lambda sections: self._refresh() if "model" in sections else None)
        model.editRejected.connect(lambda *_: self._refresh())
        self._refresh()

    def _moves_box(self) -> QGroupBox:
        """GAN Lab's slow motion: one player's move at a time, to see what each does to the map."""
        box = QGroupBox("One move at a time (pauses training)")
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.dStepButton = tag(
            QPushButton("One D update"),
            "ganDStepButton",
            "One discriminator update",
            "D learns on one batch of real and generated points: watch its map sharpen",
        )
        self.gStepButton = tag(
            QPushButton("One G update"),
            "ganGStepButton",
            "One generator update",
            "G moves its samples along the arrows, towards where D says real",
        )
        self.dStepButton.clicked.connect(lambda: self.updateRequested.emit("discriminator"))
        self.gStepButton.clicked.connect(lambda: self.updateRequested.emit("generator"))
        row.addWidget(self.dStepButton)
        row.addWidget(self.gStepButton)
        self.movesLabel = QLabel("")
        self.movesLabel.setObjectName("ganMoves")
        self.movesLabel.setWordWrap(True)
        column.addLayout(row)
        column.addWidget(self.movesLabel)
        return box

    def show_probe(self, probe) -> None:
        """How many single moves each player has made (they are not counted as steps)."""
        d, g = (0, 0) if probe is None else probe.single_updates
        self.movesLabel.setText(
            f"Single moves so far: discriminator {d:,}, generator {g:,} (the curves count whole steps only)"
            if d or g
            else ""
        )

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Settings (a change starts a new run)")
        form = QFormLayout(box)
        self.noiseSpin = self._int_spin("ganNoiseDimSpin", "Noise size", "noise_dim", 1, 16, " inputs")
        self.dStepsSpin = self._int_spin("ganDStepsSpin", "D steps per G step", "d_steps", 1, 10, "")
        self.lossCombo = tag(QComboBox(), "ganLossCombo", "Generator loss", "model.loss")
        for name, tip in LOSSES.items():
            self.lossCombo.addItem(name.replace("_", "-"), name)
            self.lossCombo.setItemData(self.lossCombo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.lossCombo.currentIndexChanged.connect(
            lambda: self._set_model(
                f"Generator loss {self.lossCombo.currentData()}", loss=self.lossCombo.currentData()
            )
        )
        self.gOptimizerCombo = self._optimizer_combo("ganGeneratorOptimizerCombo", "generator")
        self.dOptimizerCombo = self._optimizer_combo("ganDiscriminatorOptimizerCombo", "discriminator")
        self.gLrSpin = self._lr_spin("ganGeneratorLrSpin", "generator")
        self.dLrSpin = self._lr_spin("ganDiscriminatorLrSpin", "discriminator")
        form.addRow("Noise size", self.noiseSpin)
        form.addRow("D steps per G step", self.dStepsSpin)
        form.addRow("Generator loss", self.lossCombo)
        form.addRow("Generator optimizer", self.gOptimizerCombo)
        form.addRow("Generator rate", self.gLrSpin)
        form.addRow("Discriminator optimizer", self.dOptimizerCombo)
        form.addRow("Discriminator rate", self.dLrSpin)
        return box

    def _optimizer_combo(self, name: str, part: str) -> QComboBox:
        """Each player's own optimizer (its rate is kept; the old optimizer's own settings are not)."""
        combo = tag(QComboBox(), name, f"{part.capitalize()} optimizer", f"model.{part}.optimizer.name")
        fill_combo(combo, OPTIMIZERS, OPTIMIZERS.names())
        combo.currentIndexChanged.connect(
            lambda: self._edit(
                f"{part.capitalize()} optimizer {combo.currentData()}",
                _set_optimizer(part, combo.currentData()),
            )
        )
        return combo

    def _int_spin(self, name: str, label: str, key: str, lo: int, hi: int, suffix: str) -> QSpinBox:
        spin = tag(QSpinBox(), name, label, f"model.{key}: {lo}..{hi}")
        spin.setRange(lo, hi)
        spin.setSuffix(suffix)
        if suffix.endswith("s"):  # "1 input", "2 inputs" (also when the project sets it quietly)
            spin.valueChanged.connect(lambda v: _plural(spin, suffix))
            spin.plural_suffix = suffix
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda v: self._set_model(f"{label} {v}", **{key: int(v)}))
        return spin

    def _lr_spin(self, name: str, part: str) -> SciSpinBox:
        spin = SciSpinBox(1e-7, 100.0, log=True)
        tag(
            spin,
            name,
            f"{part.capitalize()} learning rate",
            f"model.{part}.optimizer.lr: {spin.range_text()}",
        )
        spin.valueChanged.connect(
            lambda v: self._edit(f"{part.capitalize()} rate {v:g}", _set_lr(part, float(v)))
        )
        spin.outOfRange.connect(
            lambda typed: self.message.emit(
                f"model.{part}.optimizer.lr: {typed:g} is outside {spin.range_text()}"
            )
        )
        return spin

    # -- from the run --------------------------------------------------------------------------
    def show_snapshot(self, snapshot) -> None:
        self.standingLabel.setText(standing_text(snapshot))
        if snapshot is None:
            self.lossesLabel.setText("")
            return
        d, g = snapshot.metric("d_loss"), snapshot.metric("g_loss")
        self.lossesLabel.setText(
            f"Discriminator loss {d:.3f} (log 2 ≈ 0.693 when it cannot tell real from generated) · "
            f"generator loss {g:.3f}"
            if d is not None and g is not None
            else ""
        )

    # -- the project ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        project = self._model.project
        if project.model.family != "gan":
            return
        s = project.model.settings
        set_quietly(self.noiseSpin, s["noise_dim"])
        _plural(self.noiseSpin, self.noiseSpin.plural_suffix)
        set_quietly(self.dStepsSpin, s["d_steps"])
        set_quietly(self.lossCombo, s["loss"])
        set_quietly(self.gOptimizerCombo, s["generator"]["optimizer"]["name"])
        set_quietly(self.dOptimizerCombo, s["discriminator"]["optimizer"]["name"])
        set_quietly(self.gLrSpin, s["generator"]["optimizer"]["lr"])
        set_quietly(self.dLrSpin, s["discriminator"]["optimizer"]["lr"])

    def _set_model(self, text: str, **values) -> None:
        self._edit(text, lambda doc: doc["model"].update(values))

    def _edit(self, text: str, mutate) -> None:
        if self._model.project.model.family == "gan":
            self._model.edit(text, mutate)


def _set_lr(part: str, lr: float):
    def mutate(doc: dict) -> None:
        doc["model"][part]["optimizer"]["lr"] = lr

    return mutate


def _set_optimizer(part: str, name: str):
    def mutate(doc: dict) -> None:
        old = doc["model"][part]["optimizer"]
        if old.get("name") != name:
            doc["model"][part]["optimizer"] = {"name": name, "lr": old["lr"]}

    return mutate


def _plural(spin, suffix: str) -> None:
    spin.setSuffix(suffix[:-1] if spin.value() == 1 else suffix)
