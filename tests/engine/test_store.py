"""Project and weight files: atomic saves keep the old file on failure; loads refuse bad files clearly."""

import os

import numpy as np
import pytest

from engine.errors import SpecError
from engine.spec import Project
from engine.store import atomic_write, load_project, load_weights, save_project, save_weights


def test_save_then_load_restores_the_same_project(tmp_path):
    project = Project.from_dict({"seed": 5, "training": {"optimizer": {"name": "adam", "lr": 0.01}}})
    path = tmp_path / "p.layerlab.json"
    save_project(project, path)
    assert load_project(path) == project


def test_a_failure_in_the_middle_of_a_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    save_project(Project.from_dict({"seed": 1}), path)
    before = path.read_bytes()

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        save_project(Project.from_dict({"seed": 2}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"], "the temporary file was left behind"


def test_atomic_write_replaces_content(tmp_path):
    path = tmp_path / "f.bin"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"seed": ', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not a UTF-8 text file"),
        (b'{"network": {"layers": [{"type": "dense", "units": 1000000000}]}}', "network.layers[0].units"),
    ],
)
def test_bad_project_files_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_project(path)


def test_missing_and_directory_paths_are_named(tmp_path):
    with pytest.raises(SpecError, match="no such project file"):
        load_project(tmp_path / "nope.json")
    with pytest.raises(SpecError, match="is not a file"):
        load_project(tmp_path)


def test_weights_round_trip_as_safetensors_and_corrupt_files_are_refused(tmp_path):
    state = {"layers.0.linear.weight": np.arange(6, dtype=np.float64).reshape(2, 3)}
    save_weights(state, tmp_path / "w.safetensors")
    loaded = load_weights(tmp_path / "w.safetensors")
    assert loaded["layers.0.linear.weight"].dtype == np.float32
    np.testing.assert_array_equal(loaded["layers.0.linear.weight"], state["layers.0.linear.weight"])
    (tmp_path / "bad.safetensors").write_bytes(b"\x00" * 20)
    with pytest.raises(SpecError, match="not a valid safetensors file"):
        load_weights(tmp_path / "bad.safetensors")
