"""Project format version 2 (a `model` block naming the family) and validation without torch."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine.families
from engine.errors import SpecError
from engine.examples import example_names, example_path
from engine.families import FAMILIES, MLP, Family
from engine.spec.migrate import CURRENT_VERSION, migrate
from engine.spec.project import Project
from engine.spec.registry import Param, Registry

ROOT = Path(__file__).resolve().parents[2]

# resources/examples/spiral.json as version 1 wrote it: no model block.
SPIRAL_V1 = """{
  "format": "layerlab",
  "version": 1,
  "name": "Spiral",
  "description": "TF Playground's spiral with x1, x2, sin x1, sin x2 and two layers of 8 tanh units, trained by the playground's own algorithm.",
  "seed": 0,
  "data": {"name": "spiral", "noise": 0.0, "train_fraction": 0.5, "features": ["x1", "x2", "sin_x1", "sin_x2"]},
  "network": {
    "layers": [{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dense", "units": 8, "activation": "tanh"}],
    "init": "playground"
  },
  "training": {"preset": "playground", "optimizer": {"name": "sgd", "lr": 0.03}, "batch_size": 10, "epochs": 300},
  "expect": {"test_loss": 0.05}
}"""

# Loads and validates every example in a fresh interpreter, then names the heavy modules it pulled in.
VALIDATE_EXAMPLES = """
import sys
from engine.examples import example_names, example_path
from engine.spec.project import Project
for name in example_names():
    Project.from_json(example_path(name).read_text(), name).to_json()
print(",".join(m for m in ("torch", "numba") if m in sys.modules))
"""


def _loaded_by_validation(prelude: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-c", prelude + VALIDATE_EXAMPLES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_current_version_is_2_and_to_dict_writes_the_model_block():
    doc = Project.from_dict({}).to_dict()
    assert CURRENT_VERSION == 2 and doc["version"] == 2
    assert doc["model"] == {"family": "mlp"}
    assert list(doc)[:6] == ["format", "version", "name", "description", "seed", "model"]
    assert Project.from_dict(doc).to_dict() == doc


def test_a_version_1_file_migrates_to_the_version_2_example():
    v1 = json.loads(SPIRAL_V1)
    v2 = json.loads(example_path("spiral").read_text())
    assert v2["version"] == 2 and v2["model"] == {"family": "mlp"}
    assert migrate(v1) == v2
    assert Project.from_dict(v1) == Project.from_dict(v2)
    assert "model" not in v1  # the caller's document is not changed


def test_version_0_still_migrates_through_1_to_2():
    doc = migrate({"version": 0, "training": {"lr": 0.1}, "network": {"hidden": [3]}})
    assert doc["version"] == 2 and doc["model"] == {"family": "mlp"}
    assert doc["training"]["optimizer"] == {"name": "sgd", "lr": 0.1}
    project = Project.from_dict({"version": 0, "training": {"lr": 0.1}})
    assert project.model.family == "mlp" and project.training.optimizer["lr"] == 0.1


def test_a_newer_version_is_refused_in_one_line():
    with pytest.raises(SpecError) as caught:
        Project.from_dict({"version": 3, "model": {"family": "mlp"}})
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        "version: this file was written by a newer Layerlab (format 3); this one reads up to 2"
    )


@pytest.mark.parametrize(
    "model, path, reason",
    [
        (
            {"family": "diffusion"},
            "model.family",
            "unknown model family 'diffusion'; valid: mlp, perceptron, autoencoder, vae, gan",
        ),
        (
            {"family": 7},
            "model.family",
            "unknown model family 7; valid: mlp, perceptron, autoencoder, vae, gan",
        ),
        ({"family": "mlp", "depth": 3}, "model.depth", "unknown setting of the mlp family; valid: family"),
        ("mlp", "model", "must be an object, got 'mlp'"),
    ],
)
def test_a_bad_model_block_is_refused_naming_its_key(model, path, reason):
    with pytest.raises(SpecError) as caught:
        Project.from_dict({"model": model})
    assert (caught.value.path, caught.value.reason) == (path, reason)


def test_a_missing_model_block_means_the_supervised_network():
    assert Project.from_dict({"version": 2}).model.family == "mlp"
    assert Project.from_dict({"model": {}}).model.family == "mlp"


def test_a_family_checks_its_own_settings_and_refuses_blocks_it_does_not_read(monkeypatch):
    # A family that reads only `data` and has one setting, to test what `mlp` (which reads all) cannot.
    probe = Family(
        name="probe",
        label="Probe",
        help="reads only the data",
        keys=("data",),
        settings=(Param("width", 4, int, 1, 64),),
        metrics=MLP.metrics,
        parameter_groups=("all",),
        views=(),
        builder="engine.families.mlp.build:build_parts",
    )
    monkeypatch.setattr(engine.families, "FAMILIES", Registry("model family", [MLP, probe]))
    project = Project.from_dict({"model": {"family": "probe"}, "data": {"name": "xor"}})
    assert project.model.settings == {"width": 4}
    doc = project.to_dict()
    assert doc["model"] == {"family": "probe", "width": 4}
    assert "network" not in doc and "training" not in doc and doc["data"]["name"] == "xor"
    assert Project.from_dict(doc) == project
    with pytest.raises(SpecError) as caught:
        Project.from_dict({"model": {"family": "probe"}, "network": {}})
    assert caught.value.path == "network"
    assert caught.value.reason == "the probe family does not read this block; it reads data"
    with pytest.raises(SpecError) as caught:
        Project.from_dict({"model": {"family": "probe", "width": 0}})
    assert caught.value.path == "model.width"


def test_every_example_is_version_2_with_a_model_block():
    for name in example_names():
        doc = json.loads(example_path(name).read_text())
        assert doc["version"] == 2 and doc["model"]["family"] in FAMILIES, name
        written = Project.from_dict(doc).to_dict()["model"]
        assert {k: written[k] for k in doc["model"]} == doc["model"], name  # each setting kept as given


def test_validating_every_example_imports_neither_torch_nor_numba():
    assert _loaded_by_validation() == ""


def test_the_probe_would_see_torch_if_validation_imported_it():
    # Guards the test above: the same probe reports torch once anything has imported it.
    assert _loaded_by_validation("import torch\n") == "torch"


def test_every_catalog_factory_resolves_to_its_torch_code():
    from engine.nn.activations import ACTIVATIONS
    from engine.nn.features import FEATURES
    from engine.nn.init import INITIALIZERS
    from engine.nn.layers import LAYERS
    from engine.nn.losses import LOSSES
    from engine.nn.optim import OPTIMIZERS

    for table in (ACTIVATIONS, FEATURES, INITIALIZERS, LOSSES, OPTIMIZERS):
        for name, entry in table.items():
            assert callable(entry.factory), f"{table.kind} {name}"
    assert all(callable(entry.factory.build) for entry in LAYERS.values())


def test_a_run_folder_written_before_version_2_still_loads_and_is_rewritten_as_version_2(tmp_path):
    from engine.export.models import load_run
    from engine.run_folder import write_run
    from engine.train import Trainer

    trainer = Trainer(Project.from_dict({"data": {"name": "xor", "samples": 40}, "training": {"epochs": 2}}))
    trainer.run(epochs=2)
    folder = write_run(trainer, tmp_path / "run")
    doc = json.loads((folder / "project.json").read_text())
    assert doc["version"] == 2 and doc["model"] == {"family": "mlp"}
    # The folder as version 1 wrote it: no model block.
    del doc["model"]
    (folder / "project.json").write_text(json.dumps({**doc, "version": 1}))
    loaded = load_run(folder)
    assert loaded.project.model.family == "mlp"
    assert loaded.family.name == "mlp"
    # The file holds float32; the fast path trains in float64, hence a float32 tolerance.
    weights = loaded.state_dict()
    assert all(np.allclose(weights[k], v, rtol=0, atol=1e-6) for k, v in trainer.state_dict().items())
