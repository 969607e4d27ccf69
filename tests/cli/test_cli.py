"""`python main.py train|examples`: one JSON line, files in --out, exit codes 0 / 2 / 3."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import tiny_project

ROOT = Path(__file__).resolve().parents[2]


def run_main(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_project(epochs=5)))
    return path


def test_train_prints_one_json_line_and_writes_the_run(project_file, tmp_path):
    out = tmp_path / "run"
    result = run_main(
        "train",
        str(project_file),
        "--epochs",
        "4",
        "--set",
        "training.optimizer.name=adam",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert set(summary) == {
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
    assert summary["family"] == "mlp"
    assert summary["metrics"]["test_loss"] == summary["test_loss"] and summary["metrics"]["penalty"] == 0.0
    assert summary["epochs"] == 4 and summary["steps"] == 40 and summary["stopped"] == "completed"
    assert summary["val_loss"] is None and summary["val_accuracy"] is None  # no validation split asked for
    written = json.loads((out / "project.json").read_text())
    assert written["training"]["optimizer"]["name"] == "adam" and written["training"]["epochs"] == 4
    csv_lines = (out / "metrics.csv").read_text().splitlines()
    assert csv_lines[0].startswith("epoch,step,train_loss,test_loss") and len(csv_lines) == 5
    from engine.store import load_weights

    weights = load_weights(out / "weights.safetensors")
    assert weights["layers.0.linear.weight"].shape == (4, 2)


def test_set_accepts_json_lists(project_file):
    layers = json.dumps([{"type": "dense", "units": 3, "activation": "relu"}])
    result = run_main("train", str(project_file), "--epochs", "1", "--set", f"network.layers={layers}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["epochs"] == 1


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ('{"seed": 1,', [], "not valid JSON: Expecting"),
        (None, [], "no such project file"),
        (
            "{}",
            ["--set", "training.optimizer.name=sgdd"],
            "training.optimizer.name: unknown optimizer 'sgdd'; valid: sgd",
        ),
        (
            "{}",
            ["--set", "network.layers[0].units=0"],
            "network.layers[0].units: must be an integer in 1..4096, got 0",
        ),
        ("{}", ["--set", "training.device=tpu"], "training.device: must be one of auto, cpu, cuda"),
        ("{}", ["--epochs", "0"], "--epochs: must be a positive integer"),
        ('{"data": {"name": "csv", "path": "/nonexistent/file.csv"}}', [], "data.path"),
        ('{"seed": ' + "1" * 5000 + "}", [], "seed: is an integer of 5,000 digits"),
        ('{"version": 0, "training": 5, "network": {"hidden": 3}}', [], "network.hidden: must be a list"),
        ('{"data": {"params": ' + '{"a": ' * 800 + "1" + "}" * 800 + "}}", [], "nested 802 levels deep"),
        ("{}", ["--set", "seed=" + "1" * 5000], "seed: is an integer of 5,000 digits"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, content, args, message):
    path = tmp_path / "p.json"
    if content is not None:
        path.write_text(content)
    result = run_main("train", str(path), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_divergence_exits_3_and_saves_finite_weights(tmp_path):
    doc = tiny_project(optimizer={"name": "sgd", "lr": 100.0}, epochs=30)
    doc["data"] = {"name": "plane", "samples": 200}
    doc["network"]["layers"] = [{"type": "dense", "units": 8, "activation": "relu"}] * 3
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    result = run_main("train", str(path), "--out", str(tmp_path / "run"))
    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout)["stopped"] == "diverged"
    assert "learning rate" in result.stderr
    from engine.store import load_weights

    weights = load_weights(tmp_path / "run" / "weights.safetensors")
    assert all(np.isfinite(v).all() for v in weights.values())


def test_examples_lists_every_bundled_example():
    result = run_main("examples")
    assert result.returncode == 0
    for name in (
        "xor",
        "circle",
        "gauss",
        "spiral",
        "spiral3",
        "plane",
        "sine",
        "digits_cnn",
        "sequence_lstm",
    ):
        assert any(line.startswith(name + " ") for line in result.stdout.splitlines()), name


def test_train_accepts_an_example_name():
    result = run_main("train", "xor", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["epochs"] == 2


def test_unknown_command_exits_2():
    result = run_main("fly")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_help_lists_the_window_form_and_every_command():
    result = run_main("--help")
    assert result.returncode == 0
    for form in (
        "main.py [PROJECT]",
        "main.py screenshot PROJECT",
        "main.py train PROJECT",
        "main.py export RUN_DIR",
        "main.py examples",
        "130 interrupted",
    ):
        assert form in result.stdout, form
