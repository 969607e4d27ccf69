"""The fast path's compiled mini-batch step, where it computes what the NumPy step would.

NumpyBackend (engine/families/mlp/fastpath.py) hands a batch here when nothing the kernels lack
is switched on (clipping, input noise, the standard preset's L1/L2): plain SGD goes through
fastkernel.sgd_batch, every other optimizer through optimizer_kernel.optimizer_batch on the
UpdateRule's own buffers and counters. engine/race runs many backends' batches in one call
from `parts()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.families.mlp import fastkernel, optimizer_kernel

# The kernels are scalar loops; NumPy's matrix products win on big batches of wide layers. Measured
# on the spiral with 3 relu layers and Adam (steps/s, kernel against NumPy): 8 units 3.1x at
# batch 10 and 1.2x at 64, 16 units 1.1x at 64, 64 units 1.3x at 10 (85,000 multiply-adds a
# batch), 32 units 0.66x at 64 (141,000), 64 units 0.57x at 64 (545,000). So the kernels take
# a batch up to this many multiply-adds (rows x weights).
KERNEL_MAX_MACS = 100_000


@dataclass(frozen=True)
class CompiledParts:
    """What engine/race's kernel needs of one backend: the live arrays (updates land in them)."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    act_codes: np.ndarray
    loss_code: int
    x: np.ndarray  # the train split's inputs
    t: np.ndarray  # and targets
    optimizer: int  # optimizer_kernel.CODES, or -1 for plain SGD through sgd_batch
    settings: np.ndarray  # optimizer_kernel.settings_array
    buffers: tuple  # the rule's m and v of the weights, then of the biases
    counters: np.ndarray  # the rule's [momentum started, t]


class CompiledStep:
    """The typed lists, codes and gradient room of one network's compiled step."""

    @staticmethod
    def fits(weights: list[np.ndarray], act_names: list[str], loss: str, targets: np.ndarray) -> bool:
        """Whether the kernels can train this network at all (one output, their activations and losses)."""
        return (
            fastkernel.available()
            and weights[-1].shape[0] == 1
            and loss in fastkernel.LOSS_CODES
            and all(name in fastkernel.ACT_CODES for name in act_names)
            and targets.dtype != np.int64
        )

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], act_names: list[str], loss: str):
        lists = fastkernel.typed_list
        self.arrays = weights, biases  # the backend's own lists: engine/race keys its cache on them
        self.weights, self.biases = lists(weights), lists(biases)
        self.act_codes = np.array([fastkernel.ACT_CODES[name] for name in act_names], dtype=np.int64)
        self.loss_code = fastkernel.LOSS_CODES[loss]
        self.width = max(max(W.shape) for W in weights)
        self.weight_count = sum(W.size for W in weights)
        self.grads = lists([np.zeros_like(W) for W in weights]), lists([np.zeros_like(b) for b in biases])
        self._rule = None
        self._state: tuple = ()
        self._settings_key: tuple = ()
        self._settings = np.zeros(len(optimizer_kernel.SETTINGS))
        self._parts_key: tuple = ()
        self._parts_of: tuple = (None, None)  # the rule and inputs it was made for, held
        self._parts: CompiledParts | None = None

    def worth_it(self, rows: int) -> bool:
        """Whether a batch of `rows` is faster through the kernels than through NumPy."""
        return rows * self.weight_count <= KERNEL_MAX_MACS

    @staticmethod
    def optimizer_code(name: str, opt: dict) -> int | None:
        """The kernels' code for an optimizer: -1 for plain SGD (sgd_batch), None if not compiled."""
        if name == "sgd" and not opt.get("weight_decay", 0.0):
            return -1
        return optimizer_kernel.CODES.get(name)

    def train(self, x: np.ndarray, t: np.ndarray, lr: float, rule, opt: dict) -> float:
        """One batch (inputs x, targets t as a column or flat); returns its loss."""
        targets, width = t.reshape(len(t), -1)[:, 0], max(self.width, x.shape[1])
        code = self.optimizer_code(rule.name, opt)
        if code == -1:
            return fastkernel.sgd_batch(
                self.weights, self.biases, self.act_codes, x, targets, lr, self.loss_code, width
            )
        return optimizer_kernel.optimizer_batch(
            self.weights, self.biases, self.act_codes, x, targets, self.loss_code, width, *self.grads,
            code, self.state(rule), lr, self.settings(rule, opt),
        )  # fmt: skip

    def state(self, rule) -> tuple:
        """The rule's buffers as the kernels take them (lists sharing its arrays) and its counters."""
        if rule is not self._rule:
            n, lists = len(self.weights), fastkernel.typed_list
            self._state = (
                lists(rule.m[:n]),
                lists(rule.v[:n]),
                lists(rule.m[n:]),
                lists(rule.v[n:]),
                rule.counters,
            )
            self._rule = rule
        return self._state

    def settings(self, rule, opt: dict) -> np.ndarray:
        key = (rule.name, *opt.items())
        if key != self._settings_key:  # a live edit of momentum or the betas
            self._settings, self._settings_key = optimizer_kernel.settings_array(rule.defaults | opt), key
        return self._settings

    def parts(self, x: np.ndarray, t: np.ndarray, rule, opt: dict) -> CompiledParts:
        """The same object round after round while nothing it holds changes (a race asks every round)."""
        held = self._parts
        settings_key = (rule.name, *opt.items())
        of = self._parts_of
        if held is None or of[0] is not rule or of[1] is not x or self._parts_key != settings_key:
            held = self._parts = self._new_parts(x, t, rule, opt)
            self._parts_of, self._parts_key = (rule, x), settings_key
        return held

    def _new_parts(self, x: np.ndarray, t: np.ndarray, rule, opt: dict) -> CompiledParts:
        n = len(self.weights)
        buffers = (rule.m[:n], rule.v[:n], rule.m[n:], rule.v[n:])
        return CompiledParts(
            *self.arrays, self.act_codes, self.loss_code, x, t,
            self.optimizer_code(rule.name, opt), self.settings(rule, opt), buffers, rule.counters,
        )  # fmt: skip
