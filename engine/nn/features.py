"""The column functions of the derived input features (named in engine.spec.catalog.features).

Each takes (x1, x2) and works on numpy arrays and torch tensors alike; `feature_bank` is the
TorchScript-friendly torch form the Preprocessor runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from engine.spec.catalog.features import FEATURES


def _sin(v: Any) -> Any:
    return torch.sin(v) if isinstance(v, torch.Tensor) else np.sin(v)


def x1(x1: Any, x2: Any) -> Any:
    return x1


def x2(x1: Any, x2: Any) -> Any:
    return x2


def x1sq(x1: Any, x2: Any) -> Any:
    return x1 * x1


def x2sq(x1: Any, x2: Any) -> Any:
    return x2 * x2


def x1x2(x1: Any, x2: Any) -> Any:
    return x1 * x2


def sin_x1(x1: Any, x2: Any) -> Any:
    return _sin(x1)


def sin_x2(x1: Any, x2: Any) -> Any:
    return _sin(x2)


def compute_features(raw: Any, names: Sequence[str]) -> Any:
    """(N, len(names)) feature matrix from raw (N, 2) points; numpy in, numpy out; torch in, torch out."""
    first, second = raw[:, 0], raw[:, 1]
    columns = [
        FEATURES.lookup(name, f"data.features[{i}]").factory(first, second) for i, name in enumerate(names)
    ]
    if isinstance(raw, torch.Tensor):
        return torch.stack(columns, dim=1)
    return np.stack(columns, axis=1)


def feature_bank(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """Every feature in FEATURES order as columns of one (N, 7) tensor; plain ops for export."""
    return torch.stack([x1, x2, x1 * x1, x2 * x2, x1 * x2, torch.sin(x1), torch.sin(x2)], dim=1)


BANK_ORDER = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2")
assert tuple(FEATURES) == BANK_ORDER, "feature_bank must list FEATURES in order"
