"""A run folder is always one whole run: a second run that fails or is killed half-way changes nothing."""

import errno
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine.run_folder as run_folder
from engine.errors import SpecError
from engine.export.models import load_run
from engine.run_folder import RUN_FILES, check_writable, clean_siblings, write_run
from engine.spec.project import Project
from engine.store import load_weights
from engine.train import Trainer
from tests.conftest import tiny_project
from tests.engine.test_store import _dead_pid, _no_space_after

ROOT = Path(__file__).resolve().parents[2]


def _trained(seed: int, epochs: int = 2) -> Trainer:
    trainer = Trainer(Project.from_dict(tiny_project(epochs=epochs) | {"seed": seed}))
    trainer.run()
    return trainer


@pytest.fixture(scope="module")
def first():
    return _trained(1)


@pytest.fixture(scope="module")
def second():
    return _trained(2, epochs=3)


@pytest.fixture(autouse=True)
def _models_are_not_what_these_tests_check(monkeypatch):
    """model.onnx / model.pt take seconds each; a stand-in still writes both files atomically."""
    from engine.store import atomic_write

    def models(trainer, out):
        for name in ("model.onnx", "model.pt"):
            atomic_write(Path(out) / name, f"{name} of epoch {trainer.epoch}".encode())
        return [Path(out) / "model.onnx", Path(out) / "model.pt"]

    monkeypatch.setattr("engine.export.models.export_run_models", models)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


def test_a_run_folder_holds_the_whole_run(first, tmp_path):
    out = write_run(first, tmp_path / "run")
    assert sorted(_files(out)) == sorted(RUN_FILES)
    assert load_run(out).epoch == 0  # a loaded run is a fresh trainer holding the saved weights
    np.testing.assert_array_equal(
        load_weights(out / "weights.safetensors")["layers.0.linear.weight"],
        first.state_dict()["layers.0.linear.weight"].astype(np.float32),  # stored as float32
    )
    assert _siblings(out) == []


@pytest.mark.parametrize("fault", [KeyboardInterrupt, OSError(errno.ENOSPC, "No space left on device")])
@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two_renames"])
def test_a_second_run_that_fails_after_project_json_leaves_the_first(
    first, second, tmp_path, monkeypatch, fault, exchange
):
    out = write_run(first, tmp_path / "run")
    before = _files(out)
    if not exchange:
        monkeypatch.setattr(run_folder, "_exchange", lambda a, b: False)

    def fail(*args, **kwargs):
        assert any(p.name.startswith(".run.tmp-") for p in tmp_path.iterdir())  # project.json written there
        raise fault

    with monkeypatch.context() as patch:
        patch.setattr("engine.store.save_weights", fail)
        with pytest.raises(type(fault) if isinstance(fault, Exception) else fault):
            write_run(second, out)
    assert _files(out) == before
    assert _siblings(out) == []
    write_run(second, out)  # the next run replaces it whole
    assert load_weights(out / "weights.safetensors")["layers.0.linear.weight"].tolist() == (
        second.state_dict()["layers.0.linear.weight"].astype(np.float32).tolist()
    )
    assert b'"seed": 2' in (out / "project.json").read_bytes()
    assert (out / "model.pt").read_bytes() == b"model.pt of epoch 3"
    assert _siblings(out) == []


def test_a_full_disk_while_writing_a_model_file_keeps_the_old_run(first, second, tmp_path, monkeypatch):
    measured = _files(write_run(second, tmp_path / "measure"))
    sizes = sum(len(v) for k, v in measured.items() if k not in ("model.onnx", "model.pt"))
    out = write_run(first, tmp_path / "measure")
    before = _files(out)
    with monkeypatch.context() as patch:
        _no_space_after(sizes + 5, patch)  # project, weights and metrics fit; the models do not
        with pytest.raises(OSError):
            write_run(second, out)
    assert _files(out) == before and _siblings(out) == []


