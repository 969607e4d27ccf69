"""The output area's views of a network on images, in tabs that each fit the output box:
"Predictions" (the grid of test samples over the confusion matrix) and, for a conv net, "Feature
maps" (the picked sample's maps in every conv/pool layer) and "Filters" (the first layer's kernels
over their colour scale). Drawn from an engine.inspect.images.ImageProbe."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QTabWidget, QVBoxLayout, QWidget

from gui.views.colors import DIVERGING_LUT
from gui.views.confusion_matrix import ConfusionMatrixView
from gui.views.image_features import FeatureMapView, FilterView
from gui.views.image_samples import SampleGrid
from gui.widgets.color_bar import ColorBar
from gui.widgets.param_form import tag

HOVER_HINT = (
    "Point at a feature-map pixel: its value, and the input pixels it sees (outlined in red). "
    "Each layer's colours run over the range in its caption."
)


FILTERS_HINT = (
    "Each filter slides over the image: its blue weights look for ink, its orange ones for paper; "
    "where the image matches, the filter's map on the Feature maps tab is blue."
)


def accuracy_caption(probe) -> str:
    right = int(round(probe.accuracy * probe.n_test))
    # "Now": a run paused within an epoch has moved on from the last epoch's figures above.
    return f"now {right} of {probe.n_test} test samples right ({probe.accuracy:.1%}); rows: true class"


class ImageViews(QWidget):
    """Sample grid and confusion matrix; filters and feature maps for a conv net."""

    sampleChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageViews")
        self.sampleGrid = SampleGrid()
        self.confusionMatrix = ConfusionMatrixView()
        self.filterView = FilterView()
        self.featureMapView = FeatureMapView()
        self.filterScale = ColorBar(DIVERGING_LUT, "weight", "orange −, white 0, blue +")
        self.filterScale.setObjectName("filterScale")
        self.sampleSpin = tag(
            QSpinBox(), "sampleSpin", "Test sample", "The test sample whose feature maps are shown"
        )
        self.sampleInfo = QLabel()
        self.hoverLabel = QLabel(HOVER_HINT)
        self.hoverLabel.setObjectName("featureMapHover")
        self.hoverLabel.setWordWrap(True)
        self.featureMapView.on_hover = lambda text: self.hoverLabel.setText(text or HOVER_HINT)
        self.sampleGrid.sampleChosen.connect(self._on_sample_clicked)
        self.sampleSpin.valueChanged.connect(self.sampleChosen.emit)

        predictions = QWidget()
        column = QVBoxLayout(predictions)
        column.setContentsMargins(2, 2, 2, 2)
        column.addWidget(self.sampleGrid, 2)
        column.addWidget(self.confusionMatrix, 3)
        # Feature maps and filters have a tab each: sharing one, both were drawn too small to read.
        self._inside = QWidget()
        inside = QVBoxLayout(self._inside)
        inside.setContentsMargins(2, 2, 2, 2)
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Test sample"))
        picker.addWidget(self.sampleSpin)
        picker.addWidget(self.sampleInfo, 1)
        inside.addLayout(picker)
        inside.addWidget(self.featureMapView, 1)
        inside.addWidget(self.hoverLabel)
        self._filters = QWidget()
        filters = QVBoxLayout(self._filters)
        filters.setContentsMargins(2, 2, 2, 2)
        filters.addWidget(self.filterView, 1)
        filters.addWidget(self.filterScale)
        about = QLabel(FILTERS_HINT)
        about.setWordWrap(True)
        filters.addWidget(about)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("imageTabs")
        self.tabs.addTab(predictions, "Predictions")
        self.tabs.addTab(self._inside, "Feature maps")
        self.tabs.addTab(self._filters, "Filters")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.probe = None

    def _on_sample_clicked(self, index: int) -> None:
        """A test image clicked in the grid: its feature maps, on their tab (a conv net's)."""
        self.sampleChosen.emit(index)
        if self.tabs.isTabVisible(1):
            self.tabs.setCurrentIndex(1)

    def set_run(self, info) -> None:
        """A new run: its classes and images; the conv tab only for a network with conv layers."""
        data = info.dataset
        self.probe = None
        self.sampleGrid.set_run(data.x_test)
        self.featureMapView.set_run(data.x_test)
        self.confusionMatrix.set_classes(tuple(data.class_names))
        self.confusionMatrix.setVisible(data.task == "classification")
        convolutional = any(layer.name == "conv2d" for layer in info.layer_infos)
        self.tabs.setTabVisible(1, convolutional)
        self.tabs.setTabVisible(2, convolutional)
        if not convolutional:
            self.tabs.setCurrentIndex(0)
        self.filterView.setVisible(convolutional)
        self.filterScale.set_scale(None)
        with_samples = max(len(data.x_test) - 1, 0)
        self.sampleSpin.blockSignals(True)
        self.sampleSpin.setRange(0, with_samples)
        self.sampleSpin.setValue(0)
        self.sampleSpin.blockSignals(False)

    def show_probe(self, probe) -> None:
        self.probe = probe
        self.sampleGrid.show_probe(probe)
        if probe.confusion is not None:
            self.confusionMatrix.show_counts(probe.confusion, accuracy_caption(probe))
        if probe.filters is not None:
            self.filterView.show_probe(probe)
            self.filterScale.set_scale(self.filterView.levels)
        if probe.features:
            self.featureMapView.show_probe(probe)
        self.sampleSpin.blockSignals(True)
        self.sampleSpin.setValue(probe.sample)
        self.sampleSpin.blockSignals(False)
        self.sampleInfo.setText(f"of {probe.n_test} (or click one on the Predictions tab)")
