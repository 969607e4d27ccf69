"""Datasets against the playground's formulas and hand computations: counts, ranges, labels, splits."""

import math
import tracemalloc

import numpy as np
import pytest

from engine.data import DATASETS, make_dataset
from engine.errors import SpecError


def both(d):
    """All points of a split dataset, train then test."""
    return np.concatenate([d.x_train, d.x_test]), np.concatenate([d.y_train, d.y_test])


def make(name, samples=None, noise=0.0, seed=0, fraction=0.5, **params):
    spec = {"name": name, "samples": samples, "noise": noise, "train_fraction": fraction, "params": params}
    return make_dataset(spec, seed)


# ---- playground sets ----------------------------------------------------------------------------


def test_circle_clean_radii_and_labels():
    x, y = both(make("circle"))
    r = np.hypot(x[:, 0], x[:, 1])
    assert len(x) == 500 and np.bincount(y).tolist() == [250, 250]
    assert (r[y == 1] < 2.5).all()
    assert ((r[y == 0] >= 3.5) & (r[y == 0] <= 5.0)).all()


def test_circle_noise_flips_labels_but_stores_clean_points():
    noise = 0.3
    x, y = both(make("circle", samples=2000, noise=noise))
    r = np.hypot(x[:, 0], x[:, 1])
    # Clean coordinates: exactly half drawn inside 2.5, half in the 3.5..5 ring, nothing in between.
    assert (r < 2.5).sum() == 1000 and ((r >= 3.5) & (r <= 5.0)).sum() == 1000
    reach = 5.0 * noise * math.sqrt(2)  # the farthest the noisy point can move
    assert (y[r < 2.5 - reach] == 1).all() and (y[r > 2.5 + reach] == 0).all()
    assert (y != (r < 2.5)).sum() > 20  # some labels near the boundary flipped


def test_xor_push_and_sign_labels():
    x, y = both(make("xor"))
    a = np.abs(x)
    assert ((a >= 0.3) & (a <= 5.3)).all()
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(np.int64))
    assert 0.4 < y.mean() < 0.6


def test_xor_noise_only_flips_near_the_axes():
    x, y = both(make("xor", samples=2000, noise=0.5))
    far = (np.abs(x) > 2.5).all(axis=1)  # noise moves each coordinate by at most 5·0.5
    np.testing.assert_array_equal(y[far], (x[far, 0] * x[far, 1] >= 0))
    assert (y != (x[:, 0] * x[:, 1] >= 0)).sum() > 50


@pytest.mark.parametrize("noise", [0.0, 0.2, 0.5])
def test_gauss_centres_and_variance_mapping(noise):
    x, y = both(make("gauss", samples=20000, noise=noise))
    std = math.sqrt(0.5 + (4.0 - 0.5) * noise / 0.5)  # variance from 0.5 (noise 0) to 4 (noise 0.5)
    for label, centre in ((1, 2.0), (0, -2.0)):
        pts = x[y == label]
        assert len(pts) == 10000
        np.testing.assert_allclose(pts.mean(axis=0), [centre, centre], atol=0.06)
        np.testing.assert_allclose(pts.std(axis=0), [std, std], rtol=0.03)


def spiral_arm_points(count, n, delta):
    out = []
    for i in range(count):
        r = 5 * i / n
        t = 1.75 * i / n * 2 * math.pi + delta
        out.append((r * math.sin(t), r * math.cos(t)))
    return np.array(out)


def test_spiral_points_lie_on_the_two_arms():
    x, y = both(make("spiral"))
    for label, delta in ((1, 0.0), (0, math.pi)):
        pts = x[y == label]
        pts = pts[np.argsort(np.hypot(pts[:, 0], pts[:, 1]))]
        np.testing.assert_allclose(pts, spiral_arm_points(250, 250, delta), atol=1e-5)


