"""`train --out` keeps the initial weights, the history (`--history N`) and the trained state;
`train --resume RUN_DIR` goes on from there as if the run had never stopped, or refuses in one line."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.families.mlp.fastkernel import warm_up
from engine.run_folder import RECORD_FILES, RUN_FILES
from engine.spec.project import Project
from engine.store import load_weights
from engine.train import Trainer
from tests.conftest import tiny_project

ADAM = ["--set", 'training.optimizer={"name": "adam", "lr": 0.01}']


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    warm_up()


@pytest.fixture(autouse=True)
def _models_are_not_what_these_tests_check(monkeypatch):
    """model.onnx / model.pt take seconds each; a stand-in still writes both files."""
    from engine.store import atomic_write

    def models(trainer, out):
        for name in ("model.onnx", "model.pt"):
            atomic_write(Path(out) / name, f"{name} of epoch {trainer.epoch}".encode())
        return [Path(out) / "model.onnx", Path(out) / "model.pt"]

    monkeypatch.setattr("engine.export.models.export_run_models", models)


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_project(epochs=6)))
    return path


def train(capsys, *argv: str) -> dict:
    code = main(["train", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def refused(capsys, *argv: str) -> str:
    """The one line a refused `train` prints (exit 2, nothing on stdout)."""
    assert main(["train", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1, err
    return err


def rows(run: Path) -> list[list[str]]:
    """metrics.csv without its wall-clock column, the only one two identical runs may differ in."""
    table = list(csv.reader((run / "metrics.csv").read_text().splitlines()))
    cut = table[0].index("seconds")
    return [row[:cut] + row[cut + 1 :] for row in table]


def same_tensors(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_resumed_run_equals_the_run_that_never_stopped(tmp_path, capsys, project_file):
    whole, part = tmp_path / "whole", tmp_path / "part"
    expected = train(capsys, str(project_file), "--out", str(whole), "--history", "2", *ADAM)
    first = train(capsys, str(project_file), "--epochs", "3", "--out", str(part), "--history", "2", *ADAM)
    assert first["epochs"] == 3 and rows(part) == rows(whole)[:4]

    resumed = train(capsys, "--resume", str(part), "--epochs", "6")
    assert resumed["epochs"] == expected["epochs"] == 6
    for key in ("steps", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "stopped"):
        assert resumed[key] == expected[key], key
    assert rows(part) == rows(whole) and len(rows(whole)) == 7
    for name in ("weights", "initial", "history"):
        assert same_tensors(
            load_weights(part / f"{name}.safetensors"), load_weights(whole / f"{name}.safetensors")
        )
    assert json.loads((part / "project.json").read_text())["training"]["epochs"] == 6
    # and the float64 state itself, not only its float32 copy in weights.safetensors
    from engine.train_state import SavedState

    assert same_tensors(SavedState(part).group("weights"), SavedState(whole).group("weights"))


def test_the_folder_holds_the_initial_weights_and_every_nth_epoch(tmp_path, capsys, project_file):
    run = tmp_path / "run"
    train(capsys, str(project_file), "--epochs", "5", "--out", str(run), "--history", "2")
    assert sorted(p.name for p in run.iterdir()) == sorted(RUN_FILES + RECORD_FILES)

    initial, weights = load_weights(run / "initial.safetensors"), load_weights(run / "weights.safetensors")
    before = Trainer(Project.from_dict(tiny_project(epochs=5))).state_dict()  # nothing trained yet
    assert same_tensors(initial, {k: v.astype(np.float32) for k, v in before.items()})
    assert initial.keys() == weights.keys() and not same_tensors(initial, weights)

    history = load_weights(run / "history.safetensors")
    epochs = sorted({int(k.split(".")[0].removeprefix("epoch_")) for k in history})
    assert epochs == [0, 2, 4]
    at = {
        e: {k.split(".", 1)[1]: v for k, v in history.items() if k.startswith(f"epoch_{e}.")} for e in epochs
    }
    assert same_tensors(at[0], initial)
    stopped = Trainer(Project.from_dict(tiny_project(epochs=4)))
    stopped.run()
    assert same_tensors(at[4], {k: v.astype(np.float32) for k, v in stopped.state_dict().items()})


def test_without_history_no_history_file(tmp_path, capsys, project_file):
    run = tmp_path / "run"
    train(capsys, str(project_file), "--epochs", "1", "--out", str(run))
    assert sorted(p.name for p in run.iterdir()) == sorted([*RUN_FILES, "initial.safetensors"])


def test_a_run_stopped_by_ctrl_c_resumes_to_its_epochs_into_another_folder(
    tmp_path, capsys, project_file, monkeypatch
):
    whole, part, other = tmp_path / "whole", tmp_path / "part", tmp_path / "other"
    train(capsys, str(project_file), "--out", str(whole), *ADAM)

    finish = Trainer._finish_epoch

    def ctrl_c_after_epoch_3(self, lr):
        finish(self, lr)
        if self.epoch == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the handler `train` installs takes it

    monkeypatch.setattr(Trainer, "_finish_epoch", ctrl_c_after_epoch_3)
    assert main(["train", str(project_file), "--out", str(part), *ADAM]) == 130
    assert "interrupted after epoch 3; saved the run so far" in capsys.readouterr().err
    monkeypatch.setattr(Trainer, "_finish_epoch", finish)
    kept = files(part)

    resumed = train(capsys, "--resume", str(part), "--out", str(other))  # to the project's 6 epochs
    assert resumed["epochs"] == 6 and resumed["stopped"] == "completed"
    assert rows(other) == rows(whole)
    assert same_tensors(
        load_weights(other / "weights.safetensors"), load_weights(whole / "weights.safetensors")
    )
    assert files(part) == kept


def test_a_state_of_another_network_is_refused_in_one_line_and_nothing_changes(
    tmp_path, capsys, project_file
):
    run, narrow = tmp_path / "run", tmp_path / "narrow"
    train(capsys, str(project_file), "--epochs", "2", "--out", str(run))
    train(
        capsys, str(project_file), "--epochs", "2", "--out", str(narrow), "--set", "network.layers[0].units=3"
    )
    for name in ("state.json", "state.safetensors"):
        shutil.copy(narrow / name, run / name)
    kept = files(run)
    err = refused(capsys, "--resume", str(run), "--epochs", "4")
    assert "state.safetensors" in err and "(3, 2)" in err and "(4, 2)" in err
    assert files(run) == kept

    # the project edited to another shape: its weights no longer fit it
    train(capsys, str(project_file), "--epochs", "2", "--out", str(run))
    doc = json.loads((run / "project.json").read_text())
    doc["network"]["layers"][0]["units"] = 5
    (run / "project.json").write_text(json.dumps(doc))
    kept = files(run)
    err = refused(capsys, "--resume", str(run))
    assert "weights.safetensors" in err and "(5, 2)" in err
    assert files(run) == kept


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["PROJECT", "--resume", "RUN"], "--resume: continues the run folder's own project"),
        (["--resume", "RUN", "--set", "seed=2"], "--set and --device do not apply"),
        (["--resume", "RUN", "--epochs", "1"], "is at epoch 2 already"),
        (["--resume", "MISSING"], "no such run folder"),
        (["--resume", "PROJECT"], "is not a folder"),
        (["--resume", "EMPTY"], "holds no trained state"),
        (["PROJECT", "--history", "2"], "--history: needs --out"),
        (["PROJECT", "--history", "0", "--out", "NEW"], "--history: must be a positive number"),
        ([], "needs a PROJECT"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, capsys, project_file, argv, says):
    run, empty = tmp_path / "run", tmp_path / "empty"
    train(capsys, str(project_file), "--epochs", "2", "--out", str(run))
    empty.mkdir()
    names = {"PROJECT": project_file, "RUN": run, "MISSING": tmp_path / "missing", "EMPTY": empty}
    names["NEW"] = tmp_path / "new"
    kept = files(run)
    assert says in refused(capsys, *(str(names.get(a, a)) for a in argv))
    assert files(run) == kept and not (tmp_path / "new").exists()


def test_a_history_too_big_for_its_bound_is_refused_before_training(
    tmp_path, capsys, project_file, monkeypatch
):
    monkeypatch.setattr("engine.run_record.MAX_HISTORY_BYTES", 1000)  # the tiny net: 68 bytes an epoch
    err = refused(
        capsys, str(project_file), "--out", str(tmp_path / "run"), "--history", "1", "--epochs", "20"
    )
    assert "--history: keeping the parameters every 1 epochs takes 21 copies of 68 bytes" in err
    assert not (tmp_path / "run").exists()
    train(capsys, str(project_file), "--out", str(tmp_path / "run"), "--history", "2", "--epochs", "20")
