"""Views name layers as the diagram does, forget the last run, and keep their labels apart."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QGraphicsSceneHoverEvent

from engine.families.mlp.network import LayerInfo
from engine.snapshot import LayerStat, Snapshot
from gui.views.curves import CurvesView
from gui.views.gradients import GradientFlowView
from gui.views.legend import legend_html
from gui.views.log_axis import LABEL_GAP, log_ticks
from gui.views.network_graph import NetworkView
from tests.gui.test_network_view import probe_for


def _snapshot(epoch: int, names: list[str]) -> Snapshot:
    stats = tuple(LayerStat(name, 1.0, 10.0 ** -(i + 1), 1e-3) for i, name in enumerate(names))
    return Snapshot(epoch, epoch, _metrics(0.5, 0.5), 0.03, 0.0, layers=stats)


def _legend(view: GradientFlowView) -> list[str]:
    return [label.text for _, label in view.plot_widget.getPlotItem().legend.items]


def test_gradient_legend_names_layers_as_the_diagram_and_forgets_the_last_run(qtbot):
    view = GradientFlowView()
    qtbot.addWidget(view)
    view.record(_snapshot(1, ["layers.0.linear.weight", "layers.1.linear.weight", "head.linear.weight"]))
    assert _legend(view) == ["hidden 1", "hidden 2", "output"]
    view.clear()  # a new run: a perceptron, whose first epoch has not come yet
    assert _legend(view) == []
    view.record(_snapshot(1, ["head.linear.weight"]))
    assert _legend(view) == ["output"]


def test_an_lstm_s_two_weight_tensors_get_two_names(qtbot):
    view = GradientFlowView()
    qtbot.addWidget(view)
    view.record(
        _snapshot(1, ["layers.0.cell.weight_ih_l0", "layers.0.cell.weight_hh_l0", "head.linear.weight"])
    )
    names = _legend(view)
    assert names == ["hidden 1 input", "hidden 1 recurrent", "output"]


@pytest.mark.parametrize("make", [CurvesView, GradientFlowView])
def test_a_new_run_fits_its_own_epochs_not_the_last_run_s(qtbot, make):
    view = make()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    plot = view.loss_plot if make is CurvesView else view.plot_widget
    box = plot.getPlotItem().getViewBox()
    box.setXRange(0, 1500, padding=0)  # what a long last run left
    box.enableAutoRange()
    box._fresh[:] = [False, False]  # as after following that run
    view.clear()
    qtbot.wait(20)
    assert box.viewRange()[0][1] <= 100  # before the new run's first epoch, too
    if make is CurvesView:
        from engine.metrics import MetricsLog

        log = MetricsLog()
        for epoch in range(1, 11):
            log.append(_snapshot(epoch, ["head.linear.weight"]))
        view.set_metrics(log)
    else:
        for epoch in range(1, 11):
            view.record(_snapshot(epoch, ["head.linear.weight"]))
        view.redraw()
    box.updateAutoRange()
    low, high = box.viewRange()[0]
    assert high < 100, f"epochs 1-10 shown over {low}..{high}"


@pytest.mark.parametrize(
    ("lo", "hi", "pixels"), [(-0.6, 0.0, 150), (-1.2, -0.1, 80), (-8, 2, 120), (-30, 3, 200), (-3, 1, 40)]
)
def test_log_axis_labels_never_crowd_each_other(lo, hi, pixels):
    labelled, unlabelled = log_ticks(lo, hi, pixels)
    assert labelled, "at least one label"
    per_unit = pixels / (hi - lo)
    gaps = np.diff(labelled) * per_unit
    assert (gaps >= LABEL_GAP - 1e-9).all(), gaps
    assert not set(labelled) & set(unlabelled)


@pytest.mark.parametrize(
    ("lo", "hi", "pixels"), [(-10.5, 0.2, 35), (-10.0, 0.0, 45), (-8, 2, 120), (-3, 0, 100)]
)
def test_log_axis_labels_sit_inside_the_axis_where_they_are_not_cut_off(lo, hi, pixels):
    """A short plot over ten decades (an RNN's gradient through time) labelled only its two ends,
    which pyqtgraph hides: no label left. Labels now keep half a gap from either end."""
    labelled, _ = log_ticks(lo, hi, pixels)
    assert labelled
    per_unit = pixels / (hi - lo)
    assert all(min(v - lo, hi - v) * per_unit >= LABEL_GAP / 2 for v in labelled), labelled


def test_the_pyqtgraph_log_axis_would_have_crowded_them(qtbot):
    """The case the issue saw: 0.9, 0.8, 0.7 … all labelled on a short axis."""
    import pyqtgraph as pg

    axis = pg.AxisItem("left")
    axis.setLogMode(True)
    levels = axis.tickValues(-0.6, 0.0, 80)
    minor = [v for spacing, values in levels if spacing is None for v in values]
    assert len(minor) >= 5  # pyqtgraph labels each of these
    labelled, _ = log_ticks(-0.6, 0.0, 80)
    assert len(labelled) <= 80 / LABEL_GAP + 1


def _hover(node, kind: QEvent.Type) -> None:
    event = QGraphicsSceneHoverEvent(kind)
    event.setPos(QPointF(1, 1))
    (node.hoverEnterEvent if kind == QEvent.Type.GraphicsSceneHoverEnter else node.hoverLeaveEvent)(event)


def test_the_hovered_unit_is_highlighted_and_titled_as_in_the_diagram(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.set_probe(probe_for([3, 2]), None)
    reports = []
    view.unitHovered.connect(reports.append)
    node = view.unit_nodes[1][0]
    _hover(node, QEvent.Type.GraphicsSceneHoverEnter)
    assert node.highlighted and reports[-1][0] == "hidden 2, unit 1"
    assert not any(n.highlighted for n in view.unit_nodes[0])
    _hover(node, QEvent.Type.GraphicsSceneHoverLeave)
    assert not node.highlighted and reports[-1] is None


def test_summary_boxes_use_the_diagram_s_names(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.set_probe(None, (LayerInfo("lstm", (16,), 1200), LayerInfo("output", (1,), 17)))
    texts = [item.text() for item in view.scene().items() if hasattr(item, "text")]
    assert any(text.startswith("hidden 1 · lstm") for text in texts)
    assert any(text.startswith("output\n") for text in texts)


def test_the_colour_key_names_each_class_and_its_colour():
    from engine.data import make_dataset
    from engine.families.mlp.task import resolve_task
    from engine.spec.project import Project

    project = Project.from_dict({"data": {"name": "spiral3"}})
    data = make_dataset(vars(project.data), 0)
    head = resolve_task(project.training, project.network, data)
    key = legend_html(data, head)
    for name in data.class_names:
        assert str(name) in key
    from gui.views.colors import CLASS_COLORS

    for color in CLASS_COLORS[:3]:
        assert color in key
    regression = make_dataset({"name": "plane"}, 0)
    head = resolve_task(project.training, project.network, regression)
    assert "value -2" in legend_html(regression, head, (-2.0, 3.0))


def _metrics(loss: float, accuracy: float) -> dict:
    return {
        "train_loss": loss,
        "test_loss": loss,
        "penalty": 0.0,
        "train_accuracy": accuracy,
        "test_accuracy": accuracy,
    }
