"""A CSV's target chosen by name from its header (data.target): any column, not only the last;
the header read alone for the window's choice; a name the file lacks refused clearly."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from engine.data import make_dataset
from engine.data.csv_data import csv_header
from engine.errors import SpecError
from engine.spec.project import Project
from engine.train import build_trainer
from tests.conftest import train_headless

# species first: two separable kinds by petal length, plus a noise column
ROWS = "".join(
    f"{k},{1.0 + 3 * k + (i % 5) * 0.1:.2f},{(i * 7) % 11 / 10:.1f}\n" for i in range(40) for k in (i % 2,)
)
TABLE = "species,petal,noise\n" + ROWS


def project_on(path, target) -> dict:
    return {
        "format": "layerlab",
        "version": 2,
        "data": {"name": "csv", "path": str(path), "target": target, "train_fraction": 0.5},
        "network": {"layers": [{"type": "dense", "units": 4, "activation": "tanh"}]},
        "training": {"epochs": 30, "batch_size": 4, "optimizer": {"name": "adam", "lr": 0.05}},
    }


def test_the_header_is_read_alone_and_a_headerless_file_gets_numbered_columns(tmp_path):
    (tmp_path / "a.csv").write_text(TABLE)
    assert csv_header(str(tmp_path / "a.csv")) == ["species", "petal", "noise"]
    (tmp_path / "b.csv").write_text("1;2;3\n4;5;6\n")
    assert csv_header(str(tmp_path / "b.csv")) == ["column 1", "column 2", "column 3"]
    with pytest.raises(SpecError, match="no such file"):
        csv_header(str(tmp_path / "missing.csv"))


def test_a_first_column_target_is_learnt_from_the_other_columns(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text(TABLE)
    data = make_dataset(project_on(path, "species")["data"], 0)
    assert data.input_names == ("petal", "noise") and data.task == "classification"
    x = np.vstack([data.x_train, data.x_test])
    y = np.r_[data.y_train, data.y_test]
    assert np.array_equal(y, (x[:, 0] > 2.5).astype(np.int64))  # the label is species, not noise
    final = build_trainer(Project.from_dict(project_on(path, "species"))).run()
    assert final.metric("test_accuracy") == 1.0
    last = make_dataset(project_on(path, None)["data"], 0)  # no target: the last column, regression
    assert last.input_names == ("species", "petal") and last.task == "regression"


def test_the_command_line_trains_a_first_column_target_and_names_a_bad_one(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text(TABLE)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(project_on(path, "species")))
    bad.write_text(json.dumps(project_on(path, "Species")))
    out = train_headless(good, tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["epochs"] == 2 and math.isfinite(summary["test_accuracy"])
    out = subprocess.run(
        [sys.executable, "main.py", "train", str(bad), "--epochs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "data.target" in out.stderr and "no column 'Species'; columns: species, petal, noise" in out.stderr
