"""How much memory a project will take, worked out from its sizes before anything big is allocated.

Plain arithmetic over sample counts, layer shapes and the batch size (no torch): the parameter
and per-sample limits alone let samples × width × depth grow without bound. The estimate counts
what the engine really keeps (see each term); a project above `memory_limit()` is refused with
one line saying what it needs and what to shrink.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import SpecError

GB = 1024**3
EVAL_CHUNK = 4096  # rows per forward pass in evaluation (both backends): memory stays flat in samples
GRID_POINTS = {
    "points2d": 100 * 100,
    "function1d": 400,
}  # the window's probe grid (engine/session/session.py)
DEFAULT_LIMIT = 8 * GB  # at most; half the machine's memory where that is less
LIMIT_ENV = "LAYERLAB_MEMORY_LIMIT_GB"
_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


@dataclass(frozen=True)
class Estimate:
    """Bytes each part of a run holds at its peak; `total` is what the process adds."""

    data: int  # the dataset, its preprocessed splits and the backend's copies of them
    parameters: int  # weights, gradients, optimizer state and the trainer's checkpoint copies
    training: int  # one batch's activations and their gradients
    evaluation: int  # a chunk's activations and the predictions kept
    probe: int  # every unit's map over the window's grid (the command line draws none)

    @property
    def total(self) -> int:
        # Training, evaluation and the probe take turns; the data and parameters stay throughout.
        return self.data + self.parameters + max(self.training, self.evaluation, self.probe)


def memory_limit() -> int:
    """Bytes a project may need: half of physical memory, at most 8 GB (LAYERLAB_MEMORY_LIMIT_GB overrides)."""
    override = os.environ.get(LIMIT_ENV)
    if override:
        try:
            value = float(override)
        except ValueError:
            raise SpecError(LIMIT_ENV, f"must be a number of gigabytes, got {override[:12]!r}") from None
        if math.isfinite(value) and value > 0:
            return int(value * GB)
        raise SpecError(LIMIT_ENV, "must be a positive number of gigabytes")
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not every system reports it (Windows)
        return DEFAULT_LIMIT
    return min(DEFAULT_LIMIT, max(physical // 2, GB))


def estimate(
    n_train: int,
    n_test: int,
    raw_values: int,
    in_shape: Sequence[int],
    layers: Sequence[dict[str, Any]],
    infos: Sequence[Any],
    batch: int,
    value_bytes: int,
    kind: str = "",
) -> Estimate:
    """The memory a run needs. `infos` are model.infer_shapes' LayerInfos (the output head last);
    `value_bytes` is 8 on the NumPy fast path (float64) and 4 on torch (float32)."""
    n = n_train + n_test
    in_values = _prod(in_shape)
    outs = [_prod(info.out_shape) for info in infos]
    # Values a sample leaves behind in each layer for the backward pass: the pre-activation and the
    # output (z and a on the fast path; on torch also each one's gradient tensor, measured ~1.5x the
    # fast path's share); a recurrent layer keeps every step's gates.
    per_layer = 2 if value_bytes == 8 else 3
    kept = per_layer * sum(outs) + in_values + _recurrent_values(layers, in_shape, infos)
    widest = max([in_values, *outs])
    params = sum(info.params for info in infos)
    n_out = outs[-1]
    data = n * raw_values * 4 + n * in_values * (4 + value_bytes) + n * 16
    # Weights, gradients, two optimizer moments, the trainer's checkpoint and best-weights copies,
    # the before-step copy for the update ratio, and the float32 torch network the run was built from.
    parameters = params * (7 * value_bytes + 4)
    # Backward temporaries: the gradient flowing down, the activation's derivative and their products.
    training = batch * (kept + 6 * widest) * value_bytes
    chunk = min(max(n_train, n_test), EVAL_CHUNK)
    evaluation = chunk * 3 * widest * value_bytes + n * n_out * value_bytes * 2  # outputs, probabilities
    probe = GRID_POINTS.get(kind, 0) * (sum(outs) + in_values) * 4
    return Estimate(data, parameters, training, evaluation, probe)


def check_memory(project: Any, dataset: Any, in_shape: Sequence[int], infos: Sequence[Any]) -> Estimate:
    """The project's estimate, or a SpecError saying what it needs, the limit and what to shrink."""
    training = project.training
    n_train = len(dataset.x_train)
    n_test = len(dataset.x_test) + len(getattr(dataset, "x_val", ()))  # every held-out split is evaluated
    batch = n_train if training.batch_size == "all" else min(int(training.batch_size), max(n_train, 1))
    layers = project.network.layers
    est = estimate(
        n_train,
        n_test,
        _prod(dataset.x_train.shape[1:]),
        in_shape,
        layers,
        infos,
        batch,
        _value_bytes(project),
        dataset.kind,
    )
    limit = memory_limit()
    if est.total <= limit:
        return est
    path, advice = _advice(est)
    raise SpecError(
        path,
        f"this project needs about {_gb(est.total)} to train ({n_train + n_test:,} samples × "
        f"{_describe(layers)}{_batch_words(training.batch_size, batch)}); the limit is {_gb(limit)} — {advice}",
    )


def _value_bytes(project: Any) -> int:
    """float64 where the NumPy fast path may run (dense stacks on the CPU), else torch's float32."""
    t = project.training
    dense = all(layer["type"] == "dense" for layer in project.network.layers)
    fast = t.preset == "playground" or (dense and t.backend != "torch" and t.device != "cuda")
    return 8 if fast else 4


def _recurrent_values(layers: Sequence[dict], in_shape: Sequence[int], infos: Sequence[Any]) -> int:
    total, shape = 0, tuple(in_shape)
    for cfg, info in zip(layers, infos, strict=False):
        if cfg["type"] in _GATES and len(shape) == 2:
            total += shape[0] * cfg["units"] * (_GATES[cfg["type"]] + 1) * 2
        shape = tuple(info.out_shape)
    return total


def _advice(est: Estimate) -> tuple[str, str]:
    """The key to change and how, after the part that needs the most."""
    parts = {
        "training": est.training,
        "network": est.parameters + est.probe,
        "data": est.data + est.evaluation,
    }
    biggest = max(parts, key=parts.get)
    if biggest == "training":
        return "training.batch_size", "use a smaller batch size, fewer samples or smaller layers"
    if biggest == "network":
        return "network.layers", "use fewer or smaller layers"
    return "data.samples", "use fewer samples or smaller layers"


def _describe(layers: Sequence[dict]) -> str:
    widths = [layer["units"] for layer in layers if "units" in layer]
    if not layers:
        return "no hidden layers"
    count = f"{len(layers)} layer{'s' if len(layers) != 1 else ''}"
    if not widths:
        return count
    if len(set(widths)) == 1 and len(widths) == len(layers):
        return f"{count} of {widths[0]:,} units"
    return f"{count} of up to {max(widths):,} units"


def _batch_words(batch_size: Any, batch: int) -> str:
    return f", batches of all {batch:,} training samples" if batch_size == "all" else f", batch {batch:,}"


def _gb(n: int) -> str:
    return f"{n / GB:.1f} GB" if n >= GB / 10 else f"{n / 2**20:.0f} MB"


def _prod(shape: Sequence[int]) -> int:
    return math.prod(int(s) for s in shape) if len(shape) else 1
