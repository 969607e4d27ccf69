"""Input features and the Preprocessor: values by hand, train-only statistics, torch == numpy, export."""

import io
import math
import warnings

import numpy as np
import pytest
import torch

from engine.data import Dataset, make_dataset
from engine.errors import SpecError
from engine.nn.features import FEATURES, compute_features, feature_bank
from engine.nn.preprocess import Preprocessor, build_preprocessor

RAW = np.array([[0.5, -2.0], [3.0, 1.5], [-1.25, 0.0]], dtype=np.float32)
HAND = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: math.sin(a),
    "sin_x2": lambda a, b: math.sin(b),
}


def hand_features(raw, names):
    return np.array([[HAND[n](float(a), float(b)) for n in names] for a, b in raw])


def table(x_train, x_test, kind="tabular", names=None):
    n_cols = x_train.shape[1:]
    return Dataset(
        name="t",
        kind=kind,
        task="regression",
        x_train=np.asarray(x_train, np.float32),
        y_train=np.zeros(len(x_train), np.float32),
        x_test=np.asarray(x_test, np.float32),
        y_test=np.zeros(len(x_test), np.float32),
        raw_shape=tuple(n_cols),
        input_names=tuple(names or ("x1", "x2")),
        n_classes=0,
        class_names=(),
        domain=(-6.0, 6.0) if kind == "points2d" else None,
    )


# ---- features -----------------------------------------------------------------------------------


def test_feature_values_numpy_and_torch():
    names = list(FEATURES)
    expected = hand_features(RAW, names)
    np.testing.assert_allclose(compute_features(RAW, names), expected, rtol=1e-6)
    out = compute_features(torch.from_numpy(RAW), names)
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    bank = feature_bank(torch.from_numpy(RAW[:, 0]), torch.from_numpy(RAW[:, 1]))
    np.testing.assert_allclose(bank.numpy(), expected, rtol=1e-6)


def test_feature_labels_and_unknown_name():
    assert [FEATURES[n].label for n in ("x1sq", "x1x2", "sin_x2")] == ["x1²", "x1·x2", "sin(x2)"]
    with pytest.raises(SpecError, match=r"data.features\[1\]: unknown feature 'x3'"):
        compute_features(RAW, ["x1", "x3"])


# ---- points2d feature selection -----------------------------------------------------------------


def test_points2d_selects_features_without_standardising():
    d = make_dataset({"name": "spiral", "noise": 0.1}, 0)
    names = ["sin_x1", "x1x2", "x2sq"]
    p = build_preprocessor(d, {"features": names, "standardize": "auto"})
    assert p.out_shape == (3,) and p.feature_names == tuple(names)
    np.testing.assert_allclose(p.apply_numpy(d.x_test), hand_features(d.x_test, names), rtol=1e-5, atol=1e-6)
    torch_out = p(torch.from_numpy(d.x_test)).detach().numpy()
    np.testing.assert_array_equal(torch_out, p.apply_numpy(d.x_test))


def test_default_features_are_x1_x2():
    d = make_dataset({"name": "xor"}, 0)
    p = build_preprocessor(d, {})
    assert p.feature_names == ("x1", "x2")
    np.testing.assert_array_equal(p.apply_numpy(d.x_train), d.x_train)


def test_feature_errors():
    d = make_dataset({"name": "xor"}, 0)
    with pytest.raises(SpecError, match=r"data.features\[1\]: unknown feature"):
        build_preprocessor(d, {"features": ["x1", "cos_x1"]})
    with pytest.raises(SpecError, match=r"data.features: lists a feature twice"):
        build_preprocessor(d, {"features": ["x1", "x1"]})
    iris = make_dataset({"name": "iris"}, 0)
    with pytest.raises(SpecError) as info:
        build_preprocessor(iris, {"features": ["x1", "x1sq"]})
    assert info.value.path == "data.features" and "2-D point sets only" in info.value.reason
    assert build_preprocessor(iris, {"features": ["x1", "x2"]}).feature_names == iris.input_names


# ---- standardisation ----------------------------------------------------------------------------


