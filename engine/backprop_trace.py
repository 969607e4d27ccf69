"""Backpropagation written out, number by number, for a small dense network on a few points.

The step-through view (gui/views/backprop_panel.py) shows what one training step computes: every
unit's pre-activation z and activation a, the loss, ∂L/∂a and ∂L/∂z at every unit, ∂L/∂w on every
edge and the update each weight receives. This module computes them by hand, in float64, from a
state dict of either backend (the same `layers.{i}.linear.*` / `head.linear.*` keys), so that the
chain rule is shown as arithmetic; tests/engine/test_backprop_trace.py holds it to torch autograd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import SpecError
from engine.families.mlp.dense_math import _act_params, _backward_act, _forward_act

HIDDEN = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu")
OUTPUTS = ("linear", "sigmoid", "tanh", "softmax")
LOSSES = ("mse", "half_mse", "mae", "bce", "cross_entropy", "kl_div")


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class DenseNet:
    """A dense stack as plain float64 arrays: hidden layers, then the head."""

    weights: tuple[np.ndarray, ...]  # (out, in)
    biases: tuple[np.ndarray, ...]
    activations: tuple[tuple[str, dict], ...]  # (name, params) per layer, the output's last
    loss: str


@dataclass(frozen=True, eq=False)
class BackpropTrace:
    """One forward and backward pass: per layer (hidden layers, then the output), arrays over
    the rows traced; the loss is the batch mean, as training takes it."""

    inputs: np.ndarray  # (n, features), preprocessed as the network sees them
    targets: np.ndarray  # as the loss takes them
    pre: tuple[np.ndarray, ...]  # z = a_prev @ W.T + b, (n, units)
    post: tuple[np.ndarray, ...]  # a = f(z); post[-1] is the network's output
    loss: float
    grad_post: tuple[np.ndarray, ...]  # ∂L/∂a
    grad_pre: tuple[np.ndarray, ...]  # ∂L/∂z
    grad_weights: tuple[np.ndarray, ...]  # ∂L/∂W, (out, in)
    grad_biases: tuple[np.ndarray, ...]


def layer_keys(n_hidden: int) -> list[str]:
    """The state-dict prefixes of a dense stack's layers, the head last."""
    return [f"layers.{i}.linear" for i in range(n_hidden)] + ["head.linear"]


def dense_net(state: dict, layers: list[dict], output_activation: str, loss: str) -> DenseNet:
    """The network of `state` (either backend's state dict) as a DenseNet; SpecError saying why
    when the stack is not one this module can trace."""
    for i, layer in enumerate(layers):
        if layer["type"] != "dense":
            raise SpecError(
                f"network.layers[{i}]", f"step-through traces dense layers only, not {layer['type']}"
            )
        name = _act_params(layer["activation"])[0]
        if name not in HIDDEN:
            raise SpecError(
                f"network.layers[{i}]", f"step-through traces {', '.join(HIDDEN)} units, not {name}"
            )
    if output_activation not in OUTPUTS:
        raise SpecError(
            "network.output_activation", f"step-through cannot trace a {output_activation} output"
        )
    if loss not in LOSSES:
        raise SpecError("training.loss", f"step-through cannot trace the {loss} loss")
    keys = layer_keys(len(layers))
    missing = [k for k in keys if f"{k}.weight" not in state]
    if missing:
        raise SpecError("weights", f"the weights have no {missing[0]}.weight")
    return DenseNet(
        weights=tuple(np.array(state[f"{k}.weight"], dtype=np.float64) for k in keys),
        biases=tuple(np.array(state[f"{k}.bias"], dtype=np.float64) for k in keys),
        activations=tuple(_act_params(layer["activation"]) for layer in layers) + ((output_activation, {}),),
        loss=loss,
    )


def trainer_net(trainer) -> DenseNet:
    """The trainer's current network (numpy fast path or torch backend) as a DenseNet."""
    head = trainer.head
    return dense_net(
        trainer.backend.state_dict(), trainer.project.network.layers, head.output_activation, head.loss
    )


def _forward(name: str, p: dict, z: np.ndarray) -> np.ndarray:
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "sigmoid":  # the exact logistic (the fast path's tanh form differs in the last bits)
        return 1.0 / (1.0 + np.exp(-z))
    return _forward_act(name, p, z)


