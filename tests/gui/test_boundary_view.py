"""The decision map's pixels: the colour each cell gets for the network's answer there."""

import numpy as np
import pytest

from engine.snapshot import GridProbe
from engine.spec.project import Project
from engine.train import Trainer
from gui.views.boundary import BoundaryView
from gui.views.colors import BLUE, CLASS_COLORS, NEUTRAL, ORANGE
from gui.views.legend import legend_html


def run_parts(data: str):
    trainer = Trainer(Project.from_dict({"seed": 1, "data": {"name": data, "samples": 60}}))
    return trainer.dataset, trainer.head


def pixel(view: BoundaryView, row: int, column: int) -> str:
    view.grab()  # a real paint: the map's pixels are made when it is drawn
    return view.image.qimage.pixelColor(column, row).name()


def near(color: str, expected: str, tolerance: int = 2) -> bool:
    got, want = (np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in (color, expected))
    return bool(np.all(np.abs(got - want) <= tolerance))


@pytest.fixture
def view(qtbot):
    widget = BoundaryView()
    qtbot.addWidget(widget)
    return widget


def test_binary_map_is_orange_below_blue_above_white_between(view):
    dataset, head = run_parts("xor")
    view.set_dataset(dataset)
    output = np.zeros((4, 5), dtype=np.float32)  # 4 rows (x2), 5 columns (x1)
    output[0] = -1.0
    output[1] = 1.0
    output[2, 0] = np.nan  # a diverged cell is drawn neutral, not garbage
    output[3] = 7.0  # outside the scale: clipped to its end
    view.set_probe(GridProbe(extent=(-5, 5, -5, 5), output=output), head)
    assert near(pixel(view, 0, 0), ORANGE) and near(pixel(view, 0, 4), ORANGE)
    assert near(pixel(view, 1, 2), BLUE)
    assert near(pixel(view, 2, 1), NEUTRAL) and near(pixel(view, 2, 0), NEUTRAL)
    assert near(pixel(view, 3, 3), BLUE)
    # Row 0 is the lowest x2: the image sits over the probe's extent with that row at the bottom.
    bottom = view.image.mapToParent(view.image.boundingRect().topLeft())
    assert (bottom.x(), bottom.y()) == pytest.approx((-5.0, -5.0))

    view.set_discretize(True)  # the sign only: 0 and above is the positive class
    assert near(pixel(view, 2, 3), BLUE, tolerance=0) and near(pixel(view, 0, 1), ORANGE, tolerance=0)


def test_multiclass_map_fades_from_class_colour_to_white_with_doubt(view):
    dataset, head = run_parts("spiral3")
    assert head.n_classes == 3
    view.set_dataset(dataset)
    winner = np.array([[0, 1, 2], [2, 1, 0]], dtype=np.float32)
    confidence = np.array([[1.0, 1.0, 1.0], [1 / 3, 1 / 3, 1 / 3]], dtype=np.float32)
    view.set_probe(GridProbe(extent=(-6, 6, -6, 6), output=winner, confidence=confidence), head)
    for column in range(3):
        assert near(pixel(view, 0, column), CLASS_COLORS[column])
        assert near(pixel(view, 1, column), NEUTRAL)  # a coin toss among three classes

    view.show_map(np.full((2, 3), -1.0, dtype=np.float32), "hidden 1, unit 2")  # a hovered unit
    assert near(pixel(view, 1, 1), ORANGE)
    view.show_map(None)
    assert near(pixel(view, 0, 2), CLASS_COLORS[2])


def test_validation_points_are_drawn_apart_from_train_and_test(view):
    doc = {
        "seed": 1,
        "data": {"name": "circle", "samples": 100},
        "training": {"early_stopping": {"enabled": True}},
    }
    dataset = Trainer(Project.from_dict(doc)).dataset
    assert len(dataset.x_val) > 0  # early stopping's split, carved out of the training share
    view.set_dataset(dataset)
    shown = {name: len(getattr(view, name).data) for name in ("_train", "_val", "_test")}
    assert shown == {"_train": len(dataset.x_train), "_val": len(dataset.x_val), "_test": len(dataset.x_test)}
    x, y = view._val.getData()
    np.testing.assert_allclose(np.c_[x, y], dataset.x_val)
    assert "validation (green square)" in legend_html(dataset, None)  # the key says what they are
    view.set_dataset(run_parts("circle")[0])  # no validation split: no squares left over
    assert len(view._val.data) == 0
    assert "validation" not in legend_html(run_parts("circle")[0], None)
