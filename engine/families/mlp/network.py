"""The network: a user's layer stack plus an output head derived from the task.

State-dict keys are stable and documented: ``layers.{i}.<part>`` for the i-th user layer (a dense
layer's weights are ``layers.{i}.linear.weight``) and ``head.linear.weight`` for the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from engine.errors import SpecError
from engine.nn.init import initialize
from engine.nn.layers import LAYERS, DenseLayer

MAX_PARAMETERS = 20_000_000  # checked on shapes, before any tensor is allocated
MAX_ACTIVATIONS = 2_000_000  # values per sample across all layers


@dataclass(frozen=True)
class LayerInfo:
    """What a layer card shows: its output shape and parameter count."""

    name: str
    out_shape: tuple[int, ...]
    params: int


class Network(nn.Module):
    def __init__(self, layers: list[nn.Module], head: DenseLayer):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return self.head(x)

    def forward_with_activations(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        outputs = []
        for layer in self.layers:
            x = layer(x)
            outputs.append(x)
        return self.head(x), outputs


def infer_shapes(layers: list[dict[str, Any]], in_shape: tuple[int, ...], n_out: int) -> list[LayerInfo]:
    """Every layer's output shape and parameters (the head last); SpecError names the first bad layer."""
    infos, shape, total, values = [], tuple(in_shape), 0, 0
    for i, cfg in enumerate(layers):
        kind = LAYERS[cfg["type"]].factory
        shape, params = kind.shape(shape, cfg, f"network.layers[{i}]")
        total += params
        values += int(torch.Size(shape).numel())
        infos.append(LayerInfo(cfg["type"], shape, params))
    flat = int(torch.Size(shape).numel())
    head_params = (flat + 1) * n_out
    infos.append(LayerInfo("output", (n_out,), head_params))
    total += head_params
    if total > MAX_PARAMETERS:
        raise SpecError(
            "network.layers", f"the network would have {total:,} parameters; the limit is {MAX_PARAMETERS:,}"
        )
    if values > MAX_ACTIVATIONS:
        raise SpecError(
            "network.layers",
            f"the layers would produce {values:,} values per sample; the limit is {MAX_ACTIVATIONS:,}",
        )
    return infos


def build_network(
    layers: list[dict[str, Any]], in_shape: tuple[int, ...], n_out: int, output_activation: str, init: Any
) -> Network:
    """Build and initialise the Network (call infer_shapes first to validate)."""
    modules, shape = [], tuple(in_shape)
    for i, cfg in enumerate(layers):
        kind = LAYERS[cfg["type"]].factory
        modules.append(kind.build(shape, cfg))
        shape, _ = kind.shape(shape, cfg, f"network.layers[{i}]")
    network = Network(modules, DenseLayer(int(torch.Size(shape).numel()), n_out, output_activation))
    initialize(network, init)
    return network


def weight_tensors(network: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """Weight matrices and kernels (not biases or norm scales): what L1/L2 and the stats look at."""
    return [(name, p) for name, p in network.named_parameters() if p.dim() >= 2]
