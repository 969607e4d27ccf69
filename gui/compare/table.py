"""Compare mode's table: each run's place, its family's metrics (final, and best of the one ranked
by), and when it reached a target.

Its items are made once per comparison; a refresh sets only the texts that changed, then fits
the columns once. (With the columns in ResizeToContents mode every setText made the header
measure its column again: 22 ms for a refresh of 8 rows, against 0.7 ms this way.)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gui.compare.family_terms import CompareTerms
from gui.compare.stats import RunStats, ranks

FIRST_COLUMNS = ("Run", "Rank", "Epoch")


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
        self.setColumnCount(len(FIRST_COLUMNS) + 1)
        self._rows: dict[str, int] = {}
        self._texts: dict[tuple[int, int], str] = {}  # (row, column) -> the text shown there
        self._shown: list[tuple[int, str, str]] = []  # (column, metric, "final" | "best")
        self._kinds: dict[str, str] = {}  # metric -> its kind (how its numbers are written)
        self._changed: set[int] = set()  # columns whose text changed since they were last fitted
        self.target_title = "Reached target"

    def set_runs(self, runs: list[tuple[str, str, str]], terms: CompareTerms, target_title: str) -> None:
        """One row per run of `runs` ((run id, label, colour)); the columns `terms` names."""
        self.target_title = target_title
        self._kinds = dict(terms.kinds)
        self.setColumnCount(len(FIRST_COLUMNS) + len(terms.columns) + 1)
        headers = [*FIRST_COLUMNS, *(column.header for column in terms.columns), target_title]
        self.setHorizontalHeaderLabels(headers)
        tips = ["", terms.ranking_text(), "", *(column.tip for column in terms.columns), ""]
        for column, tip in enumerate(tips):
            self.horizontalHeaderItem(column).setToolTip(tip)
        first = len(FIRST_COLUMNS)
        self._shown = [(first + i, c.metric, c.which) for i, c in enumerate(terms.columns)]
        self.setRowCount(len(runs))
        self._rows = {}
        self._texts, self._changed = {}, set()
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
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self._fit_columns(set(range(1, self.columnCount())))

    def show_all(
        self, stats: dict[str, RunStats], target_metric: str, target: float, order: list[tuple[str, bool]]
    ) -> None:
        """Refresh the rows of `stats` (run id -> RunStats) and their places by `order` ((metric,
        higher is better), ties broken by the next), then fit the columns to what changed."""
        places = ranks(stats, order)
        for run_id, run_stats in stats.items():
            self.show_stats(run_id, run_stats, target_metric, target, fit=False)
            row = self._rows.get(run_id)
            if row is not None:
                self._set_text(row, 1, str(places[run_id]) if run_id in places else "–")
        self._fit_columns(self._changed)

    def show_stats(
        self, run_id: str, stats: RunStats, target_metric: str, target: float, fit: bool = True
    ) -> None:
        """Refresh `run_id`'s row (and fit the columns whose text changed, with `fit`)."""
        row = self._rows.get(run_id)
        if row is None:
            return
        self._set_text(row, 2, f"{stats.epoch:,}")
        for column, metric, which in self._shown:
            value = stats.final(metric) if which == "final" else stats.best(metric)
            self._set_text(row, column, _format(self._kinds.get(metric, "loss"), value))
        reached = stats.first_reaching(target_metric, target)
        self._set_text(row, self.columnCount() - 1, "not yet" if reached is None else f"epoch {reached:,}")
        if fit:
            self._fit_columns(self._changed)

    def _set_text(self, row: int, column: int, text: str) -> None:
        if self._texts.get((row, column)) != text:
            self._texts[(row, column)] = text
            self._changed.add(column)
            self.item(row, column).setText(text)

    def _fit_columns(self, columns: set[int]) -> None:
        """Number `columns` as wide as their widest text or header (the run column takes the rest)."""
        for column in sorted(columns):
            self.resizeColumnToContents(column)
        self._changed = set()

    def cell_text(self, run_id: str, header: str, which: int = 0) -> str:
        """The text under `header` for `run_id` (`which`: 0 the first column of that name, 1 the next)."""
        headers = [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]
        column = [c for c, h in enumerate(headers) if h == header][which]
        return self.item(self._rows[run_id], column).text()


def _format(kind: str, value: float | None) -> str:
    """A number as its Metric's kind reads (engine/families/family.py): 93.0%, 12, yes, 0.0321."""
    if value is None:
        return "–"
    if kind == "accuracy":
        return f"{value:.1%}"
    if kind == "flag":
        return "yes" if value else "no"
    if kind in ("count", "score") and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.4f}"


def _number_item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