def test_statistics_come_from_the_training_split_only():
    rng = np.random.default_rng(0)
    train = rng.normal([1.0, -3.0, 7.0], [2.0, 0.5, 1.0], (200, 3))
    train[:, 2] = 7.0  # a constant column: std 0 must become 1
    test = train + 100.0
    p = build_preprocessor(table(train, test, names=("a", "b", "c")), {"standardize": "auto"})
    x32 = train.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(p.mean.numpy(), x32.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(p.std.numpy()[:2], x32.std(axis=0)[:2], rtol=1e-6)
    assert p.std.numpy()[2] == 1.0
    expected = (test.astype(np.float32) - x32.mean(axis=0)) / np.where(
        x32.std(axis=0) < 1e-8, 1, x32.std(axis=0)
    )
    np.testing.assert_allclose(p.apply_numpy(test), expected, rtol=1e-5)


def test_points2d_features_standardised_on_train_features():
    d = make_dataset({"name": "circle", "noise": 0.2}, 1)
    names = ["x1sq", "x2sq", "x1"]
    p = build_preprocessor(d, {"features": names, "standardize": "features"})
    f_train = hand_features(d.x_train, names)
    np.testing.assert_allclose(p.mean.numpy(), f_train.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p.std.numpy(), f_train.std(axis=0), rtol=1e-5)
    out = p.apply_numpy(d.x_test)
    expected = (hand_features(d.x_test, names) - f_train.mean(axis=0)) / f_train.std(axis=0)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_images_use_one_global_mean_and_std():
    d = make_dataset({"name": "digits", "samples": 300}, 0)
    p = build_preprocessor(d, {"standardize": "auto"})
    x = d.x_train.astype(np.float64)
    assert p.out_shape == (1, 8, 8) and p.mean.shape == ()
    np.testing.assert_allclose([p.mean.item(), p.std.item()], [x.mean(), x.std()], rtol=1e-6)
    per_pixel = build_preprocessor(d, {"standardize": "features"})
    assert per_pixel.mean.shape == (1, 8, 8)
    np.testing.assert_allclose(per_pixel.mean.numpy(), x.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_sequences_pool_statistics_per_channel():
    d = make_dataset({"name": "sine_next", "samples": 200, "noise": 0.1}, 0)
    assert build_preprocessor(d, {}).standardize == "none"
    p = build_preprocessor(d, {"standardize": "features"})
    x = d.x_train.astype(np.float64)
    np.testing.assert_allclose(p.mean.numpy(), [x.mean()], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p.std.numpy(), [x.std()], rtol=1e-5)


def test_global_on_tabular_and_none_is_identity():
    d = make_dataset({"name": "iris"}, 0)
    g = build_preprocessor(d, {"standardize": "global"})
    np.testing.assert_allclose(g.mean.item(), d.x_train.astype(np.float64).mean(), rtol=1e-6)
    none = build_preprocessor(d, {"standardize": "none"})
    np.testing.assert_array_equal(none.apply_numpy(d.x_test), d.x_test)


# ---- export and state -----------------------------------------------------------------------------


def fitted():
    d = make_dataset({"name": "spiral", "noise": 0.2}, 0)
    p = build_preprocessor(d, {"features": ["x1", "sin_x1", "x1x2"], "standardize": "features"})
    return d, p


def test_script_and_trace_match_eager():
    d, p = fitted()
    x = torch.from_numpy(d.x_test)
    expected = p(x)
    torch.testing.assert_close(torch.jit.script(p)(x), expected)
    torch.testing.assert_close(torch.jit.trace(p, x[:5])(x), expected)


def test_statistics_travel_in_the_state_dict():
    _, p = fitted()
    state = p.state_dict()
    assert set(state) == {"mean", "std"}
    fresh = Preprocessor(list(p.feature_index.tolist()), np.zeros(3), np.ones(3), (3,), p.feature_names)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.apply_numpy(RAW), p.apply_numpy(RAW))


def test_onnx_export_matches():
    ort = pytest.importorskip("onnxruntime")
    d, p = fitted()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            p,
            (torch.from_numpy(d.x_train[:4]),),
            buffer,
            input_names=["x"],
            dynamic_axes={"x": {0: "n"}},
            dynamo=False,
        )
    session = ort.InferenceSession(buffer.getvalue())
    out = session.run(None, {"x": d.x_test})[0]
    np.testing.assert_allclose(out, p.apply_numpy(d.x_test), rtol=1e-5, atol=1e-6)


def test_apply_numpy_accepts_read_only_float64_input():
    _, p = fitted()
    raw = RAW.astype(np.float64)
    raw.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = p.apply_numpy(raw)
    assert out.dtype == np.float32 and out.shape == (3, 3)
