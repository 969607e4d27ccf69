"""Weight initialisers as torch code; their names and parameters are in engine.spec.catalog.initializers.

Each scheme function takes the scheme's parameters and returns (weight function, bias value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from engine.spec.catalog.initializers import INITIALIZERS, init_spec  # noqa: F401 - names callers import

Scheme = tuple[Callable[[torch.Tensor], Any], float]


def _fans(w: torch.Tensor) -> tuple[int, int]:
    receptive = w[0][0].numel() if w.dim() > 2 else 1
    return w.shape[1] * receptive, w.shape[0] * receptive


def _uniform(bound: float):
    return lambda w: nn.init.uniform_(w, -bound, bound)


def zeros() -> Scheme:
    return nn.init.zeros_, 0.0


def constant(value: float) -> Scheme:
    return (lambda w: nn.init.constant_(w, value)), value


def uniform(scale: float) -> Scheme:
    return _uniform(scale), 0.0


def normal(std: float) -> Scheme:
    return (lambda w: nn.init.normal_(w, 0.0, std)), 0.0


def xavier_uniform() -> Scheme:
    return (lambda w: _uniform(math.sqrt(6.0 / sum(_fans(w))))(w)), 0.0


def xavier_normal() -> Scheme:
    return (lambda w: nn.init.normal_(w, 0.0, math.sqrt(2.0 / sum(_fans(w))))), 0.0


def he_uniform() -> Scheme:
    return (lambda w: _uniform(math.sqrt(6.0 / _fans(w)[0]))(w)), 0.0


def he_normal() -> Scheme:
    return (lambda w: nn.init.normal_(w, 0.0, math.sqrt(2.0 / _fans(w)[0]))), 0.0


def lecun_normal() -> Scheme:
    return (lambda w: nn.init.normal_(w, 0.0, math.sqrt(1.0 / _fans(w)[0]))), 0.0


def playground() -> Scheme:
    return _uniform(0.5), 0.1


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
