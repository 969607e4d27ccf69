"""The window's output column: the run's message, the decision map's options, and the map itself."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.views.boundary import BoundaryView
from gui.views.legend import legend_html
from gui.widgets.param_form import tag


class OutputPanel(QWidget):
    """What the network has learnt over the data, with a panel saying why a run stopped or failed
    (and, where one exists, a button that fixes it) and a key to the map's colours."""

    fixClicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boundaryView = BoundaryView()
        self.runMessage = QLabel()
        self.runMessage.setObjectName("runMessage")
        self.runMessage.setWordWrap(True)
        self.runMessage.setStyleSheet("QLabel { background: #fdecea; color: #8a1c13; padding: 6px; }")
        self.runMessage.hide()
        self.fixButton = tag(QPushButton(), "runFixButton", "Fix this project")
        self.fixButton.clicked.connect(self.fixClicked.emit)
        self.fixButton.hide()
        self.legendLabel = QLabel()
        self.legendLabel.setObjectName("colorLegend")
        self.legendLabel.setAccessibleName("Colour key")
        self.legendLabel.setTextFormat(Qt.TextFormat.RichText)
        self.legendLabel.setWordWrap(True)
        self.showTestCheck = tag(QCheckBox("Show test data"), "showTestCheck", "Show test data")
        self.showTestCheck.setChecked(True)
        self.showTestCheck.toggled.connect(self.boundaryView.set_show_test)
        self.discretizeCheck = tag(
            QCheckBox("Discretize output"),
            "discretizeCheck",
            "Discretize output",
            "Show only the predicted class, not the confidence",
        )
        self.discretizeCheck.toggled.connect(self.boundaryView.set_discretize)
        options = QHBoxLayout()
        options.addWidget(self.showTestCheck)
        options.addWidget(self.discretizeCheck)
        options.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        message = QHBoxLayout()
        message.addWidget(self.runMessage, 1)
        message.addWidget(self.fixButton, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(message)
        column.addLayout(options)
        column.addWidget(self.boundaryView, 1)
        column.addWidget(self.legendLabel)

    def set_run(self, info) -> None:
        """A freshly built run (engine RunInfo): its data, and no message from the previous run."""
        self.boundaryView.set_dataset(info.dataset)
        # Only a class map has a boundary to sharpen; a regression surface or curve has none.
        self.discretizeCheck.setEnabled(info.head.classification and info.dataset.kind == "points2d")
        self.hide_run_message()
        key = legend_html(info.dataset, info.head, self.boundaryView.value_levels)
        self.legendLabel.setText(key)
        self.legendLabel.setVisible(bool(key))

    def show_run_message(self, text: str, fix: str | None = None) -> None:
        """Show `text`; with `fix`, a button of that text beside it (its click: fixClicked)."""
        self.runMessage.setText(text)
        self.runMessage.show()
        self.fixButton.setText(fix or "")
        self.fixButton.setVisible(bool(fix))

    def hide_run_message(self) -> None:
        self.runMessage.hide()
        self.fixButton.hide()
