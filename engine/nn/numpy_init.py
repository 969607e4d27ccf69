"""A dense stack's initial weights without torch: the very float32 values `build_network` gives.

build_network (engine/families/mlp/network.py) runs, after torch.manual_seed(seed): each nn.Linear's
constructor (kaiming-uniform weights, uniform biases: one draw per value, in layer order), then
engine.nn.init.initialize, which redraws every weight matrix in the same order and sets the biases
to the scheme's constant. Replaying those draws on TorchCPUGenerator gives the same state dict.

The normal schemes are not reproduced here (torch's normal_ goes through vectorised log/sin/cos whose
last bits NumPy cannot match), so `dense_state` returns None for them and the caller asks torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.nn.torch_rng import TorchCPUGenerator
from engine.spec.catalog.initializers import init_spec

UNIFORM_SCHEMES = ("zeros", "constant", "uniform", "xavier_uniform", "he_uniform", "playground")


def reproducible(init: Any) -> bool:
    """Whether `dense_state` can reproduce this scheme (name or dict) without torch."""
    return init_spec(init)[0] in UNIFORM_SCHEMES


def dense_state(
    sizes: list[tuple[int, int]], init: Any, seed: int, prefixes: list[str]
) -> dict[str, np.ndarray] | None:
    """The state dict of dense layers `sizes` [(in, out), ...] keyed `{prefix}.weight` / `.bias`.

    None when the scheme is one of the normal ones (see the module docstring).
    """
    name, params = init_spec(init)
    if name not in UNIFORM_SCHEMES:
        return None
    rng = TorchCPUGenerator(seed)
    for fan_in, fan_out in sizes:  # the constructors' draws, overwritten by the scheme below
        rng.skip(fan_in * fan_out + fan_out)
    weights, bias = [], _bias(name, params)
    for fan_in, fan_out in sizes:
        weights.append(_weight(name, params, rng, fan_in, fan_out).reshape(fan_out, fan_in))
    state = {}
    for prefix, weight, (_, fan_out) in zip(prefixes, weights, sizes, strict=True):
        state[f"{prefix}.weight"] = weight
        state[f"{prefix}.bias"] = np.full(fan_out, bias, dtype=np.float32)
    return state


def _bias(name: str, params: dict) -> float:
    # engine.nn.init's schemes: (weight function, bias value)
    return {"constant": params.get("value", 0.0), "playground": 0.1}.get(name, 0.0)


def _weight(name: str, params: dict, rng: TorchCPUGenerator, fan_in: int, fan_out: int) -> np.ndarray:
    count = fan_in * fan_out
    if name == "zeros":
        return np.zeros(count, dtype=np.float32)
    if name == "constant":
        return np.full(count, params["value"], dtype=np.float32)
    # The bounds in Python floats, computed as engine.nn.init computes them.
    bound = {
        "uniform": lambda: params["scale"],
        "playground": lambda: 0.5,
        "xavier_uniform": lambda: math.sqrt(6.0 / (fan_in + fan_out)),
        "he_uniform": lambda: math.sqrt(6.0 / fan_in),
    }[name]()
    return rng.uniform_float32(count, -bound, bound)
