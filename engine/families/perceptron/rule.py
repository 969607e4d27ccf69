"""Rosenblatt's perceptron learning algorithm, exactly: one point at a time, an update only on a mistake.

θ starts at 0 and holds the bias as its last weight (each input gets a constant 1 appended, the
"augmented" input). Labels are ±1 and the prediction is sign(θ·x). A point is a mistake when
y·(θ·x) <= 0 — so at θ = 0 every point is one, as in Rosenblatt's rule — and a mistake moves θ
by lr·y·x. The points are visited in one order, shuffled once by the seed and then fixed, so a
run is a deterministic walk a learner can replay. With `pocket` (Gallant's variant) the θ with
the fewest training errors seen so far is kept beside the moving one.

A step is one point; an epoch is one pass. On separable data the number of mistakes never exceeds
(R/γ)² (engine/families/perceptron/margin.py), whatever the order and the rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def augment(x: np.ndarray) -> np.ndarray:
    """Inputs (N, d) with a constant 1 appended: the bias becomes θ's last weight."""
    x = np.asarray(x, dtype=np.float64)
    return np.hstack([x, np.ones((len(x), 1))])


def signed_labels(y: np.ndarray) -> np.ndarray:
    """Class labels 0/1 as the rule's -1/+1."""
    y = np.asarray(y)
    if not np.isin(y, (0, 1)).all():
        raise ValueError("the perceptron learns two classes, labelled 0 and 1")
    return np.where(y == 1, 1.0, -1.0)


def errors(theta: np.ndarray, x_aug: np.ndarray, y_pm: np.ndarray) -> int:
    """Points misclassified by θ, counted as the rule counts a mistake (y·θ·x <= 0)."""
    return int(np.count_nonzero(y_pm * (x_aug @ theta) <= 0.0))


@dataclass
class StepResult:
    index: int  # the training point just looked at
    mistake: bool  # whether it moved θ


class PerceptronRule:
    """θ, the fixed visiting order and the counters of one run of the algorithm."""

    def __init__(self, x: np.ndarray, y: np.ndarray, seed: int, lr: float = 1.0, pocket: bool = False):
        if lr <= 0:
            raise ValueError("the perceptron's learning rate must be positive")
        self.x = augment(x)
        self.y = signed_labels(y)
        self.lr = float(lr)
        self.pocket = pocket
        self.order = np.random.default_rng(seed).permutation(len(self.x))
        self.theta = np.zeros(self.x.shape[1])
        self.mistakes = 0  # updates so far
        self.steps = 0
        self.epoch = 0
        self._mistakes_this_pass = 0
        self.converged = False  # a whole pass without a mistake
        self.pocket_theta = self.theta.copy()
        self.pocket_errors = len(self.x)  # θ = 0 misclassifies every point

    @property
    def position(self) -> int:
        """Where in the pass the next step looks."""
        return self.steps % len(self.order)

    def step(self) -> StepResult:
        """Look at the next point; update θ if it is a mistake. Ends the epoch after the last point."""
        i = int(self.order[self.position])
        x, y = self.x[i], self.y[i]
        mistake = bool(y * float(x @ self.theta) <= 0.0)
        if mistake:
            self.theta = self.theta + self.lr * y * x
            self.mistakes += 1
            self._mistakes_this_pass += 1
            if self.pocket:
                now = errors(self.theta, self.x, self.y)
                if now < self.pocket_errors:
                    self.pocket_theta, self.pocket_errors = self.theta.copy(), now
        self.steps += 1
        if self.position == 0:
            self.epoch += 1
            self.converged = self._mistakes_this_pass == 0
            self._mistakes_this_pass = 0
        return StepResult(i, mistake)

    def run_epoch(self) -> None:
        """Finish the current pass."""
        self.step()
        while self.position != 0:
            self.step()

    @property
    def kept(self) -> np.ndarray:
        """The θ the run answers with: the pocket's with `pocket`, else the moving one."""
        return self.pocket_theta if self.pocket else self.theta