def test_spiral_noise_is_bounded_jitter_around_the_arms():
    noise = 0.3
    x, y = both(make("spiral", noise=noise))
    for label, delta in ((1, 0.0), (0, math.pi)):
        arm = spiral_arm_points(250, 250, delta)
        pts = x[y == label]
        linf = np.abs(pts[:, None, :] - arm[None, :, :]).max(axis=2).min(axis=1)
        assert (linf <= noise + 1e-5).all()
        assert linf.max() > noise / 2  # the jitter is really there


def test_odd_sample_counts_are_exact_and_balanced():
    assert len(both(make("xor", samples=7))[1]) == 7  # xor's labels are not balanced by construction
    for name in ("circle", "gauss", "spiral"):
        _, y = both(make(name, samples=7))
        assert len(y) == 7 and np.bincount(y, minlength=2).tolist() in ([3, 4], [4, 3])


def test_plane_values_follow_the_formula():
    x, y = both(make("plane"))
    assert len(x) == 1200 and (np.abs(x) <= 6).all()
    np.testing.assert_allclose(y, (x[:, 0] + x[:, 1]) / 10, atol=1e-6)
    xn, yn = both(make("plane", noise=0.4))
    err = np.abs(yn - (xn[:, 0] + xn[:, 1]) / 10)
    assert err.max() <= 2 * 6 * 0.4 / 10 + 1e-6 and err.max() > 0.2


def reg_gauss_value(px, py):
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    label = 0.0
    for cx, cy, sign in centres:
        d = math.hypot(px - cx, py - cy)
        v = sign * min(max(1 - d / 2, 0.0), 1.0)
        if abs(v) > abs(label):
            label = v
    return label


def test_multigauss_values_follow_the_playground_loop():
    x, y = both(make("multigauss"))
    expected = [reg_gauss_value(float(a), float(b)) for a, b in x]
    np.testing.assert_allclose(y, expected, atol=1e-5)
    assert y.min() < -0.9 and y.max() > 0.9 and (y == 0).any()


# ---- our own sets -------------------------------------------------------------------------------


def test_moons_lie_on_two_unit_half_circles():
    x, y = both(make("moons", samples=400))
    u = x / 3.0 + (0.5, 0.25)  # undo the centring and scaling
    upper, lower = u[y == 0], u[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-5)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-5)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()


def test_spiral3_arms_are_rotated_spirals():
    x, y = both(make("spiral3", samples=600, classes=3))
    assert np.bincount(y).tolist() == [200, 200, 200]
    for j in range(3):
        pts = x[y == j]
        pts = pts[np.argsort(np.hypot(pts[:, 0], pts[:, 1]))]
        np.testing.assert_allclose(pts, spiral_arm_points(200, 200, 2 * math.pi * j / 3), atol=1e-5)


def test_blobs_centres_on_a_ring():
    x, y = both(make("blobs", samples=10000, noise=0.25, classes=5))
    for j in range(5):
        pts = x[y == j]
        a = 2 * math.pi * j / 5
        np.testing.assert_allclose(pts.mean(axis=0), [4 * math.sin(a), 4 * math.cos(a)], atol=0.08)
        np.testing.assert_allclose(pts.std(axis=0), [1.0, 1.0], rtol=0.05)


@pytest.mark.parametrize(
    "name, params, fn",
    [
        ("sine", {"frequency": 2.0}, lambda v: np.sin(2 * v)),
        ("step", {}, lambda v: np.where(v >= 0, 1.0, -1.0)),
        ("abs", {}, np.abs),
    ],
)
def test_functions_1d(name, params, fn):
    x, y = both(make(name, samples=400, **params))
    assert x.shape == (400, 1) and (np.abs(x) <= 3).all() and y.dtype == np.float32
    np.testing.assert_allclose(y, fn(x[:, 0].astype(np.float64)), atol=1e-6)
    xn, yn = both(make(name, samples=20000, noise=0.3, **params))
    residual = yn - fn(xn[:, 0].astype(np.float64))
    assert abs(residual.mean()) < 0.01 and abs(residual.std() - 0.3) < 0.01


