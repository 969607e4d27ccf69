"""A layer stack's shapes and parameter counts, checked without torch (before any tensor exists).

engine.families.mlp.network re-exports these names; they live here so that checking a project
(and the NumPy fast path, which never builds a torch network) does not import torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.errors import SpecError
from engine.spec.catalog.layers import LAYERS

MAX_PARAMETERS = 20_000_000  # checked on shapes, before any tensor is allocated
MAX_ACTIVATIONS = 2_000_000  # values per sample across all layers


@dataclass(frozen=True)
class LayerInfo:
    """What a layer card shows: its output shape and parameter count."""

    name: str
    out_shape: tuple[int, ...]
    params: int


def infer_shapes(layers: list[dict[str, Any]], in_shape: tuple[int, ...], n_out: int) -> list[LayerInfo]:
    """Every layer's output shape and parameters (the head last); SpecError names the first bad layer."""
    infos, shape, total, values = [], tuple(in_shape), 0, 0
    for i, cfg in enumerate(layers):
        kind = LAYERS[cfg["type"]].factory
        shape, params = kind.shape(shape, cfg, f"network.layers[{i}]")
        total += params
        values += math.prod(shape)
        infos.append(LayerInfo(cfg["type"], shape, params))
    flat = math.prod(shape)
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
