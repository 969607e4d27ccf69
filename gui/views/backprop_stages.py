"""The stages of one training step, in the order the step-through shows them, from a trace.

Plain data (no Qt): each Stage says in a sentence what happens, which numbers stand beside which
units, and what the edges of which weight matrices show. Columns count the network view's
columns: 0 the inputs, 1..L the hidden layers, L+1 the output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LOSS_NAMES = {
    "mse": "squared error",
    "half_mse": "½·squared error",
    "mae": "absolute error",
    "bce": "binary cross-entropy",
    "cross_entropy": "cross-entropy",
    "kl_div": "KL divergence",
}


def number(value: float) -> str:
    """Short, signed, readable: 0.0123, -1.24, 3.4e-05."""
    return f"{float(value):.3g}".replace("-", "−")


@dataclass(frozen=True)
class Stage:
    kind: str  # "forward" | "loss" | "backward" | "update"
    sentence: str
    texts: dict[int, list[str]] = field(default_factory=dict)  # column -> one text per unit
    edge_values: dict[int, np.ndarray] = field(default_factory=dict)  # matrix -> (out, in) values drawn
    edge_tips: dict[int, np.ndarray] = field(default_factory=dict)  # matrix -> (out, in) hover texts


def _activation(name: str) -> str:
    return {"linear": "a = z", "softmax": "a = softmax(z)"}.get(name, f"a = {name}(z)")


def build_stages(net, trace, update, lr: float, point: str) -> list[Stage]:
    """Forward layer by layer, the loss, backward layer by layer, the update, for row 0 of `trace`."""
    layers = len(net.weights)
    forward: dict[int, list[str]] = {0: [f"x {number(v)}" for v in trace.inputs[0]]}
    stages = [Stage("forward", f"Forward: the training point {point} enters as its inputs x.", dict(forward))]
    for m in range(layers):
        name = "the output layer" if m == layers - 1 else f"hidden layer {m + 1}"
        forward[m + 1] = [
            f"z {number(z)}\na {number(a)}" for z, a in zip(trace.pre[m][0], trace.post[m][0], strict=True)
        ]
        stages.append(
            Stage(
                "forward",
                f"Forward, {name}: each unit adds up its weighted inputs, z = Σ w·a + b, then "
                f"{_activation(net.activations[m][0])}.",
                dict(forward),
                {m: net.weights[m]},
                {m: _tips(net.weights[m], "w", net.weights[m])},
            )
        )
    loss_name = LOSS_NAMES.get(net.loss, net.loss)
    target = ", ".join(number(v) for v in np.atleast_1d(trace.targets[0]))
    texts = dict(forward)
    texts[layers] = [f"{t}\nL {number(trace.loss)}" for t in forward[layers]]
    stages.append(
        Stage(
            "loss",
            f"Loss: the {loss_name} of the output against the target {target} is L = {number(trace.loss)}"
            + _inside_the_loss(net.loss, trace.post[-1][0])
            + ".",
            texts,
        )
    )
    for m in range(layers - 1, -1, -1):
        name = "the output layer" if m == layers - 1 else f"hidden layer {m + 1}"
        texts = {
            m + 1: [
                f"∂a {number(da)}\n∂z {number(dz)}"
                for da, dz in zip(trace.grad_post[m][0], trace.grad_pre[m][0], strict=True)
            ]
        }
        stages.append(
            Stage(
                "backward",
                f"Backward, {name}: ∂L/∂z = ∂L/∂a · f′(z) at each unit; each edge gets "
                "∂L/∂w = ∂L/∂z (its end) · a (its start), and ∂L/∂a passes down as Σ w·∂L/∂z.",
                texts,
                {m: trace.grad_weights[m]},
                {m: _tips(trace.grad_weights[m], "∂L/∂w", net.weights[m])},
            )
        )
    texts = {m + 1: [f"Δb {number(d)}" for d in update.biases[m]] for m in range(layers)}
    sentence = f"Update: every weight moves by Δw. {update.note}."
    stages.append(
        Stage(
            "update",
            sentence,
            texts,
            dict(enumerate(update.weights)),
            {m: _update_tips(net.weights[m], update.weights[m]) for m in range(layers)},
        )
    )
    return stages


def _tips(values: np.ndarray, label: str, weights: np.ndarray) -> np.ndarray:
    tips = np.empty(values.shape, dtype=object)
    for (o, i), value in np.ndenumerate(values):
        tips[o, i] = f"{label} = {number(value)}" + (
            "" if label == "w" else f" (w = {number(weights[o, i])})"
        )
    return tips


def _update_tips(weights: np.ndarray, delta: np.ndarray) -> np.ndarray:
    tips = np.empty(weights.shape, dtype=object)
    for (o, i), w in np.ndenumerate(weights):
        tips[o, i] = f"w {number(w)} → {number(w + delta[o, i])} (Δw = {number(delta[o, i])})"
    return tips


def _inside_the_loss(loss: str, out: np.ndarray) -> str:
    """What the loss does to the output before comparing it, where that is not plain to see: binary
    cross-entropy reads the output as a logit (the sigmoid sits inside the loss), cross-entropy
    puts a softmax over the outputs."""
    if loss == "bce":
        p = 1.0 / (1.0 + np.exp(-float(out[0])))
        return f" (it first turns the output into a probability, p = σ(a) = {number(p)})"
    if loss == "cross_entropy" and out.size > 1:
        e = np.exp(out - out.max())
        probs = ", ".join(number(v) for v in e / e.sum())
        return f" (it first turns the outputs into probabilities with a softmax: {probs})"
    return ""
