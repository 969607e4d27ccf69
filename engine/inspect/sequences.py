"""What the sequence views draw of one picked test sample: its input, target and prediction over
time; the first recurrent layer's hidden state and gates at every step; and how strongly the loss
reaches back to each step, ‖∂L/∂h_t‖, so the vanishing of backpropagation through time is seen.

The recurrence is re-run here, step by step, from the cell's own weights (torch's gate order:
LSTM i, f, g, o; GRU r, z, n), with every h_t a node of the graph: autograd then gives ∂L/∂h_t for
all steps in one backward pass (tests/engine/test_inspect_sequences.py checks it all against the
torch modules themselves).
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from engine.inspect import InspectProbe

GATE_NAMES = {  # what each kind of cell shows beside its hidden state, in drawing order
    "rnn": (),
    "lstm": ("input gate i", "forget gate f", "cell candidate g", "output gate o", "cell state c"),
    "gru": ("reset gate r", "update gate z", "candidate n"),
}
MAX_UNITS = 64  # units drawn at most: a wider layer is cut (a heat map shows no more; the probe stays small)
# While training, a probe may take this share of the time at most: a long sequence through a wide
# layer costs ~0.2 s, so it is made again only when that much time has passed (10 × its cost);
# meanwhile the last one is sent again. Paused, or for another sample, it is always made afresh.
TIME_SHARE = 0.1
_last: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # trainer -> _Made


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class SequenceProbe(InspectProbe):
    """One test sample seen through the network: input, target, prediction, the recurrent state."""

    epoch: int
    sample: int  # the index shown, in `split`
    n_samples: int  # samples in `split`: the picker's range
    split: str  # "test" (or "train" when the run holds no test split)
    inputs: np.ndarray  # (steps, features) float32, raw (before preprocessing)
    input_names: tuple[str, ...]
    classification: bool
    class_names: tuple[str, ...]
    target: np.ndarray  # (1,) the label or value; (steps,) for per-step data
    prediction: np.ndarray  # (K,) class probabilities, or (1,) / (steps,) predicted values
    loss: float  # the loss on this sample alone
    layer: int | None  # index in the project's layer stack of the recurrent layer shown; None: none
    layer_kind: str  # "rnn" | "lstm" | "gru" ("" without a recurrent layer)
    units: int  # the layer's units (hidden may show fewer: MAX_UNITS)
    hidden: np.ndarray  # (steps, units shown) h_t
    gates: tuple[tuple[str, np.ndarray], ...]  # (name, (steps, units shown)) per GATE_NAMES
    hidden_grad: np.ndarray  # (steps,) ‖∂L/∂h_t‖ for t = 1..T

    @property
    def steps(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def gradient_ratio(self) -> float:
        """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: how much of the last step's gradient reaches the first step."""
        if len(self.hidden_grad) == 0 or self.hidden_grad[-1] <= 0:
            return float("nan")
        return float(self.hidden_grad[0] / self.hidden_grad[-1])


def first_recurrent(network: nn.Module) -> int | None:
    """Index of the first recurrent layer in the network's stack (engine.nn.layers.Recurrent)."""
    from engine.nn.layers import Recurrent

    for i, layer in enumerate(network.layers):
        if isinstance(layer, Recurrent):
            return i
    return None


def cell_kind(cell: nn.Module) -> str:
    return "lstm" if isinstance(cell, nn.LSTM) else "gru" if isinstance(cell, nn.GRU) else "rnn"


def _weights(cell: nn.Module) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """W_ih, W_hh and the two biases of a one-layer cell (zeros where it has no bias)."""
    w_ih, w_hh = cell.weight_ih_l0, cell.weight_hh_l0
    zero = torch.zeros(w_ih.shape[0], dtype=w_ih.dtype, device=w_ih.device)
    b_ih = cell.bias_ih_l0 if cell.bias else zero
    b_hh = cell.bias_hh_l0 if cell.bias else zero
    return w_ih, w_hh, b_ih, b_hh


def unroll(cell: nn.Module, x: torch.Tensor) -> tuple[list[torch.Tensor], dict[str, list[torch.Tensor]]]:
    """Run a one-layer nn.RNN / nn.LSTM / nn.GRU over x (batch, steps, features) from a zero state,
    one step at a time: the list of h_t (each a graph node of its own) and each gate's values."""
    kind = cell_kind(cell)
    if cell.num_layers != 1 or cell.bidirectional or not cell.batch_first:
        raise ValueError("only one-layer, one-direction, batch-first cells can be unrolled")
    w_ih, w_hh, b_ih, b_hh = _weights(cell)
    h = x.new_zeros(x.shape[0], cell.hidden_size)
    c = torch.zeros_like(h)
    inputs = x @ w_ih.T + b_ih  # every step's input part at once: (batch, steps, gates * units)
    hs, gates = [], {name: [] for name in GATE_NAMES[kind]}
    for t in range(x.shape[1]):
        a, r_h = inputs[:, t], h @ w_hh.T + b_hh
        if kind == "lstm":
            i, f, g, o = (a + r_h).chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            values = (i, f, g, o, c)
        elif kind == "gru":
            a_r, a_z, a_n = a.chunk(3, dim=1)
            h_r, h_z, h_n = r_h.chunk(3, dim=1)
            r, z = torch.sigmoid(a_r + h_r), torch.sigmoid(a_z + h_z)
            n = torch.tanh(a_n + r * h_n)  # torch's GRU: the reset gate scales W_hn·h + b_hn
            h = (1 - z) * n + z * h
            values = (r, z, n)
        else:
            pre = a + r_h
            h = torch.relu(pre) if cell.nonlinearity == "relu" else torch.tanh(pre)
            values = ()
        hs.append(h)
        for name, value in zip(GATE_NAMES[kind], values, strict=True):
            gates[name].append(value)
    return hs, gates


