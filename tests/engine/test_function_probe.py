"""The 1-D probe carries what the contribution view draws: the last hidden layer's activations on
the line and the weights, whose products w_k·a_k(x) plus the output bias are the fitted curve."""

import numpy as np
import pytest

from engine.probes import DenseProbe, grid_inputs, run_probe
from engine.spec.project import Project
from engine.train import Trainer


def sine_trainer(backend, layers):
    doc = {
        "seed": 2,
        "data": {"name": "sine", "samples": 80},
        "network": {"layers": layers},
        "training": {"backend": backend, "device": "cpu", "batch_size": 8, "epochs": 2},
    }
    trainer = Trainer(Project.from_dict(doc))
    trainer.run_epoch()
    return trainer


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize(
    "layers",
    [
        [{"type": "dense", "units": 6, "activation": "tanh"}],
        [
            {"type": "dense", "units": 5, "activation": "relu"},
            {"type": "dense", "units": 4, "activation": "tanh"},
        ],
    ],
    ids=["one-hidden-layer", "two-hidden-layers"],
)
def test_contributions_and_bias_sum_to_the_output(backend, layers):
    trainer = sine_trainer(backend, layers)
    grid = grid_inputs(trainer, 50)
    probe = run_probe(trainer, grid)
    if isinstance(probe, DenseProbe):
        probe = probe.compute(grid)
    assert len(probe.units) == 1 and probe.units[0].shape == (layers[-1]["units"], len(grid.points))
    state = trainer.state_dict()
    contributions = probe.weights[-1][0][:, None].astype(np.float64) * probe.units[0]
    total = contributions.sum(axis=0) + float(state["head.linear.bias"][0])
    np.testing.assert_allclose(total, probe.output, atol=1e-5, rtol=0)
    # The activations are the last hidden layer's own, not any layer's: a check that can fail.
    expected = trainer.backend.forward_probe(grid.points)[1][-1].T
    np.testing.assert_allclose(probe.units[0], expected, atol=1e-6)


def test_a_network_without_hidden_layers_carries_the_curve_only():
    trainer = sine_trainer("numpy", [])
    grid = grid_inputs(trainer, 20)
    probe = run_probe(trainer, grid).compute(grid)
    assert probe.units == () and probe.output.shape == (80,)
