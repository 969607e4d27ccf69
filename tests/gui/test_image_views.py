"""The data views in the window: digits_cnn's sample grid, confusion matrix, filters and feature
maps showing the probe's numbers, a click on a sample reaching the session and coming back as
that sample's feature maps, and none of them for a digits MLP; iris's and a CSV regressor's
table views."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QWidget

from engine.spec.project import Project
from gui.views.image_features import diverging_mosaic
from tests.gui.helpers import new_run, open_example


def _page(window):
    return window.outputPanel.dataViews.page


def _shows_probe(window) -> bool:
    page = _page(window)
    return page is not None and page.probe is not None and window.epoch >= 1


def _open(qtbot, window, doc: dict) -> None:
    ready = new_run(window)
    window.model.replace(Project.from_dict(doc), None)
    qtbot.waitUntil(ready, timeout=30000)


def test_digits_cnn_views_show_the_probe_and_follow_a_clicked_sample(qtbot, window):
    open_example(qtbot, window, "digits_cnn")
    window.step()
    qtbot.waitUntil(lambda: _shows_probe(window), timeout=60000)
    page = _page(window)
    names = ("sampleGrid", "confusionMatrix", "filterView", "featureMapView")
    grid, matrix, filters, maps = (window.findChild(QWidget, name) for name in names)
    assert grid is page.sampleGrid and matrix is page.confusionMatrix
    assert filters is page.filterView and maps is page.featureMapView
    assert grid.isVisible() and matrix.isVisible()
    probe = page.probe
    # The grid says each sample's label and prediction; the mistakes are framed.
    for k, text in enumerate(grid.texts):
        assert text.toPlainText() == f"{probe.true[k]}→{probe.predicted[k]}"
    wrong = int(np.sum(probe.true != probe.predicted))
    frames = grid.wrong_frames.getData()[0]  # one NaN-ended rectangle a mistake
    assert (0 if frames is None else np.count_nonzero(np.isnan(frames))) == wrong
    # The matrix's cells hold the probe's counts (zeros left blank), and its caption the accuracy.
    k = len(probe.class_names)
    for r in range(k):
        for c in range(k):
            count = int(probe.confusion[r, c])
            assert matrix.cell_text(r, c) == (str(count) if count else "")
    assert f"{probe.accuracy:.1%}" in matrix.title.text
    assert "true" in matrix.getPlotItem().getAxis("left").labelText
    assert "predicted" in matrix.getPlotItem().getAxis("bottom").labelText
    # The conv tab: the first layer's filters and the picked sample's feature maps.
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(filters.isVisible, timeout=5000)
    np.testing.assert_allclose(filters.shown, probe.filters.mean(axis=1))
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(maps.isVisible, timeout=5000)
    assert len(maps.layer_items) == len(probe.features) == 3
    for feature, item, columns in zip(probe.features, maps.layer_items, maps.columns, strict=True):
        np.testing.assert_array_equal(item.image, diverging_mosaic(feature.maps, columns))
    # Hovering a pixel of the last conv layer's map 2 shows its value and outlines its field.
    feature = probe.features[2]
    box = maps.layer_boxes[2]
    h, w = feature.maps.shape[1:]
    corner = QPointF(2 * (w + 1) + 3 + 0.5, 0 + 1 + 0.5)  # map 2, row 1, column 3
    maps.scene().sigMouseMoved.emit(box.mapViewToScene(corner))
    assert f"{float(feature.maps[2, 1, 3]):.4g}" in page.hoverLabel.text()
    rows, cols = feature.field.span(1, 0), feature.field.span(3, 1)
    outline = maps.field_rect.rect()
    assert maps.field_rect.isVisible()
    assert (outline.top(), outline.bottom()) == (rows[0], rows[1] + 1)
    assert (outline.left(), outline.right()) == (cols[0], cols[1] + 1)
    # A click on the 8th test image goes to the session, and its feature maps come back.
    page.tabs.setCurrentIndex(0)
    qtbot.waitUntil(grid.isVisible, timeout=5000)
    x, y = grid.tile_origin(7)
    point = grid.mapFromScene(grid.box.mapViewToScene(QPointF(x + 4, y + 4)))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: page.probe.sample == 7 and maps.probe.sample == 7, timeout=10000)
    assert maps.probe.sample == 7 and page.sampleSpin.value() == 7
    np.testing.assert_array_equal(maps.input_item.image.shape, (8, 8))
    assert "test sample 7" in maps.sample_caption.text
    assert not np.array_equal(maps.probe.sample_image, probe.sample_image)
    # The same digits as a flat MLP: no filters nor feature maps, so no conv tab.
    layers = [{"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"}]
    page.tabs.setCurrentIndex(1)
    _open(qtbot, window, {"data": {"name": "digits", "train_fraction": 0.8}, "network": {"layers": layers}})
    window.step()
    qtbot.waitUntil(lambda: _shows_probe(window) and page.probe.filters is None, timeout=60000)
    assert page.sampleGrid.isVisible() and page.confusionMatrix.isVisible()
    assert not page.tabs.isTabVisible(1) and not page.tabs.isTabVisible(2)
    assert not page.filterView.isVisible()
    assert page.probe.features == ()


def test_table_views_for_iris_and_a_csv_regressor(qtbot, window, tmp_path):
    net = {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}]}
    training = {"epochs": 5, "optimizer": {"name": "adam", "lr": 0.03}}
    _open(qtbot, window, {"data": {"name": "iris"}, "network": net, "training": training})
    window.step()
    qtbot.waitUntil(lambda: _shows_probe(window), timeout=60000)
    page = _page(window)
    assert page.objectName() == "tableViews" and page.confusionMatrix.isVisible()
    probe = page.probe
    assert page.confusionMatrix.cell_text(0, 0) == (
        str(probe.confusion[0, 0]) if probe.confusion[0, 0] else ""
    )
    assert np.array_equal(page.confusionMatrix.counts, probe.confusion)
    path = tmp_path / "values.csv"
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 2))
    path.write_text("a,b,y\n" + "".join(f"{a:.4f},{b:.4f},{a - 2 * b:.4f}\n" for a, b in x))
    data = {"name": "csv", "path": str(path), "target": "y"}
    _open(qtbot, window, {"data": data, "network": net, "training": training})
    window.step()
    qtbot.waitUntil(lambda: _shows_probe(window) and not _page(window).probe.classification, timeout=60000)
    plot = window.findChild(QWidget, "predictionPlot")
    assert plot is page.predictionPlot and plot.isVisible()
    xs, ys = plot.points_item.getData()
    np.testing.assert_allclose(xs, page.probe.actual, rtol=1e-6)
    np.testing.assert_allclose(ys, page.probe.predicted, rtol=1e-6)
    line_x, line_y = plot.ideal_item.getData()
    np.testing.assert_array_equal(line_x, line_y)  # y = x
    assert "“y”" in plot.title.text and "actual y" in plot.getPlotItem().getAxis("bottom").labelText
