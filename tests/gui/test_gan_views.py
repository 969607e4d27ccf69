"""The GAN's plane: D's map where the probe puts it, every point and arrow drawn, layers switchable."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QCheckBox

from engine.examples import example_path
from engine.families.gan.view import GanProbe
from engine.probes import grid_inputs
from engine.snapshot import Snapshot
from engine.store import load_project
from engine.train import build_trainer
from gui.views.gan_views import ARROW_LENGTH, LAYERS, MAP_FAKE, MAP_MIDDLE, MAP_REAL, GanView

RES = 100
CENTRES = np.linspace(-6.0, 6.0, RES)  # the grid's cell centres, x1 along columns, x2 along rows


def synthetic_probe(noise_dim: int = 2) -> GanProbe:
    """D says real only bottom-right (x1 > 2, x2 < -2) and fake only top-left; 0.5 elsewhere."""
    x1, x2 = np.meshgrid(CENTRES, CENTRES)  # x2 varies down the rows (row 0: x2 = -6)
    d_map = np.full((RES, RES), 0.5, dtype=np.float32)
    d_map[(x1 > 2) & (x2 < -2)] = 1.0
    d_map[(x1 < -2) & (x2 > 2)] = 0.0
    rng = np.random.default_rng(0)
    shape = (20, 20, 2) if noise_dim > 1 else (400, 1, 2)
    return GanProbe(
        extent=(-6.0, 6.0, -6.0, 6.0),
        real=rng.normal(size=(400, 2)).astype(np.float32),
        fake=rng.normal(size=(500, 2)).astype(np.float32),
        d_map=d_map,
        manifold=rng.normal(size=shape).astype(np.float32),
        arrows=rng.normal(size=(100, 2)).astype(np.float32),
        epoch=7,
    )


def rgb_of(word: int) -> np.ndarray:
    return np.array([(word >> 16) & 255, (word >> 8) & 255, word & 255])


def hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])


def close(got, color: str, tolerance: int = 3) -> bool:
    return bool(np.all(np.abs(np.asarray(got, dtype=int) - hex_rgb(color)) <= tolerance))


@pytest.fixture
def view(qtbot):
    widget = GanView()
    qtbot.addWidget(widget)
    widget.resize(800, 700)
    return widget


def test_map_pixels_are_the_probes_probabilities(view):
    probe = synthetic_probe()
    view.set_probe(probe)
    words = view.map_image.image
    assert words.shape == probe.d_map.shape
    for value, color in ((1.0, MAP_REAL), (0.0, MAP_FAKE), (0.5, MAP_MIDDLE)):
        rows, cols = np.nonzero(probe.d_map == value)
        assert all(close(rgb_of(int(w)), color) for w in words[rows, cols])


def test_map_cells_land_where_the_probe_says(view):
    view.set_probe(synthetic_probe())
    # The cell at row r, column c is drawn centred on (x1 = CENTRES[c], x2 = CENTRES[r]).
    for row, col in ((10, 90), (90, 10), (0, 0), (99, 40)):
        spot = view.map_image.mapToParent(QPointF(col + 0.5, row + 0.5))
        assert spot.x() == pytest.approx(CENTRES[col], abs=0.07)
        assert spot.y() == pytest.approx(CENTRES[row], abs=0.07)


def test_painted_plane_is_green_where_d_says_real(view, qtbot):
    view.set_probe(synthetic_probe())
    for key in ("real", "fake", "manifold", "arrows"):
        view.checks[key].setChecked(False)
    view.show()
    qtbot.waitExposed(view)
    picture = view.plot_widget.grab().toImage()
    box = view.plot_widget.getPlotItem().getViewBox()

    def colour_at(x1: float, x2: float) -> np.ndarray:
        at = view.plot_widget.mapFromScene(box.mapViewToScene(QPointF(x1, x2)))
        c = picture.pixelColor(at.x(), at.y())
        return np.array([c.red(), c.green(), c.blue()])

    assert close(colour_at(4.0, -4.0), MAP_REAL, 6)  # bottom right: D says real
    assert close(colour_at(-4.0, 4.0), MAP_FAKE, 6)  # top left: D says fake
    assert close(colour_at(0.0, 0.0), MAP_MIDDLE, 6)


def test_every_point_and_arrow_is_drawn(view):
    probe = synthetic_probe()
    view.set_probe(probe)
    assert len(view.real.getData()[0]) == len(probe.real)
    assert len(view.fake.getData()[0]) == len(probe.fake)
    x, y = view.arrows.getData()
    assert len(x) == 2 * len(probe.arrows) == 200
    np.testing.assert_allclose(x[0::2], probe.fake[:100, 0], atol=1e-6)
    np.testing.assert_allclose(y[0::2], probe.fake[:100, 1], atol=1e-6)
    push = np.stack([x[1::2] - x[0::2], y[1::2] - y[0::2]], axis=1)
    lengths = np.linalg.norm(push, axis=1)
    assert lengths.max() == pytest.approx(ARROW_LENGTH, rel=1e-5)
    directions = probe.arrows / np.linalg.norm(probe.arrows, axis=1, keepdims=True)
    np.testing.assert_allclose(push / lengths[:, None], directions, atol=1e-5)


def test_manifold_is_drawn_as_rows_and_columns(view):
    view.set_probe(synthetic_probe())
    x, _ = view.manifold.getData()
    assert np.isfinite(x).sum() == 2 * 20 * 20  # each grid point once in its row, once in its column
    view.set_probe(synthetic_probe(noise_dim=1))
    x, _ = view.manifold.getData()
    assert np.isfinite(x).sum() == 400  # 1-D noise: one curve


@pytest.mark.parametrize(("key", "name"), [(key, name) for key, name, _ in LAYERS])
def test_each_checkbox_hides_its_layer(view, qtbot, key, name):
    view.set_probe(synthetic_probe())
    box = view.findChild(QCheckBox, name)
    assert box is not None and box.isChecked()
    with qtbot.waitSignal(view.layer_toggled) as toggled:
        box.click()
    assert toggled.args == [key, False]
    assert not view.items[key].isVisible()
    assert all(item.isVisible() for other, item in view.items.items() if other != key)
    view.set_probe(synthetic_probe())  # a new frame keeps the choice
    assert not view.items[key].isVisible()
    box.click()
    assert view.items[key].isVisible()


def test_none_clears_everything(view):
    view.set_probe(synthetic_probe())
    view.set_metrics(Snapshot(epoch=7, step=1, metrics={"d_loss": 0.5}, lr=0.1, elapsed=0.0))
    view.set_probe(None)
    assert view.map_image.image is None
    for item in (view.real, view.fake, view.manifold, view.arrows):
        x, _ = item.getData()
        assert x is None or len(x) == 0
    assert "0.5" not in view.numbers.text()
    view.set_probe(synthetic_probe())  # and draws again afterwards
    assert view.map_image.image.shape == (RES, RES)


def test_numbers_line(view):
    metrics = {"d_loss": 0.6213, "g_loss": 0.9393, "modes_covered": 3.0, "nearest_real": 1.55}
    view.set_metrics(Snapshot(epoch=30, step=1, metrics=metrics, lr=0.1, elapsed=0.0))
    text = view.numbers.text()
    for part in ("epoch 30", "D loss 0.621", "G loss 0.939", "3 of 8", "nearest real 1.550"):
        assert part in text
    view.set_metrics(
        Snapshot(epoch=31, step=1, metrics={**metrics, "modes_covered": None}, lr=0.1, elapsed=0)
    )
    assert "of 8" not in view.numbers.text()


def test_a_real_trainers_probe(view):
    trainer = build_trainer(load_project(example_path("gan_ring")))
    probe = trainer.view_probe(grid_inputs(trainer, RES))
    view.set_probe(probe)
    assert view.map_image.image.shape == probe.d_map.shape
    assert len(view.fake.getData()[0]) == len(probe.fake)
    assert len(view.arrows.getData()[0]) == 2 * len(probe.arrows)
