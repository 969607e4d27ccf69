"""The history bar under the curves: scrub back through the run's past, and branch from it.

The slider (`historySlider`) spans epoch 0 to the latest; moving it while paused asks the session
for that epoch (engine/session/history_mode.py) and every view shows it. "Latest" returns to the
run as it is. "Branch from here" opens a row to change one setting (the keys compare mode varies)
and starts a new run from the epoch shown; the run it came from is kept beside it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from gui.compare.variants import KEYS

SCRUB_DELAY_MS = 40  # a dragged slider asks for at most one epoch per this long


class HistoryBar(QWidget):
    epochPicked = Signal(int)  # the user asks to see this epoch (while paused)
    latestPicked = Signal()  # back to the run as it is
    branchRequested = Signal(str, str)  # key name, value text: branch from the epoch shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("historyBar")
        self.latest = 0  # the run's latest epoch
        self.historySlider = QSlider(Qt.Orientation.Horizontal)
        self.historySlider.setObjectName("historySlider")
        self.historySlider.setAccessibleName("Training history")
        self.historySlider.setToolTip("Pause, then drag to look back at any earlier epoch in every view")
        self.historySlider.setRange(0, 0)
        self.latestButton = QPushButton("Latest")
        self.latestButton.setObjectName("latestButton")
        self.latestButton.setToolTip("Show the run as it is now")
        self.branchButton = QPushButton("Branch from here…")
        self.branchButton.setObjectName("branchButton")
        self.branchButton.setToolTip(
            "Start a new run from the epoch shown with one setting changed; this run is kept beside it"
        )
        self.branchButton.setCheckable(True)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("History"))
        top.addWidget(self.historySlider, 1)
        top.addWidget(self.latestButton)
        top.addWidget(self.branchButton)

        self.branchRow = QWidget()
        self.branchRow.setObjectName("branchRow")
        self.branchKey = QComboBox()
        self.branchKey.setObjectName("branchKey")
        self._keys: tuple = ()
        self.set_keys(KEYS)
        self.branchValue = QComboBox()
        self.branchValue.setObjectName("branchValue")
        self.branchValue.setEditable(True)
        self.branchGo = QPushButton("Branch")
        self.branchGo.setObjectName("branchGo")
        row = QHBoxLayout(self.branchRow)
        row.setContentsMargins(0, 0, 0, 0)
        self.branchFrom = QLabel("")
        row.addWidget(self.branchFrom)
        row.addWidget(self.branchKey)
        row.addWidget(QLabel("→"))
        row.addWidget(self.branchValue, 1)
        row.addWidget(self.branchGo)
        self.branchRow.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(top)
        layout.addWidget(self.branchRow)

        self._scrub = QTimer(self)  # dragging asks for the epoch under the handle, not every one passed
        self._scrub.setSingleShot(True)
        self._scrub.timeout.connect(self._ask)
        self.historySlider.valueChanged.connect(self._moved)
        self.latestButton.clicked.connect(self.latestPicked)
        self.branchButton.toggled.connect(self._show_branch_row)
        self.branchKey.currentIndexChanged.connect(self._fill_values)
        self.branchGo.clicked.connect(self._branch)
        self.branchValue.lineEdit().returnPressed.connect(self._branch)
        self._fill_values()
        self.set_state(0, running=False, usable=False)

    def set_keys(self, keys) -> None:
        """The settings a branch may change: those of the project's family (gui/compare/family_keys.py),
        not the initialiser (a branch starts from trained weights)."""
        keys = tuple(key for key in keys if key.name != "init")
        if [key.name for key in keys] == [key.name for key in self._keys]:
            return
        self._keys = keys
        self.branchKey.blockSignals(True)
        self.branchKey.clear()
        for key in keys:
            self.branchKey.addItem(key.title, key.name)
        self.branchKey.blockSignals(False)
        if hasattr(self, "branchValue"):
            self._fill_values()

    def set_state(self, latest: int, running: bool, usable: bool = True) -> None:
        """Follow the run: the slider spans its epochs and sits at the latest (a live view)."""
        self.latest = latest
        self._scrub.stop()
        self.historySlider.blockSignals(True)
        self.historySlider.setRange(0, max(latest, 0))
        self.historySlider.setValue(latest)
        self.historySlider.blockSignals(False)
        scrubbable = usable and not running and latest > 0
        self.historySlider.setEnabled(scrubbable)
        self.branchButton.setEnabled(scrubbable)
        self.latestButton.setEnabled(False)
        if not scrubbable:
            self.branchButton.setChecked(False)
        self._update_branch_label()

    @property
    def shown(self) -> int:
        return self.historySlider.value()

    def _moved(self, _value: int) -> None:
        self.latestButton.setEnabled(self.shown != self.latest)
        self._update_branch_label()
        self._scrub.start(SCRUB_DELAY_MS)

    def _ask(self) -> None:
        if self.shown == self.latest:
            self.latestPicked.emit()
        else:
            self.epochPicked.emit(self.shown)

    def _show_branch_row(self, on: bool) -> None:
        self.branchRow.setVisible(on)
        if on:
            self.branchValue.setFocus()

    def _update_branch_label(self) -> None:
        self.branchFrom.setText(f"From epoch {self.shown:,}, change")

    def _fill_values(self) -> None:
        key = next((k for k in self._keys if k.name == self.branchKey.currentData()), None)
        if key is None:
            return
        self.branchValue.clear()
        if key.choices is not None:
            self.branchValue.addItems(key.choices())
        else:
            self.branchValue.lineEdit().setPlaceholderText(f"one value, e.g. {key.example.split(',')[0]}")
            self.branchValue.setEditText("")

    def _branch(self) -> None:
        self.branchRequested.emit(self.branchKey.currentData(), self.branchValue.currentText())
