"""Every registry entry builds and runs; formulas agree with independent computations."""

import math

import numpy as np
import pytest
import torch

from engine.errors import SpecError
from engine.families.mlp.network import build_network, infer_shapes
from engine.nn.activations import ACTIVATIONS, make_activation
from engine.nn.init import INITIALIZERS, initialize
from engine.nn.layers import LAYERS
from engine.nn.losses import LOSSES, penalty
from engine.nn.optim import OPTIMIZERS
from engine.schedules import SCHEDULES, learning_rate

X = torch.linspace(-3, 3, 13).reshape(-1, 1)

# Written from the textbook definitions, not from torch, so a wrong module would disagree.
REFERENCE = {
    "linear": lambda x: x,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": math.tanh,
    "relu": lambda x: max(0.0, x),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "gelu": lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_matches_its_formula(name):
    got = make_activation(name)(X).flatten().tolist()
    want = [REFERENCE[name](v) for v in X.flatten().tolist()]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_activation_parameters_change_the_function():
    x = torch.tensor([[-2.0]])
    assert make_activation({"name": "leaky_relu", "slope": 0.2})(x).item() == pytest.approx(-0.4)
    assert make_activation({"name": "elu", "alpha": 2.0})(x).item() == pytest.approx(2 * (math.exp(-2) - 1))


def test_maxout_takes_the_largest_piece_per_unit_and_softmax_sums_to_one():
    x = torch.tensor([[1.0, 5.0, -1.0, -3.0, 2.0, 0.0]])
    assert make_activation({"name": "maxout", "k": 3})(x).tolist() == [[5.0, 2.0]]
    p = make_activation("softmax")(torch.tensor([[1.0, 2.0, 3.0]]))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p.numpy()[0], e / e.sum(), rtol=1e-6)


def test_every_activation_is_listed_for_hidden_or_output_use():
    for name, entry in ACTIVATIONS.items():
        assert entry.tags & {"hidden", "output"}, name


OUT = torch.tensor([[0.2], [-1.5], [3.0]])
TARGET = torch.tensor([[1.0], [0.0], [1.0]])


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize(
    ("name", "out", "target", "want"),
    [
        ("mse", OUT, TARGET, np.mean([(0.2 - 1) ** 2, 1.5**2, 2.0**2])),
        ("mae", OUT, TARGET, np.mean([0.8, 1.5, 2.0])),
        ("half_mse", OUT, TARGET, 0.5 * np.mean([(0.2 - 1) ** 2, 1.5**2, 2.0**2])),
        (
            "bce",
            OUT,
            TARGET,
            -np.mean([math.log(_sigmoid(0.2)), math.log(1 - _sigmoid(-1.5)), math.log(_sigmoid(3.0))]),
        ),
        (
            "cross_entropy",
            torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]]),
            torch.tensor([1, 0]),
            -np.mean(
                [
                    math.log(math.exp(2) / (math.exp(1) + math.exp(2) + math.exp(0.5))),
                    math.log(1 / (2 + math.exp(3))),
                ]
            ),
        ),
        (
            "kl_div",
            torch.tensor([[1.0, 2.0], [0.0, 0.0]]),
            torch.tensor([[0.25, 0.75], [1.0, 0.0]]),
            np.mean(
                [
                    0.25 * math.log(0.25 / (1 / (1 + math.e)))
                    + 0.75 * math.log(0.75 / (math.e / (1 + math.e))),
                    1.0 * math.log(1.0 / 0.5),
                ]
            )
            * 1.0,
        ),
    ],
)
def test_loss_matches_its_formula(name, out, target, want):
    got = LOSSES[name].factory()(out, target).item()
    assert got == pytest.approx(want, rel=1e-5)


def test_penalty_is_l1_sum_abs_plus_half_l2_sum_squares():
    w = [torch.tensor([[1.0, -2.0]]), torch.tensor([[3.0]])]
    assert float(penalty(w, 0.1, 0.0)) == pytest.approx(0.1 * 6)
    assert float(penalty(w, 0.0, 0.2)) == pytest.approx(0.5 * 0.2 * 14)
    assert float(penalty(w, 0.1, 0.2)) == pytest.approx(0.6 + 1.4)
    assert penalty(w, 0.0, 0.0) == 0.0


