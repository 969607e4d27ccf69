"""The fixed first stage of every model: raw inputs -> selected features -> standardised values.

Statistics come from the TRAINING split only and live in buffers, so they travel in the state dict
and inside ONNX/TorchScript exports, which therefore take raw inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from engine.errors import SpecError
from engine.nn.features import BANK_ORDER, FEATURES, feature_bank

MIN_STD = 1e-8
DEFAULT_FEATURES = ["x1", "x2"]
AUTO_STANDARDIZE = {
    "points2d": "none",
    "function1d": "none",
    "sequence": "none",
    "tabular": "features",
    "image": "global",
}


class Preprocessor(nn.Module):
    """Maps raw inputs to the network's inputs: optional 2-D feature selection, then (x - mean) / std."""

    def __init__(
        self,
        feature_index: Sequence[int] | None,
        mean: np.ndarray,
        std: np.ndarray,
        out_shape: tuple[int, ...],
        feature_names: Sequence[str],
        standardize: str = "none",
    ):
        super().__init__()
        self.select_features = feature_index is not None
        index = torch.tensor(list(feature_index or [0]), dtype=torch.long)
        self.register_buffer("feature_index", index, persistent=False)  # derived from the spec
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean, dtype=np.float32)))
        self.register_buffer("std", torch.as_tensor(np.asarray(std, dtype=np.float32)))
        self.out_shape = tuple(out_shape)
        self.feature_names = tuple(feature_names)
        self.standardize = standardize

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.select_features:
            x = feature_bank(x[:, 0], x[:, 1]).index_select(1, self.feature_index)
        return (x - self.mean) / self.std

    @torch.no_grad()
    def apply_numpy(self, raw: np.ndarray) -> np.ndarray:
        """forward() on a numpy batch, as float32 numpy: the very same ops, so the same numbers."""
        arr = np.ascontiguousarray(raw, dtype=np.float32)
        if not arr.flags.writeable:
            arr = arr.copy()  # torch refuses to wrap read-only memory without a warning
        out = self.forward(torch.from_numpy(arr).to(self.mean.device))
        return out.cpu().numpy()


def build_preprocessor(dataset, data_spec: dict) -> Preprocessor:
    """The Preprocessor for `dataset` under `data_spec` (features, standardize), fitted on x_train."""
    index, names = _features(dataset, data_spec.get("features"))
    mode = data_spec.get("standardize") or "auto"
    if mode == "auto":
        mode = AUTO_STANDARDIZE[dataset.kind]
    if mode not in ("none", "features", "global"):
        raise SpecError("data.standardize", f"must be one of auto, none, features, global; got {mode!r}")
    out_shape = (len(index),) if index is not None else tuple(dataset.raw_shape)
    plain = Preprocessor(index, np.float32(0.0), np.float32(1.0), out_shape, names, mode)
    if mode == "none":
        return plain
    mean, std = _statistics(plain.apply_numpy(dataset.x_train), dataset.kind, mode)
    return Preprocessor(index, mean, std, out_shape, names, mode)


def _features(dataset, features: Sequence[str] | None) -> tuple[list[int] | None, tuple[str, ...]]:
    features = list(features) if features else list(DEFAULT_FEATURES)
    if dataset.kind != "points2d":
        if features != DEFAULT_FEATURES:
            raise SpecError(
                "data.features",
                f"derived features apply to 2-D point sets only; {dataset.name} is {dataset.kind} data, "
                "so leave the features at x1, x2",
            )
        return None, tuple(dataset.input_names)
    for i, name in enumerate(features):
        FEATURES.lookup(name, f"data.features[{i}]")
    if len(set(features)) != len(features):
        raise SpecError("data.features", "lists a feature twice")
    return [BANK_ORDER.index(name) for name in features], tuple(features)


def _statistics(train: np.ndarray, kind: str, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std (population) of the training inputs: one pair, or one per feature."""
    values = train.astype(np.float64)
    if mode == "global":
        axes = tuple(range(values.ndim))
    elif kind == "sequence":
        axes = (0, 1)  # per channel, pooled over samples and time steps
    else:
        axes = (0,)
    mean, std = values.mean(axis=axes), values.std(axis=axes)
    std = np.where(std < MIN_STD, 1.0, std)
    return mean.astype(np.float32), std.astype(np.float32)
