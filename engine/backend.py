"""What the Trainer asks of whatever computes: a torch module or the numpy fast path.

Both backends share this interface so the Trainer (batching, schedules, early stopping,
divergence, snapshots) is written once, whatever runs underneath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from engine.snapshot import LayerStat


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


class Backend(Protocol):
    """The computing half of a Trainer."""

    def train_batch(self, idx: np.ndarray, lr: float, collect: bool) -> float:
        """One update on training rows `idx`; returns the batch's data loss before the update.

        Returns a non-finite value (and leaves the weights unchanged) if the loss or the
        gradient is not finite. With `collect`, records per-layer statistics of this update.
        """

    def evaluate(self, split: str) -> tuple[float, np.ndarray]:
        """Mean data loss over a whole split ("train" | "validation" | "test") in eval mode, and outputs."""

    def penalty(self) -> float:
        """The current L1/L2 penalty term l1*sum|w| + l2/2*sum w^2 over weights."""

    def layer_stats(self) -> tuple[LayerStat, ...]:
        """Statistics recorded by the last train_batch(collect=True)."""

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, named as in the torch Network."""

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None: ...

    def forward_probe(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Eval-mode outputs for preprocessed inputs, and each user layer's output."""
