"""The perceptron's panel: the mistakes counter next to the bound (R/γ)², the errors now, whether
the rule converged or can never converge, a key to the map's marks, and the family's settings.

The numbers come from the engine's PerceptronProbe; the settings are edits of the ProjectModel
(`model.lr`, `model.pocket`, `training.epochs`), so they are validated and undoable.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from gui.project_model import ProjectModel
from gui.views.colors import BLUE
from gui.views.perceptron_overlay import CORRECT_COLOR, LINE_COLOR, MISTAKE_COLOR, POCKET_COLOR
from gui.widgets.param_form import SciSpinBox, set_quietly, tag

NOT_SEPARABLE = (
    "Not linearly separable: no line gets every point right, so the line keeps jumping; "
    "the bound does not exist."
)
KEY = (
    f"<span style='color:{LINE_COLOR}'>━━</span> θ's boundary θ·x = 0 &nbsp; "
    f"<span style='color:{LINE_COLOR}'>➜</span> θ, normal to it, towards "
    f"<span style='color:{BLUE}'>class +1</span> (blue; y = ±1 is the class in the rule)<br>"
    f"<span style='color:{POCKET_COLOR}'>╍╍</span> the pocket's boundary (fewest errors seen)<br>"
    f"<span style='color:{MISTAKE_COLOR}'>◯</span> misclassified now &nbsp; big ring: the point just "
    f"looked at, <span style='color:{MISTAKE_COLOR}'>red</span> a mistake (θ moved), "
    f"<span style='color:{CORRECT_COLOR}'>green</span> right (θ stayed)"
)


def counter_text(mistakes: int, bound: float | None) -> str:
    """The mistakes made so far beside the bound the theorem puts on them."""
    noun = "mistake" if mistakes == 1 else "mistakes"
    if bound is None:
        return f"{mistakes:,} {noun}; no bound (R/γ)²: no line separates the data"
    sign = "≤" if mistakes <= bound else ">"
    return f"{mistakes:,} {noun} {sign} bound (R/γ)² = {bound:,.1f}"


def state_text(probe, kept_errors: int | None) -> str:
    """Converged, can never converge (with the pocket's answer), or still on its way."""
    if probe.converged:
        return f"Converged at epoch {probe.epoch:,}: a pass without a mistake. θ no longer moves."
    if probe.bound is None:
        text = NOT_SEPARABLE
        if probe.pocket and kept_errors is not None:
            text += f" The pocket line (dashed) keeps the fewest errors seen: {kept_errors:,}."
        elif not probe.pocket:
            text += " Tick Pocket to keep the line with the fewest errors seen."
        return text
    return (
        "Linearly separable: the rule converges, after at most (R/γ)² mistakes. "
        "No pass without a mistake yet."
    )


class PerceptronPanel(QWidget):
    """What the perceptron is doing now, beside the settings of its rule."""

    message = Signal(str)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.setObjectName("perceptronPanel")
        self.counterLabel = self._label("perceptronCounter", "font-size: 16px; font-weight: 600;")
        self.errorsLabel = self._label("perceptronErrors")
        self.progressLabel = self._label("perceptronProgress")
        self.stateLabel = self._label("perceptronState", "padding: 6px; background: #e8f0fe;")
        self.keyLabel = self._label("perceptronKey", "color: #3c4043;")
        self.keyLabel.setTextFormat(Qt.TextFormat.RichText)
        self.keyLabel.setText(KEY)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        for label in (self.counterLabel, self.errorsLabel, self.progressLabel, self.stateLabel):
            column.addWidget(label)
        column.addWidget(self._settings_box())
        column.addWidget(self.keyLabel)
        column.addStretch(1)
        model.changed.connect(self._on_project_changed)
        model.editRejected.connect(lambda *_: self._refresh())
        self._refresh()
        self.show_probe(None)

    def _label(self, name: str, style: str = "") -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        if style:
            label.setStyleSheet(f"QLabel {{ {style} }}")
        return label

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Rosenblatt's rule: on a mistake, θ ← θ + lr·y·x")
        form = QFormLayout(box)
        lr = SciSpinBox(1e-6, 1e6, log=True)
        self.lrSpin = tag(
            lr,
            "perceptronLrSpin",
            "Learning rate",
            f"model.lr: {lr.range_text()}. Scales every update; from θ = 0 the line's path is the same",
        )
        self.lrSpin.valueChanged.connect(
            lambda v: self._edit(f"Learning rate {v:g}", lambda doc: doc["model"].update(lr=float(v)))
        )
        self.pocketCheck = tag(
            QCheckBox("Pocket: keep the line of fewest errors"),
            "perceptronPocketCheck",
            "Pocket",
            "model.pocket: Gallant's pocket algorithm; the run answers with the kept line",
        )
        self.pocketCheck.toggled.connect(
            lambda on: self._edit(
                f"Pocket {'on' if on else 'off'}", lambda doc: doc["model"].update(pocket=on)
            )
        )
        self.epochsSpin = tag(
            QSpinBox(), "perceptronEpochsSpin", "Epochs", "training.epochs: passes over the data"
        )
        self.epochsSpin.setRange(1, 1_000_000)
        self.epochsSpin.setSuffix(" passes")
        self.epochsSpin.setKeyboardTracking(False)
        self.epochsSpin.valueChanged.connect(
            lambda v: self._edit(f"Epochs {v}", lambda doc: doc["training"].update(epochs=int(v)))
        )
        form.addRow("Learning rate", self.lrSpin)
        form.addRow(self.pocketCheck)
        form.addRow("Epochs", self.epochsSpin)
        return box

    # -- from the run --------------------------------------------------------------------------
    def show_probe(self, probe, snapshot=None) -> None:
        """Show a PerceptronProbe's counters (None: no run yet); `snapshot` gives the pocket's accuracy."""
        if probe is None:
            self.counterLabel.setText("No run yet")
            for label in (self.errorsLabel, self.progressLabel, self.stateLabel):
                label.setText("")
            return
        self.counterLabel.setText(counter_text(probe.mistakes, probe.bound))
        self.errorsLabel.setText(
            f"Errors now: θ misclassifies {probe.errors:,} of {probe.n_train:,} training points."
        )
        self.progressLabel.setText(f"Epoch {probe.epoch:,} · {probe.step:,} points looked at")
        self.stateLabel.setText(state_text(probe, _kept_errors(snapshot, probe.n_train)))

    # -- the project ---------------------------------------------------------------------------
    def _on_project_changed(self, sections: set) -> None:
        if sections & {"model", "training"}:
            self._refresh()

    def _refresh(self) -> None:
        project = self._model.project
        if project.model.family != "perceptron":
            return
        settings = project.model.settings
        set_quietly(self.lrSpin, settings["lr"])
        set_quietly(self.pocketCheck, settings["pocket"])
        set_quietly(self.epochsSpin, project.training.epochs)

    def _edit(self, text: str, mutate) -> None:
        if self._model.project.model.family == "perceptron":
            self._model.edit(text, mutate)


def _kept_errors(snapshot, n_train: int) -> int | None:
    accuracy = snapshot.metric("train_accuracy") if snapshot is not None else None
    return None if accuracy is None else round((1.0 - accuracy) * n_train)
