"""Points the user painted on the output view, kept in the project file as the dataset itself.

`painted` holds 2-D points `[x1, x2, label]` (classification, classes 0..7) or `[x1, x2, value]`
(regression); `painted_curve` holds 1-D function samples `[x, y]`. The points live in
data.params.points, so they are saved, validated and undone with the rest of the project; the
noise setting does not apply (they are the data, not a recipe), and the train/test split is the
usual shuffle by seed and train_fraction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.data.base import PLAYGROUND_DOMAIN, PM1_NAMES, Generated, Info
from engine.data.synthetic import FUNCTION_DOMAIN
from engine.errors import SpecError
from engine.spec.registry import Entry, Param

MAX_POINTS = 5000
MAX_CLASSES = 8
MAX_COORDINATE = 1e4  # far beyond any view's plane; a larger number is a typo, not a point
TASKS = ("classification", "regression")


def _starter_points() -> list[list[float]]:
    """A fresh painted set: two small clusters of two classes to add to or clear (48 points)."""
    rng = np.random.default_rng(7)
    blobs = [(-2.5, -1.5, 0), (2.5, 1.5, 1)]
    points = []
    for cx, cy, label in blobs:
        for dx, dy in rng.normal(0.0, 1.0, (24, 2)):
            points.append([round(cx + float(dx), 2), round(cy + float(dy), 2), label])
    return points


def _starter_curve() -> list[list[float]]:
    """A fresh painted curve: 40 samples of a gentle wave to reshape or clear."""
    xs = np.linspace(-3.0, 3.0, 40)
    return [[round(float(x), 2), round(float(np.sin(x) * 1.5), 2)] for x in xs]


def class_names(n_classes: int) -> tuple[str, ...]:
    """Two classes are the playground's -1/+1 (so its preset trains them); more are numbered."""
    return PM1_NAMES if n_classes == 2 else tuple(str(j) for j in range(n_classes))


class PaintedEntry(Entry):
    """A dataset entry whose `points` parameter is a list of points, checked here (Param takes scalars)."""

    def __init__(self, name, source, label, help, params, tags, width: int, starter):
        super().__init__(name, source, label, help, params, tags)
        object.__setattr__(self, "width", width)
        object.__setattr__(self, "starter", starter)

    def defaults(self) -> dict[str, Any]:
        return {**super().defaults(), "points": self.starter()}

    def check_params(self, given: Mapping[str, Any], path: str) -> dict[str, Any]:
        given = dict(given)
        raw = given.pop("points", None)
        checked = super().check_params(given, path)
        task = checked.get("task", "regression")
        points = self.starter() if raw is None else check_points(raw, self.width, task, f"{path}.points")
        return {**checked, "points": points}


def check_points(raw: Any, width: int, task: str, path: str) -> list[list[float]]:
    """`raw` as a list of points of `width` finite numbers (the last a class 0..7 for classification)."""
    if not isinstance(raw, list):
        raise SpecError(path, f"must be a list of points, got {type(raw).__name__}")
    if len(raw) > MAX_POINTS:
        raise SpecError(path, f"{len(raw):,} points; a painted set holds at most {MAX_POINTS:,}")
    shape = "[x, y]" if width == 2 else "[x1, x2, class]" if task == "classification" else "[x1, x2, value]"
    return [_check_point(point, width, task, f"{path}[{i}]", shape) for i, point in enumerate(raw)]


def _check_point(point: Any, width: int, task: str, path: str, shape: str) -> list[float]:
    if not isinstance(point, list) or len(point) != width:
        got = f"{len(point)} values" if isinstance(point, list) else type(point).__name__
        raise SpecError(path, f"a point is {width} numbers {shape}, got {got}")
    values = []
    for value in point:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(path, f"a point is {width} numbers {shape}, got {value!r}")
        if not math.isfinite(value):
            raise SpecError(path, f"{value!r} is not a finite number")
        if abs(value) > MAX_COORDINATE:
            raise SpecError(path, f"{value:g} is beyond ±{MAX_COORDINATE:g}")
        values.append(value)
    if width == 3 and task == "classification":
        label = values[2]
        if label != int(label) or not 0 <= label < MAX_CLASSES:
            raise SpecError(
                path, f"class {label:g} is out of range: classes are whole numbers 0..{MAX_CLASSES - 1}"
            )
        values[2] = int(label)
    return values


