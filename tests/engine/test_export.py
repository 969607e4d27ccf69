"""Exports take raw inputs and return probabilities or values; ONNX, TorchScript, .pt2, safetensors, script."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.errors import SpecError
from engine.examples import example_path
from engine.export.models import (
    ExportModel,
    export_model,
    export_onnx,
    export_pt2,
    export_run,
    export_run_models,
    export_safetensors,
    export_script,
    export_torchscript,
    load_run,
    load_torch_state,
)
from engine.families.mlp.task import probabilities
from engine.spec.project import Project
from engine.store import load_project, load_weights, save_project, save_weights
from engine.train import Trainer
from tests.conftest import tiny_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("xor", "spiral", "plane", "digits_cnn", "sequence_lstm")
_TRAINED: dict[str, Trainer] = {}


def trained(name: str) -> Trainer:
    """An example trained for one epoch (cached: training is not what these tests check)."""
    if name not in _TRAINED:
        project = load_project(example_path(name))
        project.training.epochs = 1
        project.training.device = "cpu"
        trainer = Trainer(project)
        trainer.run()
        _TRAINED[name] = trainer
    return _TRAINED[name]


def raw_batch(trainer: Trainer, n: int = 5) -> np.ndarray:
    return np.ascontiguousarray(trainer.dataset.x_test[:n], dtype=np.float32)


def reference(trainer: Trainer, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return export_model(trainer)(torch.from_numpy(x)).numpy()


def write_run(trainer: Trainer, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    save_project(trainer.project, folder / "project.json")
    save_weights(trainer.state_dict(), folder / "weights.safetensors")
    return folder


@pytest.mark.parametrize("name", EXAMPLES)
def test_export_model_matches_the_engine_reading_of_outputs(name):
    trainer = trained(name)
    x = raw_batch(trainer, 6)
    got = reference(trainer, x)
    network = trainer.torch_network().cpu().eval()
    with torch.no_grad():
        outputs = network(trainer.preprocessor.cpu()(torch.from_numpy(x))).numpy()
    if trainer.head.classification:
        expected = probabilities(trainer.head, outputs)
        assert got.shape == (6, trainer.head.n_classes)
        np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-5)
    else:
        expected = outputs
        assert got.shape == (6, 1)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("name", EXAMPLES)
def test_onnx_runs_in_onnxruntime_with_any_batch_size(name, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    trainer = trained(name)
    path = export_onnx(trainer, tmp_path / "model.onnx")
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]  # no temp file left behind
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input"]
    assert [o.name for o in session.get_outputs()] == ["output"]
    assert list(session.get_inputs()[0].shape[1:]) == list(trainer.dataset.raw_shape)
    for n in (1, 7):  # the export traced 3 rows: other batch sizes prove the batch dimension is dynamic
        x = raw_batch(trainer, n)
        (got,) = session.run(None, {"input": x})
        np.testing.assert_allclose(got, reference(trainer, x), atol=1e-5)


@pytest.mark.parametrize("name", ("xor", "digits_cnn", "sequence_lstm"))
def test_torchscript_round_trip(name, tmp_path):
    trainer = trained(name)
    path = export_torchscript(trainer, tmp_path / "model.pt")
    loaded = torch.jit.load(str(path))
    x = raw_batch(trainer, 7)
    with torch.no_grad():
        got = loaded(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, reference(trainer, x), atol=1e-6)


def test_torch_export_program_round_trip(tmp_path):
    trainer = trained("spiral")
    path = export_pt2(trainer, tmp_path / "model.pt2")
    program = torch.export.load(str(path))
    x = raw_batch(trainer, 9)
    with torch.no_grad():
        got = program.module()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, reference(trainer, x), atol=1e-6)


def test_safetensors_export_carries_the_recipe(tmp_path):
    trainer = trained("digits_cnn")
    out = export_safetensors(trainer, tmp_path / "export")
    assert sorted(p.name for p in out.iterdir()) == ["project.json", "weights.safetensors"]
    rebuilt = Trainer(load_project(out / "project.json"))
    rebuilt.load_state_dict(load_weights(out / "weights.safetensors"))
    x = raw_batch(trainer, 8)
    np.testing.assert_allclose(reference(rebuilt, x), reference(trainer, x), atol=1e-6)


def test_load_run_round_trip_and_export_run(tmp_path):
    trainer = trained("xor")
    run = write_run(trainer, tmp_path / "run")
    loaded = load_run(run)
    x = raw_batch(trainer, 4)
    np.testing.assert_allclose(reference(loaded, x), reference(trainer, x), atol=1e-6)
    out = export_run(run, "torchscript", tmp_path / "m.pt")
    assert out.is_file()


def test_bad_runs_raise_spec_error_and_write_nothing(tmp_path):
    target = tmp_path / "out.onnx"
    with pytest.raises(SpecError, match="no such run folder"):
        export_run(tmp_path / "missing", "onnx", target)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SpecError, match="not a folder"):
        export_run(tmp_path / "file", "onnx", target)
    run = write_run(trained("xor"), tmp_path / "run")
    (run / "weights.safetensors").unlink()
    with pytest.raises(SpecError, match="no such weights file"):
        export_run(run, "onnx", target)
    # weights of a different network: a hidden layer of 3 units instead of 4
    other = Trainer(Project.from_dict(tiny_project()))
    doc = tiny_project()
    doc["network"]["layers"][0]["units"] = 3
    save_weights(Trainer(Project.from_dict(doc)).state_dict(), run / "weights.safetensors")
    save_project(other.project, run / "project.json")
    with pytest.raises(SpecError, match="shape"):
        export_run(run, "onnx", target)
    save_weights({"nonsense": np.zeros(2, np.float32)}, run / "weights.safetensors")
    with pytest.raises(SpecError, match="missing tensor"):
        export_run(run, "script", tmp_path / "script")
    with pytest.raises(SpecError, match="unknown format"):
        export_run(run, "pickle", target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "run"]


class _Payload:
    """Unpickling this calls open(marker, "w"): a file appears if the loader runs pickled code."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_load_torch_state_refuses_a_pickle_that_runs_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"layers.0.linear.weight": torch.zeros(2, 2), "x": _Payload(str(marker))}, evil)
    with pytest.raises(SpecError) as info:
        load_torch_state(evil)
    assert info.value.path == str(evil) and "safe torch state dict" in info.value.reason
    assert not marker.exists()
    # the payload is real: an unsafe load would have created the file
    torch.load(evil, weights_only=False)
    assert marker.exists()


