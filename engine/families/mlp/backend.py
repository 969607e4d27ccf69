"""What both mlp backends (torch, and the NumPy/numba fast path) read: live settings and the splits.

Both backends offer the same methods (train_batch, evaluate, penalty, layer_stats, state_dict,
load_state_dict, forward_probe), so the Trainer is written once, whatever runs underneath.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Hyper:
    """Settings a backend reads at every step, so live edits apply without a reset."""

    l1: float = 0.0
    l2: float = 0.0
    clip_mode: str = "none"  # "none" | "norm" | "value"
    clip_max: float = 1.0
    input_noise: float = 0.0  # std of Gaussian noise added to the (preprocessed) inputs
    optimizer: dict = field(default_factory=dict)  # the optimizer's own params, e.g. {"momentum": 0.9}


@dataclass(frozen=True)
class SplitData:
    """One split as the network sees it: preprocessed inputs and loss-ready targets."""

    x: np.ndarray  # float32 (N, *network_input_shape), already preprocessed
    targets: np.ndarray  # encoded for the loss: float (N, n_out) or int64 (N,) class indices
    labels: np.ndarray  # int64 class labels (N,) or float values (N,)
