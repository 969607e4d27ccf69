"""The sequence probe against torch itself: the gates rebuilt step by step give nn.LSTM's / nn.GRU's
/ nn.RNN's own h_t and c_t at every step, ‖∂L/∂h_t‖ equals autograd through the modules run on
prefixes and suffixes, and the prediction is the one the trainer's evaluation makes."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from torch import nn

from engine.examples import example_path
from engine.families.mlp.task import encode_targets
from engine.inspect import inspect_probe
from engine.inspect.sequences import GATE_NAMES, SequenceProbe, probe, unroll
from engine.store import load_project
from engine.train import Trainer


def prefix_states(cell: nn.Module, x: torch.Tensor, t: int):
    """The module's own state after the first t steps."""
    _, state = cell(x[:, :t])
    return state


@pytest.mark.parametrize("bias", [True, False])
def test_lstm_gates_rebuild_the_modules_own_states(bias):
    torch.manual_seed(0)
    cell = nn.LSTM(3, 5, batch_first=True, bias=bias)
    x = torch.randn(2, 7, 3)
    hs, gates = unroll(cell, x)
    with torch.no_grad():
        out, _ = cell(x)
        assert tuple(gates) == GATE_NAMES["lstm"]
        for t in range(7):
            assert torch.allclose(hs[t], out[:, t], atol=1e-5)
            h_t, c_t = prefix_states(cell, x, t + 1)
            assert torch.allclose(gates["cell state c"][t], c_t[0], atol=1e-5)
            i, f, g, o = (gates[name][t] for name in GATE_NAMES["lstm"][:4])
            # h_t = o ⊙ tanh(c_t) with the module's own c_t: the output gate is the module's too.
            assert torch.allclose(o * torch.tanh(c_t[0]), h_t[0], atol=1e-5)
            assert float(i.min()) >= 0 and float(f.max()) <= 1 and float(g.abs().max()) <= 1


def test_gru_gates_rebuild_the_modules_own_states():
    torch.manual_seed(1)
    cell = nn.GRU(2, 4, batch_first=True)
    x = torch.randn(3, 9, 2)
    hs, gates = unroll(cell, x)
    assert tuple(gates) == GATE_NAMES["gru"]
    with torch.no_grad():
        out, h_n = cell(x)
        for t in range(9):
            assert torch.allclose(hs[t], out[:, t], atol=1e-5)
            previous = hs[t - 1] if t else torch.zeros_like(hs[0])
            z, n = gates["update gate z"][t], gates["candidate n"][t]
            assert torch.allclose((1 - z) * n + z * previous, out[:, t], atol=1e-5)
        assert torch.allclose(hs[-1], h_n[0], atol=1e-5)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_plain_rnn_rebuilds_the_modules_states(nonlinearity):
    torch.manual_seed(2)
    cell = nn.RNN(2, 6, batch_first=True, nonlinearity=nonlinearity)
    x = torch.randn(2, 5, 2)
    hs, gates = unroll(cell, x)
    assert gates == {}
    with torch.no_grad():
        out, _ = cell(x)
    for t in range(5):
        assert torch.allclose(hs[t], out[:, t], atol=1e-5)


def small_trainer(kind: str = "lstm", epochs: int = 1) -> Trainer:
    project = load_project(example_path("sequence_lstm"))
    project.data.samples = 120
    project.network.layers[0]["type"] = kind
    if kind != "lstm":
        project.network.layers[0].pop("forget_bias")  # an lstm's parameter only
    project.network.layers[0]["units"] = 6
    project.training.epochs = epochs
    trainer = Trainer(project)
    trainer.run()
    return trainer


def autograd_hidden_grad(trainer: Trainer, sample: int) -> np.ndarray:
    """‖∂L/∂h_t‖ through the module itself: run it on the first t steps, make h_t a leaf, run it on
    the rest from (h_t, c_t), and ask autograd for the leaf's gradient."""
    network = trainer.backend.network.eval()
    cell = network.layers[0].cell
    raw = trainer.dataset.x_test[sample : sample + 1]
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(raw))
    target = torch.as_tensor(encode_targets(trainer.head, trainer.dataset.y_test[sample : sample + 1]))
    norms = []
    for t in range(1, x.shape[1] + 1):
        with torch.no_grad():
            state = prefix_states(cell, x, t)
        h = (
            state[0].clone().requires_grad_(True)
            if isinstance(state, tuple)
            else state.clone().requires_grad_()
        )
        start = (h, state[1]) if isinstance(state, tuple) else h
        last = cell(x[:, t:], start)[0][:, -1] if t < x.shape[1] else h[0]
        loss = trainer.backend.loss_fn(network.head(last), target)
        (grad,) = torch.autograd.grad(loss, h)
        norms.append(float(grad.norm()))
    return np.array(norms)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_hidden_gradient_through_time_equals_autograd(kind):
    trainer = small_trainer(kind)
    shown = probe(trainer, {"sample": 3})
    expected = autograd_hidden_grad(trainer, 3)
    assert shown.hidden_grad.shape == (20,)
    assert np.allclose(shown.hidden_grad, expected, rtol=1e-4, atol=1e-9)
    assert shown.layer == 0 and shown.layer_kind == kind and shown.units == 6
    assert shown.hidden.shape == (20, 6)
    assert [name for name, _ in shown.gates] == list(GATE_NAMES[kind])
    assert all(values.shape == (20, 6) for _, values in shown.gates)


