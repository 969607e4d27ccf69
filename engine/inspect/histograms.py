"""How the values inside a supervised network are spread, layer by layer: its weights, its
activations on a fixed sample of training points and the loss's gradient with respect to its
weights, with the share of dead ReLUs, of saturated sigmoid/tanh units and of weights at zero.

Each spread travels as QUANTILES of its values (the cumulative distribution at fixed fractions),
so the window can put every epoch's spread on one common value axis (a heat map over epochs, as
TensorBoard's histograms) whatever range each epoch had. Computed in the training process every
HISTOGRAM_PERIOD seconds (slower when they cost more than HISTOGRAM_SHARE of the time) while the
window shows them (view option "histograms"): one forward and
backward pass over SAMPLE points, with torch.autograd.grad, which leaves the weights' .grad alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HISTOGRAM_PERIOD = 0.5  # seconds between two spreads while training
HISTOGRAM_SHARE = 0.05  # and at most this share of the training process's time
SAMPLE = 128  # training points the activations and gradients are measured on
MAX_VALUES = 8192  # values a spread is measured on (an even stride through bigger layers): quantiles sort
QUANTILES = np.linspace(0.0, 1.0, 65)  # fractions at which each spread's distribution is sent
ZERO = 1e-3  # |w| below this counts as a weight at zero (as the L1 lesson's measure)
SATURATED = 0.97  # |tanh| (or |2·sigmoid - 1|) beyond this is the flat tail: gradient below ~6%
SATURATED_SHARE = 0.9  # a unit whose outputs are in the tail this often is saturated
KINDS = ("weights", "activations", "gradients")


@dataclass(frozen=True, eq=False)  # holds arrays
class LayerSpread:
    """One layer: the quantiles of each kind of value, and the shares that say it is unhealthy."""

    name: str  # e.g. "2 dense 8 tanh", "output"
    quantiles: dict  # kind -> (len(QUANTILES),) float32 values
    dead: float | None  # share of ReLU units that output 0 on every sample point; None: no ReLU
    saturated: float | None  # share of sigmoid/tanh units saturated; None: neither activation
    zero_weights: float  # share of weights with |w| < ZERO
    # batch norm: each unit's running mean and variance (what eval mode normalises with), else None
    running: tuple[np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True, eq=False)
class Histograms:
    """Every layer with weights, at `epoch`."""

    epoch: int
    layers: tuple[LayerSpread, ...]


def layer_histograms(trainer) -> Histograms | None:
    """The spreads of a supervised network's layers now; None for another family or a network
    whose layers hold no weights."""
    import torch

    if trainer.project.model.family != "mlp":
        return None
    net = trainer.backend.network if hasattr(trainer.backend, "network") else trainer.torch_network()
    device = next(net.parameters()).device
    x, targets = _sample(trainer)
    x = torch.as_tensor(x, dtype=torch.float32, device=device)
    t = torch.as_tensor(targets, device=device)
    t = t.long() if t.dtype == torch.int64 else t.float()
    was_training = net.training
    net.eval()  # dropout off: the spread of what the network computes, not of one random mask
    try:
        with torch.enable_grad():
            out, acts = net.forward_with_activations(x)
            loss = _loss_fn(trainer)(out, t)
            rows = _rows(trainer, net, acts, out)
            weights = [w for _, w, _ in rows]
            grads = torch.autograd.grad(loss, weights, allow_unused=True)
    finally:
        net.train(was_training)
    layers = []
    for (name, weight, act), grad in zip(rows, grads, strict=True):
        w = weight.detach().cpu().numpy().ravel()
        a = _by_unit(act.detach().cpu().numpy())
        g = np.zeros_like(w) if grad is None else grad.detach().cpu().numpy().ravel()
        config = _config(trainer, name)
        layers.append(
            LayerSpread(
                name=_label(trainer, name),
                quantiles={k: _quantiles(v) for k, v in zip(KINDS, (w, a, g), strict=True)},
                dead=_dead_share(a) if _activation(config) == "relu" else None,
                # a trained classifier's output is meant to sit in the flat tail: only hidden units count
                saturated=None if name == "head" else _saturated_share(a, _activation(config)),
                zero_weights=float(np.mean(np.abs(w) < ZERO)),
                running=_running(net.head if name == "head" else _module(net, name)),
            )
        )
    return Histograms(trainer.epoch, tuple(layers)) if layers else None


def _sample(trainer) -> tuple[np.ndarray, np.ndarray]:
    from engine.families.mlp.task import encode_targets

    data = trainer.dataset
    count = min(SAMPLE, len(data.x_train))
    x = trainer.preprocessor.apply_numpy(data.x_train[:count])
    return x, encode_targets(trainer.head, data.y_train[:count])


def _loss_fn(trainer):
    from engine.nn.losses import LOSSES

    loss = getattr(trainer.backend, "loss_fn", None)
    return loss if loss is not None else LOSSES[trainer.head.loss].factory(**trainer.head.loss_params)


def _rows(trainer, net, acts, out) -> list[tuple[str, object, object]]:
    """(module name, its first weight of 2 or more dimensions, its output) of every layer that has
    one, the head last."""
    import torch

    rows = []
    modules = [(f"layers.{i}", layer, acts[i]) for i, layer in enumerate(net.layers)]
    for name, module, act in [*modules, ("head", net.head, out)]:
        weight = next((p for p in module.parameters() if p.dim() >= 2), None)
        if weight is None and isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            weight = module.weight  # its per-unit scale γ: the weights a batch norm layer learns
        if weight is not None:
            rows.append((name, weight, act))
    return rows


def _module(net, name: str):
    return net.layers[int(name.split(".")[1])]


def _running(module) -> tuple[np.ndarray, np.ndarray] | None:
    mean, var = getattr(module, "running_mean", None), getattr(module, "running_var", None)
    if mean is None or var is None:
        return None
    return mean.detach().cpu().numpy().copy(), var.detach().cpu().numpy().copy()


def _config(trainer, name: str) -> dict:
    if name == "head":
        return {"type": "dense", "activation": trainer.head.output_activation}
    return trainer.project.network.layers[int(name.split(".")[1])]


def _activation(config: dict) -> str:
    act = config.get("activation")
    return act.get("name", "") if isinstance(act, dict) else str(act or "")


def _label(trainer, name: str) -> str:
    if name == "head":
        return "output"
    config = _config(trainer, name)
    size = config.get("units", config.get("filters", ""))
    return " ".join(
        str(p) for p in (int(name.split(".")[1]) + 1, config["type"], size, _activation(config)) if p
    )


def _quantiles(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return np.zeros(len(QUANTILES), np.float32)
    values = values[:: -(-values.size // MAX_VALUES)]
    return np.quantile(values.astype(np.float64), QUANTILES).astype(np.float32)


def _by_unit(act: np.ndarray) -> np.ndarray:
    """(values, units): a dense layer's units, a conv layer's filters (every position), a recurrent
    layer's units (every time step)."""
    if act.ndim == 4:
        return np.moveaxis(act, 1, -1).reshape(-1, act.shape[1])
    return act.reshape(-1, act.shape[-1])


def _dead_share(act: np.ndarray) -> float:
    """Units (columns) that are 0 for every sample point: a dead ReLU passes no gradient."""
    return float(np.mean(np.all(act <= 0.0, axis=0)))


def _saturated_share(act: np.ndarray, activation: str) -> float | None:
    if activation == "tanh":
        tail = np.abs(act) > SATURATED
    elif activation == "sigmoid":
        tail = np.abs(2.0 * act - 1.0) > SATURATED
    else:
        return None
    return float(np.mean(np.mean(tail, axis=0) >= SATURATED_SHARE))