def test_digits_are_sklearns():
    from sklearn.datasets import load_digits

    ref = load_digits()
    d = make("digits", fraction=0.8)
    x, y = both(d)
    assert x.shape == (1797, 1, 8, 8) and d.raw_shape == (1, 8, 8) and len(d.x_train) == 1437
    assert d.n_classes == 10 and x.min() == 0 and x.max() == 16
    np.testing.assert_array_equal(np.bincount(y), np.bincount(ref.target))
    np.testing.assert_allclose(x.sum(), ref.images.sum())
    first = np.flatnonzero((x[:, 0] == ref.images[0]).all(axis=(1, 2)))
    assert ref.target[0] in y[first]
    assert len(both(make("digits", samples=100))[0]) == 100


def test_shifted_digits_are_the_same_digits_moved_on_a_bigger_canvas():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    by_label = {k: bunch.images[bunch.target == k] for k in range(10)}
    d = make("digits", shift=2)
    x, y = both(d)
    assert x.shape == (1797, 1, 12, 12) and d.raw_shape == (1, 12, 12)
    offsets = set()
    for image, label in zip(x[:200, 0], y[:200], strict=True):
        rows, cols = np.nonzero(image.sum(axis=1))[0], np.nonzero(image.sum(axis=0))[0]
        # each digit sits whole inside an 8x8 window somewhere on the canvas, and is one of sklearn's
        found = [
            (r, c)
            for r in range(5)
            for c in range(5)
            if image.sum() == image[r : r + 8, c : c + 8].sum()
            and (by_label[label] == image[r : r + 8, c : c + 8]).all(axis=(1, 2)).any()
        ]
        assert found and rows.size and cols.size
        offsets.add(found[0])
    assert len(offsets) > 10  # they really move
    np.testing.assert_array_equal(both(make("digits", shift=2))[0], x)  # deterministic from the seed
    assert not np.array_equal(both(make("digits", shift=2, seed=1))[0], x)
    with pytest.raises(SpecError, match="shift"):
        make("digits", shift=5)


def test_iris_is_sklearns():
    d = make("iris")
    x, y = both(d)
    assert x.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    assert d.class_names == ("setosa", "versicolor", "virginica") and d.kind == "tabular"
    assert d.input_names[0] == "sepal length (cm)"


def test_parity_labels_count_the_ones():
    x, y = both(make("parity", samples=300, length=12))
    assert x.shape == (300, 12, 1) and set(np.unique(x)) <= {0.0, 1.0}
    np.testing.assert_array_equal(y, x[:, :, 0].sum(axis=1).astype(int) % 2)
    xn, yn = both(make("parity", samples=300, noise=0.05, length=12))
    np.testing.assert_array_equal(yn, np.round(xn[:, :, 0]).sum(axis=1).astype(int) % 2)


def test_sine_next_continues_the_sinusoid():
    x, y = both(make("sine_next", samples=200, length=10))
    s = x[:, :, 0].astype(np.float64)
    assert x.shape == (200, 10, 1) and (np.abs(s) <= 1).all()
    w = 0.3  # a pure sinusoid with step w obeys s[t+1] = 2 cos(w) s[t] - s[t-1]
    np.testing.assert_allclose(s[:, 2:], 2 * math.cos(w) * s[:, 1:-1] - s[:, :-2], atol=1e-5)
    np.testing.assert_allclose(y, 2 * math.cos(w) * s[:, -1] - s[:, -2], atol=1e-5)


