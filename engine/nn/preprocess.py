"""The fixed first stage of every model: raw inputs -> selected features -> standardised values.

Statistics come from the TRAINING split only and live in buffers, so they travel in the state dict
and inside ONNX/TorchScript exports, which therefore take raw inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from engine.nn.features import feature_bank
from engine.nn.numpy_preprocess import (  # noqa: F401 - names callers import from here
    AUTO_STANDARDIZE,
    DEFAULT_FEATURES,
    MIN_STD,
    feature_selection,
    standardize_mode,
    statistics,
)


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
    """The Preprocessor for `dataset` under `data_spec` (features, standardize), fitted on x_train:
    the torch module of engine.nn.numpy_preprocess's, whose statistics are the same numbers."""
    from engine.nn.numpy_preprocess import build_numpy_preprocessor

    return build_numpy_preprocessor(dataset, data_spec).torch_module()
