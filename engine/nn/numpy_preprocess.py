"""The Preprocessor's plan (features, statistics) and its NumPy form, which needs no torch.

engine.nn.preprocess.Preprocessor is the torch module that exports and the window use. The NumPy
fast path only ever calls `apply_numpy`, so `build_numpy_preprocessor` gives it a stand-in that
computes the same float32 values without torch: feature columns x1, x2, x1·x1, x2·x2, x1·x2 and
(x - mean) / std are single IEEE operations, identical in NumPy and torch. sin is not (torch's
float32 sin differs from NumPy's in the last bit for a few percent of inputs), so a selection with
sin_x1/sin_x2 is computed by the torch module, as before. Anything else asked of the stand-in
(mean, std, calling it on tensors, deep copies) goes to the torch module, built on first use.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.errors import SpecError
from engine.spec.catalog.features import FEATURES

MIN_STD = 1e-8
DEFAULT_FEATURES = ["x1", "x2"]
AUTO_STANDARDIZE = {
    "points2d": "none",
    "function1d": "none",
    "sequence": "none",
    "tabular": "features",
    "image": "global",
}
BANK_ORDER = tuple(FEATURES)  # the columns of engine.nn.features.feature_bank, in order
EXACT_FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2")  # one IEEE operation each, as in torch


def standardize_mode(dataset, data_spec: dict) -> str:
    mode = data_spec.get("standardize") or "auto"
    if mode == "auto":
        mode = AUTO_STANDARDIZE[dataset.kind]
    if mode not in ("none", "features", "global"):
        raise SpecError("data.standardize", f"must be one of auto, none, features, global; got {mode!r}")
    return mode


def feature_selection(dataset, features: Sequence[str] | None) -> tuple[list[int] | None, tuple[str, ...]]:
    """(indices into the feature bank or None for raw inputs, the inputs' names)."""
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


def statistics(train: np.ndarray, kind: str, mode: str) -> tuple[np.ndarray, np.ndarray]:
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


class NumpyPreprocessor:
    """Preprocessor.apply_numpy without torch where the selected features allow it (module docstring)."""

    def __init__(self, feature_index, mean, std, out_shape, feature_names, standardize: str = "none"):
        self._args = (feature_index, mean, std, tuple(out_shape), tuple(feature_names), standardize)
        self.select_features = feature_index is not None
        self.out_shape = tuple(out_shape)
        self.feature_names = tuple(feature_names)
        self.standardize = standardize
        self._index = list(feature_index or [0])
        self._mean = np.asarray(mean, dtype=np.float32)
        self._std = np.asarray(std, dtype=np.float32)
        self._exact = all(BANK_ORDER[i] in EXACT_FEATURES for i in self._index)
        self._module = None

    def torch_module(self):
        """The engine.nn.preprocess.Preprocessor with these features and statistics."""
        if self._module is None:
            from engine.nn.preprocess import Preprocessor

            self._module = Preprocessor(*self._args)
        return self._module

    def apply_numpy(self, raw: np.ndarray) -> np.ndarray:
        if self.select_features and not self._exact:
            return self.torch_module().apply_numpy(raw)
        x = np.asarray(raw, dtype=np.float32)
        if self.select_features:
            first, second = x[:, 0], x[:, 1]
            columns = {"x1": first, "x2": second}
            columns.update(x1sq=first * first, x2sq=second * second, x1x2=first * second)
            x = np.stack([columns[BANK_ORDER[i]] for i in self._index], axis=1)
        return (x - self._mean) / self._std

    def __call__(self, *args, **kwargs):
        return self.torch_module()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # only for names this class does not define
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.torch_module(), name)

    def __deepcopy__(self, memo: dict):
        return copy.deepcopy(self.torch_module(), memo)


def build_numpy_preprocessor(dataset, data_spec: dict) -> NumpyPreprocessor:
    """What engine.nn.preprocess.build_preprocessor builds, as a NumpyPreprocessor."""
    index, names = feature_selection(dataset, data_spec.get("features"))
    mode = standardize_mode(dataset, data_spec)
    out_shape = (len(index),) if index is not None else tuple(dataset.raw_shape)
    plain = NumpyPreprocessor(index, np.float32(0.0), np.float32(1.0), out_shape, names, mode)
    if mode == "none":
        return plain
    mean, std = statistics(plain.apply_numpy(dataset.x_train), dataset.kind, mode)
    return NumpyPreprocessor(index, mean, std, out_shape, names, mode)
