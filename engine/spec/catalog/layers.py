"""Layer kinds by name: how each checks its input shape and counts its parameters, without torch.

Shapes exclude the batch dimension: (features,) for tables and points, (channels, height, width)
for images, (steps, features) for sequences. Every check raises SpecError naming the layer; the
torch module of a layer is built by engine.nn.layers, imported only when a network is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.errors import SpecError
from engine.spec.catalog.activations import ACTIVATIONS, activation_name, pieces
from engine.spec.registry import Entry, Param, Registry

Shape = tuple[int, ...]


def _size(shape: Shape) -> int:
    return math.prod(shape)


@dataclass(frozen=True)
class LayerKind:
    """Shape rule and builder of one layer type."""

    name: str

    def shape(self, in_shape: Shape, cfg: dict, path: str) -> tuple[Shape, int]:
        """(output shape, parameter count) for input `in_shape`, or SpecError at `path`."""
        n = self.name
        act = cfg.get("activation")
        if act is not None and "dense_only" in ACTIVATIONS[activation_name(act)].tags and n != "dense":
            raise SpecError(f"{path}.activation", f"{activation_name(act)} works in dense layers only")
        if n == "dense":
            k = pieces(act)
            return (cfg["units"],), (_size(in_shape) + 1) * cfg["units"] * k
        if n in ("dropout", "flatten"):
            return ((_size(in_shape),) if n == "flatten" else in_shape), 0
        if n == "batchnorm":
            if len(in_shape) == 2:
                raise SpecError(path, "batch norm works on features or images, not on sequences")
            return in_shape, 2 * in_shape[0]
        if n == "residual":
            if len(in_shape) != 1:
                raise SpecError(
                    path, f"a residual block needs flat features; got shape {in_shape}: add a flatten"
                )
            d, u = in_shape[0], cfg["units"]
            return in_shape, (d + 1) * u * pieces(act) + (u + 1) * d
        if n == "conv2d":
            c, h, w = _image(in_shape, path, "conv2d")
            kernel, stride = cfg["kernel"], cfg["stride"]
            if cfg["padding"] == "same" and kernel % 2 == 0:
                raise SpecError(f"{path}.kernel", f"'same' padding needs an odd kernel size, got {kernel}")
            pad = kernel // 2 if cfg["padding"] == "same" else 0
            oh, ow = (h + 2 * pad - kernel) // stride + 1, (w + 2 * pad - kernel) // stride + 1
            if oh < 1 or ow < 1:
                raise SpecError(path, f"kernel {kernel} does not fit the {h}×{w} input")
            return (cfg["filters"], oh, ow), (c * kernel * kernel + 1) * cfg["filters"]
        if n in ("maxpool", "avgpool"):
            c, h, w = _image(in_shape, path, n)
            s = cfg["size"]
            if h < s or w < s:
                raise SpecError(path, f"pool size {s} is larger than the {h}×{w} input")
            return (c, h // s, w // s), 0
        if n in ("rnn", "lstm", "gru"):
            if len(in_shape) != 2:
                raise SpecError(
                    path,
                    f"{n} needs sequence input (steps, features); this gets shape {in_shape} — use a sequence "
                    "dataset such as sine_next or parity",
                )
            steps, f = in_shape
            u = cfg["units"]
            gates = {"rnn": 1, "lstm": 4, "gru": 3}[n]
            out = (steps, u) if cfg["return_sequences"] else (u,)
            return out, gates * (u * (f + u) + 2 * u)
        raise KeyError(n)

    def build(self, in_shape: Shape, cfg: dict) -> Any:
        """The torch module of this layer for input `in_shape` (imports torch)."""
        from engine.nn.layers import build_layer

        return build_layer(self.name, in_shape, cfg)


def _image(in_shape: Shape, path: str, name: str) -> Shape:
    if len(in_shape) != 3:
        raise SpecError(
            path,
            f"{name} needs image input (channels, height, width); this gets shape {in_shape} — "
            "use it on image data such as digits",
        )
    return in_shape


_UNITS = Param("units", 8, int, 1, 4096, help="neurons in the layer")
_ACT = Param("activation", "tanh", str, help="non-linearity applied to each unit")
_SEQ = Param(
    "return_sequences", False, bool, help="output every step (to stack recurrent layers), not just the last"
)

# Added to the forget gate's starting bias (after the init scheme's): sigmoid(1) ≈ 0.73 instead of
# 0.5, so the cell keeps more of itself each step and the gradient reaches further back in time
# (Gers et al. 2000; Jozefowicz et al. 2015). 0 keeps the init scheme's bias unchanged.
_FORGET_BIAS = Param(
    "forget_bias",
    0.0,
    float,
    -10.0,
    10.0,
    help="added to the forget gate bias at the start; 1-2 help long memory",
)


def _kind(name: str, label: str, help: str, params: tuple[Param, ...], tags: set[str]) -> Entry:
    return Entry(name, LayerKind(name), label, help, params, frozenset(tags))


LAYERS = Registry(
    "layer",
    [
        _kind("dense", "Dense", "every input connected to every unit", (_UNITS, _ACT), {"any", "activation"}),
        _kind(
            "dropout",
            "Dropout",
            "zeroes a random fraction of values while training",
            (Param("rate", 0.2, float, 0.0, 0.95, help="fraction of values dropped"),),
            {"any"},
        ),
        _kind(
            "batchnorm",
            "Batch norm",
            "standardises each feature over the batch, then scales and shifts",
            (),
            {"any"},
        ),
        _kind(
            "residual",
            "Residual block",
            "dense → activation → dense, plus the input (skip connection)",
            (Param("units", 16, int, 1, 4096, help="units of the inner layer"), _ACT),
            {"any", "activation"},
        ),
        _kind("flatten", "Flatten", "images or sequences to one flat vector", (), {"image", "sequence"}),
        _kind(
            "conv2d",
            "Conv 2-D",
            "small filters slid over the image, shared weights",
            (
                Param("filters", 8, int, 1, 256, help="output channels"),
                Param("kernel", 3, int, 1, 11, help="filter size"),
                Param("stride", 1, int, 1, 4),
                Param("padding", "same", str, choices=("same", "valid")),
                Param("activation", "relu", str),
            ),
            {"image", "activation"},
        ),
        _kind(
            "maxpool",
            "Max pool",
            "largest value in each size×size window",
            (Param("size", 2, int, 2, 8),),
            {"image"},
        ),
        _kind(
            "avgpool",
            "Average pool",
            "mean of each size×size window",
            (Param("size", 2, int, 2, 8),),
            {"image"},
        ),
        _kind(
            "rnn",
            "RNN",
            "tanh recurrence over the steps",
            (Param("units", 16, int, 1, 1024), _SEQ),
            {"sequence"},
        ),
        _kind(
            "lstm",
            "LSTM",
            "gated memory cells: long dependencies",
            (Param("units", 16, int, 1, 1024), _SEQ, _FORGET_BIAS),
            {"sequence"},
        ),
        _kind(
            "gru", "GRU", "lighter gated recurrence", (Param("units", 16, int, 1, 1024), _SEQ), {"sequence"}
        ),
    ],
)
