"""The step-through's numbers against torch autograd: every z, a, ∂L/∂a, ∂L/∂z, ∂L/∂W and Δw."""

import numpy as np
import pytest
import torch

from engine.backprop_trace import dense_net, sgd_update, trace_backprop, trainer_net
from engine.errors import SpecError
from engine.nn.activations import make_activation
from engine.nn.losses import LOSSES
from engine.spec.project import Project
from engine.train import Trainer

TANH_2441 = [{"type": "dense", "units": 4, "activation": "tanh"}] * 2
MIXED = [
    {"type": "dense", "units": 5, "activation": {"name": "leaky_relu", "slope": 0.1}},
    {"type": "dense", "units": 3, "activation": {"name": "elu", "alpha": 0.5}},
]


def make_trainer(backend, data="xor", layers=TANH_2441, **training):
    doc = {
        "seed": 3,
        "data": {"name": data, "samples": 90},
        "network": {"layers": layers},
        "training": {"backend": backend, "device": "cpu", "batch_size": 6, "epochs": 2, **training},
    }
    trainer = Trainer(Project.from_dict(doc))
    assert trainer.backend_name == backend
    trainer.run_epoch()  # trained a little: weights away from their initial symmetry
    return trainer


def train_rows(trainer, rows):
    """The training split's preprocessed rows and loss targets, from either backend, as numpy."""
    x, t = trainer.backend._splits["train"]
    x, t = (x.cpu().numpy(), t.cpu().numpy()) if torch.is_tensor(x) else (x, t)
    return x[rows], t[rows]


def autograd(trainer, rows):
    """The same pass by torch in float64: activations kept with retain_grad, the loss module's own."""
    layers = trainer.project.network.layers
    state = trainer.backend.state_dict()
    x_np, t_np = train_rows(trainer, rows)
    x = torch.tensor(x_np, dtype=torch.float64)
    t = torch.tensor(t_np, dtype=torch.int64 if t_np.dtype.kind in "iu" else torch.float64)
    keys = [f"layers.{i}.linear" for i in range(len(layers))] + ["head.linear"]
    acts = [make_activation(layer["activation"]) for layer in layers]
    out_name = trainer.head.output_activation
    acts.append(torch.nn.Softmax(dim=1) if out_name == "softmax" else make_activation(out_name))
    params, zs, As, a = [], [], [], x
    for key, act in zip(keys, acts, strict=True):
        W = torch.tensor(np.asarray(state[f"{key}.weight"]), dtype=torch.float64, requires_grad=True)
        b = torch.tensor(np.asarray(state[f"{key}.bias"]), dtype=torch.float64, requires_grad=True)
        z = a @ W.T + b
        a = act(z)
        z.retain_grad()
        a.retain_grad()
        params.append((W, b))
        zs.append(z)
        As.append(a)
    loss = LOSSES[trainer.head.loss].factory(**trainer.head.loss_params)(a, t)
    loss.backward()
    return x, t, params, zs, As, loss


def check_against_autograd(trainer, rows):
    x, t, params, zs, As, loss = autograd(trainer, rows)
    trace = trace_backprop(trainer_net(trainer), x.numpy(), t.numpy())
    tol = dict(rtol=0, atol=1e-6)
    assert trace.loss == pytest.approx(float(loss.detach()), abs=1e-6)
    for i, ((W, b), z, a) in enumerate(zip(params, zs, As, strict=True)):
        np.testing.assert_allclose(trace.pre[i], z.detach().numpy(), **tol)
        np.testing.assert_allclose(trace.post[i], a.detach().numpy(), **tol)
        np.testing.assert_allclose(trace.grad_pre[i], z.grad.numpy(), **tol)
        np.testing.assert_allclose(trace.grad_post[i], a.grad.numpy(), **tol)
        np.testing.assert_allclose(trace.grad_weights[i], W.grad.numpy(), **tol)
        np.testing.assert_allclose(trace.grad_biases[i], b.grad.numpy(), **tol)
    # Not trivially zero: the comparison would pass on a network that learns nothing.
    assert max(float(np.abs(g).max()) for g in trace.grad_weights) > 1e-4
    return trace


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize(
    "case",
    [
        {"layers": TANH_2441},  # 2-4-4-1 tanh, bce on a logit
        {"layers": TANH_2441, "loss": "mse"},  # sigmoid output, squared error
        {"layers": MIXED, "data": "plane"},  # regression, linear output
        {"layers": TANH_2441, "data": "spiral3"},  # 3 classes, softmax inside cross-entropy
    ],
    ids=["tanh-bce", "tanh-mse-sigmoid", "leaky-elu-regression", "3-class-cross-entropy"],
)
def test_every_number_equals_autograd(backend, case):
    trainer = make_trainer(backend, **case)
    check_against_autograd(trainer, np.array([0]))
    check_against_autograd(trainer, np.arange(5))  # a mini-batch: the mean's 1/n everywhere


