"""Compare mode's table: each run's final and best losses and accuracies, and when it reached a target."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gui.compare.stats import RunStats

# (header, metric, "final" | "best"); accuracy columns only for classification
COLUMNS = (
    ("Train loss", "train_loss", "final"),
    ("best", "train_loss", "best"),
    ("Test loss", "test_loss", "final"),
    ("best", "test_loss", "best"),
    ("Train acc.", "train_accuracy", "final"),
    ("best", "train_accuracy", "best"),
    ("Test acc.", "test_accuracy", "final"),
    ("best", "test_accuracy", "best"),
)
FIRST_COLUMNS = ("Run", "Epoch")


class CompareTable(QTableWidget):
    """One row per run; `show_stats` refreshes a row from its RunStats."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareTable")
        self.setAccessibleName("Final and best results of every run")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.setColumnCount(len(FIRST_COLUMNS) + len(COLUMNS) + 1)
        self._rows: dict[str, int] = {}
        self.target_title = "Reached target"

    def set_runs(self, runs: list[tuple[str, str, str]], classification: bool, target_title: str) -> None:
        self.target_title = target_title
        headers = [*FIRST_COLUMNS, *(h for h, _, _ in COLUMNS), target_title]
        self.setHorizontalHeaderLabels(headers)
        for i, (_, metric, _) in enumerate(COLUMNS):
            self.setColumnHidden(len(FIRST_COLUMNS) + i, metric.endswith("accuracy") and not classification)
        self.setRowCount(len(runs))
        self._rows = {}
        for row, (run_id, label, color) in enumerate(runs):
            self._rows[run_id] = row
            item = QTableWidgetItem(f"■ {label}")
            item.setForeground(QBrush(QColor(color)))
            item.setToolTip(label)
            self.setItem(row, 0, item)
            for column in range(1, self.columnCount()):
                self.setItem(row, column, _number_item("–"))
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def show_stats(self, run_id: str, stats: RunStats, target_metric: str, target: float) -> None:
        row = self._rows.get(run_id)
        if row is None:
            return
        self.item(row, 1).setText(f"{stats.epoch:,}")
        for i, (_, metric, which) in enumerate(COLUMNS):
            value = stats.final(metric) if which == "final" else stats.best(metric)
            self.item(row, len(FIRST_COLUMNS) + i).setText(_format(metric, value))
        reached = stats.first_reaching(target_metric, target)
        self.item(row, self.columnCount() - 1).setText("not yet" if reached is None else f"epoch {reached:,}")

    def cell_text(self, run_id: str, header: str, which: int = 0) -> str:
        """The text under `header` for `run_id` (`which`: 0 the first column of that name, 1 the next)."""
        headers = [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]
        column = [c for c, h in enumerate(headers) if h == header][which]
        return self.item(self._rows[run_id], column).text()


def _format(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if metric.endswith("accuracy") else f"{value:.4f}"


def _number_item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
