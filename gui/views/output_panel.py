"""The window's output column: the run's message, and what the network answers: the decision map
(with its options) over 2-D or 1-D data, the data views (gui/views/data_views.py) for images,
sequences and tables."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.views.boundary import BoundaryView
from gui.views.data_views import DataViews, has_data_views
from gui.views.legend import legend_html
from gui.views.paint_controller import PaintController
from gui.views.paint_tools import PaintToolRow
from gui.views.unit_contributions import UnitContributionView
from gui.widgets.fit_scroll import CurrentPageStack
from gui.widgets.param_form import tag


class OutputPanel(QWidget):
    """What the network has learnt over the data, with a panel saying why a run stopped or failed
    (and, where one exists, a button that fixes it) and a key to the map's colours."""

    fixClicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boundaryView = BoundaryView()
        self.unitContributionView = UnitContributionView()  # under a 1-D fit only (set_run)
        self.unitContributionView.hide()
        self.dataViews = DataViews()
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
        self._map_page = QWidget()  # the decision map, its options and its colour key
        options = QHBoxLayout()
        options.addWidget(self.showTestCheck)
        options.addWidget(self.discretizeCheck)
        options.addStretch(1)
        self.paintTools = PaintToolRow()  # paint your own data on the map (gui/views/paint_*.py)
        self.paintButton = self.paintTools.paintButton
        self.paint = PaintController(self.paintTools, self.boundaryView, self)
        self._info = None  # the run shown (engine RunInfo)
        self.paintTools.paintButton.toggled.connect(self._show_legend)
        # While painting the map shows the painted points, not the run's split: the split's options
        # make room for the tools, so the row never widens the output column (it grew the window).
        self.paintTools.paintButton.toggled.connect(self.showTestCheck.setHidden)
        self.paintTools.paintButton.toggled.connect(self.discretizeCheck.setHidden)
        options.addWidget(self.paintTools, 1)
        map_column = QVBoxLayout(self._map_page)
        map_column.setContentsMargins(0, 0, 0, 0)
        map_column.addLayout(options)
        map_column.addWidget(self.boundaryView, 1)
        # The key belongs to the map or the fitted curve: right under it, not under the 1-D fit's
        # unit-contribution strip (where it read as that strip's key).
        map_column.addWidget(self.legendLabel)
        map_column.addWidget(self.unitContributionView)
        self.pages = CurrentPageStack()  # the hidden page's width must not widen the window
        self.pages.addWidget(self._map_page)
        self.pages.addWidget(self.dataViews)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        message = QHBoxLayout()
        message.addWidget(self.runMessage, 1)
        message.addWidget(self.fixButton, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(message)
        column.addWidget(self.pages, 1)

    def set_run(self, info) -> None:
        """A freshly built run (engine RunInfo): its data, and no message from the previous run."""
        self.boundaryView.set_dataset(info.dataset)
        self.unitContributionView.setVisible(info.dataset.kind == "function1d")
        self.unitContributionView.set_probe(None, info.head)  # the previous run's curves are gone
        data_views = has_data_views(info.dataset.kind)
        self.pages.setCurrentWidget(self.dataViews if data_views else self._map_page)
        if data_views:
            self.dataViews.set_run(info)
        # Only a class map has a boundary to sharpen; a regression surface or curve has none.
        self.discretizeCheck.setEnabled(info.head.classification and info.dataset.kind == "points2d")
        self.paint.set_paintable(info.dataset.kind)
        self.hide_run_message()
        self._info = info
        self._show_legend()

    def _show_legend(self, _toggled: bool = False) -> None:
        """The colour key of the run shown; while painting, for the painted points."""
        if self._info is None:
            return
        painting = self.paintTools.paintButton.isChecked()
        key = legend_html(self._info.dataset, self._info.head, self.boundaryView.value_levels, painting)
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
