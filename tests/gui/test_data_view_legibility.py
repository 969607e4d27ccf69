"""What a learner must be able to read in the data views: filters and feature maps drawn large
enough, every heat map with a colour scale saying its range, a time axis under the gate map,
parity's bits as steps (never a zig-zag between 0 and 1), the 1-D fit's key right under the fit
and clear of the unit strip, a table's first rows with its target marked, and Regenerate only
where it draws something new."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from engine.data import dataset_defaults, make_dataset
from engine.spec.project import Project
from gui.panels.data_panel import fixed_reason
from gui.views.colors import DIVERGING_LUT
from gui.views.image_features import best_columns
from gui.views.sequence_plots import GATE_LUT, draw_input, is_binary
from gui.views.table_preview import preview_rows
from gui.widgets.color_bar import ColorBar, scale_html
from tests.gui.helpers import new_run, open_example


def _scale(shapes, columns, width, height):
    """The pixel size at which `columns` fits the stacked mosaics (1-px gaps) in width x height."""
    across = min(width / (c * (w + 1)) for (n, h, w), c in zip(shapes, columns, strict=True))
    down = height / sum(-(-n // c) * (h + 1) for (n, h, w), c in zip(shapes, columns, strict=True))
    return min(across, down)


def test_best_columns_draws_the_maps_as_large_as_the_box_allows():
    shapes = [(16, 8, 8), (16, 4, 4), (32, 4, 4)]  # digits_cnn's conv, pool, conv
    fixed = [8, 8, 16]  # what the view drew before, whatever its size
    for width, height in ((360, 190), (200, 400), (700, 120)):
        columns = best_columns(shapes, width, height)
        best = _scale(shapes, columns, width, height)
        assert best >= _scale(shapes, fixed, width, height) - 1e-9, (width, height)
        # No other choice of columns draws them larger (checked over every combination).
        others = [
            _scale(shapes, [a, b, c], width, height)
            for a in range(1, 17)
            for b in range(1, 17)
            for c in range(1, 33)
        ]
        assert best >= 0.97 * max(others), (width, height)
    assert _scale(shapes, best_columns(shapes, 200, 400), 200, 400) > 1.3 * _scale(shapes, fixed, 200, 400)
    assert best_columns([(16, 3, 3)], 900, 60) == [16]  # wide and short: one row
    assert best_columns([(16, 3, 3)], 60, 900) == [1]  # narrow and tall: one column


def test_a_colour_bar_says_its_range_and_its_meaning(qtbot):
    bar = ColorBar(DIVERGING_LUT, "weight", "orange −, white 0, blue +")
    qtbot.addWidget(bar)
    assert bar.text() == ""  # nothing drawn yet
    bar.set_scale((-0.8, 0.8))
    assert bar.text() == "weight: −0.8 … 0 … +0.8  (orange −, white 0, blue +)"
    bar.set_scale((0.0, 1.0), GATE_LUT, "forget gate f", "0 closed, 1 open")
    assert bar.labels() == ("0", "0.5", "1") and np.array_equal(bar.lut, GATE_LUT)
    bar.resize(400, 20)
    bar.show()
    image = bar.grab().toImage()
    left, right = image.pixelColor(bar.width() // 2 - 70, 10), image.pixelColor(bar.width() // 2 + 40, 10)
    assert left != right  # a gradient was painted, not an empty strip
    assert "−2.1" in scale_html((-2.1, 2.1), DIVERGING_LUT) and "+2.1" in scale_html(
        (-2.1, 2.1), DIVERGING_LUT
    )


def test_bits_are_drawn_as_steps_and_a_signal_as_a_line(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    curve = plot.plot()
    t = np.arange(1, 9, dtype=np.float64)
    bits = np.array([1, 0, 0, 1, 0, 1, 1, 0], dtype=np.float64)
    assert is_binary(bits) and not is_binary(np.sin(t))
    draw_input(curve, t, bits)
    xs, ys = curve.getData()
    assert curve.opts["stepMode"] == "center" and len(xs) == len(ys) + 1  # a flat step a time step
    np.testing.assert_array_equal(xs, np.arange(0.5, 9.0))
    draw_input(curve, t, np.sin(t))
    assert not curve.opts["stepMode"] and curve.opts["symbol"] == "o"


def test_a_tables_preview_rows_are_its_training_rows_with_the_target_marked():
    data = make_dataset({"name": "iris"}, 0)
    header, rows = preview_rows(data)
    assert header[:-1] == list(data.input_names) and header[-1] == "class (target)"
    assert len(rows) == 5
    for row, x, y in zip(rows, data.x_train, data.y_train, strict=False):
        assert [float(v) for v in row[:-1]] == [float(f"{v:.4g}") for v in x]
        assert row[-1] == data.class_names[int(y)]


def test_regenerate_is_refused_only_where_nothing_is_drawn_anew():
    for name in ("iris", "digits", "csv", "painted"):
        assert fixed_reason(name, {}, dataset_defaults(name)), name
    assert fixed_reason("digits", {"shift": 2}, dataset_defaults("digits")) == ""  # random offsets
    for name in ("spiral", "sine", "parity"):
        assert fixed_reason(name, {}, dataset_defaults(name)) == "", name


def _inside_view(widget, view) -> bool:
    """Whether `widget` (an item's scene rect mapped to `view`) lies inside the view's viewport."""
    rect = view.mapFromScene(widget.sceneBoundingRect()).boundingRect()
    return view.viewport().rect().adjusted(-1, -1, 1, 1).contains(rect)


def test_digits_filters_and_feature_maps_are_large_and_scaled(qtbot, window):
    assert (window.width(), window.height()) == (1440, 900)  # the window's default size
    open_example(qtbot, window, "digits_cnn")
    window.step()
    page = window.outputPanel.dataViews.page
    qtbot.waitUntil(lambda: page.probe is not None and page.probe.filters is not None, timeout=60000)
    page.tabs.setCurrentIndex(2)
    filters = page.filterView
    qtbot.waitUntil(filters.isVisible, timeout=5000)
    QApplication.processEvents()
    # One row of 16 kernels drew each weight 7 px across; now each is large enough to read.
    assert filters.weight_pixels() >= 14
    assert _inside_view(filters.image_item, filters)
    top = float(np.nanpercentile(np.abs(filters.shown), 99))
    assert page.filterScale.isVisible() and page.filterScale.levels == (-top, top)
    assert f"+{top:.2g}" in page.filterScale.text() and f"−{top:.2g}" in page.filterScale.text()
    page.tabs.setCurrentIndex(1)
    maps = page.featureMapView
    qtbot.waitUntil(maps.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: maps.probe is not None and len(maps.layer_boxes) == 3, timeout=5000)
    QApplication.processEvents()
    assert maps.map_pixels(0) >= 30  # the first conv layer's 8x8 maps (22 px before)
    for i, feature in enumerate(maps.probe.features):
        assert _inside_view(maps.layer_items[i], maps), feature.name  # nothing off the right edge
        top = float(np.nanpercentile(np.abs(feature.maps), 99))
        assert maps.layer_levels[i] == (-top, top)
        assert f"+{top:.2g}" in maps.layer_captions[i].text  # each layer says its colour range
    # Hovering still finds the map under the pointer in the new layout.
    h, w = maps.probe.features[0].maps.shape[1:]
    corner = QPointF(1 * (w + 1) + 2 + 0.5, 3 + 0.5)  # map 1, row 3, column 2
    maps.scene().sigMouseMoved.emit(maps.layer_boxes[0].mapViewToScene(corner))
    assert "map 2, row 3, column 2" in page.hoverLabel.text()


def test_parity_bits_are_steps_and_the_gate_map_has_a_time_axis_and_a_scale(qtbot, window):
    open_example(qtbot, window, "rnn_parity")
    window.step()
    views = window.outputPanel.dataViews.page
    qtbot.waitUntil(lambda: views.probe is not None, timeout=60000)
    curve = views.sequenceView.input_curves[0]
    assert curve.opts["stepMode"] == "center"  # a bit holds for its step: no line between 0 and 1
    np.testing.assert_array_equal(curve.getData()[1], views.probe.inputs[:, 0])
    left = views.sequenceView.getPlotItem().getAxis("left")
    assert left._tickLevels == [[(0.0, "0"), (1.0, "1")]] and not left.style["hideOverlappingLabels"]
    assert left.labelText == "input bit"  # one input: named on the axis, no legend row
    gate = views.gateView
    bottom = gate.plot.getAxis("bottom")
    assert bottom.labelText == "time step t" and bottom.label.isVisible()
    scale = gate.scale
    assert scale.isVisible() and scale.levels == gate.levels and gate.levels[0] == -gate.levels[1]
    assert scale.title == "hidden state h" and "white 0" in scale.text()
    np.testing.assert_array_equal(gate.image_item.lut, DIVERGING_LUT)
    # Scale and map agree: the colour drawn for the largest value is the bar's top colour.
    assert gate.image_item.levels is not None and tuple(gate.image_item.levels) == gate.levels


def _stacked_clear(window) -> bool:
    panel = window.outputPanel
    key, strip, fit = panel.legendLabel, panel.unitContributionView, panel.boundaryView
    return fit.geometry().bottom() < key.geometry().top() and key.geometry().bottom() < strip.geometry().top()


def test_the_sine_key_sits_under_the_fit_and_clear_of_the_unit_strip(qtbot, window):
    open_example(qtbot, window, "sine")
    panel = window.outputPanel
    qtbot.waitUntil(lambda: panel.unitContributionView.isVisible() and panel.legendLabel.isVisible())
    for size in ((1440, 900), (1280, 800), (1024, 700)):
        window.resize(*size)
        QApplication.processEvents()
        assert _stacked_clear(window), size
        assert "the network's curve" in panel.legendLabel.text()


def test_a_table_shows_its_first_rows_and_iris_cannot_be_regenerated(qtbot, window):
    ready = new_run(window)
    net = {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}]}
    window.model.replace(Project.from_dict({"data": {"name": "iris"}, "network": net}), None)
    qtbot.waitUntil(ready, timeout=30000)
    page = window.outputPanel.dataViews.page
    table = page.tablePreview
    assert table.isVisible() and table.rowCount() == 5
    data = window.run_info.dataset
    assert table.header_texts()[-1] == "class (target)"
    assert table.row_texts(0)[-1] == data.class_names[int(data.y_train[0])]
    assert table.horizontalHeaderItem(table.columnCount() - 1).font().bold()
    assert "“class”" in page.targetLabel.text() and "75 training rows" in page.targetLabel.text()
    assert table.geometry().bottom() < page.pages.geometry().top()  # above the matrix, not on it
    button = window.dataPanel.regenerateButton
    assert not button.isEnabled() and "Iris is a fixed set" in button.toolTip()
    open_example(qtbot, window, "spiral")
    assert button.isEnabled() and "new random seed" in button.toolTip()
