"""The perceptron as a model family: its projects, its trainer against a plain re-implementation
of Rosenblatt's rule, its examples' promises, its state, exports, CLI line and frames."""

import json
import subprocess
import sys

import numpy as np
import pytest

from engine.errors import SpecError
from engine.examples import example_path
from engine.families.perceptron.margin import mistake_bound
from engine.families.perceptron.rule import augment, signed_labels
from engine.families.perceptron.view import raw_line
from engine.spec.project import Project
from engine.store import load_project
from engine.train import build_trainer


def project(**changes) -> Project:
    doc = {
        "format": "layerlab",
        "version": 2,
        "seed": 3,
        "model": {"family": "perceptron"},
        "data": {"name": "halfplane", "samples": 120, "noise": 0.0, "train_fraction": 0.5},
        "training": {"epochs": 30},
    }
    for key, value in changes.items():
        doc[key] = {**doc.get(key, {}), **value} if isinstance(value, dict) else value
    return Project.from_dict(doc)


def rosenblatt(x_aug, y_pm, order, passes, lr=1.0):
    """The rule written out plainly: θ = 0; for each point in the fixed order, θ += lr·y·x when y·θ·x <= 0."""
    theta, mistakes, per_pass = np.zeros(x_aug.shape[1]), 0, []
    for _ in range(passes):
        made = 0
        for i in order:
            if y_pm[i] * (x_aug[i] @ theta) <= 0:
                theta = theta + lr * y_pm[i] * x_aug[i]
                mistakes += 1
                made += 1
        per_pass.append(made)
        if made == 0:
            break
    return theta, mistakes, per_pass


# -- projects ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes, path",
    [
        ({"network": {"layers": []}}, "network"),
        ({"training": {"optimizer": {"name": "sgd", "lr": 0.1}}}, "training.optimizer"),
        ({"model": {"family": "perceptron", "lr": 0.0}}, "model.lr"),
        ({"model": {"family": "perceptron", "latent": 2}}, "model.latent"),
        ({"expect": {"test_loss": 0.1}}, "expect"),
    ],
)
def test_a_project_with_keys_the_perceptron_does_not_read_is_refused(changes, path):
    with pytest.raises(SpecError) as err:
        project(**changes)
    assert err.value.path.startswith(path)


@pytest.mark.parametrize("data, says", [("sine", "regression"), ("spiral3", "has 3")])
def test_data_the_perceptron_cannot_learn_is_refused_before_training(data, says):
    with pytest.raises(SpecError) as err:
        build_trainer(project(data={"name": data}))
    assert err.value.path == "data.name" and says in err.value.reason


def test_a_saved_perceptron_project_keeps_only_what_it_reads():
    doc = project(model={"family": "perceptron", "pocket": True}).to_dict()
    assert doc["model"] == {"family": "perceptron", "lr": 1.0, "pocket": True}
    assert doc["training"] == {"epochs": 30} and "network" not in doc
    assert Project.from_dict(doc).to_dict() == doc


# -- the trainer against the rule written out ------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_follows_rosenblatts_rule_and_stops_when_it_converges(seed):
    trainer = build_trainer(project(seed=seed, model={"family": "perceptron", "lr": 0.5}))
    n = trainer.n_train
    trainer.step()
    assert trainer.step_count == 1 and trainer.epoch == 0  # a step is one point
    final = trainer.run()
    x = augment(trainer.preprocessor.apply_numpy(trainer.dataset.x_train).astype(np.float64))
    y = signed_labels(trainer.dataset.y_train)
    theta, mistakes, per_pass = rosenblatt(x, y, trainer.rule.order, 30, lr=0.5)
    np.testing.assert_allclose(trainer.rule.theta, theta, rtol=0, atol=1e-12)
    assert final.metric("mistakes") == mistakes
    assert trainer.epoch == len(per_pass) and per_pass[-1] == 0  # stopped after the pass without one
    assert trainer.step_count == n * trainer.epoch  # an epoch is one pass
    assert final.status == "completed" and "converged" in trainer.message
    assert final.metric("converged") == 1.0 and final.metric("errors") == 0.0
    assert final.metric("mistakes") <= final.metric("bound") == pytest.approx(mistake_bound(x, y))


def test_the_separable_example_keeps_the_convergence_theorem():
    for seed in range(3):
        example = load_project(example_path("perceptron"))
        example.seed = seed
        final = build_trainer(example).run()
        assert final.metric("converged") == 1.0
        assert final.metric("bound") is not None and final.metric("mistakes") <= final.metric("bound")


def test_on_xor_it_never_converges_and_the_pocket_keeps_the_best_line_seen():
    trainer = build_trainer(load_project(example_path("perceptron_xor")))
    rule = trainer.rule
    best_seen = len(rule.x)
    while trainer.epoch < trainer.training.epochs:
        if trainer.step() == 1.0:  # θ moved: the pocket must now hold the fewest errors of any θ so far
            now = int(np.count_nonzero(rule.y * (rule.x @ rule.theta) <= 0))
            best_seen = min(best_seen, now)
            kept = int(np.count_nonzero(rule.y * (rule.x @ rule.pocket_theta) <= 0))
            assert kept == best_seen
    log = trainer.metrics
    assert not np.any(log.column("converged")) and trainer.snapshot().metric("bound") is None
    # The pocket's line answers: never worse on the training points than the moving one.
    assert np.all(1.0 - log.column("train_accuracy") <= log.column("errors") / trainer.n_train + 1e-12)
    assert trainer.snapshot().metric("train_accuracy") == 1.0 - best_seen / trainer.n_train