@pytest.mark.parametrize(
    ("schedule", "epoch", "want"),
    [
        ({"name": "constant"}, 37.5, 0.1),
        ({"name": "exponential", "rate": 0.5, "every": 10.0}, 20.0, 0.1 * 0.25),
        ({"name": "exponential", "rate": 0.5, "every": 10.0}, 5.0, 0.1 * 0.5**0.5),
        ({"name": "inverse_time", "rate": 1.0, "every": 2.0}, 6.0, 0.1 / 4),
        ({"name": "step", "rate": 0.1, "every": 10.0}, 9.99, 0.1),
        ({"name": "step", "rate": 0.1, "every": 10.0}, 25.0, 0.1 * 0.01),
        ({"name": "cosine", "period": 100.0, "min_fraction": 0.0}, 50.0, 0.05),
        ({"name": "cosine", "period": 100.0, "min_fraction": 0.1}, 100.0, 0.01),
        ({"name": "cosine", "period": 100.0, "min_fraction": 0.1}, 250.0, 0.01),
        ({"name": "constant", "warmup_epochs": 4.0}, 1.0, 0.025),
        ({"name": "step", "rate": 0.5, "every": 1.0, "warmup_epochs": 2.0}, 1.0, 0.1 * 0.5 * 0.5),
    ],
)
def test_schedule_values_at_chosen_epochs(schedule, epoch, want):
    full = {**SCHEDULES[schedule["name"]].defaults(), **schedule}
    assert learning_rate(full, 0.1, epoch) == pytest.approx(want, rel=1e-9)


def _quadratic_problem(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 3, generator=g)
    y = x @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3
    return x, y


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_lowers_the_loss(name):
    x, y = _quadratic_problem()
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    # Adadelta's steps start at about sqrt(eps) and grow: it needs its customary lr of 1 and more steps.
    lr, steps = (1.0, 400) if name == "adadelta" else (0.05, 60)
    opt = OPTIMIZERS[name].factory(model.parameters(), lr, **OPTIMIZERS[name].defaults())
    losses = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[-1] < 0.5 * losses[0], f"{name}: {losses[0]:.3f} -> {losses[-1]:.3f}"


LAYER_INPUTS = {"any": (6,), "image": (1, 8, 8), "sequence": (5, 2), "activation": (6,)}


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_builds_runs_forward_and_backward_with_the_inferred_shape(name):
    entry = LAYERS[name]
    tag = next(t for t in ("image", "sequence", "any") if t in entry.tags)
    in_shape = LAYER_INPUTS[tag]
    cfg = {"type": name, **entry.defaults()}
    infos = infer_shapes([cfg], in_shape, 3)
    net = build_network([cfg], in_shape, 3, "linear", "he_normal")
    x = torch.randn(4, *in_shape, requires_grad=True)
    out, acts = net.forward_with_activations(x)
    assert tuple(acts[0].shape[1:]) == infos[0].out_shape
    assert out.shape == (4, 3)
    out.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    counted = sum(p.numel() for p in net.parameters())
    assert counted == sum(info.params for info in infos)


@pytest.mark.parametrize(
    ("layers", "in_shape", "message"),
    [
        (
            [
                {
                    "type": "conv2d",
                    "filters": 4,
                    "kernel": 3,
                    "stride": 1,
                    "padding": "same",
                    "activation": "relu",
                }
            ],
            (2,),
            r"network\.layers\[0\]: conv2d needs image input",
        ),
        (
            [
                {"type": "dense", "units": 4, "activation": "tanh"},
                {"type": "lstm", "units": 4, "return_sequences": False},
            ],
            (2,),
            r"network\.layers\[1\]: lstm needs sequence input",
        ),
        ([{"type": "dense", "units": 4096, "activation": "tanh"}] * 3, (2,), r"parameters; the limit is"),
        (
            [{"type": "maxpool", "size": 8}, {"type": "maxpool", "size": 2}],
            (1, 8, 8),
            r"layers\[1\]: pool size 2",
        ),
    ],
)
def test_shape_errors_name_the_layer(layers, in_shape, message):
    with pytest.raises(SpecError, match=message):
        infer_shapes(layers, in_shape, 1)


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_every_initializer_fills_weights_as_described(name):
    torch.manual_seed(0)
    layer = torch.nn.Linear(400, 300)
    initialize(layer, {"name": name, **INITIALIZERS[name].defaults()})
    w, b = layer.weight.detach(), layer.bias.detach()
    fan_in, fan_out = 400, 300
    expected_std = {
        "xavier_uniform": math.sqrt(2 / (fan_in + fan_out)),
        "xavier_normal": math.sqrt(2 / (fan_in + fan_out)),
        "he_uniform": math.sqrt(2 / fan_in),
        "he_normal": math.sqrt(2 / fan_in),
        "lecun_normal": math.sqrt(1 / fan_in),
        "uniform": 0.05 / math.sqrt(3),
        "normal": 0.05,
        "playground": 0.5 / math.sqrt(3),
        "zeros": 0.0,
        "constant": 0.0,
    }[name]
    assert float(w.std()) == pytest.approx(expected_std, rel=0.03, abs=1e-6)
    if name == "constant":
        assert torch.all(w == 0.1) and torch.all(b == 0.1)
    elif name == "playground":
        assert torch.all(b == torch.tensor(0.1)) and float(w.abs().max()) <= 0.5
    else:
        assert torch.all(b == 0)
