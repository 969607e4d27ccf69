"""The window's output column: the run's message, the decision map's options, and the map itself."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.views.boundary import BoundaryView
from gui.widgets.param_form import tag


class OutputPanel(QWidget):
    """What the network has learnt over the data, with a panel saying why a run stopped or failed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boundaryView = BoundaryView()
        self.runMessage = QLabel()
        self.runMessage.setObjectName("runMessage")
        self.runMessage.setWordWrap(True)
        self.runMessage.setStyleSheet("QLabel { background: #fdecea; color: #8a1c13; padding: 6px; }")
        self.runMessage.hide()
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
        column.addWidget(self.runMessage)
        column.addLayout(options)
        column.addWidget(self.boundaryView, 1)

    def set_run(self, info) -> None:
        """A freshly built run (engine RunInfo): its data, and no message from the previous run."""
        self.boundaryView.set_dataset(info.dataset)
        # Only a class map has a boundary to sharpen; a regression surface or curve has none.
        self.discretizeCheck.setEnabled(info.head.classification and info.dataset.kind == "points2d")
        self.runMessage.hide()

    def show_run_message(self, text: str) -> None:
        self.runMessage.setText(text)
        self.runMessage.show()
