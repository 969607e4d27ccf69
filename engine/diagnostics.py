"""Plain-words advice read from per-layer gradient statistics: vanishing, exploding, badly sized steps.

Pure numpy over LayerStat records (input side first, output layer last), so the window, the CLI
and tests all give the same advice for the same numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from engine.snapshot import LayerStat

VANISHING_RATIO = 1e-3  # a layer whose gradient is this much smaller than the output layer's barely learns
VANISHING_ABSOLUTE = 1e-7
EXPLODING_ABSOLUTE = 1e3
EXPLODING_RATIO = 1e3  # gradients growing this much from the output back toward the input
UPDATE_TOO_LARGE = 1e-1  # well above the healthy ~1e-3 per step
UPDATE_TOO_SMALL = 1e-6

VANISHING_REMEDIES = (
    "Try ReLU (or leaky ReLU) instead of sigmoid/tanh, He initialisation, batch normalisation, "
    "or residual connections."
)
EXPLODING_REMEDIES = (
    "Try a smaller learning rate, gradient clipping, a smaller-scale initialisation (Xavier/He), "
    "or batch normalisation."
)


def short_layer_name(name: str) -> str:
    """The layer a parameter belongs to: 'layers.2.linear.weight' -> 'layers.2', 'head.…' -> 'output'."""
    match = re.match(r"layers\.\d+", name)
    if match:
        return match.group(0)
    return "output" if name.startswith("head") else name


def layer_label(name: str) -> str:
    """A readable layer name for sentences: 'layers.2.linear.weight' -> 'hidden layer 3 (layers.2)'."""
    short = short_layer_name(name)
    if short.startswith("layers."):
        return f"hidden layer {int(short.split('.')[1]) + 1} ({short})"
    return "the output layer" if short == "output" else name


def diagnose(layer_stats: Sequence[LayerStat]) -> str | None:
    """A warning when gradients explode or vanish on their way back to the input, else None."""
    if not layer_stats:
        return None
    return _exploding(layer_stats) or _vanishing(layer_stats)


def advise_update(layer_stats: Sequence[LayerStat]) -> str | None:
    """A hint when the typical step ||Δw||/||w|| says the learning rate is far too high or too low."""
    ratios = [s.update_ratio for s in layer_stats if math.isfinite(s.update_ratio) and s.update_ratio > 0]
    if not ratios:
        return None
    typical = float(np.median(ratios))
    if typical > UPDATE_TOO_LARGE:
        return (
            f"Each step changes the weights by about {typical:.0%} of their size (healthy is about 0.1%): "
            "the learning rate is probably too high. Try lowering it."
        )
    if typical < UPDATE_TOO_SMALL:
        return (
            f"Each step changes the weights by only {typical:.1e} of their size (healthy is about 1e-3): "
            "the learning rate is probably too low, so training will crawl. Try raising it."
        )
    return None


def _exploding(stats: Sequence[LayerStat]) -> str | None:
    norms = [s.grad_norm for s in stats]
    broken = [s for s in stats if not math.isfinite(s.grad_norm)]
    if broken:
        return (
            f"Exploding gradients: the gradient of {layer_label(broken[0].name)} is not a finite number. "
            + EXPLODING_REMEDIES
        )
    worst = stats[int(np.argmax(norms))]
    if worst.grad_norm > EXPLODING_ABSOLUTE:
        return (
            f"Exploding gradients: {layer_label(worst.name)} has a gradient norm of {worst.grad_norm:.1e}, "
            "so each step throws its weights far off. " + EXPLODING_REMEDIES
        )
    first, last = stats[0], stats[-1]
    if len(stats) > 1 and last.grad_norm > 0 and first.grad_norm > EXPLODING_RATIO * last.grad_norm:
        growth = first.grad_norm / last.grad_norm
        return (
            f"Exploding gradients: they grow {growth:.0e}-fold on the way back from the output layer to "
            f"{layer_label(first.name)}. " + EXPLODING_REMEDIES
        )
    return None


def _vanishing(stats: Sequence[LayerStat]) -> str | None:
    last = stats[-1]
    if all(s.grad_norm < VANISHING_ABSOLUTE for s in stats):
        return (
            "Gradients are near zero in every layer: if the loss is still high, the units are saturated "
            "or dead and the network has stopped learning. " + VANISHING_REMEDIES
        )
    threshold = max(VANISHING_RATIO * last.grad_norm, VANISHING_ABSOLUTE)
    faded = [s for s in stats[:-1] if s.grad_norm < threshold]
    if not faded:
        return None
    deepest = faded[-1]  # the faded layer nearest the output: from there back, learning stalls
    if last.grad_norm > 0:
        size = f"{deepest.grad_norm / last.grad_norm:.0e} times the output layer's ({deepest.grad_norm:.1e})"
    else:
        size = f"only {deepest.grad_norm:.1e}"
    return (
        f"Vanishing gradients: the gradient reaching {layer_label(deepest.name)} is {size}, so it and "
        "the layers before it barely learn. " + VANISHING_REMEDIES
    )
