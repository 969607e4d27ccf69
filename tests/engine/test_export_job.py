"""Exports from a live session run in a process of their own: the file is the trainer's, and an
exporter that fails or dies is reported, never fatal to the caller."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from engine.export.job import ExportJob
from engine.spec.project import Project
from engine.store import load_weights
from engine.train import Trainer
from tests.conftest import tiny_project

FAULTS = Path(__file__).parents[1] / "gui" / "faults"  # sitecustomize.py there injects faults


def _finish(job: ExportJob, timeout: float = 120.0) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    while (result := job.poll()) is None:
        if time.monotonic() > deadline:
            job.cancel()
            raise AssertionError("the export job did not end")
        time.sleep(0.05)
    return result


@pytest.fixture(scope="module")
def trainer():
    trainer = Trainer(Project.from_dict(tiny_project()))
    trainer.run()
    return trainer


def test_the_job_writes_the_trainers_current_weights(trainer, tmp_path):
    written, error = _finish(ExportJob(trainer, "safetensors", str(tmp_path / "out")))
    assert error == ""
    saved = load_weights(Path(written) / "weights.safetensors")
    for key, value in trainer.state_dict().items():
        np.testing.assert_array_equal(saved[key], np.asarray(value, dtype=saved[key].dtype))


@pytest.mark.parametrize("fault, words", [("enospc", "No space left on device"), ("abort", "SIGABRT")])
def test_a_full_disk_or_a_dying_exporter_is_an_error_message(trainer, tmp_path, monkeypatch, fault, words):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FAULTS), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("LAYERLAB_TEST_FAULT", fault)
    written, error = _finish(ExportJob(trainer, "torchscript", str(tmp_path / "m.pt")))
    assert written == "" and error.startswith("torchscript export failed") and words in error, error
    assert list(tmp_path.iterdir()) == []


def test_modules_in_the_users_working_folder_cannot_shadow_the_exporters(trainer, tmp_path, monkeypatch):
    shadow = tmp_path / "work" / "engine"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise SystemExit('a shadowing engine package was imported')\n")
    monkeypatch.chdir(tmp_path / "work")
    written, error = _finish(ExportJob(trainer, "safetensors", "out"))  # relative to the user's folder
    assert error == "" and Path(written) == tmp_path / "work" / "out"
    assert (tmp_path / "work" / "out" / "weights.safetensors").is_file()
