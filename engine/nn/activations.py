"""Activation functions as torch modules; their names and parameters are in engine.spec.catalog.activations."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from engine.spec.catalog.activations import (  # noqa: F401 - the names callers import from here
    ACTIVATIONS,
    HIDDEN_AND_OUTPUT,
    activation_name,
    parse_activation,
    pieces,
)


class Maxout(nn.Module):
    """Maximum over `k` pieces: the layer before it produces units*k values, grouped by unit."""

    def __init__(self, k: int = 2):
        super().__init__()
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.unflatten(1, (x.shape[1] // self.k, self.k)).amax(dim=2)


class Softmax(nn.Softmax):
    def __init__(self):
        super().__init__(dim=1)


def leaky_relu(slope: float = 0.01) -> nn.Module:
    return nn.LeakyReLU(slope)


def elu(alpha: float = 1.0) -> nn.Module:
    return nn.ELU(alpha)


def make_activation(value: Any) -> nn.Module:
    """The module for a layer's activation value (a name or a dict with parameters)."""
    if isinstance(value, dict):
        params = {k: v for k, v in value.items() if k != "name"}
        return ACTIVATIONS[value["name"]].factory(**params)
    entry = ACTIVATIONS[value]
    return entry.factory(**entry.defaults())
