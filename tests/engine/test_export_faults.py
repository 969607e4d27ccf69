"""A full disk during any export is an ordinary OSError: the process lives, the old file stays, no temp is left."""

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.export.models import WRITERS
from engine.spec.project import Project
from engine.train import Trainer
from tests.conftest import tiny_project
from tests.engine.test_store import _no_space_after

ROOT = Path(__file__).resolve().parents[2]
FILE_FORMATS = {"onnx": "model.onnx", "torchscript": "model.pt", "torch_export": "model.pt2"}
FOLDER_FORMATS = {"safetensors": ("project.json", "weights.safetensors"), "script": ("data.npz", "train.py")}
FIRST_STAGED = {"safetensors": "project.json", "script": "data.npz"}


@pytest.fixture(scope="module")
def trainer():
    doc = tiny_project(epochs=1)
    doc["network"]["layers"][0]["units"] = 64  # a few kB per file: bigger than the bytes the disk takes
    t = Trainer(Project.from_dict(doc))
    t.run()
    return t


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", sorted(FILE_FORMATS))
def test_a_full_disk_during_a_model_export_raises_and_keeps_the_old_file(trainer, tmp_path, monkeypatch, fmt):
    target = tmp_path / FILE_FORMATS[fmt]
    target.write_bytes(b"the previous export")
    _no_space_after(512, monkeypatch)
    with pytest.raises(OSError) as info:
        WRITERS[fmt](trainer, target)
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert _snapshot(tmp_path) == {target.name: b"the previous export"}  # old file, no temp file
    assert WRITERS[fmt](trainer, target).stat().st_size > 1000  # and the next try works


@pytest.mark.parametrize("fmt", sorted(FOLDER_FORMATS))
def test_a_full_disk_during_a_folder_export_changes_none_of_its_files(trainer, tmp_path, monkeypatch, fmt):
    folder = WRITERS[fmt](trainer, tmp_path / "export")
    before = _snapshot(folder)
    assert tuple(before) == FOLDER_FORMATS[fmt]
    other = Trainer(Project.from_dict(tiny_project(epochs=1) | {"seed": 2}))
    first = len(before[FIRST_STAGED[fmt]]) + 20
    for allowed in (0, first):  # nothing written, and the first file written but not the second
        _no_space_after(allowed, monkeypatch)
        with pytest.raises(OSError):
            WRITERS[fmt](other, folder)
        monkeypatch.undo()
        assert _snapshot(folder) == before


def test_a_killed_exports_temp_file_is_removed_by_the_next_export(trainer, tmp_path):
    """A SIGKILL mid-write leaves `.model.onnx.<pid>.<random>.tmp`; the next write there removes it."""
    script = textwrap.dedent(
        f"""
        import os, signal
        import engine.store as store
        real = os.write
        def write(fd, data):
            real(fd, bytes(data[:100]))
            os.kill(os.getpid(), signal.SIGKILL)
        store.os.write = write
        store.atomic_write({str(tmp_path / "model.onnx")!r}, b"x" * 10000)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120, env=env)
    assert result.returncode == -9
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".model.onnx.") and left.name.endswith(".tmp")
    WRITERS["torchscript"](trainer, tmp_path / "model.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE write failures are a Linux test aid")
def test_a_real_failing_write_does_not_abort_the_process(tmp_path):
    """The kernel refuses writes past RLIMIT_FSIZE (EFBIG), as a full disk refuses them (ENOSPC).

    torch's own file writers met such a failure with `terminate called after throwing an instance
    of c10::Error` and SIGABRT, killing the caller (the training process, for the window).
    """
    script = textwrap.dedent(
        f"""
        import resource, sys
        from engine.export.models import WRITERS
        from engine.spec.project import Project
        from engine.train import Trainer
        from tests.conftest import tiny_project
        doc = tiny_project(epochs=1)
        doc["network"]["layers"][0]["units"] = 64
        trainer = Trainer(Project.from_dict(doc))
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, resource.RLIM_INFINITY))
        for fmt, name in {sorted(FILE_FORMATS.items())!r}:
            try:
                WRITERS[fmt](trainer, {str(tmp_path)!r} + "/" + name)
            except OSError as exc:
                print(fmt, exc.errno, flush=True)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr[-1500:]
    assert result.stdout.split() == [word for fmt in sorted(FILE_FORMATS) for word in (fmt, str(errno.EFBIG))]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["torchscript", "safetensors", "script"])
def test_a_failed_export_into_new_folders_leaves_no_empty_folder(trainer, tmp_path, monkeypatch, fmt):
    target = tmp_path / "new" / "deeper" / ("model.pt" if fmt == "torchscript" else "export")
    _no_space_after(0, monkeypatch)
    with pytest.raises(OSError):
        WRITERS[fmt](trainer, target)
    assert list(tmp_path.iterdir()) == []
