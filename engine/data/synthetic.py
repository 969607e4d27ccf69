"""Further teaching sets of our own: moons, k-arm spirals, blobs on the plane, and 1-D functions."""

from __future__ import annotations

import numpy as np

from engine.data.base import PLAYGROUND_DOMAIN, PM1_NAMES, Generated, Info, balanced_counts
from engine.data.playground import spiral_arm
from engine.spec.registry import Entry, Param

MOON_SCALE = 3.0  # sklearn's moons span x in [-1, 2], y in [-0.5, 1]; scaled to fill the playground plane
BLOB_RADIUS = 4.0
FUNCTION_RANGE = (-3.0, 3.0)  # where 1-D inputs are drawn
FUNCTION_DOMAIN = (-4.0, 4.0)  # what the views show: a margin to see how the fit extrapolates


def _class_names(k: int) -> tuple[str, ...]:
    """Two classes are the playground's -1/+1, as on its own sets (one name per class in the window)."""
    return PM1_NAMES if k == 2 else tuple(str(j) for j in range(k))


def _labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def moons(spec: dict, rng: np.random.Generator) -> Generated:
    """sklearn-style moons with random (not evenly spaced) angles, centred and scaled by MOON_SCALE."""
    n_upper, n_lower = balanced_counts(spec["samples"], 2)
    t_upper, t_lower = rng.uniform(0.0, np.pi, n_upper), rng.uniform(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    points = np.concatenate([upper, lower]) - (0.5, 0.25)
    points += rng.normal(0.0, spec["noise"], points.shape)
    return Generated(points * MOON_SCALE, _labels([n_upper, n_lower]), "classification", ("upper", "lower"))


def spiral3(spec: dict, rng: np.random.Generator) -> Generated:
    """k arms of the playground's spiral, rotated 2π/k apart (k = 2 is the playground's spiral)."""
    k = spec["params"]["classes"]
    n = spec["samples"]
    counts = balanced_counts(n, k)
    arms = [spiral_arm(c, n / k, 2.0 * np.pi * j / k, spec["noise"], rng) for j, c in enumerate(counts)]
    return Generated(np.concatenate(arms), _labels(counts), "classification", _class_names(k))


def blob_centres(k: int) -> np.ndarray:
    """k centres evenly spaced on a circle of radius BLOB_RADIUS, the first straight up."""
    angle = 2.0 * np.pi * np.arange(k) / k
    return BLOB_RADIUS * np.stack([np.sin(angle), np.cos(angle)], axis=1)


def blob_std(noise: float) -> float:
    return 0.5 + 2.0 * noise


def blobs(spec: dict, rng: np.random.Generator) -> Generated:
    k = spec["params"]["classes"]
    counts = balanced_counts(spec["samples"], k)
    centres = np.repeat(blob_centres(k), counts, axis=0)
    points = centres + rng.normal(0.0, blob_std(spec["noise"]), centres.shape)
    return Generated(points, _labels(counts), "classification", _class_names(k))


HALFPLANE_HALF_WIDTH = 5.0  # points are drawn in [-5, 5]², inside the playground's plane
HALFPLANE_MAX_OFFSET = 2.0  # the line passes at most this far from the origin


def halfplane(spec: dict, rng: np.random.Generator) -> Generated:
    """Two classes on either side of a random line, with an empty band of half-width `margin`
    around it: linearly separable, with a margin of at least `margin`, until `noise` flips that
    share of the labels (then no line separates them)."""
    n, margin = spec["samples"], spec["params"]["margin"]
    angle = rng.uniform(0.0, 2.0 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    offset = rng.uniform(-HALFPLANE_MAX_OFFSET, HALFPLANE_MAX_OFFSET)
    points = np.zeros((0, 2))
    while len(points) < n:  # draw, drop the band, draw again for the rest
        draw = rng.uniform(-HALFPLANE_HALF_WIDTH, HALFPLANE_HALF_WIDTH, (2 * n, 2))
        points = np.concatenate([points, draw[np.abs(draw @ normal - offset) >= margin]])
    points = points[:n]
    label = (points @ normal - offset > 0).astype(np.int64)
    flip = rng.random(n) < spec["noise"]
    return Generated(points, np.where(flip, 1 - label, label), "classification", PM1_NAMES)


def curve(spec: dict, rng: np.random.Generator) -> Generated:
    """Points along a parabola arc, y = 0.3·x² - 2.5 for x in [-5, 5], jittered by Gaussian noise of
    std `noise`: a 1-D shape in the plane (an autoencoder's 1-unit code can learn where along it a
    point lies). The target is that position, t in [-1, 1]."""
    t = rng.uniform(-1.0, 1.0, spec["samples"])
    points = np.stack([5.0 * t, 7.5 * t**2 - 2.5], axis=1)
    points += rng.normal(0.0, spec["noise"], points.shape)
    return Generated(points, t, "regression", (), ("x1", "x2"))


LINE_HALF_LENGTH = 4.0  # the segment runs from -4·u to 4·u along the unit direction u
LINE_DIRECTION = np.array([0.8, 0.6])  # slanted, so neither input alone describes it


def line(spec: dict, rng: np.random.Generator) -> Generated:
    """Points along a straight segment through the origin (length 8, slope 3/4), jittered by
    Gaussian noise of std `noise` across and along it: GAN Lab's simplest target, a 1-D shape a
    generator can fold its noise plane onto. The target is the position along the line, t in [-1, 1]."""
    t = rng.uniform(-1.0, 1.0, spec["samples"])
    points = LINE_HALF_LENGTH * t[:, None] * LINE_DIRECTION[None, :]
    points += rng.normal(0.0, spec["noise"], points.shape)
    return Generated(points, t, "regression", (), ("x1", "x2"))


RING_MODES = 8
RING_RADIUS = 4.0
RING_BASE_STD = 0.2  # each mode's std at noise 0


def ring8(spec: dict, rng: np.random.Generator) -> Generated:
    """GAN Lab's and the GAN papers' test of mode collapse: 8 Gaussians evenly spaced on a circle of
    radius 4, each of std 0.2 + noise; the label is the mode."""
    counts = balanced_counts(spec["samples"], RING_MODES)
    angle = 2.0 * np.pi * np.arange(RING_MODES) / RING_MODES
    centres = np.repeat(RING_RADIUS * np.stack([np.cos(angle), np.sin(angle)], axis=1), counts, axis=0)
    points = centres + rng.normal(0.0, RING_BASE_STD + spec["noise"], centres.shape)
    return Generated(points, _labels(counts), "classification", _class_names(RING_MODES))


def _function(fn):
    def factory(spec: dict, rng: np.random.Generator) -> Generated:
        x = rng.uniform(*FUNCTION_RANGE, spec["samples"])
        y = fn(x, spec["params"]) + rng.normal(0.0, spec["noise"], x.shape)
        return Generated(x[:, None], y, "regression", (), ("x",))

    return factory


def sine_value(x: np.ndarray, params: dict) -> np.ndarray:
    return np.sin(params["frequency"] * x)


def step_value(x: np.ndarray, params: dict) -> np.ndarray:
    return np.where(x >= 0.0, 1.0, -1.0)


def abs_value(x: np.ndarray, params: dict) -> np.ndarray:
    return np.abs(x)


_PLANE_NOISE = "std of Gaussian jitter, in moon radii"
_CURVE_NOISE = "std of Gaussian jitter off the curve"
_FUNCTION_NOISE = "std of Gaussian noise added to the target"
INFO = {
    "moons": Info("points2d", 500, 0.5, PLAYGROUND_DOMAIN, _PLANE_NOISE),
    "ring8": Info("points2d", 800, 0.5, PLAYGROUND_DOMAIN, "added to each mode's std of 0.2"),
    "curve": Info("points2d", 400, 1.0, PLAYGROUND_DOMAIN, _CURVE_NOISE),
    "line": Info("points2d", 400, 1.0, PLAYGROUND_DOMAIN, "std of Gaussian jitter off the line"),
    "halfplane": Info("points2d", 200, 0.5, PLAYGROUND_DOMAIN, "share of labels flipped (0: separable)"),
    "spiral3": Info("points2d", 600, 0.5, PLAYGROUND_DOMAIN, "jitters each point by U(-1, 1)·noise"),
    "blobs": Info("points2d", 500, 0.5, PLAYGROUND_DOMAIN, "spread: std grows from 0.5 to 1.5"),
    "sine": Info("function1d", 500, 1.0, FUNCTION_DOMAIN, _FUNCTION_NOISE, 1),
    "step": Info("function1d", 500, 1.0, FUNCTION_DOMAIN, _FUNCTION_NOISE, 1),
    "abs": Info("function1d", 500, 1.0, FUNCTION_DOMAIN, _FUNCTION_NOISE, 1),
}

_CLASSES_HELP = "number of classes"
ENTRIES = (
    Entry(
        "ring8",
        ring8,
        "Ring of 8 Gaussians",
        "Eight small clusters on a circle: the standard test of whether a GAN covers every mode "
        "or collapses onto a few",
        (),
        frozenset({"classification", "points2d"}),
    ),
    Entry(
        "curve",
        curve,
        "Points along a curve",
        "A parabola arc in the plane: 2-D points that vary along one direction only. The target is "
        "where along the arc a point lies",
        (),
        frozenset({"regression", "points2d"}),
    ),
    Entry(
        "line",
        line,
        "Points along a line",
        "A slanted straight segment: the simplest shape for a GAN's generator to learn, and for an "
        "autoencoder's 1-unit code. The target is where along the line a point lies",
        (),
        frozenset({"regression", "points2d"}),
    ),
    Entry(
        "halfplane",
        halfplane,
        "Two half-planes",
        "Two classes either side of a random line with an empty band between: the perceptron's "
        "separable case, until noise flips some labels",
        (Param("margin", 0.5, float, 0.0, 3.0, help="half-width of the empty band around the line"),),
        frozenset({"classification", "points2d"}),
    ),
    Entry(
        "moons",
        moons,
        "Two moons",
        "Two interlocking crescents: a curved boundary that a few hidden units bend into shape",
        (),
        frozenset({"classification", "points2d"}),
    ),
    Entry(
        "spiral3",
        spiral3,
        "Spiral, k arms",
        "Several interleaved arms: multi-class softmax on a hard, non-linear problem",
        (Param("classes", 3, int, 2, 8, help="number of arms (classes)"),),
        frozenset({"classification", "points2d"}),
    ),
    Entry(
        "blobs",
        blobs,
        "Blobs",
        "Gaussian clusters on a ring: multi-class classification and softmax's linear regions",
        (Param("classes", 4, int, 2, 10, help=_CLASSES_HELP),),
        frozenset({"classification", "points2d"}),
    ),
    Entry(
        "sine",
        _function(sine_value),
        "Sine (1-D)",
        "y = sin(f·x): universal approximation, one hidden layer bends to fit a smooth curve",
        (Param("frequency", 1.0, float, 0.25, 5.0, help="f in sin(f·x): more waves need more units"),),
        frozenset({"regression", "function1d"}),
    ),
    Entry(
        "step",
        _function(step_value),
        "Step (1-D)",
        "y = -1 or +1, a jump at 0: smooth units need steep weights (or many units) to draw a cliff",
        (),
        frozenset({"regression", "function1d"}),
    ),
    Entry(
        "abs",
        _function(abs_value),
        "Absolute value (1-D)",
        "y = |x|, a kink: two ReLUs draw it exactly, tanh only approximates it",
        (),
        frozenset({"regression", "function1d"}),
    ),
)