def test_a_run_killed_half_way_leaves_the_old_run_and_the_next_run_cleans_up(first, second, tmp_path):
    out = write_run(first, tmp_path / "run")
    before = _files(out)
    script = textwrap.dedent(
        f"""
        import os
        import engine.store
        from engine.run_folder import write_run
        from engine.spec.project import Project
        from engine.train import Trainer
        from tests.conftest import tiny_project

        def killed(*args, **kwargs):
            os._exit(9)  # like SIGKILL: no cleanup runs

        engine.store.save_weights = killed
        write_run(Trainer(Project.from_dict(tiny_project())), {str(out)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 9, result.stderr[-1500:]
    (left,) = _siblings(out)
    assert left.startswith(".run.tmp-") and (tmp_path / left / "project.json").is_file()
    assert _files(out) == before  # project.json of the killed run never reached the run folder
    write_run(second, out)
    assert _siblings(out) == []
    assert b'"seed": 2' in (out / "project.json").read_bytes()


def test_a_run_moved_away_by_a_killed_swap_is_brought_back(first, tmp_path):
    """Killed between the two renames of the fallback swap: the old run sits at .run.old-<pid>."""
    out = write_run(first, tmp_path / "run")
    before = _files(out)
    dead = _dead_pid()
    os.rename(out, tmp_path / f".run.old-{dead}")
    (tmp_path / f".run.tmp-{dead}").mkdir()
    clean_siblings(out)
    assert _files(out) == before and _siblings(out) == []


def test_a_replaced_run_folder_keeps_its_permissions(first, tmp_path):
    out = write_run(first, tmp_path / "run")
    os.chmod(out, 0o750)
    write_run(first, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_a_live_writers_siblings_are_left_alone(first, tmp_path):
    out = write_run(first, tmp_path / "run")
    busy = tmp_path / f".run.tmp-{os.getppid()}"
    busy.mkdir()
    write_run(first, out)
    assert _siblings(out) == [busy.name]


def test_a_folder_with_other_files_is_refused_and_left_alone(first, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (out / "project.json").write_text("{}")
    with pytest.raises(SpecError, match=r"holds files that are not part of a run \(notes.txt\)"):
        check_writable(out)
    with pytest.raises(SpecError, match="not part of a run"):
        write_run(first, out)
    assert _files(out) == {"notes.txt": b"keep me", "project.json": b"{}"}
    assert _siblings(out) == []


def test_the_working_folder_is_never_replaced(first, tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    monkeypatch.chdir(out)
    with pytest.raises(SpecError, match="working folder"):
        write_run(first, Path("."))
    assert list(out.iterdir()) == []


def test_an_empty_folder_and_a_symlinked_run_folder_are_written(first, second, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert sorted(_files(write_run(first, empty))) == sorted(RUN_FILES)
    real = write_run(first, tmp_path / "runs" / "r1")
    link = tmp_path / "latest"
    link.symlink_to(real, target_is_directory=True)
    write_run(second, link)
    assert link.is_symlink() and b'"seed": 2' in (real / "project.json").read_bytes()
    assert _siblings(real) == []


def test_check_writable_fails_early_with_the_errno_and_leaves_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError):
        check_writable(blocker)
    with pytest.raises(NotADirectoryError):
        check_writable(blocker / "sub" / "run")
    with pytest.raises(OSError) as info:
        check_writable(tmp_path / ("n" * 300))
    assert info.value.errno == errno.ENAMETOOLONG
    with monkeypatch.context() as patch:
        _no_space_after(0, patch)
        with pytest.raises(OSError) as info:
            check_writable(tmp_path / "new" / "run")
    assert info.value.errno == errno.ENOSPC
    assert [p.name for p in tmp_path.iterdir()] == ["file"]  # the folders it made are gone again
    check_writable(tmp_path / "new" / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "new"]  # the parent a run needs
    assert list((tmp_path / "new").iterdir()) == []
