"""`python main.py export RUN_DIR --format F --out PATH`, and the models `train --out` writes."""

import json
import shutil

import numpy as np
import pytest

from engine.cli import main
from engine.run_folder import RUN_FILES
from tests.cli.test_cli import run_main
from tests.conftest import tiny_project


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run written by `train --out` in a subprocess: it also exports model.onnx and model.pt."""
    base = tmp_path_factory.mktemp("cli_export")
    project = base / "tiny.json"
    project.write_text(json.dumps(tiny_project(epochs=2)))
    out = base / "run"
    result = run_main("train", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1  # the exporters print nothing on stdout
    assert "warning" not in result.stderr
    return out


def test_train_out_writes_models_that_run(run_dir):
    ort = pytest.importorskip("onnxruntime")
    import torch

    assert (run_dir / "model.onnx").is_file() and (run_dir / "model.pt").is_file()
    session = ort.InferenceSession(str(run_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    x = np.array([[1.0, 1.0], [-1.0, 1.0], [2.0, -3.0], [0.5, 0.5], [-2.0, -2.0]], dtype=np.float32)
    (probs,) = session.run(None, {"input": x})
    assert probs.shape == (5, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    scripted = torch.jit.load(str(run_dir / "model.pt"))
    np.testing.assert_allclose(scripted(torch.from_numpy(x)).detach().numpy(), probs, atol=1e-5)


def test_export_onnx_via_the_command_line(run_dir, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    out = tmp_path / "exported.onnx"
    result = run_main("export", str(run_dir), "--format", "onnx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"format": "onnx", "out": str(out)}
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).uniform(-5, 5, (11, 2)).astype(np.float32)
    reference = ort.InferenceSession(str(run_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(
        session.run(None, {"input": x})[0], reference.run(None, {"input": x})[0], atol=1e-6
    )


@pytest.mark.parametrize(
    ("fmt", "name", "files"),
    [
        ("torchscript", "m.pt", None),
        ("torch_export", "m.pt2", None),
        ("safetensors", "st", ["project.json", "weights.safetensors"]),
        ("script", "script", ["data.npz", "train.py"]),
    ],
)
def test_export_formats_in_process(run_dir, tmp_path, capsys, fmt, name, files):
    out = tmp_path / name
    assert main(["export", str(run_dir), "--format", fmt, "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == {"format": fmt, "out": str(out)}
    if files is None:
        assert out.is_file() and out.stat().st_size > 0
    else:
        assert sorted(p.name for p in out.iterdir()) == files


def _bad(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


def test_missing_run_dir_is_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "m.onnx"
    code, err = _bad(["export", str(tmp_path / "nope"), "--format", "onnx", "--out", str(out)], capsys)
    assert code == 2 and len(err) == 1 and "no such run folder" in err[0]
    assert not out.exists()


def test_run_dir_without_weights_is_exit_2(run_dir, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(run_dir / "project.json", run / "project.json")
    out = tmp_path / "m.onnx"
    code, err = _bad(["export", str(run), "--format", "onnx", "--out", str(out)], capsys)
    assert code == 2 and len(err) == 1 and "weights.safetensors: no such weights file" in err[0]
    assert not out.exists()


def test_weights_of_another_network_are_exit_2(run_dir, tmp_path, capsys):
    from engine.spec.project import Project
    from engine.store import save_weights
    from engine.train import Trainer

    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    doc = tiny_project()
    doc["network"]["layers"][0]["units"] = 6
    save_weights(Trainer(Project.from_dict(doc)).state_dict(), run / "weights.safetensors")
    out = tmp_path / "script"
    code, err = _bad(["export", str(run), "--format", "script", "--out", str(out)], capsys)
    assert code == 2 and len(err) == 1 and "shape" in err[0]
    assert not out.exists()


def test_unknown_format_is_exit_2(run_dir, tmp_path, capsys):
    out = tmp_path / "m.bin"
    code, err = _bad(["export", str(run_dir), "--format", "pickle", "--out", str(out)], capsys)
    assert code == 2 and len(err) == 1 and "invalid choice" in err[0]
    assert not out.exists()


def test_unknown_format_in_a_subprocess(run_dir, tmp_path):
    result = run_main("export", str(run_dir), "--format", "keras", "--out", str(tmp_path / "m"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["torchscript", "torch_export", "safetensors"])
def test_a_full_disk_during_export_is_exit_2_and_keeps_the_old_export(
    run_dir, tmp_path, capsys, monkeypatch, fmt
):
    from tests.engine.test_store import _no_space_after

    out = tmp_path / "export"
    assert main(["export", str(run_dir), "--format", fmt, "--out", str(out)]) == 0
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file())
    capsys.readouterr()
    _no_space_after(100, monkeypatch)
    code, err = _bad(["export", str(run_dir), "--format", fmt, "--out", str(out)], capsys)
    monkeypatch.undo()
    assert code == 2 and len(err) == 1 and "no space left" in err[0].lower(), err
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()) == before


def test_a_second_train_into_the_same_folder_replaces_the_whole_run(run_dir, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    project = tmp_path / "other.json"
    project.write_text(json.dumps(tiny_project(epochs=1) | {"seed": 7}))
    result = run_main("train", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "project.json").read_text())["seed"] == 7
    assert sorted(p.name for p in out.iterdir()) == sorted([*RUN_FILES, "initial.safetensors"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "run"]  # no temp folder beside it
    assert main(["export", str(out), "--format", "torchscript", "--out", str(tmp_path / "m.pt")]) == 0