def test_a_run_goes_on_from_its_saved_state_exactly():
    whole = build_trainer(load_project(example_path("perceptron_xor")))
    whole.run(epochs=7)
    first = build_trainer(load_project(example_path("perceptron_xor")))
    for _ in range(3 * first.n_train + 17):  # stop in the middle of a pass
        first.step()
    state = first.state_dict()
    second = build_trainer(load_project(example_path("perceptron_xor")))
    second.load_state_dict(state)
    assert (second.epoch, second.step_count) == (3, 3 * first.n_train + 17)
    second.run(epochs=7)
    np.testing.assert_array_equal(second.rule.theta, whole.rule.theta)
    np.testing.assert_array_equal(second.rule.pocket_theta, whole.rule.pocket_theta)
    assert second.rule.mistakes == whole.rule.mistakes
    with pytest.raises(SpecError):
        second.load_state_dict({**state, "theta": np.zeros(5)})
    np.testing.assert_array_equal(second.rule.theta, whole.rule.theta)  # a refused state changes nothing


# -- what the views and exports get ---------------------------------------------------------------
def test_the_raw_line_is_the_boundary_of_theta_on_standardised_features():
    trainer = build_trainer(project(data={"standardize": "features"}))
    trainer.run(epochs=2)
    theta, pre = trainer.rule.theta, trainer.preprocessor
    a, b, c = raw_line(theta, pre)
    raw = np.random.default_rng(0).uniform(-6, 6, (500, 2)).astype(np.float32)
    by_theta = augment(pre.apply_numpy(raw)) @ theta
    keep = np.abs(by_theta) > 1e-4  # away from the line itself
    np.testing.assert_array_equal(np.sign((raw @ [a, b] + c)[keep]), np.sign(by_theta[keep]))
    assert (
        raw_line(theta, build_trainer(project(data={"features": ["x1", "x2", "x1x2"]})).preprocessor) is None
    )


def test_exports_answer_as_the_kept_theta_does(tmp_path):
    import onnxruntime
    import torch

    from engine.export.models import export_model, export_onnx

    trainer = build_trainer(load_project(example_path("perceptron_xor")))
    trainer.run()
    path = export_onnx(trainer, tmp_path / "p.onnx")
    raw = trainer.dataset.x_test.astype(np.float32)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: raw})[0]
    with torch.no_grad():
        expected = export_model(trainer)(torch.from_numpy(raw)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    scores = augment(trainer.preprocessor.apply_numpy(raw).astype(np.float64)) @ trainer.rule.kept
    np.testing.assert_array_equal(got[:, 1], (scores > 0).astype(np.float32))


def test_train_prints_the_family_and_its_metrics(tmp_path):
    out = subprocess.run(
        [sys.executable, "main.py", "train", "perceptron", "--out", str(tmp_path / "run")],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["family"] == "perceptron" and summary["train_loss"] is None
    assert set(summary["metrics"]) == {
        "mistakes",
        "bound",
        "converged",
        "errors",
        "train_accuracy",
        "test_accuracy",
    }
    assert summary["metrics"]["mistakes"] <= summary["metrics"]["bound"]
    assert "converged at epoch" in out.stderr
    assert {"model.onnx", "weights.safetensors", "metrics.csv"} <= {
        p.name for p in (tmp_path / "run").iterdir()
    }


def test_the_session_sends_perceptron_frames_and_looks_back():
    from engine.families.perceptron.view import PerceptronProbe
    from engine.session.session import Session

    events = []
    session = Session(lambda kind, arg: events.append((kind, arg)))
    session.handle("load", load_project(example_path("perceptron_xor")))
    session.handle("step")
    frame = [arg for kind, arg in events if kind == "frame"][-1]
    probe = frame.runs[0].probe
    assert isinstance(probe, PerceptronProbe) and probe.epoch == 1 and probe.bound is None
    trainer = session.trainer
    assert probe.errors == len(probe.misclassified) == trainer.snapshot().metric("errors")
    assert set(np.unique(probe.output)) <= {-1.0, 0.0, 1.0}
    theta_after_one = trainer.rule.theta.copy()
    session.handle("step")
    session.handle("show_epoch", ("main", 1))
    kind, view = events[-1]
    assert kind == "history_shown" and view.epoch == 1
    np.testing.assert_array_equal(view.probe.theta, theta_after_one)
    assert (view.probe.epoch, view.probe.step, view.probe.looking_at) == (1, trainer.n_train, -1)
    assert trainer.epoch == 2  # looking back leaves the run where it was


def test_halfplane_data_is_separable_until_noise_flips_labels():
    for seed in range(4):
        clean = build_trainer(project(seed=seed))
        assert clean.bound is not None
    assert build_trainer(project(data={"noise": 0.3})).bound is None
