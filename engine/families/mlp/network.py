"""The network: a user's layer stack plus an output head derived from the task.

State-dict keys are stable and documented: ``layers.{i}.<part>`` for the i-th user layer (a dense
layer's weights are ``layers.{i}.linear.weight``) and ``head.linear.weight`` for the output.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from engine.families.mlp.shapes import MAX_ACTIVATIONS, MAX_PARAMETERS, LayerInfo, infer_shapes  # noqa: F401
from engine.nn.init import initialize
from engine.nn.layers import LAYERS, DenseLayer, Recurrent


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
    for module in network.layers:
        if isinstance(module, Recurrent):
            module.add_forget_bias()  # on top of the scheme's bias, which initialize just set
    return network


def weight_tensors(network: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """Weight matrices and kernels (not biases or norm scales): what L1/L2 and the stats look at."""
    return [(name, p) for name, p in network.named_parameters() if p.dim() >= 2]
