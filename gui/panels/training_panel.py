"""Edits `training`: loss, optimizer (with its own parameters), schedule, regularisation, run settings.

Every list comes from an engine registry; every change goes through ProjectModel.edit, so it is
validated and undoable. The window decides which changes apply live and which re-initialise.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)
from superqt import QCollapsible

from engine.schedules import SCHEDULES
from engine.spec.catalog.losses import LOSSES
from engine.spec.catalog.optimizers import OPTIMIZERS
from engine.spec.project import CLIP_MODES, DEVICES, PRESETS
from gui.project_model import ProjectModel
from gui.widgets.param_form import ParamForm, SciSpinBox, fill_combo, scrolling_column, set_quietly, tag

PRESET_HELP = {
    "standard": "Layerlab's defaults: shuffled mini-batches, loss averaged over each batch.",
    "playground": "TensorFlow Playground's algorithm: fixed order, summed half squared error, its L1 step.",
}
CLIP_HELP = {
    "none": "no clipping",
    "norm": "rescale the whole gradient to at most max norm",
    "value": "clamp each gradient entry to ±max",
}


FAMILY_NOTES = {
    "perceptron": "The perceptron has no loss, optimizer or regularisation: its rule and learning rate "
    "are in the Perceptron panel. Of training it reads only the epochs.",
    "autoencoder": "The autoencoder's loss is its reconstruction error (plus its variant's penalty, set "
    "in the Autoencoder panel): of training it reads the optimizer, schedule, epochs and clipping, "
    "and the batch size (Data tab).",
    "gan": "The GAN's generator and discriminator each have their own optimizer and learning rate, set "
    "in the GAN panel: of training it reads only the epochs and the batch size (Data tab).",
}


class TrainingPanel(QWidget):
    """The hyper-parameters of training, as a scrollable column of groups."""

    message = Signal(str)  # one line for the status bar (a refused value)
    # The window's own stop, not the project's: True stops after training.epochs (the command
    # line's budget); False, the default, trains until paused, as TF Playground does.
    epochBudgetChanged = Signal(bool)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._note_preset: str | None = None
        self.setObjectName("trainingPanel")
        self.presetNote = QLabel()
        self.presetNote.setObjectName("presetNote")
        self.presetNote.setWordWrap(True)
        self.presetNote.setStyleSheet("QLabel { background: #fef7e0; color: #5f4b00; padding: 6px; }")
        self.presetNote.hide()
        self.familyNote = QLabel()
        self.familyNote.setObjectName("familyNote")
        self.familyNote.setWordWrap(True)
        self.familyNote.hide()
        self._optimizer_group, self._regularisation_group = self._optimizer_box(), self._regularisation_box()
        scrolling_column(
            self,
            self.presetNote,
            self.familyNote,
            self._optimizer_group,
            self._regularisation_group,
            self._run_box(),
        )
        model.changed.connect(lambda sections: self._refresh() if "training" in sections else None)
        model.editRejected.connect(lambda *_: self._refresh())
        model.adjusted.connect(self.show_note)
        self._refresh()

    @property
    def epoch_budget(self) -> bool:
        return self.stopAtEpochCheck.isChecked()

    def set_family(self, family: str) -> None:
        """Show only what `family` reads of `training`: the perceptron reads the epochs alone, the
        autoencoder the optimizer, schedule, epochs and clipping."""
        mlp, gradient = family == "mlp", family not in ("perceptron", "gan")
        self._optimizer_group.setVisible(gradient)
        self._regularisation_group.setVisible(gradient)
        self._regularisation_group.setTitle("Regularisation" if mlp else "Gradient clipping")
        self._optimizer_group.setTitle("Loss and optimizer" if mlp else "Optimizer")
        self.familyNote.setText(FAMILY_NOTES.get(family, ""))
        self.familyNote.setVisible(not mlp)
        self._optimizer_group.layout().setRowVisible(self.lossCombo, mlp)
        unread = (self.l1Spin, self.l2Spin, self.inputNoiseSpin, self.earlyStoppingCheck)
        for widget in (*unread, self.patienceSpin, self.minDeltaSpin, self.restoreBestCheck):
            self._regularisation_group.layout().setRowVisible(widget, mlp)
        for widget in (self.presetCombo, self.deviceCombo):
            self._run_form.setRowVisible(widget, mlp)

    def show_note(self, text: str) -> None:
        """Say what an edit changed besides itself (the preset); it stays until the preset changes."""
        self._note_preset = self._model.project.training.preset
        self.presetNote.setText(text)
        self.presetNote.show()

    # --- construction -------------------------------------------------------------------------
    def _optimizer_box(self) -> QGroupBox:
        box = QGroupBox("Loss and optimizer")
        form = QFormLayout(box)
        self.lossCombo = tag(QComboBox(), "lossCombo", "Loss function")
        fill_combo(self.lossCombo, LOSSES, LOSSES.names(), [("auto", "auto", "chosen from the task")])
        self.lossCombo.currentIndexChanged.connect(
            lambda: self._edit("Loss", lambda t: t.update(loss=self.lossCombo.currentData()))
        )
        self.optimizerCombo = tag(QComboBox(), "optimizerCombo", "Optimizer")
        fill_combo(self.optimizerCombo, OPTIMIZERS, OPTIMIZERS.names())
        self.optimizerCombo.currentIndexChanged.connect(self._on_optimizer_changed)
        lr_spin = SciSpinBox(1e-7, 100.0, log=True)
        self.learningRateSpin = tag(
            lr_spin,
            "learningRateSpin",
            "Learning rate",
            f"training.optimizer.lr: {lr_spin.range_text()}. Step size of each update; "
            "arrows walk 0.001, 0.003, 0.01, 0.03, …",
        )
        self.learningRateSpin.valueChanged.connect(self._on_lr_changed)
        self._say_refused(self.learningRateSpin, "training.optimizer.lr")
        self.optimizerForm = ParamForm("optimizer")
        self.optimizerForm.valueChanged.connect(self._on_optimizer_param_changed)
        self.optimizerForm.refused.connect(lambda text: self.message.emit(f"training.{text}"))
        self.optimizerAdvanced = QCollapsible("Advanced")
        self.optimizerAdvanced.setObjectName("optimizerAdvanced")
        self.optimizerAdvanced.addWidget(self.optimizerForm)
        self.scheduleCombo = tag(QComboBox(), "scheduleCombo", "Learning-rate schedule")
        fill_combo(self.scheduleCombo, SCHEDULES, SCHEDULES.names())
        self.scheduleCombo.currentIndexChanged.connect(self._on_schedule_changed)
        self.scheduleForm = ParamForm("schedule")
        self.scheduleForm.valueChanged.connect(self._on_schedule_param_changed)
        self.scheduleForm.refused.connect(lambda text: self.message.emit(f"training.{text}"))
        form.addRow("Loss", self.lossCombo)
        form.addRow("Optimizer", self.optimizerCombo)
        form.addRow("Learning rate", self.learningRateSpin)
        form.addRow(self.optimizerAdvanced)
        form.addRow("Schedule", self.scheduleCombo)
        form.addRow(self.scheduleForm)
        return box

    def _regularisation_box(self) -> QGroupBox:
        box = QGroupBox("Regularisation")
        form = QFormLayout(box)
        self.l1Spin = self._rate_spin("l1Spin", "L1 rate", "λ₁ in λ₁·Σ|w| added to the loss", "l1")
        self.l2Spin = self._rate_spin("l2Spin", "L2 rate", "λ₂ in λ₂/2·Σw² added to the loss", "l2")
        self.inputNoiseSpin = self._rate_spin(
            "inputNoiseSpin", "Input noise", "std of Gaussian noise added to training inputs", "input_noise"
        )
        self.earlyStoppingCheck = tag(
            QCheckBox("Early stopping"),
            "earlyStoppingCheck",
            "Early stopping",
            "Stop when the validation loss has not improved for `patience` epochs",
        )
        self.earlyStoppingCheck.toggled.connect(lambda on: self._edit_early("Early stopping", enabled=on))
        self.patienceSpin = tag(QSpinBox(), "patienceSpin", "Patience (epochs)")
        self.patienceSpin.setRange(1, 100_000)
        self.patienceSpin.setKeyboardTracking(False)
        self.patienceSpin.valueChanged.connect(lambda v: self._edit_early("Patience", patience=int(v)))
        self.minDeltaSpin = tag(
            SciSpinBox(0.0, 1e6, log=True),
            "minDeltaSpin",
            "Minimum improvement",
            "training.early_stopping.min_delta: range 0..1e+06. The smallest fall of the validation "
            "loss that counts as an improvement",
        )
        self.minDeltaSpin.valueChanged.connect(lambda v: self._edit_early("Min delta", min_delta=float(v)))
        self._say_refused(self.minDeltaSpin, "training.early_stopping.min_delta")
        self.restoreBestCheck = tag(
            QCheckBox("Restore best weights"), "restoreBestCheck", "Restore best weights"
        )
        self.restoreBestCheck.toggled.connect(lambda on: self._edit_early("Restore best", restore_best=on))
        self.clipModeCombo = tag(QComboBox(), "clipModeCombo", "Gradient clipping")
        for mode in CLIP_MODES:
            self.clipModeCombo.addItem(mode, mode)
            self.clipModeCombo.setItemData(
                self.clipModeCombo.count() - 1, CLIP_HELP[mode], Qt.ItemDataRole.ToolTipRole
            )
        self.clipModeCombo.currentIndexChanged.connect(
            lambda: self._edit_clip("Clipping", mode=self.clipModeCombo.currentData())
        )
        self.clipMaxSpin = tag(
            SciSpinBox(1e-6, 1e6, log=True),
            "clipMaxSpin",
            "Clipping threshold",
            "training.grad_clip.max: range 1e-06..1e+06. The largest gradient norm (or entry) let through",
        )
        self.clipMaxSpin.valueChanged.connect(lambda v: self._edit_clip("Clip max", max=float(v)))
        self._say_refused(self.clipMaxSpin, "training.grad_clip.max")
        form.addRow("L1", self.l1Spin)
        form.addRow("L2", self.l2Spin)
        form.addRow("Input noise", self.inputNoiseSpin)
        form.addRow(self.earlyStoppingCheck)
        form.addRow("Patience", self.patienceSpin)
        form.addRow("Min delta", self.minDeltaSpin)
        form.addRow(self.restoreBestCheck)
        form.addRow("Clip gradients", self.clipModeCombo)
        form.addRow("Clip max", self.clipMaxSpin)
        return box

    def _run_box(self) -> QGroupBox:
        box = QGroupBox("Run")
        form = QFormLayout(box)
        budget_tip = (
            "training.epochs: the command line trains this many epochs. In the window training runs "
            "until you pause it; tick Stop after to pause after this many (Play then trains as many more)."
        )
        self.stopAtEpochCheck = tag(QCheckBox("Stop after"), "stopAtEpochCheck", "Stop after", budget_tip)
        self.stopAtEpochCheck.toggled.connect(self.epochBudgetChanged.emit)
        self.epochsSpin = tag(QSpinBox(), "epochsSpin", "Epochs", budget_tip)
        self.epochsSpin.setSuffix(" epochs")
        self.epochsSpin.setRange(1, 1_000_000)
        self.epochsSpin.setKeyboardTracking(False)
        self.epochsSpin.valueChanged.connect(
            lambda v: self._edit("Epochs", lambda t: t.update(epochs=int(v)))
        )
        self.seedSpin = tag(QSpinBox(), "seedSpin", "Random seed", "Same seed, same data and same run")
        self.seedSpin.setRange(0, 2**31 - 1)
        self.seedSpin.setKeyboardTracking(False)
        self.seedSpin.valueChanged.connect(
            lambda v: self._model.edit(f"Seed {v}", lambda doc: doc.update(seed=int(v)))
        )
        self.presetCombo = tag(QComboBox(), "presetCombo", "Algorithm preset")
        for preset in PRESETS:
            self.presetCombo.addItem(preset, preset)
            self.presetCombo.setItemData(
                self.presetCombo.count() - 1, PRESET_HELP[preset], Qt.ItemDataRole.ToolTipRole
            )
        self.presetCombo.currentIndexChanged.connect(
            lambda: self._edit("Preset", lambda t: t.update(preset=self.presetCombo.currentData()))
        )
        self.deviceCombo = tag(QComboBox(), "deviceCombo", "Device", "auto uses a CUDA GPU when there is one")
        for device in DEVICES:
            self.deviceCombo.addItem(device, device)
        self.deviceCombo.currentIndexChanged.connect(
            lambda: self._edit("Device", lambda t: t.update(device=self.deviceCombo.currentData()))
        )
        self._run_form = form
        form.addRow(self.stopAtEpochCheck, self.epochsSpin)
        form.addRow("Seed", self.seedSpin)
        form.addRow("Preset", self.presetCombo)
        form.addRow("Device", self.deviceCombo)
        return box

    def _rate_spin(self, name: str, accessible: str, tip: str, key: str) -> SciSpinBox:
        spin = SciSpinBox(0.0, 10.0, log=True)
        tag(spin, name, accessible, f"training.{key}: {spin.range_text()}. {tip}")
        spin.valueChanged.connect(
            lambda v: self._edit(f"{accessible} {v:g}", lambda t: t.update({key: float(v)}))
        )
        self._say_refused(spin, f"training.{key}")
        return spin

    def _say_refused(self, spin: SciSpinBox, key: str) -> None:
        spin.outOfRange.connect(
            lambda typed: self.message.emit(
                f"{key}: {typed:g} is outside the {spin.range_text()}; kept {spin.value():g}"
            )
        )

    # --- refreshing ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        project = self._model.project
        t = project.training
        set_quietly(self.lossCombo, t.loss)
        set_quietly(self.optimizerCombo, t.optimizer["name"])
        set_quietly(self.learningRateSpin, t.optimizer["lr"])
        own = {k: v for k, v in t.optimizer.items() if k not in ("name", "lr")}
        self.optimizerForm.set_params(OPTIMIZERS[t.optimizer["name"]].params, own)
        self.optimizerAdvanced.setVisible(bool(OPTIMIZERS[t.optimizer["name"]].params))
        set_quietly(self.scheduleCombo, t.schedule["name"])
        self.scheduleForm.set_params(
            SCHEDULES[t.schedule["name"]].params, {k: v for k, v in t.schedule.items() if k != "name"}
        )
        set_quietly(self.l1Spin, t.l1)
        set_quietly(self.l2Spin, t.l2)
        set_quietly(self.inputNoiseSpin, t.input_noise)
        stop = t.early_stopping
        set_quietly(self.earlyStoppingCheck, stop["enabled"])
        set_quietly(self.patienceSpin, stop["patience"])
        set_quietly(self.minDeltaSpin, stop["min_delta"])
        set_quietly(self.restoreBestCheck, stop["restore_best"])
        for widget in (self.patienceSpin, self.minDeltaSpin, self.restoreBestCheck):
            widget.setEnabled(stop["enabled"])
        set_quietly(self.clipModeCombo, t.grad_clip["mode"])
        set_quietly(self.clipMaxSpin, t.grad_clip["max"])
        self.clipMaxSpin.setEnabled(t.grad_clip["mode"] != "none")
        set_quietly(self.epochsSpin, t.epochs)
        set_quietly(self.seedSpin, project.seed)
        set_quietly(self.presetCombo, t.preset)
        set_quietly(self.deviceCombo, t.device)
        # Undone, the preset chosen again, or another project opened: the note no longer applies.
        if self._note_preset is not None and (
            t.preset != self._note_preset or not self._model.undo_stack.count()
        ):
            self._note_preset = None
            self.presetNote.hide()

    # --- editing ------------------------------------------------------------------------------
    def _edit(self, text: str, change) -> bool:
        return self._model.edit(text, lambda doc: change(doc["training"]))

    def _edit_early(self, text: str, **values: Any) -> None:
        self._edit(text, lambda t: t["early_stopping"].update(values))

    def _edit_clip(self, text: str, **values: Any) -> None:
        self._edit(text, lambda t: t["grad_clip"].update(values))

    def _on_optimizer_changed(self) -> None:
        name = self.optimizerCombo.currentData()
        lr = self._model.project.training.optimizer["lr"]
        # The new optimizer's own parameters start at their defaults; the learning rate carries over.
        self._edit(f"Optimizer {name}", lambda t: t.update(optimizer={"name": name, "lr": lr}))

    def _on_lr_changed(self, value: float) -> None:
        self._edit(f"Learning rate {value:g}", lambda t: t["optimizer"].update(lr=float(value)))

    def _on_optimizer_param_changed(self, key: str, value: Any) -> None:
        self._edit(f"Optimizer {key} {value}", lambda t: t["optimizer"].update({key: value}))

    def _on_schedule_changed(self) -> None:
        name = self.scheduleCombo.currentData()
        self._edit(f"Schedule {name}", lambda t: t.update(schedule={"name": name}))

    def _on_schedule_param_changed(self, key: str, value: Any) -> None:
        self._edit(f"Schedule {key} {value}", lambda t: t["schedule"].update({key: value}))
