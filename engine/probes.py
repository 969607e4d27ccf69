"""What the views need from a trained network: its response over the input plane, unit by unit."""

from __future__ import annotations

import numpy as np

from engine.snapshot import GridProbe
from engine.task import probabilities

MAX_UNITS_PER_LAYER = 64  # beyond this a layer is summarised, not drawn unit by unit


def grid_points(domain: tuple[float, float], resolution: int) -> np.ndarray:
    """(res*res, 2) raw points; row r of the grid is x2 = r-th value (low to high), column c is x1."""
    axis = np.linspace(domain[0], domain[1], resolution, dtype=np.float32)
    x1, x2 = np.meshgrid(axis, axis)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def probe_grid(trainer, resolution: int = 100, units: bool = True) -> GridProbe | None:
    """The network's output (and, with `units`, every hidden unit's and input feature's) over the
    2-D or 1-D input domain; None for data without such a domain."""
    data = trainer.dataset
    if data.domain is None or data.kind not in ("points2d", "function1d"):
        return None
    lo, hi = data.domain
    if data.kind == "function1d":
        raw = np.linspace(lo, hi, resolution * 4, dtype=np.float32).reshape(-1, 1)
        out, _ = trainer.backend.forward_probe(trainer.preprocessor.apply_numpy(raw))
        return GridProbe(extent=(lo, hi, lo, hi), output=np.asarray(out[:, 0], dtype=np.float32))
    pre, features = _grid_inputs(trainer, resolution)
    out, acts = trainer.backend.forward_probe(pre)
    output, confidence = _scores(trainer.head, out)
    shape = (resolution, resolution)
    if not units:
        return GridProbe(
            extent=(lo, hi, lo, hi),
            output=output.reshape(shape).astype(np.float32),
            confidence=None if confidence is None else confidence.reshape(shape).astype(np.float32),
        )
    maps, names = [], []
    for i, act in enumerate(acts):
        if act.ndim == 2 and act.shape[1] <= MAX_UNITS_PER_LAYER:
            maps.append(np.ascontiguousarray(act.T.reshape(-1, *shape), dtype=np.float32))
            names.append(f"layers.{i}")
    return GridProbe(
        extent=(lo, hi, lo, hi),
        output=output.reshape(shape).astype(np.float32),
        confidence=None if confidence is None else confidence.reshape(shape).astype(np.float32),
        features=features,
        feature_names=tuple(trainer.preprocessor.feature_names),
        units=tuple(maps),
        unit_layer_names=tuple(names),
        weights=dense_weights(trainer),
    )


def _grid_inputs(trainer, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """The preprocessed grid and each input feature's map: fixed for a run, so computed once."""
    cache = getattr(trainer, "_probe_inputs", None)
    if cache is None or cache[0] != resolution:
        raw = grid_points(trainer.dataset.domain, resolution)
        pre = trainer.preprocessor.apply_numpy(raw)
        cache = (resolution, pre, _feature_maps(trainer, raw, (resolution, resolution)))
        trainer._probe_inputs = cache
    return cache[1], cache[2]


def _scores(head, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    if not head.classification:
        return out[:, 0], None
    probs = probabilities(head, out)
    if head.n_classes == 2:
        return 2.0 * probs[:, 1] - 1.0, None
    return probs.argmax(axis=1).astype(np.float32), probs.max(axis=1)


def _feature_maps(trainer, raw: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    from engine.features import compute_features

    names = list(trainer.preprocessor.feature_names)
    values = compute_features(raw, names)
    return np.ascontiguousarray(values.T.reshape(len(names), *shape), dtype=np.float32)


def dense_weights(trainer) -> tuple[np.ndarray, ...]:
    """Weight matrices (out, in) of every layer when the stack is all dense, else ()."""
    if any(layer["type"] != "dense" for layer in trainer.project.network.layers):
        return ()
    state = trainer.backend.state_dict()
    keys = [f"layers.{i}.linear.weight" for i in range(len(trainer.project.network.layers))]
    keys.append("head.linear.weight")
    if not all(k in state for k in keys):
        return ()
    return tuple(np.asarray(state[k], dtype=np.float32) for k in keys)