def test_softmax_output_with_squared_error_equals_autograd():
    """A softmax output layer (not folded into the loss): its Jacobian mixes the row's units."""
    from engine.families.mlp.task import TaskHead

    trainer = make_trainer("torch", data="spiral3", loss="mse")
    assert trainer.head.output_activation == "softmax"
    assert isinstance(trainer.head, TaskHead)
    check_against_autograd(trainer, np.arange(4))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_sgd_update_is_the_step_training_takes(backend):
    """Δw shown = what the trainer's own optimizer does on the same rows (weight decay, clipping)."""
    trainer = make_trainer(
        backend,
        optimizer={"name": "sgd", "lr": 0.2, "weight_decay": 0.01},
        grad_clip={"mode": "norm", "max": 0.05},
        l2=0.02,
    )
    rows = np.array([3, 7])
    net = trainer_net(trainer)
    update = sgd_update(net, trace_backprop(net, *train_rows(trainer, rows)), 0.2, trainer.training)
    assert update.exact
    trainer.backend.train_batch(rows, 0.2, collect=False)
    after = trainer_net(trainer)
    tol = 1e-6 if backend == "numpy" else 2e-6  # torch steps in float32
    for i in range(len(net.weights)):
        np.testing.assert_allclose(net.weights[i] + update.weights[i], after.weights[i], atol=tol, rtol=0)
        np.testing.assert_allclose(net.biases[i] + update.biases[i], after.biases[i], atol=tol, rtol=0)
    assert max(float(np.abs(d).max()) for d in update.weights) > 1e-5


def test_stateful_optimizer_is_said_not_exact():
    trainer = make_trainer("numpy", optimizer={"name": "adam", "lr": 0.01})
    net = trainer_net(trainer)
    trace = trace_backprop(net, *train_rows(trainer, [0]))
    update = sgd_update(net, trace, 0.01, trainer.training)
    assert not update.exact and "adam" in update.note
    np.testing.assert_allclose(update.weights[0], -0.01 * trace.grad_weights[0])


def test_refuses_what_it_cannot_trace():
    state = {"layers.0.linear.weight": np.zeros((2, 2)), "layers.0.linear.bias": np.zeros(2)}
    with pytest.raises(SpecError, match="dense layers only"):
        dense_net(state, [{"type": "conv", "activation": "relu"}], "linear", "mse")
    with pytest.raises(SpecError, match="gelu"):
        dense_net(state, [{"type": "dense", "units": 2, "activation": "gelu"}], "linear", "mse")
    with pytest.raises(SpecError, match="head.linear"):
        dense_net(state, [{"type": "dense", "units": 2, "activation": "tanh"}], "linear", "mse")


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_the_window_side_trace_preprocesses_as_the_trainer_does(backend):
    """From the weights, the project and the raw data alone (what the window holds), the same trace."""
    from engine.backprop_trace import trace_training_rows

    trainer = make_trainer(backend, data="circle")
    net, trace = trace_training_rows(
        trainer.state_dict(), trainer.project, trainer.dataset, trainer.head, [2, 9]
    )
    direct = trace_backprop(trainer_net(trainer), *train_rows(trainer, [2, 9]))
    np.testing.assert_array_equal(trace.inputs, direct.inputs)
    for mine, theirs in zip(trace.grad_weights, direct.grad_weights, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    with pytest.raises(SpecError, match="numbered 0 to"):
        trace_training_rows(trainer.state_dict(), trainer.project, trainer.dataset, trainer.head, [10_000])
