"""The output area's views of a network on a table (a CSV file, iris): its first rows with the
target marked (gui/views/table_preview.py), then the confusion matrix of a classifier, or a
regressor's predictions against the actual values with the line y = x where a perfect fit would
put every point. Drawn from an engine.inspect.tables.TableProbe."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from gui.views.colors import BACKGROUND, BLUE, FOREGROUND, style_plot
from gui.views.confusion_matrix import ConfusionMatrixView
from gui.views.image_views import accuracy_caption
from gui.views.table_preview import PREVIEW_ROWS, TablePreview

IDEAL_COLOR = "#5f6368"  # y = x: under the points


def fit_caption(probe) -> str:
    what = f"“{probe.target}”" if probe.target else "the target"
    r2 = "" if probe.r2 is None else f", R² {probe.r2:.3f}"
    return f"{what} predicted against actual on {probe.n_test} test rows<br>RMSE {probe.rmse:.4g}{r2}; on the grey line y = x the fit is perfect"


class PredictionPlot(pg.PlotWidget):
    """Each test row's predicted value over its actual value, and the line y = x."""

    def __init__(self, parent=None):
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("predictionPlot")
        self.setAccessibleName("Predicted against actual")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        style_plot(plot, "actual", "predicted")
        self.ideal_item = pg.PlotDataItem(pen=pg.mkPen(IDEAL_COLOR, width=1, style=Qt.PenStyle.DashLine))
        self.points_item = pg.ScatterPlotItem(
            size=6, pen=pg.mkPen("#ffffff", width=0.5), brush=pg.mkBrush(BLUE)
        )
        plot.addItem(self.ideal_item)
        plot.addItem(self.points_item)
        self.title = pg.LabelItem("", color=FOREGROUND)
        plot.layout.removeItem(plot.titleLabel)
        plot.titleLabel.hide()
        plot.layout.addItem(self.title, 0, 1)
        self.target = None

    def show_probe(self, probe) -> None:
        actual = np.asarray(probe.actual, dtype=np.float64)
        predicted = np.asarray(probe.predicted, dtype=np.float64)
        finite = np.isfinite(actual) & np.isfinite(predicted)  # a diverged run's NaNs poison a plot
        actual, predicted = actual[finite], predicted[finite]
        self.points_item.setData(actual, predicted)
        if len(actual):
            lo = float(min(actual.min(), predicted.min()))
            hi = float(max(actual.max(), predicted.max()))
            self.ideal_item.setData([lo, hi], [lo, hi])
            pad = 0.05 * max(hi - lo, 1e-9)  # both axes over the same span: y = x runs corner to corner
            self.getPlotItem().getViewBox().setRange(
                xRange=(lo - pad, hi + pad), yRange=(lo - pad, hi + pad), padding=0
            )
        if probe.target != self.target:
            plot = self.getPlotItem()
            name = probe.target or "target"
            plot.getAxis("bottom").setLabel(f"actual {name}", color=FOREGROUND)
            plot.getAxis("left").setLabel(f"predicted {name}", color=FOREGROUND)
            self.target = probe.target
        self.title.setText(fit_caption(probe), color=FOREGROUND, size="9pt")


class TableViews(QWidget):
    """The confusion matrix for classification, predicted against actual for regression."""

    sampleChosen = Signal(int)  # a table's views pick no sample; DataViews connects every page's

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tableViews")
        self.confusionMatrix = ConfusionMatrixView()
        self.predictionPlot = PredictionPlot()
        self.targetLabel = QLabel()
        self.targetLabel.setObjectName("tableTarget")
        self.targetLabel.setWordWrap(True)
        self.tablePreview = TablePreview()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.confusionMatrix)
        self.pages.addWidget(self.predictionPlot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.targetLabel)
        layout.addWidget(self.tablePreview)
        layout.addWidget(self.pages, 1)
        self.probe = None

    def set_run(self, info) -> None:
        data = info.dataset
        self.probe = None
        classification = data.task == "classification"
        if classification:
            self.confusionMatrix.set_classes(tuple(data.class_names))
        self.pages.setCurrentWidget(self.confusionMatrix if classification else self.predictionPlot)
        self.tablePreview.show_dataset(data)
        shown = min(PREVIEW_ROWS, len(data.x_train))
        target = data.target_name or ("class" if classification else "target")
        self.targetLabel.setText(
            f"The first {shown} of {len(data.x_train):,} training rows, as read (before scaling). "
            f"The network predicts the column “{target}” from the others."
        )

    def show_probe(self, probe) -> None:
        self.probe = probe
        if probe.n_test == 0:
            return
        if probe.classification:
            self.pages.setCurrentWidget(self.confusionMatrix)
            self.confusionMatrix.show_counts(probe.confusion, accuracy_caption(probe))
        else:
            self.pages.setCurrentWidget(self.predictionPlot)
            self.predictionPlot.show_probe(probe)
