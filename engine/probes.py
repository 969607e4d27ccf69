"""What the views need from a trained network: its response over the input plane, unit by unit.

The points probed are fixed for a run (`GridInputs`, made once and sent with the run's info).
A small network on the numpy fast path travels as its parameters (`DenseProbe`, at most 5,000
numbers) and is probed where the frame is received, off the training process; any other is
probed by its backend in the training process (`probe_grid`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.families.mlp.task import TaskHead, probabilities
from engine.snapshot import GridProbe

MAX_UNITS_PER_LAYER = 64  # beyond this a layer is summarised, not drawn unit by unit
# Networks up to this size travel as parameters (~20 KB; drawn in ~1-3 ms on the 100x100 grid);
# bigger ones are drawn by the training process, which then slows its frames to keep training first.
DENSE_PROBE_MAX_PARAMS = 5000
DRAW_SHARE = 0.1  # at most this share of the receiving thread's time goes to drawing probes


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class GridInputs:
    """The points a run's probes feed the network, preprocessed, and each input feature's map."""

    kind: str  # "points2d" (a res x res grid) or "function1d" (a line of 4 * res points)
    extent: tuple[float, float, float, float]
    resolution: int
    points: np.ndarray  # (n_points, n_features) float32, preprocessed as in training
    features: np.ndarray | None = None  # (n_features, res, res) for 2-D data
    feature_names: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class DenseProbe:
    """A small dense network's parameters, drawn into a GridProbe by `compute` wherever it arrives.

    It is always drawn whole (output, every unit's map, the weights): the forward pass computes
    every unit anyway, so the unit maps cost nothing more, and the window paces its network view.
    """

    weights: tuple[np.ndarray, ...]  # (out, in) float32: hidden layers, then the head
    biases: tuple[np.ndarray, ...]
    activations: tuple[tuple[str, dict], ...]
    head: TaskHead

    def compute(self, inputs: GridInputs) -> GridProbe:
        from engine.families.mlp.dense_math import dense_forward

        out, acts = dense_forward(self.weights, self.biases, self.activations, inputs.points)
        return assemble(inputs, self.head, out, acts, self.weights)


class ProbeDrawer:
    """Draws the DenseProbes of one run over its grid, for the thread that receives the frames.

    A playground-sized network takes ~1 ms, and every frame is drawn. A big one could take
    longer than a frame period and keep a core busy beside training; its map is then redrawn only
    as often as DRAW_SHARE allows, and frames in between reuse the last drawing (the curves and
    counters in them are still new). A frame that says training stopped is always drawn from its
    own parameters, so a paused network shows exactly its paused state.
    """

    def __init__(self, share: float = DRAW_SHARE, clock: Callable[[], float] = time.perf_counter):
        self._share = share
        self._clock = clock
        self.set_run(-1, None)

    def set_run(self, generation: int, grid: GridInputs | None) -> None:
        self._generation, self._grid = generation, grid
        self._last: GridProbe | None = None
        self._cost = 0.0  # seconds a drawing takes (a moving average)
        self._next = 0.0  # when the next drawing is allowed

    def draw(self, generation: int, probe: DenseProbe, running: bool) -> GridProbe | None:
        """`probe` drawn over the run's grid; None when it belongs to another run."""
        if generation != self._generation or self._grid is None:
            return None
        start = self._clock()
        if running and self._last is not None and start < self._next:
            return self._last
        drawn = probe.compute(self._grid)
        cost = self._clock() - start
        self._cost = cost if self._cost == 0.0 else 0.8 * self._cost + 0.2 * cost
        self._next = start + self._cost / self._share
        self._last = drawn
        return drawn

    def draw_aside(self, generation: int, probe: DenseProbe) -> GridProbe | None:
        """`probe` drawn in full without becoming the drawing later frames may reuse (a past
        epoch looked back at must not stand in for a live frame)."""
        if generation != self._generation or self._grid is None:
            return None
        return probe.compute(self._grid)


def grid_points(domain: tuple[float, float], resolution: int) -> np.ndarray:
    """(res*res, 2) raw points; row r of the grid is x2 = r-th value (low to high), column c is x1."""
    axis = np.linspace(domain[0], domain[1], resolution, dtype=np.float32)
    x1, x2 = np.meshgrid(axis, axis)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def grid_inputs(trainer, resolution: int) -> GridInputs | None:
    """The run's probe points (None for data without a 2-D or 1-D input domain)."""
    data = trainer.dataset
    if data.domain is None or data.kind not in ("points2d", "function1d"):
        return None
    lo, hi = data.domain
    extent = (lo, hi, lo, hi)
    if data.kind == "function1d":
        raw = np.linspace(lo, hi, resolution * 4, dtype=np.float32).reshape(-1, 1)
        return GridInputs("function1d", extent, resolution, trainer.preprocessor.apply_numpy(raw))
    raw = grid_points(data.domain, resolution)
    names = tuple(trainer.preprocessor.feature_names)
    return GridInputs(
        "points2d",
        extent,
        resolution,
        trainer.preprocessor.apply_numpy(raw),
        _feature_maps(raw, names, (resolution, resolution)),
        names,
    )


def run_probe(trainer, grid: GridInputs | None, units: bool = True, data: dict | None = None):
    """What a frame carries of a run's views: the family's own probe where it has one (the
    perceptron's), else a small fast-path network's parameters, else its grid drawn here; for
    data without an input plane, with `data` (the window's view options), its data probe."""
    own = getattr(trainer, "view_probe", None)
    if own is not None:
        return own(grid)
    if grid is None:
        if data is None:
            return None
        from engine.inspect import inspect_probe

        return inspect_probe(trainer, data)
    return dense_probe(trainer) or probe_grid(trainer, grid, units=units)


def dense_probe(trainer) -> DenseProbe | None:
    """The trainer's network as a DenseProbe; None off the numpy fast path or past
    DENSE_PROBE_MAX_PARAMS."""
    from engine.families.mlp.fastpath import NumpyBackend

    backend = getattr(trainer, "backend", None)
    if not isinstance(backend, NumpyBackend):
        return None
    if sum(w.size + b.size for w, b in zip(backend.W, backend.b, strict=True)) > DENSE_PROBE_MAX_PARAMS:
        return None
    return DenseProbe(
        weights=tuple(np.asarray(w, dtype=np.float32) for w in backend.W),
        biases=tuple(np.asarray(b, dtype=np.float32) for b in backend.b),
        activations=tuple(backend.acts),
        head=trainer.head,
    )


def probe_grid(trainer, inputs: GridInputs | None, units: bool = True) -> GridProbe | None:
    """The network's output (and, with `units`, every hidden unit's map) over `inputs`, computed
    by the trainer's own backend."""
    if inputs is None:
        return None
    out, acts = trainer.backend.forward_probe(inputs.points)
    if not units:
        return assemble(inputs, trainer.head, out, None, ())
    return assemble(inputs, trainer.head, out, acts, dense_weights(trainer))


def assemble(inputs: GridInputs, head: TaskHead, out: np.ndarray, acts, weights) -> GridProbe:
    """A GridProbe from the network's outputs on `inputs`; unit maps and weights only with `acts`."""
    if inputs.kind == "function1d":
        return _function_probe(inputs, out, acts, weights)
    shape = (inputs.resolution, inputs.resolution)
    output, confidence = _scores(head, out)
    probe = GridProbe(
        extent=inputs.extent,
        output=output.reshape(shape).astype(np.float32),
        confidence=None if confidence is None else confidence.reshape(shape).astype(np.float32),
    )
    if acts is None:
        return probe
    maps, names = [], []
    for i, act in enumerate(acts):
        if act.ndim == 2 and act.shape[1] <= MAX_UNITS_PER_LAYER:
            maps.append(np.ascontiguousarray(act.T.reshape(-1, *shape), dtype=np.float32))
            names.append(f"layers.{i}")
    return dataclasses.replace(
        probe,
        features=inputs.features,
        feature_names=inputs.feature_names,
        units=tuple(maps),
        unit_layer_names=tuple(names),
        weights=tuple(weights),
    )


def _function_probe(inputs: GridInputs, out: np.ndarray, acts, weights) -> GridProbe:
    """The fitted curve over the line; with `acts`, also the last hidden layer's activations on
    it (units[0], (n_units, n_points)) and the weights, so that each unit's contribution
    w_k·a_k(x) to the output can be drawn (gui/views/unit_contributions.py)."""
    probe = GridProbe(extent=inputs.extent, output=np.asarray(out[:, 0], dtype=np.float32))
    if not acts or not weights:
        return probe
    last = acts[-1]
    if last.ndim != 2 or last.shape[1] > MAX_UNITS_PER_LAYER or weights[-1].shape[1] != last.shape[1]:
        return probe
    return dataclasses.replace(
        probe,
        units=(np.ascontiguousarray(last.T, dtype=np.float32),),
        unit_layer_names=(f"layers.{len(acts) - 1}",),
        weights=tuple(weights),
    )


def _scores(head, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    if not head.classification:
        return out[:, 0], None
    probs = probabilities(head, out)
    if head.n_classes == 2:
        return 2.0 * probs[:, 1] - 1.0, None
    return probs.argmax(axis=1).astype(np.float32), probs.max(axis=1)


def _feature_maps(raw: np.ndarray, names: tuple[str, ...], shape: tuple[int, int]) -> np.ndarray:
    from engine.nn.features import compute_features

    values = compute_features(raw, list(names))
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
