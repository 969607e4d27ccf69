"""The maps the views draw: a fast-path network's parameters, computed wherever they arrive, give
the same maps as its backend would; torch, on the same weights, is the independent oracle."""

import pickle

import numpy as np
import pytest

from engine.cli import load_project_arg
from engine.probes import DenseProbe, dense_probe, grid_inputs, probe_grid
from engine.session import Session
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
    parameters = dense_probe(fast, units=True)
    assert isinstance(parameters, DenseProbe)
    mine = pickle.loads(pickle.dumps(parameters)).compute(inputs)  # as it crosses the pipe
    theirs = probe_grid(oracle, inputs, units=True)
    np.testing.assert_allclose(mine.output, theirs.output, rtol=1e-4, atol=1e-5)
    for field in ("confidence", "features"):
        a, b = getattr(mine, field), getattr(theirs, field)
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert mine.unit_layer_names == theirs.unit_layer_names and mine.feature_names == theirs.feature_names
    for a, b in zip(mine.units, theirs.units, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for a, b in zip(mine.weights, theirs.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    if inputs.kind == "points2d":
        assert mine.output.shape == (40, 40) and len(mine.units) == len(fast.project.network.layers)


def test_output_only_probes_leave_the_unit_maps_out():
    fast = trained("spiral", "numpy", epochs=1)
    probe = dense_probe(fast, units=False).compute(grid_inputs(fast, 30))
    assert probe.output.shape == (30, 30) and probe.units == () and probe.features is None


def test_fast_path_frames_carry_parameters_torch_frames_carry_maps():
    for backend, kind, most_bytes in (("numpy", DenseProbe, 10_000), ("torch", None, None)):
        sent = []
        session = Session(lambda k, p, sent=sent: sent.append((k, p)))
        session.load(load_project_arg("spiral", ["training.preset=standard", f"training.backend={backend}"]))
        info = next(p for k, p in sent if k == "rebuilt")
        frame = next(p for k, p in sent if k == "frame")
        assert info.grid is not None and info.grid.points.shape == (100 * 100, 4)
        if kind is DenseProbe:
            assert isinstance(frame.probe, DenseProbe)
            assert (
                len(pickle.dumps(frame, pickle.HIGHEST_PROTOCOL)) < most_bytes
            )  # was ~45 KB, 840 KB with units
        else:
            assert frame.probe.output.shape == (100, 100) and frame.probe.units


def test_data_without_an_input_plane_has_no_probe():
    trainer = Trainer(load_project_arg("digits_cnn", ["training.epochs=1"]))
    assert grid_inputs(trainer) is None and probe_grid(trainer, None) is None
