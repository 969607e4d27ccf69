"""A lesson's claim, checked: each check trains the lesson's project (some of its `try` changes
applied, some keys set, for some epochs) and compares one measured number with a bound, or with the
number another check measured. tests/engine/test_lessons.py runs every bundled lesson's checks.

A check: {"tries": [i, ...], "set": {key path: value}, "epochs": N,
          "measure": a metric of the family or a name in MEASURES,
          "at_least": x and/or "at_most": x, or "below": k / "above": k (check k's value)}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import SpecError

RUN_KEYS = {"tries", "set", "epochs", "measure"}
BOUND_KEYS = {"at_least", "at_most", "below", "above"}


@dataclass(frozen=True)
class Outcome:
    check: dict
    value: float
    held: bool
    said: str  # e.g. "test_accuracy 0.98 >= 0.95"


def _mistakes_within_bound(trainer) -> float:
    """bound - mistakes: at least 0 is the perceptron convergence theorem's promise."""
    bound = trainer.snapshot().metric("bound")
    return math.nan if bound is None else bound - trainer.snapshot().metric("mistakes")


def _hidden_unit_spread(trainer) -> float:
    """The largest spread, across the units of a hidden layer, of their incoming weights and bias:
    0 when every unit of every hidden layer is the same unit (symmetry never broken)."""
    state = trainer.state_dict()
    weights = [k for k in state if k.endswith("weight") and state[k].ndim == 2]
    spread = 0.0
    for key in weights[:-1]:  # the last is the output layer, whose units are the classes
        rows = np.column_stack(
            [state[key], state.get(key[: -len("weight")] + "bias", np.zeros(len(state[key])))]
        )
        spread = max(spread, float(np.abs(rows - rows[0]).max()))
    return spread


def _diverged(trainer) -> float:
    return float(trainer.status == "diverged")


def _first_to_last_train_loss(trainer) -> float:
    """How far the training loss fell: the first logged epoch's over the last's (1: it did not move)."""
    losses = trainer.metrics.column("train_loss")
    finite = losses[np.isfinite(losses)]
    return float(finite[0] / finite[-1]) if len(finite) > 1 and finite[-1] > 0 else math.nan


def _noisy_reconstruction(trainer) -> float:
    """The test error of rebuilding each clean input from a copy with the lesson's noise (the
    denoising task), whatever variant the autoencoder is: masking noise of model.noise (or 0.3)."""
    import torch

    from engine.families.autoencoder.model import corrupt

    settings = trainer.settings
    kind, amount = settings.get("noise_kind", "masking"), settings.get("noise") or 0.3
    x = trainer.x_test
    noisy = corrupt(x, kind, amount, torch.Generator().manual_seed(11))
    rebuilt = trainer.decode(trainer.codes(noisy))
    return float(np.mean((rebuilt - x.numpy()) ** 2))


def _mean_code_activation(trainer) -> float:
    return float(np.mean(trainer.view_probe(None).mean_activation))


def _jacobian_norm(trainer) -> float:
    """The mean over the test split of ‖∂h/∂x‖²_F: how much the code moves when the input does."""
    from engine.families.autoencoder.model import contractive_penalty

    trainer.model.eval()
    penalty, _ = contractive_penalty(trainer.model.encoder, trainer.x_test, create_graph=False)
    return float(penalty.detach())


def _holes(trainer) -> float:
    holes = trainer.view_probe(None).holes
    return math.nan if holes is None else holes


def _first_to_last_gradient(trainer) -> float:
    """The first layer's gradient norm over the output layer's, at the last epoch's end: tiny when
    the gradient vanishes on its way back through the layers."""
    layers = trainer.snapshot().layers
    if len(layers) < 2 or not layers[-1].grad_norm:
        return math.nan
    return float(layers[0].grad_norm / layers[-1].grad_norm)


BPTT_SAMPLES = 500  # test samples the gradient through time is measured on (all of a small split)


