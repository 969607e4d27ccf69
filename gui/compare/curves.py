"""Compare mode's curves: every run's main metrics overlaid, one colour per run (gui/compare/
family_terms.py says which: the mlp's losses above its accuracies, a GAN's two losses above its
modes covered, ...).

Each plot's first metric is solid, its second dashed (the mlp's train and test), in the run's colour; a wrapped colour key above the plots lists each
run once, shortened by gui/compare/labels.py (a legend strip in the plot was clipped). Curves
are made once per comparison and then only fed with setData, from each run's bounded MetricsLog,
one plot per part (`update_steps`) so that the window's ViewPacer paints them in separate turns;
each curve draws at most ~1,000 points of its series (gui/compare/curve_points.py). The two plots
share the user's pan and zoom of the epoch axis but not auto-range's steps, so a growing epoch axis
re-lays-out one plot per turn, not both at once.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.metrics import MetricsLog
from gui.compare.curve_points import CurvePoints
from gui.compare.family_terms import CompareTerms
from gui.compare.labels import short_labels
from gui.views.colors import BACKGROUND, FOREGROUND, live_curve, style_plot
from gui.views.log_axis import LogAxis
from gui.views.plot_range import SteppedViewBox, link_user_x

MIN_WIDTH = 320  # the plots' tick labels, axis titles and a few epochs of curve stay readable


class CompareCurvesPlot(QWidget):
    """The family's main metrics above (losses, or counts) and its accuracies or scores below, the
    runs overlaid; `set_runs` once per comparison, then `update_steps` per frame."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareCurves")
        self.loss_plot = _make_plot("compareLossPlot", "loss")
        self.accuracy_plot = _make_plot("compareAccuracyPlot", "accuracy")
        # Not setXLink: each plot steps its epoch axis in its own pacer part (gui/views/plot_range.py).
        link_user_x(self.loss_plot.getPlotItem(), self.accuracy_plot.getPlotItem())
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
        self._points: dict[str, dict[str, CurvePoints]] = {}  # run id -> metric -> what it draws
        self._plotted: list[tuple[str, ...]] = []  # each shown plot's metrics: one ViewPacer part each
        self._names: list[str] = []
        self.key_entries: list[str] = []  # each run's entry as the key shows it

    def set_runs(self, runs: list[tuple[str, str, str]], terms: CompareTerms) -> None:
        """Start afresh with `runs` ((run id, label, colour) each), plotting what `terms` names."""
        widgets = (self.loss_plot, self.accuracy_plot)
        for widget in widgets:
            for item in list(widget.getPlotItem().listDataItems()):
                widget.getPlotItem().removeItem(item)
        self._curves = {run_id: {} for run_id, _, _ in runs}
        self._points = {run_id: {} for run_id, _, _ in runs}
        self._plotted = [plot.metrics for plot in terms.plots]
        for widget, plot in zip(widgets, terms.plots, strict=False):
            item = widget.getPlotItem()
            style_plot(item, "epoch", plot.title)
            widget.setAccessibleName(f"{plot.title.capitalize()} of every run over epochs")
            # The plot below says what its lines are when they differ from the plot above's.
            item.setTitle(None if plot.key == terms.plots[0].key else _small(plot.key))
            if plot.unit_range:
                item.setYRange(0.0, 1.0, padding=0.02)
            else:
                item.enableAutoRange(axis="y")
            item.getViewBox().setMouseEnabled(y=not plot.unit_range)
            for run_id, _, color in runs:
                for n, metric in enumerate(plot.metrics):
                    curve = live_curve(item, color, None, dashed=n == 1)
                    # CurvePoints bins the series once: pyqtgraph's clipping and downsampling redid
                    # all 16 curves on every repaint and every step of the x range.
                    curve.setClipToView(False)
                    curve.setDownsampling(ds=1, auto=False)
                    self._curves[run_id][metric] = curve
                    self._points[run_id][metric] = CurvePoints()
        self.key.setText(terms.plots[0].key)
        self._show_key(runs)
        self.accuracy_plot.setVisible(len(terms.plots) > 1)
        for widget in widgets:
            widget.getPlotItem().getViewBox().restart()

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

    def update_steps(self, logs: dict[str, MetricsLog]) -> list:
        """Every run's curves from `logs` (run id -> log) in parts: one plot a part."""
        return [lambda metrics=metrics: self._set_curves(logs, metrics) for metrics in self._plotted]

    def _set_curves(self, logs: dict[str, MetricsLog], metrics: tuple[str, ...]) -> None:
        for run_id, log in logs.items():
            curves = self._curves.get(run_id)
            if curves is None or not len(log):
                continue
            epoch = log.column("epoch")
            for metric in metrics:
                if metric in curves and metric in log.columns:
                    points = self._points[run_id][metric].points(epoch, log.column(metric))
                    curves[metric].setData(*points)

    def refit(self) -> None:
        """Fit both plots tightly to their data at the next repaint (training has stopped)."""
        for widget in (self.loss_plot, self.accuracy_plot):
            widget.getPlotItem().getViewBox().refit()

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


def _small(text: str) -> str:
    return f'<span style="color:{FOREGROUND}; font-size:10pt;">{html.escape(text)}</span>'
