"""Edits to a running dense network's weights: one weight set by hand, two hidden units swapped.

Swapping hidden units i and j of a layer (their incoming weights and bias, and their outgoing
weights) permutes the network's parameters without changing the function it computes: the
weight-space symmetry that makes every network one of n! equivalent ones. Both edits write into
the trainer's backend (numpy fast path or torch), so training continues from them; a swap also
permutes the optimizer's per-weight buffers (momenta, Adam's averages), so training continues as
it would have, mirrored.
"""

from __future__ import annotations

import math

import numpy as np

from engine.backprop_trace import layer_keys
from engine.errors import SpecError


def _dense_layers(trainer) -> int:
    """The number of hidden layers of the trainer's all-dense stack; SpecError otherwise."""
    layers = getattr(getattr(trainer, "project", None), "network", None)
    layers = getattr(layers, "layers", None)
    if layers is None or not hasattr(trainer, "backend"):
        raise SpecError("network", "weights can be edited in a dense network (the mlp family) only")
    for i, layer in enumerate(layers):
        if layer["type"] != "dense":
            raise SpecError(
                f"network.layers[{i}]", f"weights can be edited in dense layers only, not {layer['type']}"
            )
    return len(layers)


def _index(value, size: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < size:
        raise SpecError("weights", f"{what} must be a whole number from 0 to {size - 1}, not {value!r}")
    return int(value)


def swapped_state(state: dict, n_hidden: int, layer: int, i: int, j: int, outgoing: bool = True) -> dict:
    """A copy of `state` with units i and j of hidden layer `layer` traded: rows of its weights
    and bias, and (with `outgoing`) the columns of the next layer's weights."""
    if n_hidden == 0:
        raise SpecError("weights", "this network has no hidden layer whose units could be swapped")
    keys = layer_keys(n_hidden)
    layer = _index(layer, n_hidden, "the hidden layer")
    units = np.shape(state[f"{keys[layer]}.weight"])[0]
    i, j = _index(i, units, "unit i"), _index(j, units, "unit j")
    swapped = {k: np.array(v) for k, v in state.items()}
    for name in (f"{keys[layer]}.weight", f"{keys[layer]}.bias"):
        swapped[name][[i, j]] = swapped[name][[j, i]]
    if outgoing:
        after = f"{keys[layer + 1]}.weight"
        swapped[after][:, [i, j]] = swapped[after][:, [j, i]]
    return swapped


def swap_units(trainer, layer: int, i: int, j: int) -> None:
    """Trade hidden units i and j of hidden layer `layer` in the running trainer (weights and the
    optimizer's buffers); the network's outputs stay the same."""
    n_hidden = _dense_layers(trainer)
    state = swapped_state(trainer.state_dict(), n_hidden, layer, i, j)
    trainer.load_state_dict(state)
    _swap_optimizer_buffers(trainer.backend, n_hidden, layer, i, j)


def set_weight(trainer, layer: int, out: int, inp: int, value) -> float:
    """Write `value` into weight (out, inp) of weight matrix `layer` (the head is the last);
    returns the weight it replaced. SpecError, and nothing changed, for a bad index or value."""
    n_hidden = _dense_layers(trainer)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpecError("weights", f"a weight must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise SpecError("weights", f"a weight must be a finite number, not {number}")
    if abs(number) > 1e6:
        raise SpecError("weights", f"{number:g} is too large for a weight (at most ±1e6)")
    key = f"{layer_keys(n_hidden)[_index(layer, n_hidden + 1, 'the layer')]}.weight"
    state = trainer.state_dict()
    rows, cols = np.shape(state[key])
    out, inp = _index(out, rows, "the unit"), _index(inp, cols, "the input")
    before = float(state[key][out, inp])
    state = {k: np.array(v) for k, v in state.items()}
    state[key][out, inp] = number
    trainer.load_state_dict(state)
    return before


def _swap_optimizer_buffers(backend, n_hidden: int, layer: int, i: int, j: int) -> None:
    """Permute the per-weight optimizer state as the weights were, in place."""
    keys = layer_keys(n_hidden)
    moves = {  # parameter name -> the axis whose entries i and j trade places
        f"{keys[layer]}.weight": 0,
        f"{keys[layer]}.bias": 0,
        f"{keys[layer + 1]}.weight": 1,
    }
    for buffer, axis in _buffers(backend, moves):
        picked = [slice(None)] * buffer.ndim
        picked[axis] = [i, j]
        into = list(picked)
        into[axis] = [j, i]
        buffer[tuple(picked)] = buffer[tuple(into)]  # fancy indexing reads a copy first


def _buffers(backend, moves: dict):
    """(buffer, axis) for each optimizer buffer shaped like a parameter named in `moves`."""
    rule = getattr(backend, "_rule", None)
    if rule is not None:  # the fast path: buffers indexed like W + b, dead-weight masks like W
        names = [f"{n}.weight" for n in backend.names] + [f"{n}.bias" for n in backend.names]
        for k, name in enumerate(names):
            if name in moves:
                yield from ((buf[k], moves[name]) for buf in (rule.m, rule.v))
                if k < len(backend.names):
                    yield backend._dead[k], moves[name]
        return
    optimizer = getattr(backend, "optimizer", None)
    if optimizer is None:
        return
    for name, param in backend.network.named_parameters():
        if name in moves:
            for value in optimizer.state.get(param, {}).values():
                if hasattr(value, "shape") and tuple(value.shape) == tuple(param.shape):
                    yield value.data, moves[name]
