"""Painted datasets: points kept in the project file, validated, split like any set, trained by
every family that takes 2-D points, and saved/opened/trained headless unchanged."""

import json
import math

import numpy as np
import pytest

from engine.data import make_dataset, preview
from engine.data.painted import MAX_POINTS
from engine.errors import SpecError
from engine.spec.project import Project
from engine.store import load_project, save_project
from engine.train import build_trainer
from tests.conftest import train_headless


def clusters(n_per_class=20, classes=3, seed=1) -> list[list[float]]:
    """Points of `classes` separable clusters on a circle of radius 4, labelled by cluster."""
    rng = np.random.default_rng(seed)
    points = []
    for k in range(classes):
        centre = 4 * np.array([math.cos(2 * math.pi * k / classes), math.sin(2 * math.pi * k / classes)])
        for x1, x2 in centre + rng.normal(0, 0.5, (n_per_class, 2)):
            points.append([round(float(x1), 3), round(float(x2), 3), k])
    return points


def painted(points, task="classification", family="mlp", model=None, **data) -> Project:
    params = {"points": points} if task is None else {"task": task, "points": points}
    name = "painted_curve" if task is None else "painted"
    return Project.from_dict(
        {
            "format": "layerlab",
            "version": 2,
            "model": {"family": family, **(model or {})},
            "data": {"name": name, "params": params, "train_fraction": 0.5, **data},
            "training": {"epochs": 3, "batch_size": 8} if family != "perceptron" else {"epochs": 3},
        }
    )


@pytest.mark.parametrize(
    "points, task, words",
    [
        ([[0.0, 1.0]], "classification", "points[0]: a point is 3 numbers [x1, x2, class], got 2 values"),
        (
            [[0.0, 1.0, 0], [1, 2, 3, 4]],
            "regression",
            "points[1]: a point is 3 numbers [x1, x2, value], got 4",
        ),
        ([[0.0, float("inf"), 1]], "classification", "points[0]: inf is not a finite number"),
        ([[0.0, 1.0, 8]], "classification", "class 8 is out of range: classes are whole numbers 0..7"),
        ([[0.0, 1.0, -1]], "classification", "class -1 is out of range"),
        ([[0.0, 1.0, 1.5]], "classification", "class 1.5 is out of range"),
        ([[0.0, "a", 1]], "classification", "got 'a'"),
        ([[0.0, 1e9, 1]], "classification", "1e+09 is beyond ±10000"),
        ("0,1,1", "classification", "must be a list of points, got str"),
        (
            [[0.0, 1.0, 0]] * (MAX_POINTS + 1),
            "classification",
            "5,001 points; a painted set holds at most 5,000",
        ),
        ([[0.0, 1.0, 0.5]], None, "points[0]: a point is 2 numbers [x, y], got 3 values"),
    ],
)
def test_bad_points_are_refused_with_a_clear_message(points, task, words):
    with pytest.raises(SpecError) as info:
        painted(points, task)
    assert info.value.path.startswith("data.params.points") and words in str(info.value)


def test_a_regression_value_may_be_any_finite_number_but_a_class_may_not():
    assert painted([[0, 0, 0.25], [1, 1, -3.5]], "regression").data.params["points"][1] == [1, 1, -3.5]
    with pytest.raises(SpecError, match="class 0.25 is out of range"):
        painted([[0, 0, 0.25], [1, 1, -3.5]], "classification")


@pytest.mark.parametrize(
    "points, words",
    [
        ([], "the painted set has no points; paint at least two to train"),
        ([[1.0, 2.0, 1]], "has one point"),
        ([[1.0, 2.0, 1], [2.0, 3.0, 1]], "every painted point is class 1; paint points of a second class"),
    ],
)
def test_too_little_to_train_on_is_named_when_the_data_is_made(points, words):
    project = painted(points)  # a valid document (painting starts from nothing) ...
    with pytest.raises(SpecError, match=words):  # ... that cannot train yet
        make_dataset(vars(project.data), 0)


def test_the_split_is_a_shuffle_by_seed_and_train_fraction_and_noise_is_ignored():
    points = clusters(20)
    project = painted(points, train_fraction=0.25)
    d = make_dataset(vars(project.data), seed=3)
    assert (len(d.x_train), len(d.x_test)) == (15, 45)
    assert d.kind == "points2d" and d.task == "classification" and d.n_classes == 3
    got = sorted(map(tuple, np.column_stack([np.vstack([d.x_train, d.x_test]), np.r_[d.y_train, d.y_test]])))
    want = sorted(tuple(np.float32(v) for v in p) for p in points)
    assert np.allclose(got, want)
    same = make_dataset({**vars(project.data), "noise": 0.4}, seed=3)
    assert np.array_equal(same.x_train, d.x_train) and np.array_equal(same.y_test, d.y_test)
    other = make_dataset(vars(project.data), seed=4)
    assert not np.array_equal(other.x_train, d.x_train)


