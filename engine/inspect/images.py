"""What the image views draw: test samples with their predictions, the confusion matrix, the first
conv layer's filters and the feature maps of one picked sample, with each map's receptive field.

The predictions come from one evaluation of the test split by the trainer's own backend (the
numbers the test accuracy is computed from); the feature maps from forward hooks on the network's
conv and pool modules while it classifies the picked sample alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

import numpy as np

from engine.inspect import InspectProbe

GRID_SAMPLES = 24  # test samples in the grid: the first ones of the test split, fixed for a run
MAX_FILTERS = 64  # filters of the first conv layer drawn; a wider layer is cut (the probe stays small)
MAX_MAPS = 32  # feature maps per layer for the picked sample
EVAL_SHARE = 0.04  # at most this share of training time goes to evaluating the test split for probes
MAX_MAP_VALUES = 40_000  # float32 values of feature maps a probe carries at most (~160 KB)


@dataclass(frozen=True)
class ReceptiveField:
    """Where a layer's output pixel looks in the input image, in input pixel indices.

    Output pixel i (along either axis) is centred on input pixel `start + i * jump` and sees the
    `size` pixels around it; `start` is a half-integer after an even-sized window (a 2x2 pool).
    `reach` is the last input row and column any of the layer's pixels sees: a stride that does
    not fit the image leaves its last pixels unseen, and the padding that a later layer adds there
    covers nothing of the input.
    """

    size: int
    jump: int
    start: float
    reach: tuple[int, int]
    shape: tuple[int, int]  # the layer's output (height, width)

    def after(self, kernel: int, stride: int, padding: int, dilation: int = 1) -> ReceptiveField:
        """The field of a window of `kernel` (with `stride`, `padding`) applied to this layer's
        output: the standard recurrence (Dumoulin & Visin 2016; Araujo et al. 2019)."""
        span = dilation * (kernel - 1)  # the window's extent minus one, in this layer's pixels
        shape = tuple((n + 2 * padding - span - 1) // stride + 1 for n in self.shape)  # as torch's
        field = ReceptiveField(
            size=self.size + span * self.jump,
            jump=self.jump * stride,
            start=self.start + (span / 2 - padding) * self.jump,
            reach=self.reach,
            shape=shape,
        )
        last = tuple(field._last(n - 1) for n in shape)
        return replace(field, reach=(min(self.reach[0], last[0]), min(self.reach[1], last[1])))

    def _last(self, index: int) -> int:
        return int(round(self.start + index * self.jump + (self.size - 1) / 2))

    def span(self, index: int, axis: int) -> tuple[int, int]:
        """The first and last input pixel (inclusive) that output pixel `index` along `axis`
        (0: rows, 1: columns) sees: its window clipped to the part of the image the layer sees
        (padding lies outside the image)."""
        first = int(round(self.start + index * self.jump - (self.size - 1) / 2))
        return max(first, 0), min(first + self.size - 1, self.reach[axis])


def input_field(height: int, width: int) -> ReceptiveField:
    """The input image's own pixels: each sees itself."""
    return ReceptiveField(size=1, jump=1, start=0.0, reach=(height - 1, width - 1), shape=(height, width))


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class FeatureMaps:
    """One conv or pool layer's output for the picked sample."""

    name: str  # e.g. "conv2d (layer 1)"
    layer: int  # index in the project's layer stack
    maps: np.ndarray  # (channels shown, H, W) float32
    channels: int  # the layer's channels (maps may show fewer)
    field: ReceptiveField


@dataclass(frozen=True, eq=False)
class ImageProbe(InspectProbe):
    """What the image views draw of a classifier on images (or a regressor: no confusion matrix)."""

    classification: bool
    class_names: tuple[str, ...]
    indices: np.ndarray  # (S,) test indices of the grid's samples
    images: np.ndarray  # (S, *raw_shape) float32, raw
    true: np.ndarray  # (S,) labels (or values)
    predicted: np.ndarray  # (S,) predicted class (or value)
    confidence: np.ndarray  # (S,) probability of the predicted class (NaN for regression)
    confusion: np.ndarray | None  # (K, K) int64 over the test split: rows true, columns predicted
    accuracy: float | None
    n_test: int
    sample: int  # the picked test sample
    sample_image: np.ndarray  # (*raw_shape) float32, raw
    sample_true: float
    sample_probs: np.ndarray  # (K,) the picked sample's class probabilities ((1,) value for regression)
    filters: np.ndarray | None  # (F, C, k, k) the first conv layer's weights; None without conv layers
    filter_layer: str
    filter_count: int  # the layer's filters (`filters` may show fewer)
    features: tuple[FeatureMaps, ...]


