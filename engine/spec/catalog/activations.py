"""Activation functions by name and their parameters (slope, alpha, pieces); modules in engine.nn.activations."""

from __future__ import annotations

from typing import Any

from engine.spec.registry import Entry, Param, Registry

HIDDEN_AND_OUTPUT = frozenset({"hidden", "output"})
_OWN = "engine.nn.activations"

ACTIVATIONS = Registry(
    "activation",
    [
        Entry(
            "linear",
            "torch.nn:Identity",
            "Linear",
            "f(x) = x: stacking linear layers stays linear",
            (),
            HIDDEN_AND_OUTPUT,
        ),
        Entry(
            "sigmoid",
            "torch.nn:Sigmoid",
            "Sigmoid",
            "1/(1+e^-x): saturates, gradients vanish in deep stacks",
            (),
            HIDDEN_AND_OUTPUT,
        ),
        Entry("tanh", "torch.nn:Tanh", "Tanh", "zero-centred sigmoid in (-1, 1)", (), HIDDEN_AND_OUTPUT),
        Entry(
            "relu",
            "torch.nn:ReLU",
            "ReLU",
            "max(0, x): cheap, no saturation for x > 0; units can die",
            (),
            HIDDEN_AND_OUTPUT,
        ),
        Entry(
            "leaky_relu",
            f"{_OWN}:leaky_relu",
            "Leaky ReLU",
            "x for x > 0, slope·x otherwise: no dead units",
            (Param("slope", 0.01, float, 0.0, 1.0, help="slope for negative inputs"),),
            frozenset({"hidden"}),
        ),
        Entry(
            "elu",
            f"{_OWN}:elu",
            "ELU",
            "x for x > 0, alpha·(e^x - 1) otherwise: smooth, negative outputs",
            (Param("alpha", 1.0, float, 0.0, 10.0, help="value the output approaches for very negative x"),),
            frozenset({"hidden"}),
        ),
        Entry(
            "gelu",
            "torch.nn:GELU",
            "GELU",
            "x·Φ(x): the smooth ReLU of transformers",
            (),
            frozenset({"hidden"}),
        ),
        Entry(
            "maxout",
            f"{_OWN}:Maxout",
            "Maxout",
            "max of k linear pieces per unit (dense layers only): learns its own convex activation",
            (Param("k", 2, int, 2, 8, help="linear pieces per unit"),),
            frozenset({"hidden", "dense_only"}),
        ),
        Entry(
            "softmax",
            f"{_OWN}:Softmax",
            "Softmax",
            "exp(x_i)/Σ exp(x_j): class probabilities",
            (),
            frozenset({"output"}),
        ),
    ],
)


def parse_activation(value: Any, path: str) -> tuple[str, dict[str, Any]]:
    """`"relu"` or `{"name": "leaky_relu", "slope": 0.1}` -> (name, checked params)."""
    if isinstance(value, dict):
        given = dict(value)
        entry = ACTIVATIONS.lookup(given.pop("name", None), f"{path}.name", tag="hidden")
        return entry.name, entry.check_params(given, path)
    entry = ACTIVATIONS.lookup(value, path, tag="hidden")
    return entry.name, entry.defaults()


def activation_name(value: Any) -> str:
    return value["name"] if isinstance(value, dict) else value


def pieces(value: Any) -> int:
    """How many pre-activation values each unit needs (k for maxout, else 1)."""
    if activation_name(value) != "maxout":
        return 1
    return int(value.get("k", 2)) if isinstance(value, dict) else 2
