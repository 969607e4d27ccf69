"""Plain-words advice: gradients that vanish or explode, badly sized steps, runs worse than chance,
a loss at the start far from guessing's.

Pure numpy over LayerStat records (input side first, output layer last) and Snapshots, so the
window, the CLI and tests all give the same advice for the same numbers. Layers are named as the
network diagram names them ("hidden 1", "output"), by `layer_display_name`.

Small gradients and small steps are also what a network that has learnt looks like (its loss
near 0, so its gradients near 0): the advice about them is given only while the training loss is
still high against guessing's (`still_learning`), when the caller passes both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.snapshot import LayerStat, Snapshot

VANISHING_RATIO = 1e-3  # a layer whose gradient is this much smaller than the output layer's barely learns
VANISHING_ABSOLUTE = 1e-7
EXPLODING_ABSOLUTE = 1e3
EXPLODING_RATIO = 1e3  # gradients growing this much from the output back toward the input
UPDATE_TOO_LARGE = 1e-1  # well above the healthy ~1e-3 per step
UPDATE_TOO_SMALL = 1e-6
MIN_FADING_LAYERS = 3  # weight layers (output included) for gradients to fade "on the way back"
# Below this share of guessing's loss the network has learnt: small gradients are its success.
STILL_HIGH = 0.5

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


def layer_display_name(name: str) -> str:
    """The diagram's name for the layer of a parameter or module: 'layers.2.linear.weight' and
    'layers.2' -> 'hidden 3', 'head.linear.weight' -> 'output'; anything else unchanged."""
    short = short_layer_name(name)
    if short.startswith("layers."):
        return f"hidden {int(short.split('.')[1]) + 1}"
    return short


_TENSOR_WORDS = {"ih": "input", "hh": "recurrent"}


def layer_display_names(names: Sequence[str]) -> list[str]:
    """Display names for a list of parameters, told apart where a layer has several weight tensors
    (an LSTM's 'weight_ih_l0' and 'weight_hh_l0' -> 'hidden 1 input', 'hidden 1 recurrent')."""
    base = [layer_display_name(n) for n in names]
    shown = list(base)
    for i, name in enumerate(names):
        if base.count(base[i]) > 1:
            tensor = name.rsplit(".", 1)[-1]
            match = re.match(r"weight_(ih|hh)", tensor)
            shown[i] = f"{base[i]} {_TENSOR_WORDS[match.group(1)] if match else tensor}"
    return shown


def layer_label(name: str) -> str:
    """A layer's name for sentences: 'layers.2.linear.weight' -> 'hidden 3', 'head…' -> 'the output layer'."""
    shown = layer_display_name(name)
    return "the output layer" if shown == "output" else shown


def still_learning(loss: float | None, chance_loss: float | None) -> bool:
    """Whether the training loss is still high against guessing's (True when either is unknown:
    the advice then rests on the gradients alone)."""
    if loss is None or chance_loss is None or not math.isfinite(loss):
        return True
    if not math.isfinite(chance_loss) or chance_loss <= 0:
        return True
    return loss > STILL_HIGH * chance_loss


def diagnose(
    layer_stats: Sequence[LayerStat], loss: float | None = None, chance_loss: float | None = None
) -> str | None:
    """A warning when gradients explode or vanish on their way back to the input, else None.

    `loss` is the training loss the gradients were measured at and `chance_loss` guessing's
    (engine.diagnostics.chance_level): with both, fading gradients are a problem only while the
    loss is still high; a converged network's gradients are small because its loss is.
    """
    if not layer_stats:
        return None
    exploding = _exploding(layer_stats)
    if exploding is not None:
        return exploding
    if not still_learning(loss, chance_loss):
        return None
    # Without the loss, one hidden layer's small gradient is most often a trained net's saturated
    # (step-like) units, not gradients fading through depth: the fading rule then needs depth.
    known_high = loss is not None and chance_loss is not None
    return _vanishing(layer_stats, fading=known_high or len(layer_stats) >= MIN_FADING_LAYERS)


def advise_update(
    layer_stats: Sequence[LayerStat], loss: float | None = None, chance_loss: float | None = None
) -> str | None:
    """A hint when the typical step ||Δw||/||w|| says the learning rate is far too high or too low
    (too low only while the loss is still high: a network at a loss near 0 takes tiny steps)."""
    ratios = [s.update_ratio for s in layer_stats if math.isfinite(s.update_ratio) and s.update_ratio > 0]
    if not ratios:
        return None
    typical = float(np.median(ratios))
    if typical > UPDATE_TOO_LARGE:
        return (
            f"Each step changes the weights by about {typical:.0%} of their size (healthy is about 0.1%): "
            "the learning rate is probably too high. Try lowering it."
        )
    if typical < UPDATE_TOO_SMALL and still_learning(loss, chance_loss):
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


def _vanishing(stats: Sequence[LayerStat], fading: bool = True) -> str | None:
    last = stats[-1]
    if all(s.grad_norm < VANISHING_ABSOLUTE for s in stats):
        return (
            "Gradients are near zero in every layer: if the loss is still high, the units are saturated "
            "or dead and the network has stopped learning. " + VANISHING_REMEDIES
        )
    if not fading:
        return None
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


# -- runs that end worse than guessing -------------------------------------------------------------
FAR_WORSE = 1.5  # a training loss this many times guessing's: the steps throw the network about


@dataclass(frozen=True)
class Chance:
    """What guessing scores on a training split: the best constant output's loss, the majority's share."""

    loss: float  # NaN for a loss without a closed form here
    accuracy: float | None  # None for regression


def chance_level(head, labels: np.ndarray) -> Chance:
    """The loss of the best constant prediction under `head` (an engine TaskHead) on `labels`, and
    the share of the commonest class: what a network that learnt nothing but the averages scores."""
    from engine.families.mlp.task import encode_targets

    labels = np.asarray(labels)
    if len(labels) == 0:
        return Chance(float("nan"), None)
    accuracy = None
    if head.classification:
        counts = np.bincount(labels.astype(np.int64), minlength=max(head.n_classes, 1))
        prior = counts / counts.sum()
        accuracy = float(prior.max())
        if head.loss in ("bce", "cross_entropy", "kl_div"):  # guessing the priors: their entropy
            nonzero = prior[prior > 0]
            return Chance(float(-(nonzero * np.log(nonzero)).sum()), accuracy)
    targets = np.asarray(encode_targets(head, labels), dtype=np.float64).reshape(len(labels), -1)
    if head.loss in ("mse", "half_mse"):
        loss = float(np.mean((targets - targets.mean(axis=0)) ** 2))
        return Chance(loss * (0.5 if head.loss == "half_mse" else 1.0), accuracy)
    if head.loss == "mae":
        return Chance(float(np.mean(np.abs(targets - np.median(targets, axis=0)))), accuracy)
    return Chance(float("nan"), accuracy)


def worse_than_chance(snapshot: Snapshot, chance: Chance, lr: float | None = None) -> str | None:
    """A warning with a hint when a trained network does worse than guessing (or no better), else None.

    Judged on the training split, which is what the optimizer sees: a training loss far above
    guessing's means the steps overshoot; an accuracy at the majority's share with no lower loss
    means nothing was learnt.
    """
    loss = snapshot.train_loss
    if snapshot.epoch < 1 or loss is None or not math.isfinite(loss) or not chance.loss > 0:
        return None
    rate = f" ({lr:g})" if lr is not None else ""
    if loss > FAR_WORSE * chance.loss:
        return (
            f"Worse than chance: the training loss is {loss:.3g}, while always guessing the "
            f"{'class shares' if chance.accuracy is not None else 'mean'} scores {chance.loss:.3g}. "
            f"The learning rate{rate} is probably too high: lower it (try a tenth) and press Reset."
        )
    accuracy = snapshot.train_accuracy
    learnt_nothing = chance.accuracy is not None and accuracy is not None and accuracy <= chance.accuracy
    if learnt_nothing and loss >= chance.loss:
        return (
            f"No better than chance: training accuracy {accuracy:.0%}, as always answering the "
            f"commonest class ({chance.accuracy:.0%}), and the loss ({loss:.3g}) no lower than "
            f"guessing's ({chance.loss:.3g}). If the loss jumps about, lower the learning rate{rate}; "
            "if it barely moves, train longer or raise it."
        )
    return None


# -- the loss before any training --------------------------------------------------------------
# An untrained network's loss this many times ln K: its outputs are too large. 2, not 1.5: He
# initialisation on unscaled inputs starts the digits CNN at 1.6 ln 10 and trains well all the same.
START_FAR_ABOVE = 2.5
START_FAR_BELOW = 0.5  # and this share of ln K: it is sure of its answers before it has learnt


def even_guess_loss(head) -> float | None:
    """The cross-entropy of a network that gives every one of K classes the same probability:
    ln K, what a well initialised classifier starts near. None for other losses."""
    if not head.classification or head.loss not in ("bce", "cross_entropy") or head.n_classes < 2:
        return None
    return math.log(head.n_classes)


def initial_loss_warning(loss: float | None, head) -> str | None:
    """A sentence when the loss at epoch 0 is far from ln K (cross-entropy with K classes), else None.

    Small random weights give outputs near 0, so every class is about equally likely and the
    loss is about ln K; far above means the outputs are large and confidently wrong (weights
    started too large), far below means the untrained network is already sure of its answers.
    """
    even = even_guess_loss(head)
    if even is None or loss is None or not math.isfinite(loss):
        return None
    reference = f"ln {head.n_classes} = {even:.2f}"
    if loss > START_FAR_ABOVE * even:
        return (
            f"The loss at the start is {loss:.3g}, far above the {reference} of a network that guesses "
            "every class evenly: the initial weights are too large for these inputs, so the untrained "
            "network is confidently wrong about many points. It may still learn, more slowly; a "
            "smaller-scale initialisation (Xavier instead of He, a smaller std) or standardised "
            f"inputs start it near ln {head.n_classes}."
        )
    if loss < START_FAR_BELOW * even:
        return (
            f"The loss at the start is {loss:.3g}, far below the {reference} of a network that guesses "
            "every class evenly: the untrained network is already sure of its answers, which "
            "random initial weights rarely are. Check the initialisation, or whether these weights "
            "were trained before."
        )
    return None
