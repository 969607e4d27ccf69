"""The long-memory pieces of the RNN/LSTM lesson: the marked_bit set, the LSTM's forget bias (in
torch's forget-gate slice, refused when out of range) and the gradient-through-time measure,
checked against torch's own modules stepped one time step at a time."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.data import make_dataset
from engine.errors import SpecError
from engine.families.mlp.network import build_network
from engine.lesson_claims import measure
from engine.spec.project import Project
from engine.train import build_trainer


def _marked(length: int = 12, samples: int = 300, noise: float = 0.0):
    spec = {"name": "marked_bit", "samples": samples, "noise": noise, "train_fraction": 1.0}
    return make_dataset(spec | {"params": {"length": length}}, seed=3)


def test_marked_bit_has_one_mark_near_the_start_and_its_bit_is_the_label():
    data = _marked()
    x, y = data.x_train, data.y_train
    assert x.shape == (300, 12, 2) and data.kind == "sequence" and data.task == "classification"
    assert data.input_names == ("bit", "marker") and data.class_names == ("0", "1")
    bits, marker = x[:, :, 0], x[:, :, 1]
    assert set(np.unique(bits)) == {0.0, 1.0} and (marker.sum(axis=1) == 1).all()
    where = marker.argmax(axis=1)
    assert where.max() < 5 and len(set(where)) == 5  # one of the first five steps, each of them used
    assert (y == bits[np.arange(len(y)), where]).all()
    assert 0.4 < y.mean() < 0.6  # both labels, about equally often


def test_marked_bit_noise_jitters_the_bits_not_the_marker():
    x = _marked(noise=0.2).x_train
    assert not set(np.unique(x[:, :, 0])) <= {0.0, 1.0}
    assert set(np.unique(x[:, :, 1])) == {0.0, 1.0}


def test_marked_bit_shorter_than_the_mark_window_still_has_one_mark():
    x = _marked(length=3).x_train
    assert (x[:, :, 1].sum(axis=1) == 1).all()


def _lstm_network(forget_bias: float, init="xavier_uniform", units: int = 3):
    project = Project.from_dict(
        {
            "data": {"name": "marked_bit", "params": {"length": 6}},
            "network": {"layers": [{"type": "lstm", "units": units, "forget_bias": forget_bias}]},
        }
    )
    torch.manual_seed(0)
    return build_network(project.network.layers, (6, 2), 2, "linear", init).layers[0].cell


def test_the_forget_bias_lands_in_torchs_forget_gate_slice_after_the_init_scheme():
    cell = _lstm_network(2.5)  # xavier: every bias starts at 0
    b_ih, b_hh = cell.bias_ih_l0.detach(), cell.bias_hh_l0.detach()
    assert torch.equal(b_ih[3:6], torch.full((3,), 2.5))  # gates i, f, g, o: f is rows units..2 units
    assert not b_ih[:3].any() and not b_ih[6:].any() and not b_hh.any()
    played = _lstm_network(1.0, init="playground")  # the playground scheme's biases are 0.1: added to
    assert torch.allclose(played.bias_ih_l0[3:6], torch.full((3,), 1.1))
    assert torch.allclose(played.bias_ih_l0[:3], torch.full((3,), 0.1))
    default = _lstm_network(0.0)
    assert not default.bias_ih_l0.any()  # 0, the default, leaves the scheme's bias as it was


def test_the_slice_is_the_gate_torch_forgets_with():
    """Zero weights but the candidate's input weight: c_1 = i·tanh(1), then with a zero input
    c_2 = f·c_1, so h_2 = o·tanh(σ(b)·c_1) names the gate the bias reached, as torch runs it."""
    cell = _lstm_network(3.0, units=1)
    with torch.no_grad():
        cell.weight_ih_l0.zero_()
        cell.weight_hh_l0.zero_()
        cell.weight_ih_l0[2, 0] = 1.0  # g's row: the candidate reads the bit
    x = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    out, _ = cell(x)
    c1 = 0.5 * np.tanh(1.0)
    expected = 0.5 * np.tanh(1 / (1 + np.exp(-3.0)) * c1)
    assert float(out[0, 1, 0].detach()) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "layer, where, says",
    [
        (
            {"type": "lstm", "forget_bias": 50},
            "network.layers[0].forget_bias",
            "must be a number in -10.0..10.0",
        ),
        ({"type": "lstm", "forget_bias": "one"}, "network.layers[0].forget_bias", "must be a number"),
        ({"type": "rnn", "forget_bias": 1.0}, "network.layers[0].forget_bias", "unknown parameter of rnn"),
    ],
)
def test_a_bad_forget_bias_is_refused_in_one_line(layer, where, says):
    with pytest.raises(SpecError) as caught:
        Project.from_dict({"data": {"name": "marked_bit"}, "network": {"layers": [layer]}})
    assert caught.value.path == where and says in str(caught.value) and "\n" not in str(caught.value)


def _stepped_ratio(trainer) -> float:
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ from torch's own nn.LSTM / nn.RNN called once per step."""
    network = trainer.torch_network()
    cell, head = network.layers[0].cell, network.head
    raw = np.asarray(trainer.dataset.x_test, dtype=np.float32)
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(raw))
    y = torch.as_tensor(trainer.dataset.y_test).float()[:, None]  # two classes: one logit, BCE
    state, hs = None, []
    for t in range(x.shape[1]):
        out, state = cell(x[:, t : t + 1], state)
        hs.append(out[:, 0])
        state = (hs[-1][None], state[1]) if isinstance(state, tuple) else hs[-1][None]
    assert trainer.head.loss == "bce"
    loss = F.binary_cross_entropy_with_logits(head(hs[-1]), y)
    first, last = torch.autograd.grad(loss, [hs[0], hs[-1]])
    return float(first.norm() / last.norm())


@pytest.mark.parametrize("layer", [{"type": "lstm", "forget_bias": 1.0}, {"type": "rnn"}])
def test_the_step_gradient_measure_equals_autograd_through_torchs_own_cells(layer):
    project = Project.from_dict(
        {
            "seed": 1,
            "data": {"name": "marked_bit", "samples": 200, "train_fraction": 0.5, "params": {"length": 15}},
            "network": {"layers": [layer | {"units": 6}]},
            "training": {"optimizer": {"name": "adam", "lr": 0.01}, "epochs": 2},
        }
    )
    trainer = build_trainer(project)
    trainer.run(None)
    value = measure(trainer, "first_to_last_step_gradient")
    assert 0 < value < 1e3 and value == pytest.approx(_stepped_ratio(trainer), rel=1e-4)


def test_the_step_gradient_measure_is_nan_without_a_recurrent_layer():
    project = Project.from_dict(
        {"data": {"name": "xor"}, "network": {"layers": [{"type": "dense", "units": 4}]}}
    )
    assert np.isnan(measure(build_trainer(project), "first_to_last_step_gradient"))


def test_a_variant_of_another_recurrent_kind_drops_the_forget_bias():
    from engine.race.variants import variant_project

    lstm = Project.from_dict(
        {"data": {"name": "marked_bit"}, "network": {"layers": [{"type": "lstm", "forget_bias": 2.0}]}}
    )
    gru = variant_project(lstm, {"network.layers[0].type": "gru"})
    assert gru.network.layers[0] == {"type": "gru", "units": 16, "return_sequences": False}
    with pytest.raises(SpecError, match="unknown parameter of rnn"):  # asked for, it is judged
        variant_project(lstm, {"network.layers[0].type": "rnn", "network.layers[0].forget_bias": 1.0})