def test_load_torch_state_reads_plain_state_dicts_and_refuses_other_files(tmp_path):
    good = tmp_path / "good.pt"
    torch.save({"w": torch.ones(2, 3)}, good)
    assert load_torch_state(good)["w"].shape == (2, 3)
    torch.save([torch.ones(1)], tmp_path / "list.pt")
    with pytest.raises(SpecError, match="state dict"):
        load_torch_state(tmp_path / "list.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(SpecError):
        load_torch_state(tmp_path / "junk.pt")
    with pytest.raises(SpecError, match="no such"):
        load_torch_state(tmp_path / "absent.pt")


def test_export_run_models_warns_instead_of_failing(tmp_path, monkeypatch, capsys):
    import engine.export.models as export

    def broken(trainer, path):
        raise RuntimeError("exotic operator\nwith a long trace")

    monkeypatch.setattr(export, "export_onnx", broken)
    written = export_run_models(trained("xor"), tmp_path)
    assert [p.name for p in written] == ["model.pt"]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["warning: could not export model.onnx: exotic operator"]
    assert isinstance(torch.jit.load(str(tmp_path / "model.pt")), torch.jit.ScriptModule)


def test_script_refuses_unknown_layers_by_name(tmp_path):
    from engine.export.script import check_supported

    trainer = Trainer(Project.from_dict(tiny_project()))
    trainer.project.network.layers[0]["type"] = "attention"
    with pytest.raises(SpecError) as info:
        check_supported(trainer)
    assert info.value.path == "network.layers[0].type" and "attention" in info.value.reason


def test_script_covers_every_layer_kind(tmp_path):
    """conv/pool/dropout and lstm networks render; the script's model equals Layerlab's at the start."""
    for name in ("digits_cnn", "sequence_lstm"):
        trainer = trained(name)
        out = export_script(trainer, tmp_path / name)
        text = (out / "train.py").read_text()
        imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
        allowed = ("argparse", "json", "math", "os", "sys", "pathlib", "numpy", "torch")
        assert all(line.split()[1].split(".")[0] in allowed for line in imports), imports
        namespace = {"__name__": "exported_script", "__file__": str(out / "train.py")}
        exec(compile(text, str(out / "train.py"), "exec"), namespace)
        data = np.load(out / "data.npz", allow_pickle=False)
        model = namespace["Network"](torch.as_tensor(data["mean"]), torch.as_tensor(data["std"]))
        model.load_state_dict({k[5:]: torch.as_tensor(data[k]) for k in data.files if k.startswith("init/")})
        x = raw_batch(trainer, 6)
        with torch.no_grad():
            got = (
                namespace["probabilities"](model.eval()(torch.from_numpy(x)))
                if trainer.head.classification
                else (model.eval()(torch.from_numpy(x)))
            )
        fresh = Trainer(trainer.project, trainer.dataset)
        np.testing.assert_allclose(got.numpy(), reference(fresh, x), atol=1e-5)


SCRIPT_EPOCHS = 10


@pytest.fixture(scope="module")
def xor_script(tmp_path_factory):
    doc = tiny_project(epochs=SCRIPT_EPOCHS, optimizer={"name": "adam", "lr": 0.03})
    doc["data"]["samples"] = 400
    doc["network"]["layers"][0]["units"] = 8
    trainer = Trainer(Project.from_dict(doc))
    final = trainer.run()
    folder = export_script(trainer, tmp_path_factory.mktemp("script"))
    return folder, final


def _run_script(folder: Path, *prefix: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RANK", "WORLD_SIZE", "LOCAL_RANK")}
    result = subprocess.run(
        [sys.executable, *prefix, str(folder / "train.py")],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=folder,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1, result.stdout  # only rank 0 prints
    return json.loads(lines[0])


def test_script_trains_like_the_engine(xor_script):
    folder, final = xor_script
    assert final.test_accuracy >= 0.9  # the config is known to work in the engine
    metrics = _run_script(folder)
    assert metrics["world_size"] == 1 and metrics["epochs"] == SCRIPT_EPOCHS
    assert metrics["test_accuracy"] >= min(0.9, final.test_accuracy - 0.05)
    assert metrics["test_loss"] <= max(2 * final.test_loss, 0.3)
    state = torch.load(folder / "trained.pt", weights_only=True)
    assert state["layers.0.linear.weight"].shape == (8, 2)


def test_script_trains_under_torchrun(xor_script):
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("torch.distributed with the gloo backend is not available in this torch build")
    folder, final = xor_script
    metrics = _run_script(folder, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2")
    assert metrics["world_size"] == 2
    assert metrics["test_accuracy"] >= min(0.9, final.test_accuracy - 0.05)


def test_export_model_is_an_nn_module_in_eval_mode():
    model = export_model(trained("digits_cnn"))
    assert isinstance(model, ExportModel) and not model.training
    assert all(p.dtype == torch.float32 and not p.requires_grad for p in model.parameters())