def _array(spec: dict, width: int) -> np.ndarray:
    points = spec["params"]["points"]
    if len(points) < 2:
        found = "no points" if not points else "one point"
        raise SpecError("data.params.points", f"the painted set has {found}; paint at least two to train")
    return np.asarray(points, dtype=np.float64).reshape(len(points), width)


def painted_points(spec: dict, rng: np.random.Generator) -> Generated:
    """The 2-D painted set: classes are 0..(largest painted class), at least two of them present."""
    table = _array(spec, 3)
    x = table[:, :2]
    if spec["params"]["task"] == "regression":
        return Generated(x, table[:, 2], "regression")
    labels = table[:, 2].astype(np.int64)
    present = np.unique(labels)
    if len(present) < 2:
        raise SpecError(
            "data.params.points",
            f"every painted point is class {present[0]}; paint points of a second class to train",
        )
    n_classes = max(2, int(labels.max()) + 1)
    return Generated(x, labels, "classification", class_names(n_classes))


def painted_curve(spec: dict, rng: np.random.Generator) -> Generated:
    """The 1-D painted set: inputs x, targets y."""
    table = _array(spec, 2)
    return Generated(table[:, :1], table[:, 1], "regression", (), ("x",))


INFO = {
    "painted": Info("points2d", None, 0.0, PLAYGROUND_DOMAIN),
    "painted_curve": Info("function1d", None, 0.0, FUNCTION_DOMAIN, "", 1),
}

ENTRIES = (
    PaintedEntry(
        "painted",
        painted_points,
        "Painted points",
        "Your own points: press Paint over the map and click or drag to add points of a class "
        "(or a value), erase to remove them",
        (Param("task", "classification", str, choices=TASKS, help="classes to separate, or values to fit"),),
        frozenset({"classification", "regression", "points2d", "painted"}),
        3,
        _starter_points,
    ),
    PaintedEntry(
        "painted_curve",
        painted_curve,
        "Painted curve (1-D)",
        "Your own 1-D function: press Paint over the plot and click or drag where the curve "
        "should pass; erase to remove points",
        (),
        frozenset({"regression", "function1d", "painted"}),
        2,
        _starter_curve,
    ),
)


def painted_from(dataset) -> tuple[str, dict[str, Any], str]:
    """The painted set that starts from a made `dataset`'s points (all splits): its name, its
    params, and a note when some could not come along (too many points, classes beyond 8)."""
    x = np.concatenate([dataset.x_train, dataset.x_val, dataset.x_test]).astype(np.float64)
    y = np.concatenate([dataset.y_train, dataset.y_val, dataset.y_test])
    notes = []
    if dataset.task == "classification":
        keep = y < MAX_CLASSES
        if not keep.all():
            notes.append(f"classes beyond {MAX_CLASSES} left out")
            x, y = x[keep], y[keep]
    if len(x) > MAX_POINTS:  # the points are shuffled already: the first ones are a random subset
        notes.append(f"{MAX_POINTS:,} of {len(x):,} points kept")
        x, y = x[:MAX_POINTS], y[:MAX_POINTS]
    if dataset.kind == "function1d":
        points = [[round(float(a), 3), round(float(b), 3)] for a, b in zip(x[:, 0], y, strict=True)]
        return "painted_curve", {"points": points}, "; ".join(notes)
    rows = zip(x[:, 0], x[:, 1], y, strict=True)
    if dataset.task == "classification":
        points = [[round(float(a), 3), round(float(b), 3), int(c)] for a, b, c in rows]
    else:
        points = [[round(float(a), 3), round(float(b), 3), round(float(c), 4)] for a, b, c in rows]
    return "painted", {"task": dataset.task, "points": points}, "; ".join(notes)


def describe_painted(name: str, params: dict[str, Any]) -> str:
    """One line on a painted set for the data panel: how many points, of which classes."""
    points = params.get("points", [])
    count = f"{len(points):,} painted point{'s' if len(points) != 1 else ''}"
    if not points:
        return f"{count} yet: press Paint over the map to add some"
    if name == "painted" and params.get("task") == "classification":
        labels, counts = np.unique([int(p[2]) for p in points], return_counts=True)
        return f"{count}: " + ", ".join(f"{c} of class {k}" for k, c in zip(labels, counts, strict=True))
    if name == "painted":
        values = [p[2] for p in points]
        return f"{count}, values {min(values):g} to {max(values):g}"
    return f"{count} of a curve"
