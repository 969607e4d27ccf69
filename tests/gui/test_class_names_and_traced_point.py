"""One name per class on two-class 2-D data (the map's key, the step-through, the perceptron's key
all say "class −1" / "class +1"), and the step-through rings the point it traces on the map and says
that the step it shows is that one point's, not the optimizer's batch step."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from engine.data import make_dataset
from engine.data.base import PM1_NAMES
from engine.spec.project import Project
from gui.views.legend import class_text, legend_html
from tests.gui.helpers import open_example
from tests.gui.test_backprop_window import paused_xor


def test_class_text_is_one_scheme():
    assert class_text(PM1_NAMES, 0) == "class −1" and class_text(PM1_NAMES, 1) == "class +1"
    assert class_text(("0", "1", "2"), 2) == "class 2"
    assert class_text(("setosa", "versicolor"), 1) == "versicolor"  # a name that is a word
    assert class_text((), 3) == "class 3"


@pytest.mark.parametrize("name", ["halfplane", "spiral3", "blobs"])
def test_two_class_sets_on_the_plane_are_minus_one_and_plus_one(name):
    params = {"classes": 2} if name != "halfplane" else {}
    doc = {"data": {"name": name, "samples": 40, "params": params}}
    data = make_dataset(vars(Project.from_dict(doc).data), seed=0)
    assert data.class_names == PM1_NAMES  # "below"/"above" and "0"/"1" were two more names


def test_the_key_and_the_step_through_name_a_class_alike_and_the_point_is_ringed(qtbot, window):
    panel = paused_xor(qtbot, window)
    info = window.run_info
    key = legend_html(info.dataset, info.head)
    assert "class −1" in key and "class +1" in key
    panel.button.setChecked(True)
    qtbot.waitUntil(lambda: bool(panel.stages), timeout=10000)
    point = 7
    panel.pointSpin.setValue(point)
    qtbot.waitUntil(lambda: panel._traced is not None and panel._traced[1] == point, timeout=5000)
    panel.go(0)
    label = int(info.dataset.y_train[point])
    name = class_text(info.dataset.class_names, label)
    sentence = panel.stageLabel.text()
    assert name in sentence and not re.search(r"class [01]\b", sentence)
    if info.head.target_kind == "binary":  # the loss's own 0/1, explained where it is shown
        assert "class −1 as 0, class +1 as 1" in sentence

    marker = panel.marker()
    assert marker.is_shown() and marker.ring.isVisible() and marker.label.isVisible()
    np.testing.assert_allclose(marker.position, info.dataset.x_train[point][:2])
    xs, ys = marker.ring.getData()
    np.testing.assert_allclose([xs[0], ys[0]], info.dataset.x_train[point][:2])
    assert marker.text == f"traced: #{point} ({name})"
    assert marker.ring in window.boundaryView.getPlotItem().items

    scope = panel.scopeLabel.text()
    assert panel.scopeLabel.isVisible()
    batch = window.model.project.training.batch_size
    assert "<b>one</b> training point" in scope and f"#{point}" in scope and "magenta" in scope
    assert f"a batch of {batch:,} points" in scope and "not the optimizer's step" in scope

    panel.pointSpin.setValue(point + 1)  # another point: the ring follows
    qtbot.waitUntil(lambda: panel._traced[1] == point + 1, timeout=5000)
    np.testing.assert_allclose(marker.position, info.dataset.x_train[point + 1][:2])
    panel.button.setChecked(False)
    assert not marker.is_shown() and not marker.label.isVisible()


def test_the_perceptrons_key_uses_the_same_names(qtbot, window):
    open_example(qtbot, window, "perceptron")
    info = window.run_info
    key = legend_html(info.dataset, info.head)
    assert "class −1" in key and "class +1" in key and "below" not in key and "above" not in key
    texts = [label.text() for label in window.perceptronPanel.findChildren(QLabel)]
    assert any("class +1" in text for text in texts) and not any("blue</span> class" in t for t in texts)