def _backward(name: str, p: dict, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """∂L/∂z from ∂L/∂a; softmax mixes a row's units: J^T g = a·(g - Σ g·a)."""
    if name == "softmax":
        return a * (grad - (grad * a).sum(axis=1, keepdims=True))
    return _backward_act(name, p, z, a, grad)


def loss_and_gradient(loss: str, out: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """The batch's mean loss and ∂L/∂output, as torch's losses reduce them (mean over every value;
    cross-entropy and KL over rows)."""
    n = len(out)
    if loss == "bce":  # BCEWithLogitsLoss: `out` is the logit
        value = float(np.mean(np.logaddexp(0.0, out) - t * out))
        return value, (1.0 / (1.0 + np.exp(-out)) - t) / out.size
    if loss in ("cross_entropy", "kl_div"):
        shifted = out - out.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        if loss == "cross_entropy":
            index = np.asarray(t, dtype=np.int64)
            target = np.eye(out.shape[1])[index]
            value = -float(log_p[np.arange(n), index].sum()) / n
        else:
            target = np.asarray(t, dtype=np.float64)
            logs = np.log(np.where(target > 0, target, 1.0))
            value = float((target * (logs - log_p)).sum()) / n
        return value, (np.exp(log_p) * target.sum(axis=1, keepdims=True) - target) / n
    diff = out - t
    if loss == "mae":
        return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size
    scale = 0.5 if loss == "half_mse" else 1.0
    return scale * float(np.mean(diff * diff)), (2.0 * scale / diff.size) * diff


def trace_backprop(net: DenseNet, x: np.ndarray, targets: np.ndarray) -> BackpropTrace:
    """Forward, loss and backward of `net` on the rows `x` (preprocessed) with `targets`."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    if x.shape[1] != net.weights[0].shape[1]:
        raise SpecError(
            "inputs", f"the network takes {net.weights[0].shape[1]} inputs, the rows have {x.shape[1]}"
        )
    t = np.asarray(targets)
    t = t.astype(np.int64) if t.dtype.kind in "iu" else t.astype(np.float64)
    pre, post, a = [], [], x
    for W, b, (name, p) in zip(net.weights, net.biases, net.activations, strict=True):
        z = a @ W.T + b
        a = _forward(name, p, z)
        pre.append(z)
        post.append(a)
    loss, grad = loss_and_gradient(net.loss, post[-1], t)
    count = len(net.weights)
    grad_post, grad_pre = [None] * count, [None] * count
    grad_w, grad_b = [None] * count, [None] * count
    for i in range(count - 1, -1, -1):
        name, p = net.activations[i]
        grad_post[i] = grad
        dz = _backward(name, p, pre[i], post[i], grad)
        grad_pre[i] = dz
        below = post[i - 1] if i else x
        grad_w[i] = dz.T @ below
        grad_b[i] = dz.sum(axis=0)
        grad = dz @ net.weights[i]
    return BackpropTrace(
        inputs=x,
        targets=t,
        pre=tuple(pre),
        post=tuple(post),
        loss=loss,
        grad_post=tuple(grad_post),
        grad_pre=tuple(grad_pre),
        grad_weights=tuple(grad_w),
        grad_biases=tuple(grad_b),
    )


@dataclass(frozen=True, eq=False)
class WeightUpdate:
    """What one optimizer step on the traced rows changes: Δw per layer, and what it is."""

    weights: tuple[np.ndarray, ...]  # Δ of each weight matrix (out, in)
    biases: tuple[np.ndarray, ...]
    exact: bool  # the optimizer's own step (else the plain gradient step, for comparison)
    note: str  # one sentence for the learner: the rule used, and why when not exact


def sgd_update(net: DenseNet, trace: BackpropTrace, lr: float, training) -> WeightUpdate:
    """The step training would take from `trace`'s gradients with `training` (a TrainingSpec).

    Exact where the step depends on the gradient alone: plain SGD with its weight decay, the
    L1/L2 penalty, gradient clipping. Momentum, Adam and the rest also read running averages that
    live in the training process; for them this is the plain step -lr·g, and `note` says so.
    """
    grads = [g.copy() for g in trace.grad_weights] + [g.copy() for g in trace.grad_biases]
    count = len(net.weights)
    playground = training.preset == "playground"
    if not playground:  # the penalty's gradient, on weight matrices only (engine/nn/losses.penalty)
        for i, W in enumerate(net.weights):
            grads[i] = grads[i] + training.l1 * np.sign(W) + training.l2 * W
    clip = training.grad_clip
    if clip["mode"] == "norm":
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        scale = clip["max"] / (norm + 1e-6)
        if scale < 1.0:
            grads = [g * scale for g in grads]
    elif clip["mode"] == "value":
        grads = [np.clip(g, -clip["max"], clip["max"]) for g in grads]
    optimizer = training.optimizer
    name = optimizer["name"]
    decay = float(optimizer.get("weight_decay", 0.0) or 0.0) if name == "sgd" else 0.0
    params = list(net.weights) + list(net.biases)
    deltas = [-lr * (g + decay * p) for g, p in zip(grads, params, strict=True)]
    exact = name == "sgd" and not (playground and (training.l1 > 0 or training.l2 > 0))
    if exact:
        note = f"SGD: Δw = −lr·∂L/∂w with lr = {lr:g}" + (f" (weight decay {decay:g})" if decay else "")
    elif name == "sgd":
        note = (
            f"Shown: Δw = −lr·∂L/∂w (lr = {lr:g}); the playground then applies its L1/L2 step "
            "separately, which is not included"
        )
    else:
        note = (
            f"{name} also scales each step by running averages kept in the training process; "
            f"shown for comparison is the plain gradient step Δw = −lr·∂L/∂w (lr = {lr:g})"
        )
    return WeightUpdate(tuple(deltas[:count]), tuple(deltas[count:]), exact, note)


def trace_training_rows(state: dict, project, dataset, head, rows) -> tuple[DenseNet, BackpropTrace]:
    """The trace of training rows `rows` of `dataset` through the network of `state`, with the
    inputs preprocessed and the targets encoded as the trainer does (fitted on the same split),
    so a process holding only the weights (the window) computes what the trainer would."""
    from engine.families.mlp.task import encode_targets
    from engine.nn.preprocess import build_preprocessor

    rows = np.atleast_1d(np.asarray(rows))
    count = len(dataset.x_train)
    if rows.dtype.kind not in "iu" or not len(rows) or rows.min() < 0 or rows.max() >= count:
        raise SpecError("rows", f"training points are numbered 0 to {count - 1}, not {rows.tolist()}")
    net = dense_net(state, project.network.layers, head.output_activation, head.loss)
    x = build_preprocessor(dataset, vars(project.data)).apply_numpy(dataset.x_train[rows])
    return net, trace_backprop(net, x, encode_targets(head, dataset.y_train[rows]))