def _first_to_last_step_gradient(trainer) -> float:
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ at the first recurrent layer: how much of the gradient that reaches its
    last step still reaches its first, backpropagated through time. L is the mean loss over the
    test split's first BPTT_SAMPLES sequences (one number, steadier than one sample's, which is
    what the window's gradient-through-time plot shows); the recurrence is unrolled by
    engine.inspect.sequences, so each h_t is a node autograd can take the gradient at."""
    import torch

    from engine.families.mlp.task import encode_targets
    from engine.inspect.sequences import first_recurrent, unroll

    network = trainer.torch_network()
    index = first_recurrent(network)
    if index is None:
        return math.nan
    raw = np.asarray(trainer.dataset.x_test[:BPTT_SAMPLES], dtype=np.float32)
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(raw))
    target = torch.as_tensor(encode_targets(trainer.head, np.asarray(trainer.dataset.y_test[:BPTT_SAMPLES])))
    target = target.float() if target.is_floating_point() else target
    layers, was_training = list(network.layers), network.training
    network.eval()
    try:
        with torch.no_grad():
            for layer in layers[:index]:
                x = layer(x)
        hs, _ = unroll(layers[index].cell, x)
        out = torch.stack(hs, dim=1) if layers[index].return_sequences else hs[-1]
        for layer in layers[index + 1 :]:
            out = layer(out)
        loss = trainer.backend.loss_fn(network.head(out), target)
        first, last = torch.autograd.grad(loss, [hs[0], hs[-1]])
    finally:
        network.train(was_training)
    return float(first.norm() / last.norm()) if float(last.norm()) > 0 else math.nan


def _weights(trainer) -> list[np.ndarray]:
    """The weight matrices (not the biases, not batch norm's scales)."""
    return [v for k, v in trainer.state_dict().items() if k.endswith("weight") and np.ndim(v) >= 2]


def _weight_norm(trainer) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(w))) for w in _weights(trainer))))


def _near_zero_weights(trainer) -> float:
    """The share of weights within 0.001 of zero."""
    values = np.concatenate([np.ravel(w) for w in _weights(trainer)])
    return float(np.mean(np.abs(values) < 1e-3))


def _initial_loss_over_ln_k(trainer) -> float:
    """The training loss before any step, over ln K: about 1 when the untrained net guesses every
    class alike, as cross-entropy over K classes should start."""
    loss = trainer.evaluate().train_loss if trainer.epoch == 0 else math.nan  # a check with epochs 0
    return float(loss / math.log(trainer.dataset.n_classes))


def _stopped_early(trainer) -> float:
    return float(trainer.status == "early_stopping")


def _final_learning_rate(trainer) -> float:
    return float(trainer.snapshot().lr)


def _generalisation_gap(trainer) -> float:
    """Test loss minus training loss: how much worse the network does on points it never saw."""
    snap = trainer.snapshot()
    return float(snap.test_loss - snap.train_loss)


def _epochs_trained(trainer) -> float:
    return float(trainer.epoch)


def _updates_per_epoch(trainer) -> float:
    return float(trainer.step_count / max(trainer.epoch, 1))


def _update_ratio_log10(trainer) -> float:
    """The median over layers of log10(‖Δw‖ / ‖w‖) of the last update (about -3 is healthy)."""
    ratios = [layer.update_ratio for layer in trainer.snapshot().layers if layer.update_ratio > 0]
    return float(np.median(np.log10(ratios))) if ratios else math.nan


def _loss_after_swapping(trainer, outgoing: bool) -> float:
    """|test loss change| when hidden units 0 and 1 of the first layer trade places: their incoming
    weights and biases, and (when `outgoing`) their weights into the next layer too."""
    from engine.weight_edits import swapped_state

    state = trainer.state_dict()
    swapped = swapped_state(state, len(trainer.project.network.layers), 0, 0, 1, outgoing=outgoing)
    before = trainer.evaluate().test_loss
    trainer.load_state_dict(swapped)
    try:
        return float(abs(trainer.evaluate().test_loss - before))
    finally:
        trainer.load_state_dict(state)


