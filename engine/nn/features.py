"""Derived input features of 2-D points (the playground's x1², x1·x2, sin x1, ...), one table for all.

Each entry's factory returns a column function f(x1, x2) that works on numpy arrays and torch
tensors alike; `feature_bank` is the TorchScript-friendly torch form the Preprocessor runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from engine.spec.registry import Entry, Registry


def _sin(v: Any) -> Any:
    return torch.sin(v) if isinstance(v, torch.Tensor) else np.sin(v)


def _column(fn: Callable[[Any, Any], Any]) -> Callable[[], Callable[[Any, Any], Any]]:
    return lambda: fn


def _feature(name: str, fn: Callable[[Any, Any], Any], label: str, help: str) -> Entry:
    return Entry(name, _column(fn), label, help, (), frozenset({"points2d"}))


FEATURES = Registry(
    "feature",
    [
        _feature("x1", lambda x1, x2: x1, "x1", "the horizontal coordinate"),
        _feature("x2", lambda x1, x2: x2, "x2", "the vertical coordinate"),
        _feature("x1sq", lambda x1, x2: x1 * x1, "x1²", "a parabola across x1: with x2² it draws circles"),
        _feature("x2sq", lambda x1, x2: x2 * x2, "x2²", "a parabola across x2: with x1² it draws circles"),
        _feature("x1x2", lambda x1, x2: x1 * x2, "x1·x2", "the product: its sign alone solves XOR"),
        _feature("sin_x1", lambda x1, x2: _sin(x1), "sin(x1)", "a wave along x1: helps with spirals"),
        _feature("sin_x2", lambda x1, x2: _sin(x2), "sin(x2)", "a wave along x2: helps with spirals"),
    ],
)


def compute_features(raw: Any, names: Sequence[str]) -> Any:
    """(N, len(names)) feature matrix from raw (N, 2) points; numpy in, numpy out; torch in, torch out."""
    x1, x2 = raw[:, 0], raw[:, 1]
    columns = [FEATURES.lookup(name, f"data.features[{i}]").factory()(x1, x2) for i, name in enumerate(names)]
    if isinstance(raw, torch.Tensor):
        return torch.stack(columns, dim=1)
    return np.stack(columns, axis=1)


def feature_bank(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """Every feature in FEATURES order as columns of one (N, 7) tensor; plain ops for export."""
    return torch.stack([x1, x2, x1 * x1, x2 * x2, x1 * x2, torch.sin(x1), torch.sin(x2)], dim=1)


BANK_ORDER = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2")
assert tuple(FEATURES) == BANK_ORDER, "feature_bank must list FEATURES in order"
