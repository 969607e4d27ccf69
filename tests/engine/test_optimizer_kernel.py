"""The compiled optimizer steps give UpdateRule's bits, and a compiled batch is gradients + update."""

import numpy as np
import pytest

from engine.families.mlp import fastkernel, optimizer_kernel
from engine.families.mlp.update_rules import UpdateRule

pytestmark = pytest.mark.skipif(not fastkernel.available(), reason="numba is not installed")

SHAPES = [(8, 4), (8, 8), (1, 8)]


def network(seed: int):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(shape) for shape in SHAPES]
    biases = [rng.standard_normal(shape[0]) for shape in SHAPES]
    return weights, biases


class Compiled:
    """A run's weights and an UpdateRule, stepped by the compiled kernel on the rule's own buffers."""

    def __init__(self, name: str, weights, biases):
        self.name, self.weights, self.biases = name, weights, biases
        self.rule = UpdateRule(name, weights + biases)
        n = len(weights)
        lists = fastkernel.typed_list
        self.state = (
            lists(self.rule.m[:n]),
            lists(self.rule.v[:n]),
            lists(self.rule.m[n:]),
            lists(self.rule.v[n:]),
            np.zeros(2, dtype=np.int64),
        )
        self.lists = lists(weights), lists(biases)

    def step(self, grads_w, grads_b, lr, opt):
        code = optimizer_kernel.CODES[self.name]
        s = optimizer_kernel.settings_array(self.rule.defaults | opt)
        mW, vW, mb, vb, counters = self.state
        if code >= 3:
            counters[1] += 1
        started = counters[0] != 0
        lists = fastkernel.typed_list
        optimizer_kernel.update(code, self.lists[0], lists(grads_w), mW, vW, lr, started, counters[1], s)
        optimizer_kernel.update(code, self.lists[1], lists(grads_b), mb, vb, lr, started, counters[1], s)
        counters[0] = 1


@pytest.mark.parametrize("name", list(optimizer_kernel.CODES))
@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_each_compiled_update_gives_update_rules_bits(name, decay):
    opt = {"weight_decay": decay, "beta1": 0.85, "beta2": 0.99, "eps": 1e-7, "rho": 0.8, "alpha": 0.95}
    if name in ("momentum", "nesterov", "rmsprop"):
        opt["momentum"] = 0.8
    w, b = network(0)
    plain = ([x.copy() for x in w], [x.copy() for x in b])
    rule = UpdateRule(name, plain[0] + plain[1])
    compiled = Compiled(name, w, b)
    rng = np.random.default_rng(1)
    for step in range(20):
        grads_w = [rng.standard_normal(shape) for shape in SHAPES]
        grads_b = [rng.standard_normal(shape[0]) for shape in SHAPES]
        lr = 0.05 / (1 + step)
        rule.step(plain[0] + plain[1], [g.copy() for g in grads_w + grads_b], lr, opt)
        compiled.step(grads_w, grads_b, lr, opt)
        for mine, theirs in zip(w + b, plain[0] + plain[1], strict=True):
            np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(compiled.rule.m + compiled.rule.v, rule.m + rule.v, strict=True):
        np.testing.assert_array_equal(mine, theirs)  # the buffers too: a run may switch steps


@pytest.mark.parametrize("name", ["momentum", "adam", "rmsprop"])
def test_a_compiled_batch_is_the_batchs_gradients_then_the_update(name):
    opt = {"weight_decay": 0.001}
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((10, 4)), (rng.random(10) > 0.5).astype(float)
    codes = np.array([2, 2, 0])
    w, b = network(3)
    by_parts = Compiled(name, [a.copy() for a in w], [a.copy() for a in b])
    whole = Compiled(name, w, b)
    lists = fastkernel.typed_list
    for _ in range(5):
        grads_w, grads_b = [np.zeros(s) for s in SHAPES], [np.zeros(s[0]) for s in SHAPES]
        loss = fastkernel.batch_gradients(*by_parts.lists, codes, x, t, 2, 8, lists(grads_w), lists(grads_b))
        by_parts.step(grads_w, grads_b, 0.1, opt)
        buffers = lists([np.zeros(s) for s in SHAPES]), lists([np.zeros(s[0]) for s in SHAPES])
        code, s = optimizer_kernel.CODES[name], optimizer_kernel.settings_array(whole.rule.defaults | opt)
        assert (
            optimizer_kernel.optimizer_batch(
                *whole.lists, codes, x, t, 2, 8, *buffers, code, whole.state, 0.1, s
            )
            == loss
        )
        for mine, theirs in zip(w + b, by_parts.weights + by_parts.biases, strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_gradients_equal_an_sgd_steps_change():
    """batch_gradients is sgd_batch's gradient: w - lr*g is what sgd_batch leaves."""
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((10, 4)), (rng.random(10) > 0.5).astype(float)
    codes = np.array([2, 2, 0])
    w, b = network(5)
    stepped = fastkernel.typed_list([a.copy() for a in w]), fastkernel.typed_list([a.copy() for a in b])
    grads_w, grads_b = [np.zeros(s) for s in SHAPES], [np.zeros(s[0]) for s in SHAPES]
    lists = fastkernel.typed_list
    fastkernel.batch_gradients(lists(w), lists(b), codes, x, t, 2, 8, lists(grads_w), lists(grads_b))
    fastkernel.sgd_batch(*stepped, codes, x, t, 0.1, 2, 8)
    for before, g, after in zip(w + b, grads_w + grads_b, list(stepped[0]) + list(stepped[1]), strict=True):
        np.testing.assert_array_equal(after, before - 0.1 * g)