def probe(trainer, options: dict) -> ImageProbe:
    """The image views' probe of `trainer` for the sample picked in `options`."""
    from engine.families.mlp.task import probabilities

    data, head = trainer.dataset, trainer.head
    n_test = len(data.x_test)
    if n_test == 0:
        raise ValueError("the image views need a test split: set the training share below 1")
    outputs = test_outputs(trainer)
    if head.classification:
        probs = probabilities(head, outputs)
        predicted = probs.argmax(axis=1)
        confidence = probs[np.arange(n_test), predicted].astype(np.float32)
        confusion = confusion_matrix(data.y_test, predicted, head.n_classes)
        accuracy = float(np.trace(confusion)) / n_test
    else:
        probs = np.asarray(outputs, dtype=np.float64)[:, :1]
        predicted = probs[:, 0]
        confidence = np.full(n_test, np.nan, dtype=np.float32)
        confusion, accuracy = None, None
    sample = min(max(int(options.get("sample", 0) or 0), 0), n_test - 1)
    grid = np.arange(min(GRID_SAMPLES, n_test))
    filters, filter_layer, filter_count = first_filters(trainer)
    return ImageProbe(
        classification=head.classification,
        class_names=tuple(data.class_names),
        indices=grid,
        images=np.ascontiguousarray(data.x_test[grid], dtype=np.float32),
        true=np.asarray(data.y_test[grid]),
        predicted=np.asarray(predicted[grid]),
        confidence=confidence[grid],
        confusion=confusion,
        accuracy=accuracy,
        n_test=n_test,
        sample=sample,
        sample_image=np.array(data.x_test[sample], dtype=np.float32),
        sample_true=float(data.y_test[sample]),
        sample_probs=np.asarray(probs[sample], dtype=np.float32),
        filters=filters,
        filter_layer=filter_layer,
        filter_count=filter_count,
        features=feature_maps(trainer, sample),
    )


@dataclass(frozen=True, eq=False)
class _Evaluation:
    weights: tuple  # what identifies the weights evaluated (steps taken and a checksum)
    outputs: np.ndarray
    at: float  # perf_counter when it was made
    cost: float  # seconds it took


_EVALUATIONS: WeakKeyDictionary = WeakKeyDictionary()  # trainer -> its last _Evaluation


def test_outputs(trainer) -> np.ndarray:
    """The network's outputs on the test split, by the trainer's backend.

    Evaluating the split is most of a probe's cost (~10 ms of digits_cnn's 360 images, against
    ~1 ms for the feature maps), and probes come 5 times a second: while training, a new one is
    made only once EVAL_SHARE of the time since the last allows, and the last is reused in
    between (it is at most that old). Weights that have not changed (paused, a sample picked) are
    never evaluated again; changed weights outside training (a step, a past epoch looked at) always are.
    """
    weights = (trainer.step_count, trainer.epoch, _checksum(trainer.backend))
    last = _EVALUATIONS.get(trainer)
    now = time.perf_counter()
    if last is not None and (
        last.weights == weights or (trainer.status == "running" and now - last.at < last.cost / EVAL_SHARE)
    ):
        return last.outputs
    _, outputs = trainer.backend.evaluate("test")
    _EVALUATIONS[trainer] = _Evaluation(weights, outputs, now, time.perf_counter() - now)
    return outputs


