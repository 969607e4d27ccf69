"""Weight initialisers by name: from all-zeros (the symmetry lesson) to He and the playground's own."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from engine.spec.registry import Entry, Param, Registry


def _fans(w: torch.Tensor) -> tuple[int, int]:
    receptive = w[0][0].numel() if w.dim() > 2 else 1
    return w.shape[1] * receptive, w.shape[0] * receptive


def _uniform(bound: float):
    return lambda w: nn.init.uniform_(w, -bound, bound)


def _zeros(w: torch.Tensor) -> None:
    nn.init.zeros_(w)


def _scheme(name: str, **params: Any):
    """weight_fn(w) for scheme `name`, and the bias value (None = zeros)."""
    if name == "zeros":
        return _zeros, 0.0
    if name == "constant":
        return (lambda w: nn.init.constant_(w, params["value"])), params["value"]
    if name == "uniform":
        return _uniform(params["scale"]), 0.0
    if name == "normal":
        return (lambda w: nn.init.normal_(w, 0.0, params["std"])), 0.0
    if name == "xavier_uniform":
        return (lambda w: _uniform(math.sqrt(6.0 / sum(_fans(w))))(w)), 0.0
    if name == "xavier_normal":
        return (lambda w: nn.init.normal_(w, 0.0, math.sqrt(2.0 / sum(_fans(w))))), 0.0
    if name == "he_uniform":
        return (lambda w: _uniform(math.sqrt(6.0 / _fans(w)[0]))(w)), 0.0
    if name == "he_normal":
        return (lambda w: nn.init.normal_(w, 0.0, math.sqrt(2.0 / _fans(w)[0]))), 0.0
    if name == "lecun_normal":
        return (lambda w: nn.init.normal_(w, 0.0, math.sqrt(1.0 / _fans(w)[0]))), 0.0
    if name == "playground":
        return _uniform(0.5), 0.1
    raise KeyError(name)


def _entry(name: str, label: str, help: str, params: tuple[Param, ...] = ()) -> Entry:
    return Entry(name, lambda **p: _scheme(name, **p), label, help, params)


INITIALIZERS = Registry(
    "initializer",
    [
        _entry(
            "xavier_uniform",
            "Xavier (Glorot) uniform",
            "U(±√(6/(fan_in+fan_out))): keeps tanh/sigmoid signals steady",
        ),
        _entry("xavier_normal", "Xavier (Glorot) normal", "N(0, 2/(fan_in+fan_out))"),
        _entry("he_uniform", "He uniform", "U(±√(6/fan_in)): for ReLU, which halves the variance"),
        _entry("he_normal", "He normal", "N(0, 2/fan_in): for ReLU"),
        _entry("lecun_normal", "LeCun normal", "N(0, 1/fan_in)"),
        _entry(
            "uniform",
            "Uniform",
            "U(-scale, scale) whatever the layer size",
            (Param("scale", 0.05, float, 0.0, 10.0, help="half-width of the interval"),),
        ),
        _entry(
            "normal",
            "Normal",
            "N(0, std²) whatever the layer size: too small vanishes, too large explodes",
            (Param("std", 0.05, float, 0.0, 10.0, help="standard deviation"),),
        ),
        _entry(
            "constant",
            "Constant",
            "every weight and bias the same value: units stay identical (symmetry)",
            (Param("value", 0.1, float, -10.0, 10.0),),
        ),
        _entry("zeros", "Zeros", "all weights zero: no unit can differ from its neighbours, nothing learns"),
        _entry("playground", "Playground", "U(-0.5, 0.5) weights and 0.1 biases, as TensorFlow Playground"),
    ],
)


def init_spec(value: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(value, dict):
        return value["name"], {k: v for k, v in value.items() if k != "name"}
    return value, INITIALIZERS[value].defaults()


@torch.no_grad()
def initialize(module: nn.Module, value: Any) -> None:
    """Apply the scheme to every weight matrix/kernel (dim >= 2) and its bias; norms keep (1, 0)."""
    name, params = init_spec(value)
    weight_fn, bias_value = INITIALIZERS[name].factory(**params)
    for sub in module.modules():
        if isinstance(sub, (nn.Linear, nn.Conv2d)):
            weight_fn(sub.weight)
            if sub.bias is not None:
                nn.init.constant_(sub.bias, bias_value)
        elif isinstance(sub, nn.RNNBase):
            for pname, p in sub.named_parameters():
                if pname.startswith("weight"):
                    weight_fn(p)
                else:
                    nn.init.constant_(p, bias_value)
