"""Loss and accuracy over epochs, read from the trainer's bounded MetricsLog.

Curves are created once; each refresh hands them fresh columns with setData. The log already
keeps its length bounded, and peak downsampling keeps long runs cheap to draw.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from gui.views.colors import (
    BACKGROUND,
    BLUE,
    ORANGE,
    VALIDATION_COLOR,
    add_legend_strip,
    live_curve,
    size_legend_strip,
    style_plot,
)
from gui.views.log_axis import LogAxis
from gui.views.plot_range import SteppedViewBox

PENALTY_COLOR = "#7f7f7f"
PASS_MISTAKES = "mistakes in the pass"  # the perceptron's updates during each epoch
PENALTY = "L1/L2 penalty"
# The mlp's train loss in train mode (engine/train.py keeps it only for dropout and batch norm).
TRAIN_SEEN = "train (as trained)"  # train mode: dropout on, batch norm on batch statistics
TRAIN_SEEN_COLOR = "#6baed6"  # a lighter blue: the same split as the train curve, seen otherwise
LR_COLOR = "#5f6368"
# Families whose `lr` column is the one rate of their optimizer (the GAN has two, the perceptron a
# fixed step): the rate plot is drawn for these.
LR_FAMILIES = ("mlp", "autoencoder", "vae")
LOSS_COLUMNS = {
    "mlp": ("train_loss", "test_loss"),
    "autoencoder": ("train_reconstruction", "reconstruction"),
    "gan": ("d_loss", "g_loss"),
}
# What the blue and orange curves are called, where not train and test.
CURVE_NAMES = {"gan": ("discriminator", "generator")}
Y_LABELS = {  # the loss plot's axis label and accessible name, per family
    "mlp": ("loss", "Loss over epochs"),
    "perceptron": ("points wrong", "Misclassified points over epochs"),
    "autoencoder": ("reconstruction error", "Reconstruction error over epochs"),
    "gan": ("loss", "Discriminator and generator losses over epochs"),
}


def _column(metrics, name: str) -> np.ndarray:
    """A column of the log, or NaNs when this family's log has none (a frame of the run before)."""
    if name in metrics.columns:
        return metrics.column(name)
    return np.full(len(metrics), np.nan)


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop epochs without a value (no test split, regression accuracy): NaN would break log mode."""
    keep = np.isfinite(y)
    return x[keep], y[keep]


def _cursor(plot: pg.PlotItem) -> pg.InfiniteLine:
    line = pg.InfiniteLine(
        angle=90, movable=False, pen=pg.mkPen("#444444", width=1, style=Qt.PenStyle.DashLine)
    )
    line.setZValue(10)
    line.setVisible(False)
    plot.addItem(line, ignoreBounds=True)  # the cursor must not widen the plot's range
    return line


class CurvesView(QWidget):
    """Train/validation/test loss (plus the regularisation penalty) and accuracy against epoch."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("curvesView")
        self.log_scale_check = QCheckBox("Log scale")
        self.log_scale_check.setObjectName("logScaleCheck")
        self.log_scale_check.setToolTip("Show the loss on a logarithmic axis")
        self.loss_plot = self._make_plot("lossPlot", "loss")
        self.accuracy_plot = self._make_plot("accuracyPlot", "accuracy")
        self.lr_plot = self._make_rate_plot()
        # One legend above both: train and test have the same colours in the two plots.
        add_legend_strip(self.loss_plot.getPlotItem())
        self.accuracy_plot.setXLink(self.loss_plot)
        accuracy = self.accuracy_plot.getPlotItem()
        accuracy.setYRange(0.0, 1.0, padding=0.02)
        accuracy.getViewBox().setMouseEnabled(y=False)
        loss = self.loss_plot.getPlotItem()
        self._train_loss = live_curve(loss, BLUE, "train")
        self._test_loss = live_curve(loss, ORANGE, "test")
        self._val_loss = live_curve(loss, VALIDATION_COLOR, "validation")
        self._validation_shown = True
        self._penalty_name = PENALTY
        self._penalty = live_curve(loss, PENALTY_COLOR, PENALTY, dashed=True)
        self._penalty_shown = True
        self._train_seen = live_curve(loss, TRAIN_SEEN_COLOR, TRAIN_SEEN, dashed=True)
        self._train_seen_shown = True
        # The history slider's epoch (gui/history): a vertical line on both plots, hidden when live.
        self.cursors = tuple(
            _cursor(plot.getPlotItem()) for plot in (self.loss_plot, self.accuracy_plot, self.lr_plot)
        )
        self._train_accuracy = live_curve(accuracy, BLUE, "train")
        self._test_accuracy = live_curve(accuracy, ORANGE, "test")
        self._val_accuracy = live_curve(accuracy, VALIDATION_COLOR, "validation")
        # The perceptron's curves (set_family): training points misclassified and each pass's mistakes.
        self._pass_mistakes = live_curve(loss, PENALTY_COLOR, None, dashed=True)
        self._perceptron = False
        self._family = "mlp"
        self._show_validation(False)
        self._show_penalty(False)
        self._show_train_seen(False)
        self._show_rate_plot(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.log_scale_check)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)
        layout.addWidget(self.lr_plot, 1)
        self.log_scale_check.toggled.connect(self._on_log_scale_toggled)

    def _make_plot(self, name: str, y_label: str) -> pg.PlotWidget:
        widget = pg.PlotWidget(
            background=BACKGROUND, viewBox=SteppedViewBox(), axisItems={"left": LogAxis("left")}
        )
        widget.setObjectName(name)
        widget.setAccessibleName(f"{y_label.capitalize()} over epochs")
        plot = widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        style_plot(plot, "epoch", y_label)
        return widget

    def _make_rate_plot(self) -> pg.PlotWidget:
        """The learning rate per epoch, small, under the others and on their epoch axis: a schedule
        that decays the rate (to 0, say) explains a loss that stops moving."""
        widget = self._make_plot("lrPlot", "lr")  # "learning rate" does not fit the small plot's height
        widget.setAccessibleName("Learning rate over epochs")
        widget.setToolTip("The learning rate of each epoch's last step, as the schedule set it")
        widget.setMinimumHeight(70)  # room for its two tick labels (pyqtgraph drops text it cannot fit)
        widget.setMaximumHeight(90)
        widget.setXLink(self.loss_plot)
        plot = widget.getPlotItem()
        plot.getViewBox().setMouseEnabled(y=False)
        # Its two ticks sit at the edges of a plot ~30 px high: pyqtgraph drops tick text that spills
        # past an axis with a grid, and past 80% of its length. No y grid, then, and both limits off.
        plot.showGrid(x=True, y=False, alpha=0.15)
        plot.getAxis("left").setStyle(hideOverlappingLabels=False, textFillLimits=[(0, 1.5)])
        plot.getAxis("left").setStyle(showValues=False)  # until a rate comes: no crowd of auto ticks
        self._lr = live_curve(plot, LR_COLOR, None)
        self._lr_top = 0.0  # the highest rate drawn: the axis's upper tick
        return widget

    # -- public API ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.set_cursor(None)
        for curve in (
            self._train_loss,
            self._test_loss,
            self._penalty,
            self._train_accuracy,
            self._test_accuracy,
            self._val_loss,
            self._val_accuracy,
            self._pass_mistakes,
            self._train_seen,
            self._lr,
        ):
            curve.setData([], [])
        self._show_penalty(False)
        self._show_validation(False)
        self._show_train_seen(False)
        self._lr_top = 0.0
        self.lr_plot.getPlotItem().getAxis("left").setStyle(showValues=False)
        self.loss_plot.getPlotItem().getViewBox().restart()  # the last run's epochs must not carry over

    def set_cursor(self, epoch: int | None) -> None:
        """Mark `epoch` on both plots (the epoch the other views show), or no epoch (None: live)."""
        for line in self.cursors:
            line.setVisible(epoch is not None)
            if epoch is not None:
                line.setValue(epoch)

    def set_metrics(self, metrics) -> None:
        """Redraw every curve from `metrics` (an engine MetricsLog)."""
        for step in self.update_steps(metrics):
            step()

    def update_steps(self, metrics) -> list:
        """set_metrics in parts, one per plot, for a caller that paints them in separate turns."""
        return [
            lambda: self._set_losses(metrics),
            lambda: self._set_accuracies(metrics),
            lambda: self._set_rates(metrics),
        ]

    def set_family(self, family: str, penalty: str | None = None) -> None:
        """Loss curves (`mlp`); for the perceptron, the points θ misclassifies after each pass
        (train) and the mistakes made during it (it has no loss); for the autoencoder, the
        reconstruction error (train, test) and its variant's `penalty` (the legend's name)."""
        if family != self._family and "autoencoder" in (family, self._family):
            # An error that falls by orders of magnitude: flat after the first epochs on a linear axis.
            self.set_log_scale(family == "autoencoder")
        self._family = family
        self._show_rate_plot(family in LR_FAMILIES)
        name = penalty or PENALTY
        if name != self._penalty_name:
            shown = self._penalty_shown
            self._show_penalty(False)
            self._penalty_name = name
            self._show_penalty(shown)
        perceptron = family == "perceptron"
        if perceptron == self._perceptron:
            self._label_losses()
            return
        self._perceptron = perceptron
        if perceptron:
            self.set_log_scale(False)  # a pass without a mistake is a 0: no place on a log axis
        self.log_scale_check.setVisible(not perceptron)
        self._label_losses()
        self._show_listed((self._pass_mistakes,), PASS_MISTAKES, perceptron)
        # A perceptron converges in a few passes: a dot per epoch, or one epoch draws nothing.
        for curve in (self._train_loss, self._pass_mistakes, self._train_accuracy, self._test_accuracy):
            color = curve.opts["pen"].color()
            curve.setSymbol("o" if perceptron else None)
            curve.setSymbolSize(5)
            curve.setSymbolPen(None)
            curve.setSymbolBrush(color)

    def _label_losses(self) -> None:
        label, title = Y_LABELS.get(self._family, Y_LABELS["mlp"])
        self.loss_plot.getPlotItem().getAxis("left").setLabel(label)
        self.loss_plot.setAccessibleName(title)
        names = dict(zip((self._train_loss, self._test_loss), self.curve_names(), strict=True))
        for sample, text in self.loss_plot.getPlotItem().legend.items:
            if sample.item in names:
                text.setText(names[sample.item])

    def curve_names(self) -> tuple[str, str]:
        """What the legend calls the blue and the orange curve."""
        return CURVE_NAMES.get(self._family, ("train", "test"))

    def _set_losses(self, metrics) -> None:
        epoch = metrics.column("epoch")
        if self._perceptron:
            self._set_counts(metrics, epoch)
            return
        train, test = LOSS_COLUMNS.get(self._family, LOSS_COLUMNS["mlp"])
        self._train_loss.setData(*_finite(epoch, _column(metrics, train)))
        self._test_loss.setData(*_finite(epoch, _column(metrics, test)))
        val_loss = _column(metrics, "val_loss")
        self._val_loss.setData(*_finite(epoch, val_loss))
        self._show_validation(bool(np.isfinite(val_loss).any()))
        penalty = _column(metrics, "penalty")
        has_penalty = bool(np.nanmax(penalty, initial=0.0) > 0.0)
        self._penalty.setData(*_finite(epoch, penalty) if has_penalty else ([], []))
        self._show_penalty(has_penalty)
        seen = _column(metrics, "train_loss_seen")
        has_seen = bool(np.isfinite(seen).any())
        self._train_seen.setData(*_finite(epoch, seen) if has_seen else ([], []))
        self._show_train_seen(has_seen)

    def _set_counts(self, metrics, epoch: np.ndarray) -> None:
        self._train_loss.setData(*_finite(epoch, _column(metrics, "errors")))
        self._test_loss.setData([], [])
        mistakes = _column(metrics, "mistakes")
        self._pass_mistakes.setData(*_finite(epoch, np.diff(mistakes, prepend=0.0)))

    def _set_accuracies(self, metrics) -> None:
        epoch = metrics.column("epoch")
        self._train_accuracy.setData(*_finite(epoch, _column(metrics, "train_accuracy")))
        self._test_accuracy.setData(*_finite(epoch, _column(metrics, "test_accuracy")))
        self._val_accuracy.setData(*_finite(epoch, _column(metrics, "val_accuracy")))

    def _set_rates(self, metrics) -> None:
        epochs, rates = _finite(metrics.column("epoch"), _column(metrics, "lr"))
        self._lr.setData(epochs, rates)
        top = float(rates.max()) if len(rates) else 0.0
        if top > 0 and top != self._lr_top:
            # Two ticks, 0 and the highest rate: a plot this short has room for no more, and from
            # the start's rate down to 0 is what a schedule does.
            self._lr_top = top
            plot = self.lr_plot.getPlotItem()
            plot.getAxis("left").setTickSpacing(major=top, minor=top)
            plot.getAxis("left").setStyle(showValues=True)
            plot.setYRange(0.0, top, padding=0.15)

    def rates(self) -> tuple[np.ndarray, np.ndarray]:
        """The epochs and learning rates the rate plot draws (what a test reads back)."""
        x, y = self._lr.getData()
        return (np.array([]), np.array([])) if x is None else (np.asarray(x), np.asarray(y))

    def refit(self) -> None:
        """Fit the axes tightly to the data at the next repaint (training has stopped)."""
        self.loss_plot.getPlotItem().getViewBox().refit()
        self.lr_plot.getPlotItem().getViewBox().refit()

    def set_log_scale(self, log: bool) -> None:
        self.log_scale_check.setChecked(log)  # the checkbox's toggled signal applies it

    def set_task(self, classification: bool) -> None:
        self.accuracy_plot.setVisible(classification)

    # -- slots ---------------------------------------------------------------------------------
    def _on_log_scale_toggled(self, log: bool) -> None:
        self.loss_plot.getPlotItem().setLogMode(y=log)

    def _show_penalty(self, show: bool) -> None:
        if show != self._penalty_shown:
            self._penalty_shown = show
            self._show_listed((self._penalty,), self._penalty_name, show)

    def _show_rate_plot(self, show: bool) -> None:
        """The rate plot at the bottom carries the epoch axis's numbers and label for the plots
        above it (they share it): the panel is short, and three "epoch" axes took a third of it."""
        self.lr_plot.setVisible(show)
        for widget in (self.loss_plot, self.accuracy_plot):
            axis = widget.getPlotItem().getAxis("bottom")
            axis.setStyle(showValues=not show)
            axis.showLabel(not show)

    def _show_train_seen(self, show: bool) -> None:
        """Listed only where the run keeps it: a network with dropout or batch norm, whose
        optimizer sees a train-mode loss that the eval-mode train curve does not show."""
        if show != self._train_seen_shown:
            self._train_seen_shown = show
            self._show_listed((self._train_seen,), TRAIN_SEEN, show)

    def _show_validation(self, show: bool) -> None:
        """Listed only while a validation split is drawn (early stopping's, data.validation_fraction)."""
        if show != self._validation_shown:
            self._validation_shown = show
            self._show_listed((self._val_loss, self._val_accuracy), "validation", show)

    def _show_listed(self, curves: tuple, name: str, show: bool) -> None:
        """A hidden curve still lists in a legend, so the entry comes and goes with the curves
        (the loss plot's legend strip names both plots' curves: the first stands for them)."""
        for curve in curves:
            curve.setVisible(show)
        legend = self.loss_plot.getPlotItem().legend
        if show:
            legend.addItem(curves[0], name)
        else:
            legend.removeItem(curves[0])
        self._size_legend()

    def _size_legend(self) -> None:
        entries = 2 + self._penalty_shown + self._validation_shown + self._perceptron
        entries += self._train_seen_shown
        longest = len(TRAIN_SEEN) if self._train_seen_shown else 0
        size_legend_strip(self.loss_plot.getPlotItem(), entries, longest)
