"""The network diagram: every unit stays visible and readable, however wide its layer."""

import numpy as np
import pytest

from engine.families.mlp.network import LayerInfo
from engine.snapshot import GridProbe
from gui.views.network_graph import NetworkView


def probe_for(widths: list[int], features: int = 2, res: int = 20) -> GridProbe:
    rng = np.random.default_rng(0)
    sizes = [features, *widths, 1]
    return GridProbe(
        extent=(-1, 1, -1, 1),
        output=rng.uniform(-1, 1, (res, res)).astype(np.float32),
        features=rng.uniform(-1, 1, (features, res, res)).astype(np.float32),
        feature_names=tuple(f"x{i + 1}" for i in range(features)),
        units=tuple(rng.uniform(-1, 1, (n, res, res)).astype(np.float32) for n in widths),
        unit_layer_names=tuple(f"layers.{i}" for i in range(len(widths))),
        weights=tuple(
            rng.normal(size=(o, i)).astype(np.float32) for i, o in zip(sizes, sizes[1:], strict=False)
        ),
    )


@pytest.mark.parametrize("widths", [[8, 8], [32, 32], [64, 3]])
def test_every_unit_is_on_screen_and_large_enough_to_read(qtbot, widths):
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(530, 490)  # the panel's size in a 1440x900 window
    view.show()
    qtbot.waitExposed(view)
    view.set_probe(probe_for(widths), None)
    viewport = view.viewport().rect()
    nodes = [node for column in view.unit_nodes for node in column]
    assert len(nodes) == sum(widths)
    for node in nodes:
        on_screen = view.mapFromScene(node.sceneBoundingRect()).boundingRect()
        assert viewport.contains(on_screen), f"{node.title} is cut off: {on_screen} outside {viewport}"
        assert on_screen.width() >= 16, f"{node.title} is drawn {on_screen.width()} px wide"
    # Units of a layer never overlap one another.
    rects = [node.sceneBoundingRect() for node in nodes]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_a_perceptron_is_drawn_as_inputs_joined_to_the_output(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.set_probe(probe_for([]), None)  # no hidden layer
    assert len(view.feature_nodes) == 2 and view.unit_nodes == [] and view.output_node is not None
    assert [lines.shape for lines in view.edges] == [(1, 2)]  # x1 -> output, x2 -> output


def test_a_summary_says_why_units_are_not_drawn(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    infos = (LayerInfo("dense", (32,), 64), LayerInfo("output", (1,), 33))
    view.set_probe(None, infos)  # 1-D data: no input plane
    texts = [item.text() for item in view.scene().items() if hasattr(item, "text")]
    assert len(view.summary_boxes) == 2
    assert any("unit maps need 2-D inputs" in text for text in texts)
