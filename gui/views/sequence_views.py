"""The output area's page for sequence data: a test sample picked by number, drawn over time with
its target and prediction; the first recurrent layer's hidden state or a chosen gate as a heat map;
and the gradient of the loss reaching each time step (gui/views/sequence_plots.py draws them)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget
from superqt.utils import signals_blocked

from gui.views.sequence_plots import (
    HIDDEN,
    GateHeatmap,
    GradientThroughTime,
    SequencePlot,
    summary_text,
)

KIND_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


class SequenceViews(QWidget):
    """A sequence run's picked sample, recurrent state and gradient through time."""

    sampleChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sequenceViews")
        self.sampleSpin = QSpinBox()
        self.sampleSpin.setObjectName("sampleSpin")
        self.sampleSpin.setAccessibleName("Test sample shown")
        self.sampleSpin.setToolTip("Which test sample the views below follow")
        self.gateChoice = QComboBox()
        self.gateChoice.setObjectName("gateChoice")
        self.gateChoice.setAccessibleName("Quantity shown in the heat map")
        self.gateChoice.setToolTip("The hidden state, or one of the gates, over time and units")
        self.summary = QLabel()
        self.summary.setObjectName("sequenceSummary")
        self.summary.setWordWrap(True)  # a long line must not widen a narrow window
        self.summary.setContentsMargins(4, 0, 4, 0)
        self.sequenceView = SequencePlot()
        self.gateView = GateHeatmap()
        self.bpttView = GradientThroughTime()
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 2, 4, 0)
        controls.addWidget(QLabel("Sample"))
        controls.addWidget(self.sampleSpin)
        controls.addStretch(1)
        controls.addWidget(QLabel("Heat map"))
        controls.addWidget(self.gateChoice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        # Minimum heights: below them a plot has no room for its ticks, the heat map for its rows.
        self.sequenceView.setMinimumHeight(105)
        self.gateView.setMinimumHeight(130)
        self.bpttView.setMinimumHeight(95)
        layout.addWidget(self.sequenceView, 4)
        layout.addWidget(self.gateView, 4)
        layout.addWidget(self.gateView.scale)  # what the heat map's colours mean, with its range
        layout.addWidget(self.bpttView, 3)
        self.sampleSpin.valueChanged.connect(self._on_sample_changed)
        self.gateChoice.currentTextChanged.connect(self._on_gate_changed)
        self.probe = None
        self._picked = False  # the user chose a sample in this run: the spin box is theirs

    def set_run(self, info) -> None:
        """A new run: the picker's range from its test split, nothing drawn until its first probe."""
        data = info.dataset
        count = len(data.x_test) or len(data.x_train)
        with signals_blocked(self.sampleSpin):
            self.sampleSpin.setRange(0, max(count - 1, 0))
        self.sampleSpin.setSuffix(f" (of 0–{count - 1})" if count else "")
        self._picked = False
        self.probe = None
        self.summary.setText("")
        self.sequenceView.clear_probe()
        self.gateView.draw("", None, "")
        self.bpttView.clear_probe()

    def show_probe(self, probe) -> None:
        self.probe = probe
        if not self._picked and probe.sample != self.sampleSpin.value():
            with signals_blocked(self.sampleSpin):  # the session's choice (kept from an earlier run)
                self.sampleSpin.setValue(probe.sample)
        self.summary.setText(summary_text(probe))
        self.sequenceView.show_probe(probe)
        self._set_choices(probe)
        self._draw_gate()
        self.bpttView.show_probe(probe)

    def _set_choices(self, probe) -> None:
        names = [HIDDEN, *(name for name, _ in probe.gates)] if probe.layer is not None else []
        if [self.gateChoice.itemText(i) for i in range(self.gateChoice.count())] == names:
            return
        current = self.gateChoice.currentText()
        with signals_blocked(self.gateChoice):
            self.gateChoice.clear()
            self.gateChoice.addItems(names)
            self.gateChoice.setCurrentIndex(max(names.index(current) if current in names else 0, 0))
        self.gateChoice.setEnabled(bool(names))

    def _draw_gate(self) -> None:
        probe = self.probe
        if probe is None:
            return
        if probe.layer is None:
            self.gateView.draw("", None, "no recurrent layer: nothing carries a state through time")
            return
        name = self.gateChoice.currentText() or HIDDEN
        values = probe.hidden if name == HIDDEN else dict(probe.gates).get(name)
        layer = f"{KIND_NAMES.get(probe.layer_kind, probe.layer_kind)} (layer {probe.layer + 1})"
        units = "" if probe.units <= values.shape[1] else f", first {values.shape[1]} of {probe.units} units"
        self.gateView.draw(name, values, f"{layer}: {name}{units}")

    def _on_sample_changed(self, value: int) -> None:
        self._picked = True
        self.sampleChosen.emit(int(value))

    def _on_gate_changed(self, _name: str) -> None:
        self._draw_gate()
