"""Compare mode's loss and accuracy plots: every run's curves overlaid, one colour per run.

Train is solid, test dashed, in the run's colour; a wrapped colour key above the plots lists each
run once, shortened by gui/compare/labels.py (a legend strip in the plot was clipped). Curves
are made once per comparison and then only fed with setData, from each run's bounded MetricsLog,
one plot per part (`update_steps`) so that the window's ViewPacer paints them in separate turns.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.metrics import MetricsLog
from gui.compare.labels import short_labels
from gui.views.colors import BACKGROUND, FOREGROUND, live_curve, style_plot
from gui.views.log_axis import LogAxis
from gui.views.plot_range import SteppedViewBox

METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
MIN_WIDTH = 320  # the plots' tick labels, axis titles and a few epochs of curve stay readable


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(y)
    return x[keep], y[keep]


class CompareCurvesPlot(QWidget):
    """Loss above accuracy, the runs overlaid; `set_runs` once, then `update_run` per frame."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareCurves")
        self.loss_plot = _make_plot("compareLossPlot", "loss")
        self.accuracy_plot = _make_plot("compareAccuracyPlot", "accuracy")
        self.accuracy_plot.setXLink(self.loss_plot)
        accuracy = self.accuracy_plot.getPlotItem()
        accuracy.setYRange(0.0, 1.0, padding=0.02)
        accuracy.getViewBox().setMouseEnabled(y=False)
        self.key = QLabel("solid: train   ·   dashed: test")
        self.key.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; font-size: 11px; }}")
        self.run_key = _make_run_key()
        self.setMinimumWidth(MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.key)
        layout.addWidget(self.run_key)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)
        self._curves: dict[str, dict[str, pg.PlotDataItem]] = {}  # run id -> metric -> curve
        self._names: list[str] = []
        self.key_entries: list[str] = []  # each run's entry as the key shows it

    def set_runs(self, runs: list[tuple[str, str, str]], classification: bool) -> None:
        """Start afresh with `runs`: (run id, label, colour) each."""
        for plot in (self.loss_plot, self.accuracy_plot):
            for item in list(plot.getPlotItem().listDataItems()):
                plot.getPlotItem().removeItem(item)
        self._curves = {}
        loss, accuracy = self.loss_plot.getPlotItem(), self.accuracy_plot.getPlotItem()
        for run_id, _, color in runs:
            self._curves[run_id] = {
                "train_loss": live_curve(loss, color, None),
                "test_loss": live_curve(loss, color, None, dashed=True),
                "train_accuracy": live_curve(accuracy, color, None),
                "test_accuracy": live_curve(accuracy, color, None, dashed=True),
            }
        self._show_key(runs)
        self.accuracy_plot.setVisible(classification)
        loss.getViewBox().restart()

    def _show_key(self, runs: list[tuple[str, str, str]]) -> None:
        """Coloured squares and short labels, wrapped between entries and never inside one."""
        self._names = [label for _, label, _ in runs]
        header, self.key_entries = short_labels(self._names)
        entries = [
            f'<span style="color:{color}; font-size:14px;">■</span>&nbsp;'
            + html.escape(short).replace(" ", "&nbsp;")
            for (_, _, color), short in zip(runs, self.key_entries, strict=True)
        ]
        head = (
            f'<span style="color:{FOREGROUND};">{html.escape(header)}:</span>&nbsp;&nbsp; ' if header else ""
        )
        self.run_key.setText(head + " &nbsp; ".join(entries))
        self.run_key.setToolTip("\n".join(self._names))

    def update_run(self, run_id: str, log: MetricsLog) -> None:
        self._set_curves({run_id: log}, METRICS)

    def update_steps(self, logs: dict[str, MetricsLog]) -> list:
        """Every run's curves from `logs` (run id -> log) in parts: the losses, then the accuracies."""
        steps = [lambda: self._set_curves(logs, ("train_loss", "test_loss"))]
        if self.accuracy_plot.isVisibleTo(self):
            steps.append(lambda: self._set_curves(logs, ("train_accuracy", "test_accuracy")))
        return steps

    def _set_curves(self, logs: dict[str, MetricsLog], metrics: tuple[str, ...]) -> None:
        for run_id, log in logs.items():
            curves = self._curves.get(run_id)
            if curves is None or not len(log):
                continue
            epoch = log.column("epoch")
            for metric in metrics:
                curves[metric].setData(*_finite(epoch, log.column(metric)))

    def refit(self) -> None:
        self.loss_plot.getPlotItem().getViewBox().refit()

    def legend_names(self) -> list[str]:
        """Every run's full label, in the key's order (the key may show them shortened)."""
        return list(self._names)

    def curve_count(self, plot: str = "loss") -> int:
        """Curves with data on the loss (or accuracy) plot."""
        widget = self.loss_plot if plot == "loss" else self.accuracy_plot
        return sum(
            1 for item in widget.getPlotItem().listDataItems() if item.xData is not None and len(item.xData)
        )


def _make_run_key() -> QLabel:
    key = QLabel()
    key.setObjectName("compareCurvesKey")
    key.setTextFormat(Qt.TextFormat.RichText)
    key.setWordWrap(True)
    key.setStyleSheet("QLabel { font-size: 11px; }")
    # Wrapped text asks for no width of its own: the column's width is the splitter's to give.
    key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
    return key


def _make_plot(name: str, y_label: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(
        background=BACKGROUND, viewBox=SteppedViewBox(), axisItems={"left": LogAxis("left")}
    )
    widget.setObjectName(name)
    widget.setAccessibleName(f"{y_label.capitalize()} of every run over epochs")
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.showGrid(x=True, y=True, alpha=0.15)
    style_plot(plot, "epoch", y_label)
    return widget
