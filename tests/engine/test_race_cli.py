"""`main.py race`: one JSON line per run, each run as `train --set` trains it, bad input refused whole."""

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.race import stepping
from engine.race.short_keys import expand
from engine.race.variants import variant_project
from engine.run_folder import RUN_FILES
from engine.spec.project import Project
from engine.store import load_weights

KEYS = {
    "run",
    "overrides",
    "epochs",
    "steps",
    "train_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
    "val_loss",
    "val_accuracy",
    "seconds",
    "stopped",
    "family",
    "metrics",
}


@pytest.fixture
def project_file(tmp_path):
    """The spiral, small: 120 points, 8-8 tanh, batch 10, 4 epochs, the standard preset."""
    doc = {
        "seed": 3,
        "data": {"name": "spiral", "samples": 120, "features": ["x1", "x2", "sin_x1", "sin_x2"]},
        "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}] * 2},
        "training": {"batch_size": 10, "epochs": 4, "device": "cpu"},
    }
    path = tmp_path / "small.json"
    path.write_text(json.dumps(doc))
    return str(path)


def race(capsys, *args):
    code = main(["race", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_one_line_per_run_in_product_order(project_file, capsys):
    code, lines, _ = race(capsys, project_file, "--vary", "optimizer=sgd,adam", "--vary", "lr=0.1,0.01")
    assert code == 0
    assert [line["run"] for line in lines] == ["run1", "run2", "run3", "run4"]
    assert all(set(line) == KEYS for line in lines)
    assert all(line["epochs"] == 4 and line["stopped"] == "completed" for line in lines)
    assert [line["overrides"] for line in lines][1] == {
        "training.optimizer": {"name": "sgd", "lr": 0.03},
        "training.optimizer.lr": 0.01,
    }
    assert len({line["train_loss"] for line in lines}) == 4  # four different runs


def test_each_run_is_train_with_its_overrides(project_file, capsys):
    # sgd races batched in the compiled kernel, momentum falls back to run_epoch: both must match.
    code, lines, _ = race(
        capsys, project_file, "--vary", "optimizer=sgd,momentum", "--vary", "lr=0.1,0.03", "--epochs", "3"
    )
    assert code == 0 and len(lines) == 4
    for line in lines:
        sets = [f"{path}={json.dumps(value)}" for path, value in line["overrides"].items()]
        args = ["train", project_file, "--epochs", "3"] + [a for s in sets for a in ("--set", s)]
        assert main(args) == 0
        alone = json.loads(capsys.readouterr().out)
        for key in ("epochs", "steps", "train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            assert line[key] == alone[key], (line["run"], key)


def test_out_writes_one_train_folder_per_run(project_file, tmp_path, capsys):
    out = tmp_path / "race"
    code, lines, _ = race(capsys, project_file, "--vary", "lr=0.1,0.01", "--epochs", "2", "--out", str(out))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["run1", "run2"]
    for name, lr in (("run1", 0.1), ("run2", 0.01)):
        assert {p.name for p in (out / name).iterdir()} >= set(RUN_FILES) - {"model.pt", "model.onnx"}
        saved = json.loads((out / name / "project.json").read_text())
        assert saved["training"]["optimizer"]["lr"] == lr
        target = tmp_path / f"{name}.safetensors"
        assert main(["export", str(out / name), "--format", "safetensors", "--out", str(target)]) == 0
        assert json.loads(capsys.readouterr().out)["format"] == "safetensors"


def test_out_writes_each_runs_initial_weights_as_train_out_does(project_file, tmp_path, capsys):
    out = tmp_path / "race"
    code, lines, _ = race(capsys, project_file, "--vary", "seed=1,2", "--epochs", "2", "--out", str(out))
    assert code == 0 and len(lines) == 2
    initials = []
    for line in lines:
        sets = [f"{path}={json.dumps(value)}" for path, value in line["overrides"].items()]
        alone = tmp_path / f"alone_{line['run']}"
        args = ["train", project_file, "--epochs", "2", "--out", str(alone)]
        assert main(args + [a for s in sets for a in ("--set", s)]) == 0
        capsys.readouterr()
        initial = load_weights(out / line["run"] / "initial.safetensors")  # metadata order may vary
        assert _same(initial, load_weights(alone / "initial.safetensors")), line["run"]
        assert not _same(initial, load_weights(out / line["run"] / "weights.safetensors"))  # before step one
        initials.append(initial)
    assert not _same(initials[0], initials[1])  # each run's own start


def _same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    "vary, named",
    [
        (["traning.optimizer.lr=0.1,0.2"], "traning"),  # not a key of the project
        (["optimizer=sgd,bogus"], "bogus"),  # a value the registry does not have
        (["lr=0.1,-1"], "training.optimizer.lr"),  # out of range
        (["dropout=0.1,0.2"], "dropout layer"),  # a short name this network has nothing for
        (["lr=0.1,0.2,0.3", "seed=1,2,3"], "at most 8"),
        (["lr=0.1,0.2", "lr=0.3"], "twice"),
        (["lr"], "KEY=V1"),
    ],
)
def test_bad_vary_exits_2_with_one_line_and_writes_nothing(project_file, tmp_path, capsys, vary, named):
    out = tmp_path / "race"
    args = [a for v in vary for a in ("--vary", v)]
    code, lines, err = race(capsys, project_file, *args, "--out", str(out))
    assert code == 2 and lines == []
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:") and named in err
    assert not out.exists()


def test_short_names_keep_the_learning_rate_whatever_the_order(project_file):
    project = Project.from_dict(json.loads(Path(project_file).read_text()))
    paths = expand(project.to_dict(), {"lr": 0.2, "optimizer": "adam", "activation": "relu"})
    assert list(paths)[0] == "training.optimizer"  # the block first, then the rate inside it
    variant = variant_project(project, paths)
    assert variant.training.optimizer["name"] == "adam" and variant.training.optimizer["lr"] == 0.2
    assert [layer["activation"] for layer in variant.to_dict()["network"]["layers"]] == ["relu", "relu"]


def test_ctrl_c_saves_the_runs_so_far_and_exits_130(project_file, tmp_path, capsys, monkeypatch):
    rounds = []
    step = stepping.step_together

    def interrupted_after_one_round(trainers, max_seconds=0.0):
        done = step(trainers, max_seconds)
        rounds.append(done)
        if len(rounds) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # the handler the race installs takes it
        return done

    monkeypatch.setattr(stepping, "step_together", interrupted_after_one_round)
    out = tmp_path / "race"
    code, lines, err = race(
        capsys, project_file, "--vary", "lr=0.1,0.01", "--epochs", "50", "--out", str(out)
    )
    assert code == 130 and len(rounds) == 1
    assert [line["stopped"] for line in lines] == ["interrupted", "interrupted"]
    assert [line["epochs"] for line in lines] == [1, 1]
    assert "saved the runs so far" in err
    assert (out / "run2" / "weights.safetensors").exists()
