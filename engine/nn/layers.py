"""The torch modules of the layer kinds; their names, parameters and shape rules are in
engine.spec.catalog.layers, whose LayerKind.build comes here.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from engine.nn.activations import make_activation, pieces
from engine.spec.catalog.layers import LAYERS, LayerKind, Shape  # noqa: F401 - names callers import


def _size(shape: Shape) -> int:
    return math.prod(shape)


def _direct(act: nn.Module) -> str:
    """The name of the one torch function `act` applies ("" when it is more than that)."""
    if type(act) is nn.ReLU:
        return "" if act.inplace else "relu"
    return {nn.Identity: "identity", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}.get(type(act), "")


class DenseLayer(nn.Module):
    """Fully connected layer (input flattened) followed by its activation.

    The state-dict keys are `linear.weight` and `linear.bias` (a public contract). forward calls
    F.linear on them and, for the plain activations, the activation's torch function itself: the very
    operations nn.Linear and nn.Tanh (ReLU, Sigmoid, Identity) run, bit for bit, without two nested
    module calls per layer (~10 us of Python each pass: what made these nets slower than a flat
    nn.Sequential). No hooks are put on the inner modules anywhere; `act` stays the module that
    exports, the window and repr show.
    """

    def __init__(self, in_features: int, units: int, activation: Any):
        super().__init__()
        self.linear = nn.Linear(in_features, units * pieces(activation))
        self.act = make_activation(activation)
        self.direct = _direct(self.act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        linear = self.linear
        y = F.linear(x.flatten(1), linear.weight, linear.bias)
        direct = self.direct
        if direct == "identity":
            return y
        if direct == "tanh":
            return torch.tanh(y)
        if direct == "relu":
            return torch.relu(y)
        if direct == "sigmoid":
            return torch.sigmoid(y)
        return self.act(y)


class ResidualBlock(nn.Module):
    """y = x + W2·f(W1·x + b1) + b2: the skip lets gradients reach early layers undiminished."""

    def __init__(self, features: int, units: int, activation: Any):
        super().__init__()
        self.inner = nn.Linear(features, units * pieces(activation))
        self.act = make_activation(activation)
        self.outer = nn.Linear(units, features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.outer(self.act(self.inner(x)))


class ConvLayer(nn.Module):
    def __init__(self, channels: int, filters: int, kernel: int, stride: int, padding: str, activation: Any):
        super().__init__()
        pad = kernel // 2 if padding == "same" else 0
        self.conv = nn.Conv2d(channels, filters, kernel, stride=stride, padding=pad)
        self.act = make_activation(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(x))


class Recurrent(nn.Module):
    """rnn / lstm / gru over (batch, steps, features); returns the last step or every step."""

    def __init__(
        self, kind: str, features: int, units: int, return_sequences: bool, forget_bias: float = 0.0
    ):
        super().__init__()
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.cell = cls(features, units, batch_first=True)
        self.return_sequences = return_sequences
        self.forget_bias = forget_bias if kind == "lstm" else 0.0
        self.add_forget_bias()

    @torch.no_grad()
    def add_forget_bias(self) -> None:
        """Add `forget_bias` to the LSTM's forget-gate slice of bias_ih: torch orders an LSTM's
        gates i, f, g, o, so the forget gate's biases are rows units..2·units. Called again after
        the network's init scheme has set every bias (engine.families.mlp.network), which it
        would otherwise overwrite."""
        if self.forget_bias:
            units = self.cell.hidden_size
            self.cell.bias_ih_l0[units : 2 * units] += self.forget_bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.cell(x)
        return out if self.return_sequences else out[:, -1]


class Flatten(nn.Flatten):
    pass


def build_layer(n: str, in_shape: Shape, cfg: dict) -> nn.Module:
    """The torch module of layer kind `n` for input `in_shape`, its shape already checked."""
    if n == "dense":
        return DenseLayer(_size(in_shape), cfg["units"], cfg["activation"])
    if n == "dropout":
        return nn.Dropout(cfg["rate"])
    if n == "flatten":
        return Flatten()
    if n == "batchnorm":
        return nn.BatchNorm1d(in_shape[0]) if len(in_shape) == 1 else nn.BatchNorm2d(in_shape[0])
    if n == "residual":
        return ResidualBlock(in_shape[0], cfg["units"], cfg["activation"])
    if n == "conv2d":
        return ConvLayer(
            in_shape[0], cfg["filters"], cfg["kernel"], cfg["stride"], cfg["padding"], cfg["activation"]
        )
    if n == "maxpool":
        return nn.MaxPool2d(cfg["size"])
    if n == "avgpool":
        return nn.AvgPool2d(cfg["size"])
    return Recurrent(n, in_shape[1], cfg["units"], cfg["return_sequences"], cfg.get("forget_bias", 0.0))