# ---- every entry, splits, determinism -----------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in DATASETS if n != "csv"])
def test_every_entry_generates_consistent_arrays(name):
    entry = DATASETS[name]
    d = make(name, samples=40)
    assert entry.help and entry.label and d.kind in entry.tags and d.task in entry.tags
    assert d.x_train.dtype == np.float32 and d.x_train.shape[1:] == d.raw_shape
    assert len(d.x_train) == len(d.y_train) == 20 and len(d.x_test) == len(d.y_test) == 20
    if d.task == "classification":
        assert d.y_train.dtype == np.int64 and d.n_classes == len(d.class_names) >= 2
        assert both(d)[1].min() >= 0 and both(d)[1].max() < d.n_classes
    else:
        assert d.y_train.dtype == np.float32 and d.n_classes == 0 and d.class_names == ()
    if d.kind in ("points2d", "function1d"):
        assert d.domain is not None and d.raw_shape == ((2,) if d.kind == "points2d" else (1,))
    else:
        assert d.domain is None
    assert np.isfinite(d.x_train).all()


@pytest.mark.parametrize("n, fraction, n_train", [(500, 0.5, 250), (100, 0.29, 29), (7, 0.5, 3), (1, 0.5, 1)])
def test_split_sizes(n, fraction, n_train):
    d = make("xor", samples=n, fraction=fraction)
    assert len(d.x_train) == n_train and len(d.x_test) == n - n_train


def test_split_is_one_shuffle_of_the_generated_points():
    d = make("spiral", fraction=0.3)
    x, _ = both(d)
    clean = np.concatenate([spiral_arm_points(250, 250, 0.0), spiral_arm_points(250, 250, math.pi)])
    key = lambda a: a[np.lexsort(np.round(a, 4).T)]  # noqa: E731
    np.testing.assert_allclose(key(x), key(clean), atol=1e-5)
    assert 0.35 < d.y_train.mean() < 0.65  # shuffled: the train part mixes both arms


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (
        make("circle", noise=0.2, seed=3),
        make("circle", noise=0.2, seed=3),
        make("circle", noise=0.2, seed=4),
    )
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    d1, d2 = make("digits", seed=1), make("digits", seed=2)
    assert not np.array_equal(d1.y_train, d2.y_train)


# ---- limits and errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, path, words",
    [
        ({"name": "mnist"}, "data.name", "valid: circle, xor"),
        ({"name": "xor", "samples": 200_001}, "data.samples", "1..200,000"),
        ({"name": "xor", "samples": 0}, "data.samples", "1..200,000"),
        ({"name": "circle", "noise": 0.6}, "data.noise", "0..0.5 for circle"),
        ({"name": "blobs", "params": {"classes": 11}}, "data.params.classes", "2..10"),
        ({"name": "parity", "params": {"length": 65}}, "data.params.length", "2..64"),
        ({"name": "xor", "params": {"classes": 3}}, "data.params.classes", "unknown parameter of xor"),
        ({"name": "digits", "samples": 2000}, "data.samples", "1,797"),
        ({"name": "xor", "train_fraction": 1.5}, "data.train_fraction", "0..1"),
        ({"name": "sine_next", "samples": 200_000, "params": {"length": 128}}, "data.samples", "too much"),
    ],
)
def test_bad_specs_raise_spec_errors(spec, path, words):
    with pytest.raises(SpecError) as info:
        make_dataset(spec, 0)
    assert info.value.path == path and words in info.value.reason


def test_limits_are_checked_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(SpecError):
            make_dataset({"name": "sine_next", "samples": 200_000, "params": {"length": 128}}, 0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # generating would have needed ~200 MB


def test_line_points_lie_along_a_slanted_segment_jittered_by_the_noise():
    data = make_dataset({"name": "line", "samples": 2000, "noise": 0.1, "train_fraction": 1.0}, 3)
    points, t = data.x_train, data.y_train
    direction = np.array([0.8, 0.6])
    across = points @ np.array([-0.6, 0.8])  # the distance off the line, signed
    along = points @ direction
    assert abs(across.std() - 0.1) < 0.01 and abs(across.mean()) < 0.01
    np.testing.assert_allclose(along, 4.0 * t, atol=0.5)  # the target is the position along it
    assert t.min() < -0.95 and t.max() > 0.95 and data.task == "regression"
