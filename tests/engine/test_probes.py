"""The maps the views draw: a fast-path network's parameters, computed wherever they arrive, give
the same maps as its backend would; torch, on the same weights, is the independent oracle."""

import pickle

import numpy as np
import pytest

from engine.cli import load_project_arg
from engine.probes import DenseProbe, ProbeDrawer, dense_probe, grid_inputs, probe_grid
from engine.session.session import Session
from engine.train import Trainer

EXAMPLES = ["spiral", "spiral3", "plane", "sine"]  # binary (tanh), 3 classes, 2-D regression, 1-D curve


def trained(example: str, backend: str, epochs: int = 3) -> Trainer:
    trainer = Trainer(load_project_arg(example, [f"training.backend={backend}", f"training.epochs={epochs}"]))
    trainer.run()
    return trainer


def torch_twin(fast: Trainer, example: str) -> Trainer:
    """The same network on the torch backend, with the same output contract (the playground
    preset itself always takes the fast path)."""
    head = fast.head
    twin = Trainer(
        load_project_arg(
            example,
            [
                "training.preset=standard",
                "training.backend=torch",
                f"training.loss={head.loss}",
                f"network.output_activation={head.output_activation}",
            ],
        )
    )
    assert twin.backend_name == "torch" and twin.head == head
    return twin


@pytest.mark.parametrize("example", EXAMPLES)
def test_parameters_drawn_elsewhere_match_torch_on_the_same_weights(example):
    fast = trained(example, "numpy")
    oracle = torch_twin(fast, example)
    oracle.backend.load_state_dict(fast.state_dict())
    inputs = grid_inputs(fast, 40)
    parameters = dense_probe(fast)
    assert isinstance(parameters, DenseProbe)
    mine = pickle.loads(pickle.dumps(parameters)).compute(inputs)  # as it crosses the pipe
    theirs = probe_grid(oracle, inputs, units=True)
    np.testing.assert_allclose(mine.output, theirs.output, rtol=1e-4, atol=1e-5)
    assert (mine.confidence is None) == (theirs.confidence is None)
    if mine.confidence is not None:
        np.testing.assert_allclose(mine.confidence, theirs.confidence, rtol=1e-4, atol=1e-5)
    assert mine.unit_layer_names == theirs.unit_layer_names
    for a, b in zip(mine.units, theirs.units, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for a, b in zip(mine.weights, theirs.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    if inputs.kind == "points2d":
        assert mine.output.shape == (40, 40) and len(mine.units) == len(fast.project.network.layers)


def test_input_maps_are_the_features_over_the_grid():
    """Row r of each map is x2's r-th value from low to high, column c is x1's: checked by formula."""
    inputs = grid_inputs(trained("spiral", "numpy", epochs=1), 30)
    lo, hi = inputs.extent[:2]
    axis = np.linspace(lo, hi, 30)
    x1, x2 = np.meshgrid(axis, axis)
    assert inputs.feature_names == ("x1", "x2", "sin_x1", "sin_x2")
    expected = np.stack([x1, x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(inputs.features, expected, rtol=1e-5, atol=1e-5)


def test_big_networks_are_drawn_by_the_training_process():
    small = trained("spiral", "numpy", epochs=1)
    assert dense_probe(small) is not None
    wide = Trainer(
        load_project_arg(
            "spiral", ["training.epochs=1", "network.layers[0].units=80", "network.layers[1].units=80"]
        )
    )
    wide.run()
    assert wide.backend_name == "numpy"  # still the fast path, but 80x80 weights are too many to send
    assert dense_probe(wide) is None


def test_fast_path_frames_carry_parameters_torch_frames_carry_maps():
    for backend, kind, most_bytes in (("numpy", DenseProbe, 10_000), ("torch", None, None)):
        sent = []
        session = Session(lambda k, p, sent=sent: sent.append((k, p)))
        session.load(load_project_arg("spiral", ["training.preset=standard", f"training.backend={backend}"]))
        info = next(p for k, p in sent if k == "rebuilt")
        frame = next(p for k, p in sent if k == "frame")
        assert info.grid is not None and info.grid.points.shape == (100 * 100, 4)
        if kind is DenseProbe:
            assert isinstance(frame.main.probe, DenseProbe)
            assert (
                len(pickle.dumps(frame, pickle.HIGHEST_PROTOCOL)) < most_bytes
            )  # was ~45 KB, 840 KB with units
        else:
            assert (
                frame.main.probe.output.shape == (100, 100) and frame.main.probe.units
            )  # the first frame has them


def test_data_without_an_input_plane_has_no_probe():
    trainer = Trainer(load_project_arg("digits_cnn", ["training.epochs=1"]))
    assert grid_inputs(trainer, 100) is None and probe_grid(trainer, None) is None


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CostlyProbe:
    """Stands in for a DenseProbe whose drawing takes `cost` seconds of the fake clock."""

    def __init__(self, clock: FakeClock, cost: float):
        self.clock, self.cost, self.drawn = clock, cost, 0

    def compute(self, grid):
        self.clock.now += self.cost
        self.drawn += 1
        return ("drawing", self.drawn)


@pytest.mark.parametrize(("cost", "most_drawn"), [(0.001, 300), (0.2, 6)])
def test_the_drawer_spends_at_most_its_share_of_time_drawing(cost, most_drawn):
    clock = FakeClock()
    drawer = ProbeDrawer(share=0.1, clock=clock)
    drawer.set_run(3, grid=object())
    probe = CostlyProbe(clock, cost)
    frames = 0
    while clock.now < 10.0:  # 30 frames a second for 10 s
        assert drawer.draw(3, probe, running=True) is not None
        frames += 1
        clock.now += 1 / 30
    if cost < 1 / 30 * 0.1:
        assert probe.drawn == frames  # a small network: every frame drawn afresh
    else:
        assert probe.drawn <= most_drawn  # 10 s * 0.1 / 0.2 s = 5 (+1 for the first)
        assert probe.drawn * cost <= 0.1 * clock.now + cost


def test_a_stopped_frame_is_drawn_from_its_own_parameters_and_other_runs_are_not():
    clock = FakeClock()
    drawer = ProbeDrawer(share=0.1, clock=clock)
    drawer.set_run(3, grid=object())
    probe = CostlyProbe(clock, 0.5)
    first = drawer.draw(3, probe, running=True)
    assert drawer.draw(3, probe, running=True) is first  # too soon: the last drawing again
    assert drawer.draw(3, probe, running=False) == ("drawing", 2)  # paused: drawn now
    assert drawer.draw(2, probe, running=False) is None  # a frame of the previous run
    drawer.set_run(4, grid=None)
    assert drawer.draw(4, probe, running=False) is None  # data without an input plane