def _checksum(backend) -> float:
    """A sum over every weight: other weights (a past epoch's swapped in) give another."""
    network = getattr(backend, "network", None)
    if network is None:  # the numpy fast path: its arrays are small
        return float(sum(float(np.sum(v, dtype=np.float64)) for v in backend.state_dict().values()))
    import torch

    with torch.no_grad():  # summed where the weights are, without copying them out
        return float(torch.stack([p.detach().sum() for p in network.parameters()]).sum())


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class."""
    flat = np.asarray(true, dtype=np.int64) * n_classes + np.asarray(predicted, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _torch_layers(trainer):
    """The network's user layers as torch modules, or () on a backend without them (numpy)."""
    network = getattr(trainer.backend, "network", None)
    return () if network is None else tuple(network.layers)


def _window(module) -> tuple[int, int, int, int] | None:
    """(kernel, stride, padding, dilation) of a conv or pool module along one axis; None for
    layers that keep every pixel where it is (activations, batch norm, dropout)."""
    from torch import nn

    from engine.nn.layers import ConvLayer

    if isinstance(module, ConvLayer):
        conv = module.conv
        return conv.kernel_size[0], conv.stride[0], conv.padding[0], conv.dilation[0]
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        first = lambda v: v[0] if isinstance(v, tuple) else v  # noqa: E731 - ints or pairs
        dilation = first(getattr(module, "dilation", 1))
        return first(module.kernel_size), first(module.stride), first(module.padding), dilation
    return None


def receptive_fields(modules, image: tuple[int, int]) -> list[tuple[int, ReceptiveField]]:
    """(layer index, field) of every conv and pool layer on an `image` (height, width) input, up
    to the first layer that leaves the image plane (flatten, dense, recurrent)."""
    from torch import nn

    field, fields = input_field(*image), []
    for i, module in enumerate(modules):
        window = _window(module)
        if window is not None:
            field = field.after(*window)
            fields.append((i, field))
        elif not isinstance(module, (nn.BatchNorm2d, nn.Dropout, nn.Identity)):
            break
    return fields


def first_filters(trainer) -> tuple[np.ndarray | None, str, int]:
    """The first conv layer's kernels (F, C, k, k), its name and its filter count."""
    from engine.nn.layers import ConvLayer

    for i, module in enumerate(_torch_layers(trainer)):
        if isinstance(module, ConvLayer):
            weight = module.conv.weight.detach()
            kept = weight[:MAX_FILTERS].float().cpu().numpy().copy()
            return kept, f"conv2d (layer {i + 1})", int(weight.shape[0])
    return None, "", 0


def feature_maps(trainer, sample: int) -> tuple[FeatureMaps, ...]:
    """The output of every conv and pool layer for test sample `sample`, taken by forward hooks
    while the network (in eval mode) classifies it."""
    import torch

    modules = _torch_layers(trainer)
    fields = receptive_fields(modules, tuple(trainer.dataset.raw_shape[-2:]))
    if not fields:
        return ()
    network = trainer.backend.network
    captured: dict[int, torch.Tensor] = {}
    hooks = [
        modules[i].register_forward_hook(lambda _m, _in, out, i=i: captured.__setitem__(i, out.detach()))
        for i, _ in fields
    ]
    x = trainer.preprocessor.apply_numpy(trainer.dataset.x_test[sample : sample + 1])
    try:
        # Eval mode (dropout off, batch norm's running statistics), left so as the backend's own
        # evaluation leaves it: every training step sets train mode again (a toggle costs ~1 ms).
        if network.training:
            network.eval()
        with torch.no_grad():
            network(torch.as_tensor(x, device=trainer.backend.device))
    finally:
        for hook in hooks:
            hook.remove()
    out, budget = [], MAX_MAP_VALUES
    for i, field in fields:
        maps = captured[i][0]
        per_map = int(maps.shape[1] * maps.shape[2])
        shown = max(1, min(MAX_MAPS, int(maps.shape[0]), budget // max(per_map, 1)))
        budget -= shown * per_map
        name = type(modules[i]).__name__
        label = {"ConvLayer": "conv2d", "MaxPool2d": "maxpool", "AvgPool2d": "avgpool"}.get(name, name)
        out.append(
            FeatureMaps(
                name=f"{label} (layer {i + 1})",
                layer=i,
                maps=maps[:shown].float().cpu().numpy().copy(),
                channels=int(maps.shape[0]),
                field=field,
            )
        )
        if budget <= 0:
            break
    return tuple(out)
