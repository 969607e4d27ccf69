"""Layer histograms (engine/inspect/histograms.py): each spread is the quantiles of the values it
names, measured independently here (the weights from the state dict, the gradients from torch
autograd on a network built apart), and the health shares count what they say."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.families.mlp.task import encode_targets
from engine.inspect.histograms import QUANTILES, SAMPLE, layer_histograms
from engine.nn.losses import LOSSES
from engine.spec.project import Project
from engine.train import build_trainer
from tests.conftest import tiny_project


def _trainer(layers, backend="auto", **training):
    doc = tiny_project(**training)
    doc["network"]["layers"] = layers
    doc["training"]["backend"] = backend
    return build_trainer(Project.from_dict(doc))


def _independent_gradients(trainer) -> dict[str, np.ndarray]:
    """d loss / d weight on the histogram's sample, from a fresh copy of the network."""
    net = trainer.torch_network()
    net.eval()
    x = trainer.preprocessor.apply_numpy(trainer.dataset.x_train[:SAMPLE])
    t = encode_targets(trainer.head, trainer.dataset.y_train[:SAMPLE])
    loss_fn = LOSSES[trainer.head.loss].factory(**trainer.head.loss_params)
    out = net(torch.as_tensor(x))
    target = torch.as_tensor(t)
    loss = loss_fn(out, target.long() if target.dtype == torch.int64 else target.float())
    named = [(n, p) for n, p in net.named_parameters() if p.dim() >= 2]
    grads = torch.autograd.grad(loss, [p for _, p in named])
    return {n: g.numpy() for (n, _), g in zip(named, grads, strict=True)}


@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_weights_and_gradients_spread_as_measured_independently(backend):
    trainer = _trainer([{"type": "dense", "units": 6, "activation": "tanh"}] * 2, backend)
    for _ in range(3):
        trainer.run_epoch()
    hist = layer_histograms(trainer)
    assert [layer.name for layer in hist.layers] == ["1 dense 6 tanh", "2 dense 6 tanh", "output"]
    assert hist.epoch == 3
    state = trainer.backend.state_dict()
    grads = _independent_gradients(trainer)
    keys = ["layers.0.linear.weight", "layers.1.linear.weight", "head.linear.weight"]
    for layer, key in zip(hist.layers, keys, strict=True):
        expected = np.quantile(np.ravel(state[key]).astype(np.float64), QUANTILES)
        np.testing.assert_allclose(layer.quantiles["weights"], expected, rtol=1e-5, atol=1e-7)
        expected = np.quantile(np.ravel(grads[key]).astype(np.float64), QUANTILES)
        np.testing.assert_allclose(layer.quantiles["gradients"], expected, rtol=1e-4, atol=1e-7)
        assert layer.quantiles["gradients"][-1] > layer.quantiles["gradients"][0]  # not all zero


def test_activations_and_their_health_shares():
    trainer = _trainer([{"type": "dense", "units": 4, "activation": "relu"}])
    state = trainer.backend.state_dict()
    bias = state["layers.0.linear.bias"].copy()
    bias[:2] = -1e3  # two units never fire on any point: dead
    trainer.backend.load_state_dict({**state, "layers.0.linear.bias": bias})
    hist = layer_histograms(trainer)
    relu = hist.layers[0]
    assert relu.dead == pytest.approx(0.5)
    assert relu.saturated is None and hist.layers[1].dead is None
    net = trainer.torch_network()
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(trainer.dataset.x_train[:SAMPLE]))
    acts = net.forward_with_activations(x)[1][0].detach().numpy()
    np.testing.assert_allclose(relu.quantiles["activations"], np.quantile(acts.ravel(), QUANTILES), rtol=1e-5)


def test_saturated_tanh_units_and_weights_at_zero_are_counted():
    trainer = _trainer([{"type": "dense", "units": 4, "activation": "tanh"}])
    state = trainer.backend.state_dict()
    weight = state["layers.0.linear.weight"].copy()
    weight[0] = 0.0  # one unit's incoming weights at zero: a quarter of the layer's weights...
    bias = state["layers.0.linear.bias"].copy()
    bias[0] = 50.0  # ...and that unit stuck at tanh(50) = 1: saturated
    trainer.backend.load_state_dict({**state, "layers.0.linear.weight": weight, "layers.0.linear.bias": bias})
    layer = layer_histograms(trainer).layers[0]
    assert layer.saturated == pytest.approx(0.25)
    assert layer.zero_weights == pytest.approx(np.mean(np.abs(weight) < 1e-3))
    assert layer.zero_weights >= 0.25


def test_another_family_has_no_layer_histograms():
    doc = {
        "model": {"family": "perceptron"},
        "data": {"name": "gauss", "samples": 50},
        "training": {"epochs": 2},
    }
    trainer = build_trainer(Project.from_dict(doc))
    assert layer_histograms(trainer) is None


def test_batch_norm_shows_its_scale_and_each_units_running_statistics():
    trainer = _trainer(
        [
            {"type": "dense", "units": 6, "activation": "relu"},
            {"type": "batchnorm"},
            {"type": "dense", "units": 4, "activation": "tanh"},
        ]
    )
    trainer.run_epoch()
    hist = layer_histograms(trainer)
    assert [layer.name for layer in hist.layers] == [
        "1 dense 6 relu",
        "2 batchnorm",
        "3 dense 4 tanh",
        "output",
    ]
    norm = hist.layers[1]
    module = trainer.backend.network.layers[1]
    np.testing.assert_array_equal(norm.running[0], module.running_mean.numpy())
    np.testing.assert_array_equal(norm.running[1], module.running_var.numpy())
    assert not np.allclose(norm.running[1], 1.0)  # it has measured the batches, not kept its start
    gamma = module.weight.detach().numpy()
    np.testing.assert_allclose(
        norm.quantiles["weights"], np.quantile(gamma.astype(np.float64), QUANTILES), rtol=1e-6
    )
    assert hist.layers[0].running is None
