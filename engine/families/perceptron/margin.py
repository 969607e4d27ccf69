"""The perceptron convergence theorem's bound (R/γ)², with γ computed exactly.

R is the largest norm of an augmented input. γ is the best margin any hyperplane through the
origin of the augmented space achieves, max over unit θ of min_i y_i θ·x_i: the hard-margin
linear SVM without a separate bias, min ½‖w‖² subject to y_i w·x_i >= 1, gives it as 1/‖w‖.
Separability is decided first by a linear program (is there a w with y_i w·x_i >= 1 for all i?);
data that is not separable has no γ and no bound.
"""

from __future__ import annotations

import numpy as np


def best_margin(x_aug: np.ndarray, y_pm: np.ndarray) -> float | None:
    """γ of the augmented points, or None when no hyperplane through the origin separates them."""
    from scipy.optimize import linprog, minimize

    signed = y_pm[:, None] * x_aug  # a row per constraint: signed_i · w >= 1
    d = x_aug.shape[1]
    # Feasibility: any w with signed·w >= 1, found by an LP with a zero objective.
    lp = linprog(np.zeros(d), A_ub=-signed, b_ub=-np.ones(len(signed)), bounds=[(None, None)] * d)
    if lp.status != 0:
        return None
    qp = minimize(
        lambda w: 0.5 * float(w @ w),
        lp.x,
        jac=lambda w: w,
        constraints=[{"type": "ineq", "fun": lambda w: signed @ w - 1.0, "jac": lambda w: signed}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    w = qp.x if qp.success else lp.x
    # The margin the solution actually achieves (never more than the true optimum's).
    return float(np.min(signed @ w) / np.linalg.norm(w))


def mistake_bound(x_aug: np.ndarray, y_pm: np.ndarray) -> float | None:
    """(R/γ)²: the most mistakes the perceptron can make on separable data; None if not separable."""
    gamma = best_margin(x_aug, y_pm)
    if gamma is None or gamma <= 0:
        return None
    radius = float(np.max(np.linalg.norm(x_aug, axis=1)))
    return (radius / gamma) ** 2
