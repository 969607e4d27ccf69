"""The numpy fast path: small dense stacks trained without torch's per-op overhead.

At the playground's sizes (a few layers of a few units, batches of 10) eager torch spends its
time in dispatch, not arithmetic; the same forward/backward in float64 numpy runs several times
faster. It is checked against the torch backend (tests/engine/test_fastpath.py) and has the same
methods as engine/families/mlp/torch_backend.py (train_step, evaluate, state_dict, ...), so the
Trainer cannot tell them apart. Anything it does not cover goes to torch: `unsupported_reason`
says why.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.families.mlp.backend import Hyper, SplitData
from engine.families.mlp.dense_math import _act_params, _backward_act, _forward_act, _norm, dense_forward
from engine.families.mlp.fast_optimizer_state import SavedUpdateRule
from engine.families.mlp.update_rules import UpdateRule, clip_gradients, flat_views
from engine.memory import EVAL_CHUNK
from engine.snapshot import LayerStat
from engine.spec.catalog.activations import activation_name

HIDDEN = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu")
OUTPUTS = ("linear", "sigmoid", "tanh")
LOSSES = ("mse", "half_mse", "bce", "cross_entropy")
OPTIMIZERS = UpdateRule.NAMES  # every optimizer in the catalog (engine/spec/catalog/optimizers.py)
MAX_UNITS = 256  # wider layers are matrix work, where torch is just as fast
FLOAT32_MAX = float(np.finfo(np.float32).max)


class NumpyBackend(SavedUpdateRule):
    """Dense layers in float64 numpy with hand-written backprop and optimizers matching torch.optim."""

    @staticmethod
    def unsupported_reason(
        layers: list[dict], output_activation: str, loss: str, optimizer: str
    ) -> str | None:
        for i, layer in enumerate(layers):
            if layer["type"] != "dense":
                return f"layer {i} is {layer['type']}, the fast path runs dense layers only"
            if activation_name(layer["activation"]) not in HIDDEN:
                return (
                    f"layer {i} uses {activation_name(layer['activation'])}, not one of {', '.join(HIDDEN)}"
                )
            if layer["units"] > MAX_UNITS:
                return f"layer {i} has {layer['units']} units (fast path: up to {MAX_UNITS})"
        if output_activation not in OUTPUTS:
            return f"output activation {output_activation} is not one of {', '.join(OUTPUTS)}"
        if loss not in LOSSES:
            return f"loss {loss} is not one of {', '.join(LOSSES)}"
        if optimizer not in OPTIMIZERS:
            return f"optimizer {optimizer} is not one of {', '.join(OPTIMIZERS)}"
        return None

    def __init__(
        self,
        layers: list[dict],
        output_activation: str,
        loss: str,
        optimizer_name: str,
        state: dict[str, np.ndarray],
        train: SplitData,
        test: SplitData | None,
        hyper: Hyper,
        preset: str = "standard",
        seed: int = 0,
        validation: SplitData | None = None,
    ):
        self.names = [f"layers.{i}.linear" for i in range(len(layers))] + ["head.linear"]
        self.acts = [_act_params(layer["activation"]) for layer in layers] + [(output_activation, {})]
        self.loss = loss
        self.hyper = hyper
        self.playground = preset == "playground"
        self.W: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        self.load_state_dict(state)
        # Room for one batch's gradients, laid out as the parameters (flat, views per parameter).
        self._grads = np.zeros_like(self._params)
        self._grad_views = flat_views(self._grads, self.W + self.b)
        self._splits = {"train": self._prepare(train)}
        if test is not None and len(test.x):
            self._splits["test"] = self._prepare(test)
        if validation is not None and len(validation.x):
            self._splits["validation"] = self._prepare(validation)
        self._noise = np.random.default_rng(seed + 7)
        self.set_optimizer(optimizer_name, 0.0)
        self._dead = [np.zeros(w.shape, dtype=bool) for w in self.W]  # playground L1: frozen at zero
        self._any_dead = False
        self._stats: tuple[LayerStat, ...] = ()
        self._prepare_kernel()

    def _prepare(self, split: SplitData) -> tuple[np.ndarray, np.ndarray]:
        x = np.ascontiguousarray(split.x, dtype=np.float64).reshape(len(split.x), -1)
        t = split.targets
        t = t.astype(np.int64) if t.dtype == np.int64 else t.astype(np.float64)
        return x, t

    def set_optimizer(self, name: str, lr: float) -> None:
        """Switch optimizer: fresh state (momenta, averages), weights kept."""
        self.optimizer_name = name
        self._rule = UpdateRule(name, self.W + self.b)

    # -- forward / backward -----------------------------------------------------------------
    def _forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        zs, acts = [], [x]
        a = x
        for W, b, (name, p) in zip(self.W, self.b, self.acts, strict=True):
            z = a @ W.T + b
            a = _forward_act(name, p, z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def _loss(self, out: np.ndarray, z: np.ndarray, t: np.ndarray, grad: bool = True) -> tuple[float, Any]:
        """Mean data loss and d loss / d z of the output layer (pre-activation); without `grad`
        (an evaluation) the loss alone, computed the same way, and None."""
        n = len(out)
        if self.loss == "bce":
            loss = float((np.logaddexp(0.0, z) - t * z).sum()) / z.size  # sum/size: np.mean's overhead shows
            return loss, (_forward_act("sigmoid", {}, z) - t) / out.size if grad else None
        if self.loss == "cross_entropy":
            shifted = z - z.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            rows = np.arange(n)
            loss = -float(log_p[rows, t].sum()) / n
            if not grad:
                return loss, None
            dz = np.exp(log_p)
            dz[rows, t] -= 1.0
            return loss, dz / n
        diff = out - t
        scale = 0.5 if self.loss == "half_mse" else 1.0
        flat = diff.ravel()
        loss = scale * float(flat @ flat) / flat.size  # np.mean costs more than the maths at this size
        if not grad:
            return loss, None
        grad_out = (2.0 * scale / out.size) * diff
        name, p = self.acts[-1]
        return loss, _backward_act(name, p, z, out, grad_out)

    def _gradients(self, x: np.ndarray, t: np.ndarray) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The batch's loss and gradients, written into self._grads (gW and gb are views of it)."""
        zs, acts = self._forward(x)
        loss, dz = self._loss(acts[-1], zs[-1], t)
        if not math.isfinite(loss):
            return loss, [], []
        n = len(self.W)
        gW, gb = self._grad_views[:n], self._grad_views[n:]
        for i in range(n - 1, -1, -1):
            np.matmul(dz.T, acts[i], out=gW[i])
            np.sum(dz, axis=0, out=gb[i])
            if i:
                name, p = self.acts[i - 1]
                dz = _backward_act(name, p, zs[i - 1], acts[i], dz @ self.W[i])
        return loss, gW, gb

    # -- the compiled step (engine/families/mlp/compiled_step.py) ------------------------------
    def _kernel_fits(self, rows: int) -> bool:
        """Whether the compiled step computes what the NumPy step would now, faster, on `rows` rows."""
        h = self.hyper
        return (
            self._kernel is not None
            and self._kernel.worth_it(rows)
            and self._kernel.optimizer_code(self.optimizer_name, h.optimizer) is not None
            and h.clip_mode == "none"
            and h.input_noise <= 0
            and (self.playground or (h.l1 <= 0 and h.l2 <= 0))
        )

    def compiled_parts(self, rows: int):
        """The live arrays and codes for a caller that runs this backend's compiled steps on batches
        of `rows` itself (engine/race), or None where train_batch would not take the kernel."""
        h = self.hyper
        if not self._kernel_fits(rows) or (self.playground and (h.l1 > 0 or h.l2 > 0 or self._any_dead)):
            return None
        x, t = self._splits["train"]
        return self._kernel.parts(x, t, self._rule, h.optimizer)

    def compiled_epoch(self, batches: np.ndarray, lrs: np.ndarray) -> int | None:
        """Train the batches (rows of the train split, one batch a row) at rates `lrs` in one
        compiled call, as train_batch would one by one; returns how many were done (a batch whose
        loss is not finite, and those after it, are left), or None where train_batch would not
        take the compiled step."""
        if not len(batches) or self.compiled_parts(batches.shape[1]) is None:
            return None if len(batches) else 0
        from engine.families.mlp.epoch_kernel import epoch_batches

        kernel, rule, opt = self._kernel, self._rule, self.hyper.optimizer
        x = self._splits["train"][0]
        code = kernel.optimizer_code(rule.name, opt)
        return epoch_batches(
            self._params, self._shapes, kernel.act_codes, kernel.loss_code, max(kernel.width, x.shape[1]),
            x, self._flat_targets, batches, lrs, code, kernel.settings(rule, opt),
            rule.m_flat, rule.v_flat, rule.counters,
        )  # fmt: skip

    def _prepare_kernel(self) -> None:
        from engine.families.mlp.compiled_step import CompiledStep  # numba loads with it

        names = [name for name, _ in self.acts]
        fits = CompiledStep.fits(self.W, names, self.loss, self._splits["train"][1])
        self._kernel = CompiledStep(self.W, self.b, names, self.loss) if fits else None
        if fits:  # the targets as the compiled epoch reads them: one per row, contiguous
            t = self._splits["train"][1]
            self._flat_targets = np.ascontiguousarray(t.reshape(len(t), -1)[:, 0])

    def train_batch(self, idx: np.ndarray, lr: float, collect: bool) -> float:
        x_all, t_all = self._splits["train"]
        x, t = x_all[idx], t_all[idx]
        if not collect and self._kernel_fits(len(idx)):
            loss = self._kernel.train(x, t, lr, self._rule, self.hyper.optimizer)
            if self.playground:
                self._playground_regularise(lr)
            return loss
        h = self.hyper
        if h.input_noise > 0:
            x = x + h.input_noise * self._noise.standard_normal(x.shape)
        loss, gW, gb = self._gradients(x, t)
        if not math.isfinite(loss):
            return loss
        if not self.playground and (h.l1 > 0 or h.l2 > 0):
            for i, W in enumerate(self.W):
                gW[i][...] = gW[i] + h.l1 * np.sign(W) + h.l2 * W
        # No per-array finiteness scan here (it was a fifth of a step): a non-finite gradient makes
        # the next loss non-finite, and the trainer then restores the last finite weights.
        clipped = collect and h.clip_mode != "none"
        raw = self._grads.copy() if clipped else self._grads  # the statistics take the norms before clipping
        if not clip_gradients(gW + gb, self.hyper):
            return float("inf")
        before = self._params.copy() if collect else None
        # One element-wise update of the flat parameters: the bits of the per-parameter step.
        self._rule.step_flat(self._params, self._grads, lr, self.hyper.optimizer)
        if self.playground:
            self._playground_regularise(lr)
        if collect:
            self._stats = self._layer_stats(before, raw)
        return loss

    def _layer_stats(self, before: np.ndarray, grads: np.ndarray) -> tuple[LayerStat, ...]:
        """Each weight matrix's norm, its gradient's and its last update's relative size."""
        from engine.families.mlp.epoch_kernel import layer_statistics

        if layer_statistics is None:
            n = len(self.W)
            w0s, gs = flat_views(before, self.W), flat_views(grads, self.W + self.b)[:n]
            rows = [
                (_norm(W), _norm(g), _norm(W - w0), _norm(w0))
                for W, g, w0 in zip(self.W, gs, w0s, strict=True)
            ]
        else:
            rows = layer_statistics(self._params, before, grads, self._shapes).tolist()
        return tuple(
            LayerStat(f"{name}.weight", w, g, d / max(w0, 1e-12))
            for name, (w, g, d, w0) in zip(self.names, rows, strict=True)
        )

    def _playground_regularise(self, lr: float) -> None:
        """TF Playground's separate step w -= lr·rate·R'(w); L1 weights that cross zero die at zero."""
        h = self.hyper
        if h.l1 <= 0 and h.l2 <= 0 and not self._any_dead:
            return
        self._any_dead = True  # from now on the dead masks may hold weights pinned at zero
        for W, dead in zip(self.W, self._dead, strict=True):
            if h.l1 > 0:
                new = W - lr * h.l1 * np.sign(W)
                dead |= (W * new) < 0
                W[...] = new
            if h.l2 > 0:
                W -= lr * h.l2 * W
            W[dead] = 0.0

    def evaluate(self, split: str) -> tuple[float, np.ndarray]:
        if split not in self._splits:
            return float("nan"), np.zeros((0, 1))
        x, t = self._splits[split]
        if len(x) <= EVAL_CHUNK:  # the usual small split: one pass, no lists
            with np.errstate(all="ignore"):
                z, out = self._output(x)
                return self._loss(out, z, t, grad=False)[0], out
        # In chunks, keeping one layer at a time: all of a split's activations at once grew with
        # samples x width x depth (200,000 samples through 64 layers of 256 units passed 4 GB).
        losses, outputs = [], []
        for start in range(0, max(len(x), 1), EVAL_CHUNK):
            rows = slice(start, start + EVAL_CHUNK)
            z, out = self._output(x[rows])
            with np.errstate(all="ignore"):
                losses.append(self._loss(out, z, t[rows], grad=False)[0])
            outputs.append(out)
        if len(outputs) == 1:  # the usual small split: no copy, and the loss exactly as one pass gives it
            return losses[0], outputs[0]
        sizes = [len(out) for out in outputs]
        return float(np.dot(losses, sizes)) / len(x), np.concatenate(outputs)

    def _output(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The output layer's pre-activation and activation, without keeping the hidden layers."""
        z, a = x, x
        for W, b, (name, p) in zip(self.W, self.b, self.acts, strict=True):
            z = a @ W.T
            z += b  # in place: the same sums as `a @ W.T + b`, without a second array
            a = _forward_act(name, p, z)
        return z, a

    def penalty(self) -> float:
        h = self.hyper
        total = 0.0
        if h.l1 > 0:
            total += h.l1 * sum(float(np.abs(W).sum()) for W in self.W)
        if h.l2 > 0:
            total += 0.5 * h.l2 * sum(float((W * W).sum()) for W in self.W)
        return total

    def layer_stats(self) -> tuple[LayerStat, ...]:
        return self._stats

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of the weights: one flat copy, the dict's arrays views into it."""
        copy = flat_views(self._params.copy(), self.W + self.b)
        n = len(self.names)
        return {
            key: array
            for name, W, b in zip(self.names, copy[:n], copy[n:], strict=True)
            for key, array in ((f"{name}.weight", W), (f"{name}.bias", b))
        }

    def all_fit_float32(self) -> bool:
        """Whether every weight and bias is finite and fits float32 (one pass over the flat array)."""
        return bool(np.abs(self._params).max() <= FLOAT32_MAX)

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        W = [np.array(state[f"{n}.weight"], dtype=np.float64) for n in self.names]
        b = [np.array(state[f"{n}.bias"], dtype=np.float64) for n in self.names]
        if self.W:  # keep the arrays the optimizer state refers to
            for dst, src in zip(self.W + self.b, W + b, strict=True):
                dst[...] = src
            return
        # Every weight matrix, then every bias, back to back in one array, the lists views into it:
        # the compiled epoch (epoch_kernel.py) takes the one array, the rest the views.
        self._params = np.concatenate([a.ravel() for a in W + b])
        views = flat_views(self._params, W + b)
        self.W, self.b = views[: len(W)], views[len(W) :]
        self._shapes = np.array([W_.shape for W_ in W], dtype=np.int64)

    def forward_probe(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The network on many points for drawing, in float32 (as the torch backend)."""
        return dense_forward(self.W, self.b, self.acts, x)