def _output(network: nn.Module, index: int, hs: list[torch.Tensor]) -> torch.Tensor:
    """The network's output from the recurrent layer `index`'s states onward."""
    recurrent = network.layers[index]
    x = torch.stack(hs, dim=1) if recurrent.return_sequences else hs[-1]
    for layer in list(network.layers)[index + 1 :]:
        x = layer(x)
    return network.head(x)


def _network(trainer) -> nn.Module:
    backend = getattr(trainer, "backend", None)
    network = getattr(backend, "network", None)
    return network if isinstance(network, nn.Module) else trainer.torch_network()


def _split(dataset) -> tuple[str, np.ndarray, np.ndarray]:
    if len(dataset.x_test):
        return "test", dataset.x_test, dataset.y_test
    return "train", dataset.x_train, dataset.y_train


@dataclass(frozen=True, eq=False)
class _Made:
    probe: SequenceProbe
    weights: int  # the network's weights version it shows (see _weights_version)
    done: float  # perf_counter when it was made
    cost: float  # seconds it took


def probe(trainer, options: dict) -> SequenceProbe:
    """The SequenceProbe of test sample `options["sample"]` (clamped into range; 0 by default)."""
    _, xs, _ = _split(trainer.dataset)
    try:
        sample = int(options.get("sample", 0))
    except (TypeError, ValueError):
        sample = 0
    sample = min(max(sample, 0), max(len(xs) - 1, 0))
    weights, now = _weights_version(trainer), time.perf_counter()
    last = _last.get(trainer)
    if last is not None and last.probe.sample == sample:
        if last.weights == weights:
            return last.probe  # nothing changed since
        if getattr(trainer, "status", "") == "running" and now - last.done < last.cost / TIME_SHARE:
            return last.probe
    made = make_probe(trainer, sample)
    done = time.perf_counter()
    _last[trainer] = _Made(made, weights, done, done - now)
    return made


def _weights_version(trainer) -> int:
    """Changes whenever any weight does: torch counts every in-place write to a tensor (an
    optimizer step, loading a state, a weight set by hand), and ids tell a rebuilt network apart."""
    network = _network(trainer)
    return hash(tuple((id(p), p._version) for p in network.parameters()))


def make_probe(trainer, sample: int) -> SequenceProbe:
    """The SequenceProbe of `sample` (an index into the test split, else the training split)."""
    from engine.families.mlp.task import encode_targets, probabilities

    split, xs, ys = _split(trainer.dataset)
    head, network = trainer.head, _network(trainer)
    device = next(network.parameters()).device
    raw = np.asarray(xs[sample : sample + 1], dtype=np.float32)
    x = torch.as_tensor(trainer.preprocessor.apply_numpy(raw), device=device)
    target = torch.as_tensor(encode_targets(head, np.asarray(ys[sample : sample + 1])), device=device)
    if target.dtype == torch.float64:
        target = target.float()
    was_training = network.training
    network.eval()  # the prediction the test metrics see: dropout off, batch norm's running stats
    try:
        index = first_recurrent(network)
        with torch.enable_grad():
            if index is None:
                out = network(x)
                hs, gates, grads = [], {}, []
            else:
                before = x
                with torch.no_grad():
                    for layer in list(network.layers)[:index]:
                        before = layer(before)
                hs, gates = unroll(network.layers[index].cell, before.detach())
                out = _output(network, index, hs)
            loss = trainer.backend.loss_fn(out, target)
            if hs:
                grads = torch.autograd.grad(loss, hs)  # not .backward(): the weights' .grad stay as they are
    finally:
        network.train(was_training)
    out_np = out.detach().float().cpu().numpy()
    prediction = probabilities(head, out_np)[0] if head.classification else out_np.reshape(-1)
    cell = network.layers[index].cell if index is not None else None
    return SequenceProbe(
        epoch=int(trainer.epoch),
        sample=sample,
        n_samples=len(xs),
        split=split,
        inputs=raw[0].reshape(raw.shape[1], -1),
        input_names=tuple(trainer.dataset.input_names),
        classification=head.classification,
        class_names=tuple(trainer.dataset.class_names),
        target=np.atleast_1d(np.asarray(ys[sample])).astype(np.float32),
        prediction=np.asarray(prediction, dtype=np.float32),
        loss=float(loss.detach()),
        layer=index,
        layer_kind="" if cell is None else cell_kind(cell),
        units=0 if cell is None else int(cell.hidden_size),
        hidden=_steps_by_units(hs),
        gates=tuple((name, _steps_by_units(values)) for name, values in gates.items()),
        hidden_grad=np.array([float(g.detach().norm()) for g in grads], dtype=np.float64),
    )


def _steps_by_units(values: list[torch.Tensor]) -> np.ndarray:
    """A step's (1, units) tensors as one (steps, units shown) float32 array."""
    if not values:
        return np.zeros((0, 0), dtype=np.float32)
    stacked = torch.cat(values, dim=0)[:, :MAX_UNITS]
    return stacked.detach().float().cpu().numpy()