def test_the_probe_shows_the_picked_sample_as_the_trainer_evaluates_it():
    trainer = small_trainer("lstm")
    _, outputs = trainer.backend.evaluate("test")
    shown = inspect_probe(trainer, {"sample": 5})
    assert isinstance(shown, SequenceProbe) and shown.split == "test"
    assert shown.sample == 5 and shown.n_samples == len(trainer.dataset.x_test)
    assert np.array_equal(shown.inputs, trainer.dataset.x_test[5])
    assert shown.target[0] == pytest.approx(float(trainer.dataset.y_test[5]))
    assert shown.prediction[0] == pytest.approx(float(outputs[5, 0]), abs=1e-5)
    assert shown.epoch == 1 and not shown.classification
    # The hidden state's last step is what the head reads: its prediction again.
    with torch.no_grad():
        head = trainer.backend.network.head(torch.as_tensor(shown.hidden[-1:]))
    assert float(head[0, 0]) == pytest.approx(float(shown.prediction[0]), abs=1e-5)


def test_the_probe_leaves_training_as_it_was():
    trainer = small_trainer("lstm")
    network = trainer.backend.network
    network.train()
    grads = {name: None if p.grad is None else p.grad.clone() for name, p in network.named_parameters()}
    probe(trainer, {"sample": 0})
    assert network.training
    for name, p in network.named_parameters():
        before = grads[name]
        assert (p.grad is None and before is None) or torch.equal(p.grad, before)


@pytest.mark.parametrize(("asked", "shown"), [(10**6, 23), (-4, 0), ("seven", 0), (None, 0)])
def test_the_sample_is_clamped_into_the_split(asked, shown):
    trainer = small_trainer("gru")
    assert len(trainer.dataset.x_test) == 24
    assert probe(trainer, {"sample": asked}).sample == shown
    assert probe(trainer, {}).sample == 0


def test_a_probe_pickles_small():
    trainer = small_trainer("lstm")
    shown = probe(trainer, {"sample": 2})
    data = pickle.dumps(shown)
    assert len(data) < 20_000
    back = pickle.loads(data)
    assert np.array_equal(back.hidden, shown.hidden) and back.gates[4][0] == "cell state c"


def test_parity_shows_class_probabilities():
    project = load_project(example_path("sequence_lstm"))
    project.data.name, project.data.samples, project.data.params = "parity", 60, {"length": 6}
    project.training.epochs = 1
    trainer = Trainer(project)
    trainer.run()
    shown = probe(trainer, {"sample": 1})
    assert shown.classification and shown.class_names == ("even", "odd")
    assert shown.prediction.shape == (2,) and shown.prediction.sum() == pytest.approx(1.0, abs=1e-5)
    assert shown.target[0] in (0.0, 1.0) and shown.hidden_grad.shape == (6,)


def trainer_with_layers(layers: list[dict]) -> Trainer:
    project = load_project(example_path("sequence_lstm"))
    project.data.samples = 60
    project.network.layers = layers
    project.training.epochs = 1
    trainer = Trainer(project)
    trainer.run()
    return trainer


def test_a_stack_shows_its_first_recurrent_layer():
    trainer = trainer_with_layers(
        [
            {"type": "gru", "units": 5, "return_sequences": True},
            {"type": "lstm", "units": 3, "return_sequences": False},
        ]
    )
    shown = probe(trainer, {"sample": 2})
    assert shown.layer == 0 and shown.layer_kind == "gru" and shown.units == 5
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(trainer.dataset.x_test[2:3]))
    with torch.no_grad():
        out, _ = trainer.backend.network.layers[0].cell(x)
    assert np.allclose(shown.hidden, out[0].numpy(), atol=1e-5)
    assert np.all(shown.hidden_grad > 0) and shown.hidden_grad.shape == (20,)


def test_without_a_recurrent_layer_the_probe_says_so():
    trainer = trainer_with_layers([{"type": "flatten"}, {"type": "dense", "units": 4, "activation": "tanh"}])
    shown = probe(trainer, {"sample": 0})
    assert shown.layer is None and shown.layer_kind == "" and shown.gates == ()
    assert shown.hidden.size == 0 and len(shown.hidden_grad) == 0 and np.isnan(shown.gradient_ratio)
    assert shown.prediction.shape == (1,) and np.isfinite(shown.loss)


def test_a_costly_probe_is_made_again_only_as_its_time_share_allows(monkeypatch):
    from engine.inspect import sequences

    trainer = small_trainer("lstm")
    first = probe(trainer, {"sample": 1})
    assert probe(trainer, {"sample": 1}) is first  # nothing changed: the same picture
    trainer.status = "running"
    trainer.step()
    monkeypatch.setattr(sequences, "TIME_SHARE", 1e-9)  # as if each probe cost far too much
    assert probe(trainer, {"sample": 1}) is first  # training on: the last one again, for now
    assert probe(trainer, {"sample": 2}).sample == 2  # another sample: made at once
    monkeypatch.setattr(sequences, "TIME_SHARE", 1e9)
    fresh = probe(trainer, {"sample": 2})
    assert fresh.epoch == trainer.epoch
    trainer.status = "paused"
    with torch.no_grad():  # a weight changed by hand, no step taken: made again
        trainer.backend.network.head.linear.bias.add_(1.0)
    assert probe(trainer, {"sample": 2}).prediction[0] == pytest.approx(fresh.prediction[0] + 1.0, abs=1e-4)