def _step_through_error(trainer) -> float:
    """The largest difference between the step-through's hand-computed gradients ∂L/∂W, ∂L/∂b
    (engine/backprop_trace.py, what the window shows) and torch autograd's on the same network, in
    float64, over the first 10 training points."""
    import copy

    import torch

    from engine.backprop_trace import trace_training_rows
    from engine.nn.losses import LOSSES

    rows = np.arange(min(10, len(trainer.dataset.x_train)))
    state, head = trainer.state_dict(), trainer.head
    _, trace = trace_training_rows(state, trainer.project, trainer.dataset, head, rows)
    net = copy.deepcopy(trainer.torch_network()).double()
    t = torch.as_tensor(trace.targets)
    t = t.long() if t.dtype == torch.int64 else t.double()
    loss = LOSSES[head.loss].factory(**head.loss_params)(net(torch.as_tensor(trace.inputs)), t)
    keys = [f"layers.{i}.linear" for i in range(len(trace.grad_weights) - 1)] + ["head.linear"]
    params = dict(net.named_parameters())
    tensors = [params[f"{k}.{part}"] for k in keys for part in ("weight", "bias")]
    expected = torch.autograd.grad(loss, tensors)
    shown = [g for pair in zip(trace.grad_weights, trace.grad_biases, strict=True) for g in pair]
    return max(float(np.abs(a - b.numpy()).max()) for a, b in zip(shown, expected, strict=True))


MEASURES = {
    "step_through_error": _step_through_error,
    "updates_per_epoch": _updates_per_epoch,
    "update_ratio_log10": _update_ratio_log10,
    "swap_change": lambda trainer: _loss_after_swapping(trainer, outgoing=True),
    "half_swap_change": lambda trainer: _loss_after_swapping(trainer, outgoing=False),
    "generalisation_gap": _generalisation_gap,
    "epochs_trained": _epochs_trained,
    "final_learning_rate": _final_learning_rate,
    "first_to_last_gradient": _first_to_last_gradient,
    "first_to_last_step_gradient": _first_to_last_step_gradient,
    "weight_norm": _weight_norm,
    "near_zero_weights": _near_zero_weights,
    "initial_loss_over_ln_k": _initial_loss_over_ln_k,
    "stopped_early": _stopped_early,
    "mistakes_within_bound": _mistakes_within_bound,
    "hidden_unit_spread": _hidden_unit_spread,
    "diverged": _diverged,
    "train_loss_fall": _first_to_last_train_loss,
    "noisy_reconstruction": _noisy_reconstruction,
    "mean_code_activation": _mean_code_activation,
    "jacobian_norm": _jacobian_norm,
    "holes": _holes,
}


def measure(trainer, name: str) -> float:
    if name in MEASURES:
        return MEASURES[name](trainer)
    if name not in trainer.family.metric_names():
        raise SpecError(
            "lesson.claim",
            f"measure {name!r} is neither a {trainer.family.name} metric nor one of {', '.join(MEASURES)}",
        )
    value = trainer.snapshot().metric(name)
    return math.nan if value is None else float(value)


def run_check(lesson, check: dict) -> float:
    """Train the check's variant of the lesson's project and measure it."""
    from engine.lessons import lesson_project
    from engine.train import build_trainer

    unknown = sorted(set(check) - RUN_KEYS - BOUND_KEYS)
    if unknown or "measure" not in check:
        raise SpecError(
            "lesson.claim.checks",
            f"a check has {', '.join(sorted(RUN_KEYS | BOUND_KEYS))}; got {unknown or 'no measure'}",
        )
    project = lesson_project(lesson, tuple(check.get("tries", ())), check.get("set"))
    trainer = build_trainer(project)
    trainer.run(check.get("epochs"))
    return measure(trainer, check["measure"])


def check_claim(lesson) -> list[Outcome]:
    """Every check of the lesson's claim, in order, each measured and judged."""
    values = [run_check(lesson, check) for check in lesson.checks]
    outcomes = []
    for check, value in zip(lesson.checks, values, strict=True):
        held, said = True, []
        for key, op in (("at_least", ">="), ("at_most", "<=")):
            if key in check:
                ok = value >= check[key] if op == ">=" else value <= check[key]
                held &= bool(ok)
                said.append(f"{value:.4g} {op} {check[key]}")
        for key, op in (("below", "<"), ("above", ">")):
            if key in check:
                other = values[check[key]]
                ok = value < other if op == "<" else value > other
                held &= bool(ok)
                said.append(f"{value:.4g} {op} {other:.4g} (check {check[key]})")
        outcomes.append(Outcome(check, value, held, f"{check['measure']} " + ", ".join(said)))
    return outcomes
