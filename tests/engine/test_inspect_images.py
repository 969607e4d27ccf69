"""The image views' probe: its confusion matrix against the exported model's own predictions, its
feature maps against forward hooks of our own, and receptive fields against autograd."""

import pickle

import numpy as np
import pytest
import torch
from torch import nn

from engine.examples import example_path
from engine.export.models import export_torchscript
from engine.inspect import inspect_probe
from engine.inspect.images import _EVALUATIONS, GRID_SAMPLES, input_field, receptive_fields
from engine.nn.layers import ConvLayer
from engine.spec.project import Project
from engine.store import load_project
from engine.train import Trainer

_TRAINED: dict[str, Trainer] = {}


def digits_cnn() -> Trainer:
    """digits_cnn trained for one epoch on the CPU (cached: the tests only read it)."""
    if "cnn" not in _TRAINED:
        project = load_project(example_path("digits_cnn"))
        project.training.epochs = 1
        project.training.device = "cpu"
        trainer = Trainer(project)
        trainer.run_epoch()
        _TRAINED["cnn"] = trainer
    return _TRAINED["cnn"]


def test_confusion_matrix_counts_the_exported_models_predictions(tmp_path):
    trainer = digits_cnn()
    probe = inspect_probe(trainer, {"sample": 3})
    model = torch.jit.load(str(export_torchscript(trainer, tmp_path / "model.pt")))
    x = np.ascontiguousarray(trainer.dataset.x_test, dtype=np.float32)
    with torch.no_grad():
        predicted = model(torch.from_numpy(x)).numpy().argmax(axis=1)
    expected = np.zeros((10, 10), dtype=np.int64)
    for true, said in zip(trainer.dataset.y_test, predicted, strict=True):
        expected[true, said] += 1
    np.testing.assert_array_equal(probe.confusion, expected)
    assert probe.confusion.sum() == len(x) == probe.n_test
    assert probe.accuracy == pytest.approx(trainer.evaluate().test_accuracy)
    # The grid's samples are the first test images, with the same predictions.
    grid = np.arange(GRID_SAMPLES)
    np.testing.assert_array_equal(probe.indices, grid)
    np.testing.assert_array_equal(probe.images, x[grid])
    np.testing.assert_array_equal(probe.true, trainer.dataset.y_test[grid])
    np.testing.assert_array_equal(probe.predicted, predicted[grid])
    with torch.no_grad():
        probs = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(probe.sample_probs, probs[3], atol=1e-5)
    np.testing.assert_allclose(probe.confidence, probs[grid].max(axis=1), atol=1e-5)


def test_feature_maps_equal_forward_hooks_on_the_network():
    trainer = digits_cnn()
    probe = inspect_probe(trainer, {"sample": 11})
    network = trainer.backend.network
    seen = {}
    hooks = [
        network.layers[i].register_forward_hook(
            lambda m, a, out, i=i: seen.__setitem__(i, out.detach().clone())
        )
        for i in (0, 1, 2, 4)
    ]
    network.eval()
    with torch.no_grad():
        network(trainer.preprocessor(torch.as_tensor(trainer.dataset.x_test[11:12])))
    for hook in hooks:
        hook.remove()
    assert [f.layer for f in probe.features] == [0, 1, 2]  # conv, pool, conv; not flatten or dense
    assert [f.name for f in probe.features] == ["conv2d (layer 1)", "maxpool (layer 2)", "conv2d (layer 3)"]
    for feature in probe.features:
        np.testing.assert_allclose(feature.maps, seen[feature.layer][0].numpy(), atol=1e-6)
    assert [f.maps.shape for f in probe.features] == [(16, 8, 8), (16, 4, 4), (32, 4, 4)]
    np.testing.assert_array_equal(probe.filters, network.layers[0].conv.weight.detach().numpy())
    assert probe.filter_count == 16 and probe.filter_layer == "conv2d (layer 1)"
    assert probe.sample == 11 and probe.sample_true == trainer.dataset.y_test[11]
    np.testing.assert_array_equal(probe.sample_image, trainer.dataset.x_test[11])


def test_probe_clamps_the_sample_and_stays_small():
    trainer = digits_cnn()
    n = len(trainer.dataset.x_test)
    assert inspect_probe(trainer, {"sample": 10**6}).sample == n - 1
    assert inspect_probe(trainer, {"sample": -4}).sample == 0
    assert inspect_probe(trainer, {}).sample == 0
    assert len(pickle.dumps(inspect_probe(trainer, {"sample": 2}))) < 200_000


def field_support(stack: nn.Module, shape: tuple[int, int, int], channel: int, row: int, col: int):
    """Rows and columns of the input that output pixel (row, col) depends on, found by autograd:
    with positive weights and inputs no contribution cancels, so the gradient is nonzero exactly
    on the receptive field."""
    x = torch.rand((1, *shape), dtype=torch.float64) + 0.5
    x.requires_grad_(True)
    stack(x)[0, channel, row, col].backward()
    rows, cols = np.nonzero(x.grad[0].abs().sum(dim=0).numpy())
    return (int(rows.min()), int(rows.max())), (int(cols.min()), int(cols.max()))


