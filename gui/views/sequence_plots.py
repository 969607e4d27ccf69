"""The three pictures of a SequenceProbe (engine/inspect/sequences.py): the sample over time with
its target and prediction, a heat map over time × units of the hidden state or one gate, and
‖∂L/∂h_t‖ over time on a log scale. Each item is made once; a probe only hands it fresh arrays.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gui.views.colors import (
    BACKGROUND,
    BLUE,
    DIVERGING_LUT,
    FOREGROUND,
    NEUTRAL,
    ORANGE,
    add_legend_strip,
    class_color,
    rgb,
    size_legend_strip,
    style_plot,
)
from gui.views.log_axis import LogAxis
from gui.widgets.color_bar import ColorBar

TARGET_COLOR = "#202124"
PREDICTION_COLOR = "#d93025"
GRADIENT_COLOR = "#7b1fa2"
HIDDEN = "hidden state h"
# Sigmoid gates run from 0 (closed: nothing passes) to 1 (open): white to blue. Values of tanh
# (h, candidates) and the cell state have a sign: the playground's orange-white-blue.
GATE_LUT = np.round(rgb(NEUTRAL) + (rgb(BLUE) - rgb(NEUTRAL)) * np.linspace(0, 1, 256)[:, None]).astype(
    np.uint8
)
OPEN_CLOSED = {"input gate i", "forget gate f", "output gate o", "reset gate r", "update gate z"}
MEANINGS = {
    HIDDEN: "what the layer passes on at each step",
    "input gate i": "1: write the candidate into the cell",
    "forget gate f": "1: keep the cell's memory, 0: forget it",
    "cell candidate g": "what would be written",
    "output gate o": "1: show the cell in h",
    "cell state c": "the LSTM's memory",
    "reset gate r": "0: ignore h when making the candidate",
    "update gate z": "1: keep h, 0: take the candidate",
    "candidate n": "the proposed new h",
}


NICE_LEVELS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)


def signed_levels(values: np.ndarray) -> tuple[float, float]:
    """±the smallest round bound over |values|: a young network's h in ±0.1 would be all white on
    ±1, and a bound that only moves in steps of 1-2-5 keeps the colours from flickering."""
    largest = float(np.nanmax(np.abs(values))) if values.size else 0.0
    top = next((level for level in NICE_LEVELS if largest <= level), NICE_LEVELS[-1])
    return -top, top


def time_axis(steps: int) -> np.ndarray:
    """Steps are numbered from 1, as in h_1 … h_T."""
    return np.arange(1, steps + 1, dtype=np.float64)


def is_binary(values: np.ndarray) -> bool:
    """Inputs that are bits (parity's 0s and 1s): a value per step, nothing between steps."""
    return values.size > 0 and bool(np.isin(values, (0.0, 1.0)).all())


def draw_input(curve: pg.PlotDataItem, t: np.ndarray, values: np.ndarray) -> None:
    """Bits as steps (one flat segment a time step, no slope between 0 and 1, which no input
    ever took); a continuous signal as a line through its samples."""
    if is_binary(values):
        edges = np.append(t - 0.5, t[-1] + 0.5)
        curve.setData(edges, values, stepMode="center", symbol=None)
    else:
        curve.setData(t, values, stepMode=None, symbol="o")


class SequencePlot(pg.PlotWidget):
    """The picked sample's input features over time; a regression's target and prediction after
    the last step (what the network answers once it has read the sequence), or over time for
    per-step data."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("sequenceView")
        self.setAccessibleName("The picked sample's input, target and prediction over time")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = add_legend_strip(plot)
        style_plot(plot, "time step t", "input")
        plot.getAxis("bottom").showLabel(False)  # the three plots share their time axis: named once, below
        self.input_curves: list[pg.PlotDataItem] = []
        self.target_item = pg.PlotDataItem(
            pen=None, symbol="o", symbolSize=10, symbolPen=pg.mkPen(TARGET_COLOR, width=2), symbolBrush=None
        )
        self.prediction_item = pg.PlotDataItem(
            pen=None, symbol="x", symbolSize=10, symbolPen=None, symbolBrush=pg.mkBrush(PREDICTION_COLOR)
        )
        plot.addItem(self.target_item)
        plot.addItem(self.prediction_item)
        self._names: tuple[str, ...] = ()
        self._regression = None

    def set_inputs(self, names: tuple[str, ...], regression: bool) -> None:
        """A run's input features (one curve each) and whether a target value is drawn."""
        if names == self._names and regression == self._regression:
            return
        plot = self.getPlotItem()
        for curve in self.input_curves:
            plot.removeItem(curve)
            self.legend.removeItem(curve)
        self.legend.removeItem(self.target_item)
        self.legend.removeItem(self.prediction_item)
        self.input_curves = []
        for k, name in enumerate(names):
            color = FOREGROUND if len(names) == 1 else class_color(k + 2)
            curve = pg.PlotDataItem(
                pen=pg.mkPen(color, width=1), symbol="o", symbolSize=4, symbolPen=None, symbolBrush=color
            )
            plot.addItem(curve)
            self.legend.addItem(curve, f"input {name}")
            self.input_curves.append(curve)
        if regression:
            self.legend.addItem(self.target_item, "target")
            self.legend.addItem(self.prediction_item, "prediction")
        # One input and nothing else: its name is the axis label, and the legend's row goes to
        # the plot (parity's bits were squeezed to a 17-px plot, too short for their 0/1 ticks).
        alone = len(names) == 1 and not regression
        size_legend_strip(plot, 0 if alone else len(names) + 2 * regression, longest=12)
        self.legend.setVisible(not alone)
        plot.getAxis("left").setLabel(f"input {names[0]}" if alone else "input", color=FOREGROUND)
        self._names, self._regression = names, regression

    def show_probe(self, probe) -> None:
        self.set_inputs(probe.input_names[: probe.inputs.shape[1]] or ("x",), not probe.classification)
        t = time_axis(probe.steps)
        for k, curve in enumerate(self.input_curves):
            draw_input(curve, t, probe.inputs[:, k].astype(np.float64))
        if probe.classification:
            self.target_item.setData([], [])
            self.prediction_item.setData([], [])
            self.setXRange(0.5, probe.steps + 0.5, padding=0.02)
            self._bit_axis(is_binary(probe.inputs))
            return
        per_step = len(probe.target) == probe.steps > 1
        where = t if per_step else np.array([probe.steps + 1.0])
        self._bit_axis(False)
        self.target_item.setData(where, probe.target.astype(np.float64))
        self.prediction_item.setData(where, probe.prediction[: len(where)].astype(np.float64))
        self.setXRange(0.5, probe.steps + (0.5 if per_step else 1.5), padding=0.02)

    def _bit_axis(self, bits: bool) -> None:
        """Bits get the ticks 0 and 1 and room above the ones (a step at the top edge was lost)."""
        axis = self.getPlotItem().getAxis("left")
        # pyqtgraph hides a tick label that would stick out of its axis: on a short plot the 0 and
        # the 1 near the edges both went. Room around them, and they are drawn whatever happens.
        axis.setStyle(hideOverlappingLabels=not bits)
        if bits:
            axis.setTicks([[(0.0, "0"), (1.0, "1")]])
            self.setYRange(-0.3, 1.3, padding=0)
        else:
            axis.setTicks(None)
            self.enableAutoRange(axis="y")

    def clear_probe(self) -> None:
        for item in (*self.input_curves, self.target_item, self.prediction_item):
            item.setData([], [])


class GateHeatmap(pg.GraphicsLayoutWidget):
    """One quantity of the recurrent layer (hidden state or a gate) as time × units, with its scale."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.setObjectName("gateView")
        self.setAccessibleName("Hidden state and gate activations over time and units")
        self.caption = pg.LabelItem("", color=FOREGROUND, size="9pt")
        self.ci.addItem(self.caption, row=0, col=0)
        self.plot = self.ci.addPlot(row=1, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        style_plot(self.plot, "time step t", "unit")
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image_item)
        # The scale is a line of its own under the map (SequenceViews places it): pyqtgraph's
        # bar beside a map this short crammed its tick labels on top of each other.
        self.scale = ColorBar(DIVERGING_LUT)
        self.scale.setObjectName("gateScale")
        self.levels: tuple[float, float] | None = None
        self.shown = ""  # the name of the quantity drawn
        self.values = np.zeros((0, 0), dtype=np.float32)  # (units, steps) as drawn

    def draw(self, name: str, values: np.ndarray | None, title: str) -> None:
        """Draw `values` (steps, units) of quantity `name`; None: the network has no such layer."""
        self.shown = name if values is not None else ""
        if values is None or values.size == 0:
            self.values = np.zeros((0, 0), dtype=np.float32)
            self.image_item.clear()
            self.levels = None
            self.scale.set_scale(None)
            self.caption.setText(title, color=FOREGROUND)
            return
        steps, units = values.shape
        self.values = np.ascontiguousarray(values.T, dtype=np.float32)  # rows: units (y), columns: steps
        if name in OPEN_CLOSED:
            lut, levels, meaning = GATE_LUT, (0.0, 1.0), "0 closed, 1 open"
        else:
            lut, levels, meaning = DIVERGING_LUT, signed_levels(values), "orange −, white 0, blue +"
        self.levels = levels
        self.image_item.setImage(self.values, levels=levels, lut=lut)
        self.scale.set_scale(levels, lut, name, meaning)
        self.image_item.setRect(QRectF(0.5, 0.5, steps, units))
        self.plot.setRange(xRange=(0.5, steps + 0.5), yRange=(0.5, units + 0.5), padding=0)
        self.caption.setText(f"{title} — {MEANINGS.get(name, '')}", color=FOREGROUND)


class GradientThroughTime(pg.PlotWidget):
    """‖∂L/∂h_t‖ at each step t on a log axis: a plain RNN's falls by decades toward t = 1."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND, axisItems={"left": LogAxis("left")})
        self.setObjectName("bpttView")
        self.setAccessibleName("Gradient of the loss with respect to the hidden state at each time step")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setLogMode(y=True)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setTitle("", color=FOREGROUND, size="9pt")
        style_plot(plot, "time step t", "|∂L/∂h| at step t")  # "‖" is missing from common UI fonts
        self.curve = plot.plot(
            [], [], pen=pg.mkPen(GRADIENT_COLOR, width=1), symbol="o", symbolSize=5, symbolPen=None
        )
        self.curve.opts["symbolBrush"] = pg.mkBrush(GRADIENT_COLOR)
        self.norms = np.zeros(0)

    def show_probe(self, probe) -> None:
        norms = np.asarray(probe.hidden_grad, dtype=np.float64)
        # A zero or non-finite norm has no place on a log axis: a gap, not a crash.
        self.norms = np.where(np.isfinite(norms) & (norms > 0), norms, np.nan)
        plot = self.getPlotItem()
        if len(self.norms) == 0:
            self.curve.setData([], [])
            plot.setTitle("no recurrent layer: no gradient through time", color=FOREGROUND, size="9pt")
            return
        self.curve.setData(time_axis(len(self.norms)), self.norms, connect="finite")
        self.setXRange(0.5, len(self.norms) + 0.5, padding=0.02)
        plot.setTitle(gradient_title(probe.gradient_ratio), color=FOREGROUND, size="9pt")

    def clear_probe(self) -> None:
        self.curve.setData([], [])
        self.norms = np.zeros(0)


def gradient_title(ratio: float) -> str:
    """How much of the last step's gradient reaches the first, in words."""
    if not np.isfinite(ratio):
        return "gradient of the loss reaching each step (log scale)"
    return f"step 1 gets {ratio:.2g}× the gradient of the last step"  # short: it sets the width


def summary_text(probe) -> str:
    """The picked sample's target and prediction in one line (rich text)."""
    where = f"{probe.split} sample {probe.sample}"
    if probe.classification:
        names = probe.class_names or tuple(str(k) for k in range(len(probe.prediction)))
        truth = int(round(float(probe.target[0])))
        guess = int(np.argmax(probe.prediction))
        mark = "✓" if truth == guess else "✗"
        color = BLUE if truth == guess else ORANGE
        return (
            f"{where}: target <b>{names[truth]}</b> · prediction <b>{names[guess]}</b> "
            f"({100 * float(probe.prediction[guess]):.0f}%) <span style='color:{color}'>{mark}</span>"
            f" · loss {probe.loss:.3g}"
        )
    if len(probe.target) == 1:
        error = float(probe.prediction[0] - probe.target[0])
        return (
            f"{where}: target <b>{float(probe.target[0]):.3f}</b> · prediction "
            f"<b>{float(probe.prediction[0]):.3f}</b> (error {error:+.3f})"
        )
    return f"{where}: loss {probe.loss:.3g}"