def test_classes_run_to_the_largest_painted_one_and_two_are_the_playgrounds():
    two = make_dataset(vars(painted([[0, 0, 0], [1, 1, 1]]).data), 0)
    assert two.class_names == ("-1", "+1")
    gap = make_dataset(vars(painted([[0, 0, 0], [1, 1, 3]]).data), 0)
    assert gap.n_classes == 4 and gap.class_names == ("0", "1", "2", "3")


def test_a_painted_curve_is_1d_regression_and_the_preview_shows_the_points():
    points = [[x / 4, (x / 4) ** 2] for x in range(-8, 9)]
    d = make_dataset(vars(painted(points, None).data), 0)
    assert d.kind == "function1d" and d.raw_shape == (1,) and d.task == "regression"
    assert np.allclose(np.sort(np.r_[d.y_train, d.y_test]), np.sort([p[1] for p in points]))
    x, y = preview("painted_curve", params={"points": points})
    assert x.shape == (17, 1) and np.allclose(y, [p[1] for p in points])


@pytest.mark.parametrize(
    "family, model, task, classes",
    [
        ("mlp", None, "classification", 3),
        ("mlp", None, "regression", 2),
        ("perceptron", None, "classification", 2),
        ("autoencoder", {"latent": 1}, "classification", 3),
        ("vae", {"latent": 2}, "classification", 3),
        ("gan", None, "classification", 3),
    ],
)
def test_every_family_on_2d_points_trains_on_painted_points(family, model, task, classes):
    points = clusters(16, classes)
    if task == "regression":
        points = [[x1, x2, x1 * 0.1 - x2 * 0.2] for x1, x2, _ in points]
    trainer = build_trainer(painted(points, task, family, model))
    assert trainer.dataset.name == "painted" and len(trainer.dataset.x_train) == len(points) // 2
    final = trainer.run()
    assert 1 <= final.epoch <= 3  # the perceptron stops once it converges
    numbers = [v for v in final.metrics.values() if v is not None]
    assert numbers and all(math.isfinite(v) for v in numbers), final.metrics


def test_an_mlp_learns_three_painted_clusters():
    project = painted(clusters(20), model=None)
    doc = project.to_dict()
    doc["training"] = {"epochs": 40, "batch_size": 10, "optimizer": {"name": "adam", "lr": 0.03}}
    final = build_trainer(Project.from_dict(doc)).run()
    assert final.metric("test_accuracy") >= 0.95


def test_painted_points_round_trip_through_save_and_open(tmp_path):
    points = clusters(5) + [[0.125, -2.5, 7]]
    project = painted(points, train_fraction=0.4)
    path = tmp_path / "mine.layerlab.json"
    save_project(project, path)
    stored = json.loads(path.read_text())["data"]
    assert stored["name"] == "painted" and stored["params"]["points"] == points
    opened = load_project(path)
    assert opened.data.params == project.data.params and opened.to_dict() == project.to_dict()
    a, b = make_dataset(vars(project.data), 5), make_dataset(vars(opened.data), 5)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)


def test_a_painted_project_trains_headless_from_its_file(tmp_path):
    path = tmp_path / "painted.json"
    save_project(painted(clusters(10)), path)
    out = train_headless(path, tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["epochs"] == 2 and summary["family"] == "mlp" and math.isfinite(summary["train_loss"])


def test_starting_from_a_generated_set_copies_its_points_within_the_limits():
    from engine.data.painted import describe_painted, painted_from

    spiral = make_dataset({"name": "spiral", "samples": 300}, 0)
    name, params, note = painted_from(spiral)
    assert name == "painted" and params["task"] == "classification" and note == ""
    copied = make_dataset({"name": name, "params": params}, 0)
    assert np.allclose(
        np.sort(np.vstack([copied.x_train, copied.x_test]), axis=0),
        np.sort(np.vstack([spiral.x_train, spiral.x_test]), axis=0),
        atol=1e-3,
    )
    assert describe_painted(name, params) == "300 painted points: 150 of class 0, 150 of class 1"
    blobs = make_dataset({"name": "blobs", "samples": 6000, "params": {"classes": 10}}, 0)
    name, params, note = painted_from(blobs)
    assert note == "classes beyond 8 left out"  # 6,000 points of 10 classes: 4,800 of classes 0..7
    assert len(params["points"]) <= MAX_POINTS and max(p[2] for p in params["points"]) == 7
    Project.from_dict({"data": {"name": name, "params": params}})  # the copy is a valid project
    many = make_dataset({"name": "blobs", "samples": 6000, "params": {"classes": 8}}, 0)
    assert painted_from(many)[2] == "5,000 of 6,000 points kept"
    sine = make_dataset({"name": "sine", "samples": 50}, 0)
    name, params, _ = painted_from(sine)
    assert name == "painted_curve" and len(params["points"]) == 50 and len(params["points"][0]) == 2
    plane = make_dataset({"name": "plane", "samples": 40}, 0)
    assert painted_from(plane)[1]["task"] == "regression"