def test_receptive_fields_match_autograd_on_a_small_stack():
    layers = [
        ConvLayer(1, 2, 3, 1, "same", "linear"),
        nn.AvgPool2d(2),
        ConvLayer(2, 2, 3, 2, "valid", "linear"),
        nn.BatchNorm2d(2),
        ConvLayer(2, 1, 5, 1, "same", "linear"),
    ]
    stack = nn.Sequential(*layers).double().eval()
    with torch.no_grad():
        for module in stack.modules():
            if isinstance(module, nn.Conv2d):
                module.weight.uniform_(0.1, 1.0)
    shape = (1, 20, 19)
    fields = receptive_fields(layers, shape[1:])
    assert [i for i, _ in fields] == [0, 1, 2, 4]  # batch norm moves no pixel: it has no field
    # By hand: 3x3 same; a 2x2 pool doubles the jump; a 3x3 stride-2 valid conv; a 5x5 same conv.
    assert [(f.size, f.jump, f.start) for _, f in fields] == [
        (3, 1, 0.0),
        (4, 2, 0.5),
        (8, 4, 2.5),
        (24, 4, 2.5),
    ]
    # The valid stride-2 conv's last pixels see input rows and columns up to 18 (of 0..19 and 0..18):
    # row 19 is seen by no pixel of it, so the 5x5 conv's padding after it covers nothing there.
    assert fields[2][1].reach == (18, 18) and fields[1][1].reach == (19, 18)
    for depth, (index, field) in enumerate(fields):
        part = stack[: index + 1]
        out = part(torch.zeros((1, *shape), dtype=torch.float64))
        assert field.shape == tuple(out.shape[2:])
        for row in range(out.shape[2]):
            for col in range(out.shape[3]):
                expected = field_support(part, shape, 0, row, col)
                assert (field.span(row, 0), field.span(col, 1)) == expected, (depth, row, col)


def test_input_field_and_clipping():
    image = input_field(8, 8)
    assert image.span(5, 0) == (5, 5)
    pool = image.after(2, 2, 0)
    assert [pool.span(i, 1) for i in range(4)] == [(0, 1), (2, 3), (4, 5), (6, 7)] and pool.shape == (4, 4)
    same = image.after(5, 1, 2)  # padding: the field runs off the image and is clipped
    assert same.span(0, 0) == (0, 2) and same.span(7, 0) == (5, 7)


def test_a_digits_mlp_has_no_filters_nor_feature_maps():
    project = Project.from_dict(
        {
            "data": {"name": "digits", "train_fraction": 0.8},
            "network": {
                "layers": [{"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"}]
            },
            "training": {"epochs": 1, "optimizer": {"name": "adam", "lr": 0.01}},
        }
    )
    trainer = Trainer(project)
    trainer.run_epoch()
    probe = inspect_probe(trainer, {"sample": 4})
    assert probe.filters is None and probe.features == () and probe.filter_count == 0
    predicted = trainer.backend.evaluate("test")[1].argmax(axis=1)
    expected = np.zeros((10, 10), dtype=np.int64)
    np.add.at(expected, (trainer.dataset.y_test, predicted), 1)
    np.testing.assert_array_equal(probe.confusion, expected)


def test_the_test_split_is_evaluated_again_only_when_the_weights_changed(monkeypatch):
    trainer = digits_cnn()
    calls = []
    evaluate = trainer.backend.evaluate
    monkeypatch.setattr(trainer.backend, "evaluate", lambda split: calls.append(split) or evaluate(split))
    first = inspect_probe(trainer, {"sample": 1})
    inspect_probe(trainer, {"sample": 2})  # paused, another sample picked: the same weights
    assert len(calls) <= 1
    before = trainer.state_dict()
    trainer.status = "paused"
    trainer.step()
    stepped = inspect_probe(trainer, {"sample": 2})
    expected = evaluate("test")[1].argmax(axis=1)
    np.testing.assert_array_equal(stepped.predicted, expected[: len(stepped.predicted)])
    trainer.load_state_dict(before)  # a past epoch looked at: no step taken, other weights
    assert calls.count("test") == len(calls)
    n = len(calls)
    back = inspect_probe(trainer, {"sample": 2})
    assert len(calls) == n + 1
    np.testing.assert_array_equal(back.confusion, first.confusion)
    # While training, one evaluation serves the probes until EVAL_SHARE of the time allows another.
    # (A step takes far less than 1 / EVAL_SHARE = 25 evaluations of the test split.)
    kept = _EVALUATIONS[trainer]
    trainer.status = "running"
    for _ in range(2):
        trainer.step()
        inspect_probe(trainer, {"sample": 2})
    assert _EVALUATIONS[trainer] is kept
    trainer.status = "paused"
    inspect_probe(trainer, {"sample": 2})
    assert _EVALUATIONS[trainer] is not kept
