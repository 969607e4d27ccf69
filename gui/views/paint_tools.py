"""The paint tools beside the decision map's options: Paint, the class (or value) to paint, Erase,
Clear and a count. What they do to the project is the paint controller's (paint_controller.py)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from gui.views.colors import CLASS_COLORS
from gui.views.paint_layer import MAX_PAINT_CLASSES
from gui.widgets.param_form import tag

CLASS_TIP = (
    "the class a click adds, by its colour: with two classes orange is class −1 and blue class +1 (the"
    " playground's labels); with more, the colours are classes 0, 1, 2, … in this order"
)
COLOR_NAMES = ("orange", "blue", "green", "red", "purple", "yellow", "teal", "pink")
PAINT_TIP = (
    "Paint your own data on the map: click or drag to add points of the chosen class (or value), "
    "Erase to remove them. Each stroke is one step to undo (Ctrl+Z)."
)


def swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class PaintToolRow(QWidget):
    """paintButton, and while it is down: paintClassCombo or paintValueSpin, paintEraseButton,
    paintClearButton and paintCountLabel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paintButton = tag(QToolButton(), "paintButton", "Paint points", PAINT_TIP)
        self.paintButton.setText("✎ Paint")
        self.paintButton.setCheckable(True)
        self.classCombo = tag(QComboBox(), "paintClassCombo", "Class to paint", CLASS_TIP)
        for k in range(MAX_PAINT_CLASSES):  # named by colour: the key names the class (−1/+1 or 0, 1, 2…)
            self.classCombo.addItem(swatch(CLASS_COLORS[k]), COLOR_NAMES[k], k)
        self.valueSpin = tag(
            QDoubleSpinBox(), "paintValueSpin", "Value to paint", "the target value a click adds (regression)"
        )
        self.valueSpin.setRange(-10.0, 10.0)
        self.valueSpin.setSingleStep(0.25)
        self.valueSpin.setValue(1.0)
        self.valueSpin.setPrefix("value ")
        self.eraseButton = tag(
            QToolButton(),
            "paintEraseButton",
            "Erase points",
            "click or drag to remove the points under the mouse",
        )
        self.eraseButton.setText("Erase")
        self.eraseButton.setCheckable(True)
        self.clearButton = tag(
            QToolButton(), "paintClearButton", "Clear points", "remove every painted point"
        )
        self.clearButton.setText("Clear")
        self.countLabel = QLabel()
        self.countLabel.setObjectName("paintCountLabel")
        self.countLabel.setStyleSheet("color: palette(placeholder-text);")
        # The count may be cut rather than widen the output column (which grew the whole window).
        self.countLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.countLabel.setMinimumWidth(60)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.classCombo, self.valueSpin, self.eraseButton, self.clearButton):
            row.addWidget(widget)
        row.addWidget(self.countLabel, 1)
        row.addWidget(self.paintButton)
        self.show_tools(False, "classification", 2)

    @property
    def erasing(self) -> bool:
        return self.eraseButton.isChecked()

    @property
    def chosen_class(self) -> int:
        return int(self.classCombo.currentData())

    @property
    def chosen_value(self) -> float:
        return float(self.valueSpin.value())

    def show_tools(self, painting: bool, task: str, width: int) -> None:
        """The tools of a painted set of `task` with rows of `width` values (3: 2-D, 2: a curve)."""
        self.classCombo.setVisible(painting and width == 3 and task == "classification")
        self.valueSpin.setVisible(painting and width == 3 and task == "regression")
        for widget in (self.eraseButton, self.clearButton, self.countLabel):
            widget.setVisible(painting)

    def show_count(self, count: int, classes: int) -> None:
        text = f"{count:,} point{'s' if count != 1 else ''}"
        self.countLabel.setText(text + (f", {classes} classes" if classes > 1 else ""))
