"""What the perceptron's views draw, as plain data: the class map of sign(θ·x) over the grid, the
boundary line and θ's direction in the raw input plane, the point just looked at, the points
misclassified now and the counters beside the bound.

It is a GridProbe (so the decision map draws it as any classifier's) with the perceptron's facts
added; it crosses the process pipe like any frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.families.perceptron.rule import augment
from engine.snapshot import GridProbe


@dataclass(frozen=True, eq=False)
class PerceptronProbe(GridProbe):
    theta: np.ndarray = None  # the moving θ, in feature space, the bias last
    kept_theta: np.ndarray = None  # the θ the run answers with (the pocket's, with `pocket`)
    # (a, b, c) with a·x1 + b·x2 + c = 0 in the raw plane: the boundary of θ and of the kept θ;
    # None when the features are not x1, x2 themselves (the boundary is then a curve: see `output`)
    line: tuple[float, float, float] | None = None
    kept_line: tuple[float, float, float] | None = None
    looking_at: int = -1  # index into the training split of the point the last step looked at
    moved: bool = False  # whether that point was a mistake
    misclassified: np.ndarray = None  # indices of training points the moving θ gets wrong now
    mistakes: int = 0
    errors: int = 0
    bound: float | None = None  # (R/γ)²; None when the data is not linearly separable
    converged: bool = False
    pocket: bool = False
    epoch: int = 0
    step: int = 0
    n_train: int = 0


def perceptron_probe(trainer, grid) -> PerceptronProbe:
    rule = trainer.rule
    if grid is not None and grid.kind == "points2d":
        scores = augment(grid.points) @ rule.theta
        output = np.sign(scores).reshape(grid.resolution, grid.resolution).astype(np.float32)
        extent = grid.extent
    else:
        output, extent = np.zeros((0, 0), np.float32), (0.0, 1.0, 0.0, 1.0)
    wrong = np.flatnonzero(rule.y * (rule.x @ rule.theta) <= 0.0)
    pre = trainer.preprocessor
    # The rule's own counters: a past epoch swapped in to be looked at (history) brings its own,
    # and the point the live run looked at last is not part of that past.
    live = rule.steps == trainer.step_count
    return PerceptronProbe(
        extent=extent,
        output=output,
        theta=rule.theta.copy(),
        kept_theta=rule.kept.copy(),
        line=raw_line(rule.theta, pre),
        kept_line=raw_line(rule.kept, pre),
        looking_at=trainer.looking_at if live else -1,
        moved=trainer.moved and live,
        misclassified=wrong,
        mistakes=rule.mistakes,
        errors=len(wrong),
        bound=trainer.bound,
        converged=rule.converged,
        pocket=rule.pocket,
        epoch=rule.epoch,
        step=rule.steps,
        n_train=trainer.n_train,
    )


def raw_line(theta: np.ndarray, preprocessor) -> tuple[float, float, float] | None:
    """θ's boundary in the raw plane when the features are x1 and x2, standardised or not.

    With x' = (x - m) / s the boundary θ1·x1' + θ2·x2' + θ0 = 0 is a·x1 + b·x2 + c = 0 with
    a = θ1/s1, b = θ2/s2, c = θ0 - a·m1 - b·m2. None for any other features (a curve) or θ = 0.
    """
    if tuple(preprocessor.feature_names) != ("x1", "x2"):
        return None
    mean = np.broadcast_to(preprocessor.mean.numpy().astype(np.float64), (2,))
    std = np.broadcast_to(preprocessor.std.numpy().astype(np.float64), (2,))
    a, b = theta[0] / std[0], theta[1] / std[1]
    if a == 0.0 and b == 0.0:
        return None
    return float(a), float(b), float(theta[2] - a * mean[0] - b * mean[1])
