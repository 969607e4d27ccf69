"""The first rows of a table's training split, as the network reads them (raw, before scaling),
with the target column marked: a learner sees what one row of "a table" is before it is learnt."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

PREVIEW_ROWS = 5
TARGET_TINT = "#e8f0fe"  # the target column's cells, a light blue apart from the inputs
ROW_PX = 22


def target_header(dataset) -> str:
    """The target column's name, marked as the target ("species" for iris, which names none)."""
    name = dataset.target_name or ("class" if dataset.task == "classification" else "target")
    return f"{name} (target)"


def two_lines(name: str, width: int = 12) -> str:
    """A long column name broken at its middle space ("sepal length\n(cm)"): a header does not
    wrap by itself, and cut names ("epal length (cm") said nothing."""
    if len(name) <= width or " " not in name:
        return name
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    if "(" in name and name.index("(") - 1 in spaces:
        cut = name.index("(") - 1  # units on a line of their own
    return name[:cut] + "\n" + name[cut + 1 :]


def cell_text(value: float) -> str:
    return f"{float(value):.4g}"


def preview_rows(dataset, rows: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """Header and the first `rows` training rows as text: the inputs, then the target (a class by
    its name)."""
    x = np.asarray(dataset.x_train)[:rows].reshape(min(rows, len(dataset.x_train)), -1)
    y = np.asarray(dataset.y_train)[:rows]
    names = list(dataset.input_names)
    if len(names) != x.shape[1]:
        names = [f"x{k + 1}" for k in range(x.shape[1])]
    header = [*names, target_header(dataset)]
    classes = tuple(dataset.class_names)
    body = []
    for values, label in zip(x, y, strict=True):
        if dataset.task == "classification" and classes and 0 <= int(label) < len(classes):
            target = classes[int(label)]
        else:
            target = cell_text(label) if dataset.task != "classification" else str(int(label))
        body.append([*(cell_text(v) for v in values), target])
    return header, body


class TablePreview(QTableWidget):
    """A read-only table of a few rows; the target column tinted and its header in bold."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("tablePreview")
        self.setAccessibleName("The first rows of the table")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setMinimumSectionSize(40)
        self.setWordWrap(False)

    def show_dataset(self, dataset) -> None:
        header, body = preview_rows(dataset)
        self.clear()
        self.setColumnCount(len(header))
        self.setRowCount(len(body))
        self.setHorizontalHeaderLabels([two_lines(name) for name in header])
        self.setVerticalHeaderLabels([str(k + 1) for k in range(len(body))])
        target = len(header) - 1
        bold = QFont(self.font())
        bold.setBold(True)
        head = self.horizontalHeaderItem(target)
        head.setFont(bold)
        head.setToolTip("the column the network learns to predict; every other column is an input")
        for c, name in enumerate(header[:-1]):
            self.horizontalHeaderItem(c).setToolTip(f"input: {name}")
        for r, cells in enumerate(body):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == target:
                    item.setBackground(QBrush(QColor(TARGET_TINT)))
                    item.setFont(bold)
                self.setItem(r, c, item)
        # Exactly as tall as its rows: the confusion matrix or the fit below gets the rest.
        height = self.horizontalHeader().sizeHint().height() + ROW_PX * len(body) + 2 * self.frameWidth()
        scroll = self.horizontalScrollBar().sizeHint().height() if len(header) > 8 else 0
        self.setFixedHeight(height + scroll)

    def header_texts(self) -> list[str]:
        """The column names as shown, on one line each."""
        return [self.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(self.columnCount())]

    def row_texts(self, row: int) -> list[str]:
        return [self.item(row, c).text() for c in range(self.columnCount())]
