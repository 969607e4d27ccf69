"""Paint your own data in the window: clicks and drags on the map add points, one drag is one
undo step, erase and clear remove them, and the painted set trains and shows in the data panel."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from engine.store import load_project
from tests.gui.helpers import new_run, open_example, train_until


def _pixel(view, x: float, y: float) -> QPoint:
    scene = view.getPlotItem().vb.mapViewToScene(QPointF(x, y))
    return view.mapFromScene(scene)


def _click(view, x, y):
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_pixel(view, x, y))


def _drag(view, start, end, steps=12):
    (x0, y0), (x1, y1) = start, end
    port = view.viewport()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=_pixel(view, x0, y0))
    for i in range(1, steps + 1):
        t = i / steps
        QTest.mouseMove(port, _pixel(view, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=_pixel(view, x1, y1))


def _points(window):
    return window.model.project.data.params["points"]


def _start_painting(window, answer):
    panel = window.outputPanel
    panel.paint.ask_start = lambda title, count: answer
    panel.paintButton.click()
    assert panel.paintButton.isChecked()
    return panel


def test_paint_clicks_and_a_drag_then_undo_erase_clear_and_train(qtbot, window):
    panel = _start_painting(window, "empty")
    view, tools = window.boundaryView, panel.paintTools
    assert window.model.project.data.name == "painted" and _points(window) == []
    assert tools.classCombo.isVisible() and not tools.valueSpin.isVisible()
    for x, y in ((-4.0, -4.0), (-3.0, -4.5), (-4.5, -3.0)):
        _click(view, x, y)
    assert len(_points(window)) == 3 and {p[2] for p in _points(window)} == {0}
    assert abs(_points(window)[0][0] + 4.0) < 0.1 and abs(_points(window)[0][1] + 4.0) < 0.1
    tools.classCombo.setCurrentIndex(1)
    _click(view, 4.0, 4.0)
    tools.classCombo.setCurrentIndex(2)
    steps_before = window.model.undo_stack.index()
    _drag(view, (-4.0, 4.0), (4.0, 2.0))
    dragged = [p for p in _points(window) if p[2] == 2]
    assert len(dragged) >= 8 and window.model.undo_stack.index() == steps_before + 1  # ONE step
    assert "4 painted points" not in window.dataPanel.datasetHelpLabel.text()
    assert f"{len(_points(window))} painted points" in window.dataPanel.datasetHelpLabel.text()
    window.model.undo_stack.undo()  # the whole drag goes
    assert len(_points(window)) == 4 and all(p[2] != 2 for p in _points(window))
    window.model.undo_stack.redo()
    assert len([p for p in _points(window) if p[2] == 2]) == len(dragged)
    tools.eraseButton.click()
    _click(view, 4.0, 4.0)  # the lone class-1 point
    assert all(p[2] != 1 for p in _points(window)) and len(_points(window)) == 3 + len(dragged)
    _drag(view, (-4.0, 4.0), (4.0, 2.0))  # the drag's points, erased by one stroke
    assert all(p[2] == 0 for p in _points(window))
    window.model.undo_stack.undo()
    tools.eraseButton.click()
    tools.clearButton.click()
    assert _points(window) == []
    window.model.undo_stack.undo()
    assert len(_points(window)) == 3 + len(dragged)
    _click(view, 4.0, 4.0)  # class 2 again: three classes to train on
    qtbot.waitUntil(lambda: window.run_info.dataset.name == "painted", timeout=30000)
    qtbot.waitUntil(
        lambda: (
            len(window.run_info.dataset.x_train) + len(window.run_info.dataset.x_test) == len(_points(window))
        ),
        timeout=30000,
    )
    assert window.run_info.dataset.n_classes == 3
    train_until(qtbot, window, 3)
    assert window.runMessage.isHidden()


def test_painting_on_spiral_starts_from_its_points_and_the_combo_goes_back(qtbot, window):
    assert window.model.project.data.name == "spiral"
    _start_painting(window, "copy")
    data = window.model.project.data
    assert data.name == "painted" and len(data.params["points"]) == 500
    assert {p[2] for p in data.params["points"]} == {0, 1}
    panel = window.dataPanel
    assert panel.datasetCombo.currentText() == "Painted points"
    assert "500 painted points: 250 of class 0, 250 of class 1" in panel.datasetHelpLabel.text()
    assert panel.samplesSpin.value() == 500 and not panel.regenerateButton.isEnabled()
    assert not panel.datasetPreview.pixmap().isNull()
    ready = new_run(window)
    panel.datasetCombo.setCurrentIndex(panel.datasetCombo.findData("spiral"))  # back to generated
    assert window.model.project.data.name == "spiral"
    assert not window.outputPanel.paintButton.isChecked()  # nothing to paint into
    qtbot.waitUntil(ready, timeout=30000)


def test_painting_values_a_curve_and_the_painted_file_round_trip(qtbot, window, tmp_path):
    params = {"task": "regression", "points": []}
    window.model.edit("regression", lambda doc: doc["data"].update(name="painted", params=params))
    panel = _start_painting(window, "cancel")  # already a painted set: nothing to ask
    tools = panel.paintTools
    assert tools.valueSpin.isVisible() and not tools.classCombo.isVisible()
    tools.valueSpin.setValue(2.5)
    _click(window.boundaryView, 1.0, 2.0)
    tools.valueSpin.setValue(-0.5)
    _click(window.boundaryView, -1.0, -2.0)
    assert [p[2] for p in _points(window)] == [2.5, -0.5]
    qtbot.waitUntil(lambda: "every painted point" in panel.legendLabel.text(), timeout=10000)
    panel.paintButton.click()  # paint mode off: the run's points are shown again
    assert "white ring" in panel.legendLabel.text()
    assert not tools.valueSpin.isVisible() and not panel.paintTools.eraseButton.isVisible()
    open_example(qtbot, window, "sine")
    _start_painting(window, "empty")
    assert window.model.project.data.name == "painted_curve"
    assert not tools.classCombo.isVisible() and not tools.valueSpin.isVisible()
    view = window.boundaryView
    for x, y in ((-2.0, 1.0), (0.0, -1.0), (2.0, 1.5)):
        _click(view, x, y)
    points = _points(window)
    assert len(points) == 3 and all(len(p) == 2 for p in points)
    assert abs(points[1][0]) < 0.1 and abs(points[1][1] + 1.0) < 0.15
    path = tmp_path / "curve.layerlab.json"
    assert window.save_to(path)
    assert load_project(path).data.params["points"] == points
    qtbot.waitUntil(lambda: window.run_info.dataset.name == "painted_curve", timeout=30000)
