"""Compare mode's page: what to vary (a key and its values), then every run's curves, maps and table.

The page replaces the network and output views while a comparison is open (the editing panels
stay). It is only widgets: gui/compare/mode.py feeds it the session's runs and frames.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from gui.compare.curves import CompareCurvesPlot
from gui.compare.maps import CompareMaps
from gui.compare.table import CompareTable
from gui.compare.variants import KEYS, CompareKey
from gui.widgets.param_form import tag

# Tableau 10's first eight: told apart by most eyes, and none is the maps' orange or blue class tint.
RUN_COLORS = ("#4e79a7", "#e15759", "#59a14f", "#b07aa1", "#f28e2b", "#76b7b2", "#9c755f", "#edc948")
ERROR_STYLE = "QLabel { color: #c5221f; }"


class CompareView(QWidget):
    """The setup row (`compareKey`, `compareValues`, Start) above the runs' views and table."""

    startRequested = Signal(list)  # [(key name, values as typed)]: one pick, or two for their product
    cancelRequested = Signal()
    keepRequested = Signal(str)  # the run id to keep
    fixRequested = Signal()  # switch to the standard algorithm, then start
    targetChanged = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareView")
        self.keyCombo = tag(QComboBox(), "compareKey", "Setting to compare", "What differs between the runs")
        self.keys: tuple[CompareKey, ...] = ()  # what the project's family can vary (set_keys)
        self.valuesEdit = tag(
            QLineEdit(), "compareValues", "Values to compare", "Up to 8 values, separated by commas"
        )
        # A second setting, optional: the runs are then every combination of the two (at most 8).
        self.keyCombo2 = tag(
            QComboBox(),
            "compareKey2",
            "Second setting",
            "Optional: a second setting, every combination is run",
        )
        self.valuesEdit2 = tag(
            QLineEdit(), "compareValues2", "Values of the second setting", "Its values, separated by commas"
        )
        self.startButton = tag(
            QPushButton("Start comparing"), "compareStartButton", "Start comparing", "Build one run per value"
        )
        self.cancelButton = tag(
            QPushButton("Cancel"), "compareCancelButton", "Cancel", "Back to the one run, unchanged"
        )
        self.errorLabel = QLabel("")
        self.errorLabel.setObjectName("compareError")
        self.errorLabel.setStyleSheet(ERROR_STYLE)
        self.errorLabel.setWordWrap(True)
        # Shown when the playground preset refuses a variant (Adam, a loss): one click fixes it.
        self.fixButton = tag(
            QPushButton("Use the standard algorithm and compare"),
            "compareFixButton",
            "Use the standard algorithm and compare",
            "Switch the project to the standard preset (undoable), then start the comparison",
        )
        self.fixButton.hide()
        self.fixButton.clicked.connect(self.fixRequested.emit)
        self.keyCombo.currentIndexChanged.connect(lambda _: self._fill_values())
        self.keyCombo2.currentIndexChanged.connect(lambda _: self._fill_second_values())
        self.startButton.clicked.connect(lambda: self.startRequested.emit(self.picks()))
        self.valuesEdit.returnPressed.connect(self.startButton.click)
        self.valuesEdit2.returnPressed.connect(self.startButton.click)
        self.cancelButton.clicked.connect(self.cancelRequested.emit)
        setup = QHBoxLayout()
        for widget in (QLabel("Compare"), self.keyCombo, QLabel("values"), self.valuesEdit):
            setup.addWidget(widget)
        for widget in (QLabel("and"), self.keyCombo2, self.valuesEdit2):
            setup.addWidget(widget)
        setup.addWidget(self.startButton)
        setup.addWidget(self.cancelButton)

        self.curves = CompareCurvesPlot()
        self.maps = CompareMaps()
        self.table = CompareTable()
        self.targetLabel = QLabel("Target")
        self.rankLabel = QLabel("")
        self.rankLabel.setObjectName("compareRanking")
        self.targetSpin = tag(
            QDoubleSpinBox(), "compareTarget", "Target", "The table says when each run first reached it"
        )
        self.targetSpin.setDecimals(4)
        self.targetSpin.setKeyboardTracking(False)
        self.targetSpin.valueChanged.connect(self.targetChanged.emit)
        self.keepButton = tag(
            QPushButton("Keep the selected run"),
            "keepRunButton",
            "Keep the selected run",
            "Leave compare mode with the run selected in the table (its settings become the project's)",
        )
        self.keepButton.clicked.connect(self._keep)
        target_row = QHBoxLayout()
        target_row.addWidget(self.targetLabel)
        target_row.addWidget(self.targetSpin)
        target_row.addSpacing(16)
        target_row.addWidget(self.rankLabel)
        target_row.addStretch(1)
        target_row.addWidget(self.keepButton)
        # Curves beside the maps above; the table below them, full width, so all its columns fit.
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.curves)
        top.addWidget(self.maps)
        # The curves take two parts in five of the width as the window grows: at 1440x900 the maps'
        # grid had taken all but ~150 px, and the curves' key and ticks were clipped (issue 9).
        top.setStretchFactor(0, 2)
        top.setStretchFactor(1, 3)
        top.setChildrenCollapsible(False)
        top.setSizes([440, 660])
        self.top = top
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addLayout(target_row)
        results_layout.addWidget(self.table, 1)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(results)
        body.setSizes([560, 260])
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(setup)
        error_row = QHBoxLayout()
        error_row.addWidget(self.errorLabel, 1)
        error_row.addWidget(self.fixButton)
        layout.addLayout(error_row)
        # Until the runs exist: what to do, instead of empty plots and a table without rows.
        self.hint = QLabel(
            "Pick a setting and up to 8 values (or a second setting: every combination runs), then "
            "Start comparing. Every run starts from the same weights and sees the same batches."
        )
        self.hint.setObjectName("compareHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.body = body
        layout.addWidget(self.hint)
        layout.addWidget(body, 1)
        self.run_ids: list[str] = []
        self.set_keys(KEYS)
        self.set_comparing(False)

    def set_keys(self, keys: tuple[CompareKey, ...]) -> None:
        """Offer `keys` (gui/compare/family_keys.py: the project's family's) in both setting boxes,
        keeping the chosen ones where they are still offered."""
        if keys == self.keys:
            return
        first, second = self.keyCombo.currentData(), self.keyCombo2.currentData()
        self.keys = tuple(keys)
        with signals_blocked(self.keyCombo), signals_blocked(self.keyCombo2):
            self.keyCombo.clear()
            self.keyCombo2.clear()
            self.keyCombo2.addItem("nothing else", "")
            for key in self.keys:
                self.keyCombo.addItem(key.title, key.name)
                self.keyCombo2.addItem(key.title, key.name)
            self.keyCombo.setCurrentIndex(max(self.keyCombo.findData(first), 0))
            self.keyCombo2.setCurrentIndex(max(self.keyCombo2.findData(second), 0))
        self._fill_values()
        self._fill_second_values()

    def key(self) -> CompareKey:
        return self.keys[self.keyCombo.currentIndex()]

    def picks(self) -> list[tuple[str, str]]:
        """What the row asks for: (key name, values as typed), the second only when one is chosen."""
        picks = [(self.keyCombo.currentData(), self.valuesEdit.text())]
        if self.keyCombo2.currentData():
            picks.append((self.keyCombo2.currentData(), self.valuesEdit2.text()))
        return picks

    def _fill_second_values(self) -> None:
        name = self.keyCombo2.currentData()
        self.valuesEdit2.setEnabled(bool(name))
        if not name:
            self.valuesEdit2.setText("")
            return
        key = next(k for k in self.keys if k.name == name)
        self.valuesEdit2.setText(", ".join(key.choices()[:2]) if key.choices is not None else key.example)

    def _fill_values(self) -> None:
        """Every choice of a named key (the optimizer race), or an example for a number key."""
        key = self.key()
        self.valuesEdit.setText(", ".join(key.choices()[:8]) if key.choices is not None else key.example)

    def set_comparing(self, comparing: bool) -> None:
        """Setting up (the row editable, nothing to keep) or comparing (the runs on screen)."""
        for widget in (self.keyCombo, self.valuesEdit, self.keyCombo2, self.startButton):
            widget.setEnabled(not comparing)
        self.valuesEdit2.setEnabled(not comparing and bool(self.keyCombo2.currentData()))
        self.cancelButton.setVisible(not comparing)
        self.keepButton.setEnabled(comparing)
        self.body.setVisible(comparing)
        self.hint.setVisible(not comparing)
        if not comparing:
            self.run_ids = []

    def set_target(self, title: str, value: float, accuracy: bool, ranking: str = "") -> None:
        """The target's words and value; `ranking` says what the table's Rank is by."""
        self.targetLabel.setText(title)
        self.rankLabel.setText(ranking)
        self.targetSpin.blockSignals(True)
        self.targetSpin.setRange(0.0, 1.0 if accuracy else 1e6)
        self.targetSpin.setSingleStep(0.01 if accuracy else 0.005)
        self.targetSpin.setValue(value)
        self.targetSpin.blockSignals(False)

    def show_error(self, text: str, fixable: bool = False) -> None:
        """`fixable`: the playground preset is what refused; offer the switch beside the text."""
        self.errorLabel.setText(text)
        self.fixButton.setVisible(fixable)

    def selected_run(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows and rows[0].row() < len(self.run_ids):
            return self.run_ids[rows[0].row()]
        return self.run_ids[0] if self.run_ids else None

    def _keep(self) -> None:
        run_id = self.selected_run()
        if run_id is not None:
            self.keepRequested.emit(run_id)
