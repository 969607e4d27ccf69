"""The standalone script carries user text as data: a hostile name, description or CSV header runs nothing."""

import ast
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.errors import SpecError
from engine.export.models import export_script
from engine.export.script import literal, render
from engine.spec.project import Project
from engine.train import Trainer
from tests.conftest import tiny_project


def payloads(marker: Path) -> list[str]:
    """Strings that end a docstring, a string literal or a comment and then create `marker`."""
    code = f"open({str(marker)!r}, 'w').close()"
    return [
        f'x"""\n{code}\n"""',
        f"x'''\n{code}\n'''",
        f'x"\n{code}\n#',
        f"x'\n{code}\n#",
        f"x\\\n{code}\n",
        f"x\r{code}\r",
        f"x\u2028{code}\u2028",
        f"{{0}}{{name}}}}\n{code}",  # str.format fields: the text must not be formatted either
    ]


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RANK", "WORLD_SIZE", "LOCAL_RANK")}
    return subprocess.run(
        [sys.executable, str(folder / "train.py"), *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=folder,
        env=env,
    )


@pytest.mark.parametrize("index", range(8))
def test_hostile_names_define_no_code(tmp_path, index):
    marker = tmp_path / "marker"
    payload = payloads(marker)[index]
    doc = tiny_project(epochs=1)
    doc["name"], doc["description"] = payload, payload
    text = render(Trainer(Project.from_dict(doc)))
    namespace = {"__name__": "exported", "__file__": str(tmp_path / "train.py")}
    exec(compile(text, "train.py", "exec"), namespace)  # defining the script's names runs no payload
    assert not marker.exists()
    assert namespace["CONFIG"]["project"] == payload  # the name travels exactly, as data


def test_the_exported_script_runs_and_runs_no_payload(tmp_path):
    marker = tmp_path / "marker"
    doc = tiny_project(epochs=1)
    doc["name"] = "".join(payloads(marker))
    doc["description"] = "".join(reversed(payloads(marker)))
    folder = export_script(Trainer(Project.from_dict(doc)), tmp_path / "script")
    result = _run(folder, "--epochs", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["epochs"] == 1
    assert not marker.exists(), "the exported script ran code from the project's name"


def test_hostile_csv_column_names_stay_data(tmp_path):
    marker = tmp_path / "marker"
    names = payloads(marker)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    label = (x[:, 0] + x[:, 1] > 0).astype(int)
    path = tmp_path / 'data"""\'.csv'
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([names[0], names[1], names[2], names[3]])
        writer.writerows([[*row, y] for row, y in zip(x.round(4), label, strict=True)])
    doc = {
        "name": names[4],
        "description": names[5],
        "data": {"name": "csv", "path": str(path), "target": names[3]},
        "network": {"layers": [{"type": "dense", "units": 3, "activation": "relu"}]},
        "training": {"epochs": 1, "batch_size": 10},
    }
    trainer = Trainer(Project.from_dict(doc))
    folder = export_script(trainer, tmp_path / "script")
    namespace = {"__name__": "exported", "__file__": str(folder / "train.py")}
    exec(compile((folder / "train.py").read_text(), "train.py", "exec"), namespace)
    assert namespace["CONFIG"]["inputs"] == names[:3]
    result = _run(folder, "--epochs", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not marker.exists(), "the exported script ran code from a CSV column name"


def test_the_rendered_script_holds_user_text_only_inside_config(tmp_path):
    """Every string constant in train.py that is not the template's own is a CONFIG value."""
    marker = tmp_path / "marker"
    doc = tiny_project(epochs=1)
    doc["name"] = doc["description"] = payloads(marker)[0]
    text = render(Trainer(Project.from_dict(doc)))
    tree = ast.parse(text)
    assert ast.get_docstring(tree).startswith("Train a Layerlab project with plain PyTorch")
    assert str(marker) not in ast.get_docstring(tree)
    config = next(
        node.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "CONFIG"
    )
    assert ast.literal_eval(config)["project"] == doc["name"]  # a pure literal: no call, no name


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'a"""b',
        "a'''b",
        "back\\slash\n",
        "\x00\r\n\u2028\ud800",
        0,
        -3,
        2**80,
        0.1,
        1e-300,
        True,
        None,
    ],
)
def test_literal_round_trips_through_literal_eval(value):
    assert ast.literal_eval(literal(value, "x")) == value
    assert ast.literal_eval(literal([value, {"k": value}], "x")) == [value, {"k": value}]


def test_literal_writes_numpy_scalars_as_numbers_and_refuses_the_rest():
    assert literal(np.float64(0.5), "x") == "0.5" and literal(np.int64(7), "x") == "7"
    for bad, message in ((float("inf"), "finite"), (float("nan"), "finite"), (object(), "cannot write")):
        with pytest.raises(SpecError, match=message):
            literal(bad, "training.l2")
