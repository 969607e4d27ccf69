"""Rosenblatt's rule as stated, and the exact margin behind its (R/γ)² bound."""

import itertools

import numpy as np
import pytest

from engine.families.perceptron.margin import best_margin, mistake_bound
from engine.families.perceptron.rule import PerceptronRule, augment, errors, signed_labels

XOR = (np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 0, 1, 1]))


def separable(seed: int, n: int = 12, gap: float = 0.5):
    """Points on both sides of a random line, none closer to it than `gap`."""
    rng = np.random.default_rng(seed)
    normal = rng.standard_normal(2)
    normal /= np.linalg.norm(normal)
    offset = rng.uniform(-1, 1)
    x = rng.uniform(-4, 4, (n * 4, 2))
    side = x @ normal - offset
    keep = np.abs(side) > gap
    x, side = x[keep][:n], side[keep][:n]
    return x, (side > 0).astype(int)


def hull_distance(points: np.ndarray) -> float:
    """Distance from the origin to the convex hull of `points` (3-D), by enumerating every vertex,
    edge and triangle: the nearest point of a hull in 3-D lies in one of them. The homogeneous
    hard-margin SVM's γ equals this distance for the points y_i·x_i, when it is positive."""
    best = np.inf
    for size in (1, 2, 3):
        for face in itertools.combinations(points, size):
            p = np.array(face)
            if size == 1:
                best = min(best, float(np.linalg.norm(p[0])))
                continue
            # Nearest point of the affine span, p0 + B c: solve the normal equations.
            base, edges = p[0], (p[1:] - p[0]).T
            c, *_ = np.linalg.lstsq(edges, -base, rcond=None)
            weights = np.r_[1 - c.sum(), c]
            if (weights >= -1e-12).all():  # inside the face: a candidate
                best = min(best, float(np.linalg.norm(base + edges @ c)))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_margin_is_the_distance_from_the_origin_to_the_hull_of_the_signed_points(seed):
    x, y = separable(seed)
    x_aug, y_pm = augment(x), signed_labels(y)
    assert best_margin(x_aug, y_pm) == pytest.approx(hull_distance(y_pm[:, None] * x_aug), abs=1e-7)


def test_data_no_line_separates_has_no_margin_and_no_bound():
    x, y = XOR
    assert best_margin(augment(x), signed_labels(y)) is None
    assert mistake_bound(augment(x), signed_labels(y)) is None


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("lr", [1.0, 0.05])
def test_on_separable_data_it_converges_within_the_bound(seed, lr):
    x, y = separable(seed, n=40, gap=0.3)
    bound = mistake_bound(augment(x), signed_labels(y))
    rule = PerceptronRule(x, y, seed=seed, lr=lr)
    for _ in range(1000):
        rule.run_epoch()
        if rule.converged:
            break
    assert rule.converged and errors(rule.theta, rule.x, rule.y) == 0
    assert 0 < rule.mistakes <= bound


def test_each_step_is_rosenblatts_update_in_a_fixed_order():
    x, y = separable(1, n=20, gap=0.2)
    rule = PerceptronRule(x, y, seed=4, lr=0.5)
    theta = np.zeros(3)
    x_aug, y_pm = augment(x), signed_labels(y)
    first_pass = [int(i) for i in rule.order]
    for k in range(3 * len(x)):
        i = first_pass[k % len(x)]  # every pass visits the points in the same order
        result = rule.step()
        assert result.index == i
        mistake = y_pm[i] * (x_aug[i] @ theta) <= 0
        assert result.mistake == mistake
        if mistake:
            theta = theta + 0.5 * y_pm[i] * x_aug[i]
        np.testing.assert_array_equal(rule.theta, theta)
    assert rule.epoch == 3 and rule.steps == 3 * len(x)


def test_the_learning_rate_only_scales_theta():
    x, y = separable(2, n=30, gap=0.1)
    one, small = PerceptronRule(x, y, seed=0, lr=1.0), PerceptronRule(x, y, seed=0, lr=0.01)
    for _ in range(5):
        one.run_epoch()
        small.run_epoch()
    assert one.mistakes == small.mistakes
    np.testing.assert_allclose(small.theta, 0.01 * one.theta, rtol=1e-12)


def test_on_xor_it_never_converges_and_the_pocket_keeps_the_best_line_seen():
    x, y = XOR
    plain, pocket = PerceptronRule(x, y, seed=0), PerceptronRule(x, y, seed=0, pocket=True)
    fewest = len(x)
    for _ in range(50 * len(x)):
        plain.step()
        pocket.step()
        fewest = min(fewest, errors(plain.theta, plain.x, plain.y))
        assert not plain.converged
        # The pocket holds the line with the fewest errors of every θ the walk has passed through.
        assert pocket.pocket_errors == fewest == errors(pocket.kept, pocket.x, pocket.y)
    np.testing.assert_array_equal(plain.theta, pocket.theta)  # the pocket does not change the walk
    assert fewest < len(x)


def test_labels_other_than_zero_and_one_are_refused():
    with pytest.raises(ValueError, match="two classes"):
        PerceptronRule(np.zeros((3, 2)), np.array([0, 1, 2]), seed=0)
    with pytest.raises(ValueError, match="learning rate"):
        PerceptronRule(np.zeros((2, 2)), np.array([0, 1]), seed=0, lr=0.0)
