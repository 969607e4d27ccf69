"""The cheap forms of an epoch's accuracy, divergence check and layer norms equal the plain ones."""

import numpy as np
import pytest

from engine.families.mlp.dense_math import _norm
from engine.families.mlp.task import TaskHead, accuracy, probabilities
from engine.train import FLOAT32_MAX, _finite_state

HEADS = [
    TaskHead("classification", 2, "bce", "linear", 1, "binary"),
    TaskHead("classification", 2, "mse", "tanh", 1, "pm1"),
    TaskHead("classification", 2, "mse", "sigmoid", 1, "binary"),
    TaskHead("classification", 3, "cross_entropy", "linear", 3, "index"),
]


@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h.loss}-{h.output_activation}")
def test_accuracy_is_the_share_of_rows_whose_most_probable_class_is_the_label(head):
    rng = np.random.default_rng(0)
    out = rng.standard_normal((400, head.n_out)) * 3
    # Ties and the edges of each head's range: 0 (p = 0.5 for bce and tanh), 0.5, ±1, a NaN.
    out[:6, 0] = [0.0, 0.5, 1.0, -1.0, np.nan, 5e-17]
    labels = rng.integers(0, head.n_classes, 400)
    plain = float(np.mean(probabilities(head, out).argmax(axis=1) == labels))
    assert accuracy(head, out, labels) == plain


def test_accuracy_is_none_for_regression_and_empty_splits():
    regression = TaskHead("regression", 0, "mse", "linear", 1, "value")
    assert accuracy(regression, np.zeros((3, 1)), np.zeros(3)) is None
    assert accuracy(HEADS[0], np.zeros((0, 1)), np.zeros(0)) is None


@pytest.mark.parametrize(
    ("bad", "finite"),
    [(0.5, True), (np.nan, False), (np.inf, False), (-np.inf, False), (FLOAT32_MAX * 2, False)],
)
def test_the_divergence_check_refuses_nan_infinity_and_values_float32_cannot_hold(bad, finite):
    state = {"a.weight": np.ones((3, 2)), "a.bias": np.zeros(0), "steps": np.array([7], dtype=np.int64)}
    state["a.weight"][1, 1] = bad
    assert bool(_finite_state(state)) is finite


def test_layer_norms_equal_numpys():
    rng = np.random.default_rng(1)
    for _ in range(200):
        a = rng.standard_normal(tuple(rng.integers(1, 9, 2))) * 10 ** rng.uniform(-6, 6)
        assert _norm(a) == float(np.linalg.norm(a))
