"""Project and weight files: atomic saves keep the old file on failure; loads refuse bad files clearly."""

import errno
import json
import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from engine.errors import SpecError
from engine.spec.project import Project
from engine.store import (
    atomic_write,
    atomic_write_many,
    is_temp_name,
    load_project,
    load_weights,
    save_project,
    save_weights,
)


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


def _dead_pid() -> int:
    """The pid of a process that has exited (a killed writer's, as far as its temp files can tell)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _no_space_after(limit: int, monkeypatch) -> None:
    """os.write on files takes `limit` bytes in all, then fails like a full disk (ENOSPC)."""
    real = os.write
    left = [limit]

    def write(fd, data):
        if fd <= 2:
            return real(fd, data)
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = real(fd, bytes(data[: left[0]]))
        left[0] -= n
        return n

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_is_an_oserror_that_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "w.bin"
    atomic_write(path, b"old")
    _no_space_after(1000, monkeypatch)
    with pytest.raises(OSError) as info:
        atomic_write(path, b"x" * 5000)
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["w.bin"]


def test_files_written_together_are_replaced_together_or_not_at_all(tmp_path, monkeypatch):
    a, b = tmp_path / "project.json", tmp_path / "weights.safetensors"
    atomic_write_many({a: b"old a", b: b"old b"})
    _no_space_after(100, monkeypatch)  # the first file fits, the second does not
    with pytest.raises(OSError):
        atomic_write_many({a: b"new a", b: b"n" * 1000})
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.json", "weights.safetensors"]


def test_a_rewrite_keeps_only_read_write_bits(tmp_path):
    path = tmp_path / "p.json"
    path.write_bytes(b"{}")
    os.chmod(path, 0o6755 | stat.S_ISVTX)  # setuid, setgid, sticky and execute bits
    atomic_write(path, b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    os.chmod(path, 0o600)
    atomic_write(path, b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the user's own choice of rw bits stays


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "project.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    os.chmod(real, 0o4755)
    link = tmp_path / "project.json"
    link.symlink_to(real)
    save_project(Project.from_dict({"seed": 3}), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_project(real).seed == 3
    assert stat.S_IMODE(real.stat().st_mode) == 0o644  # never setuid or executable
    assert sorted(p.name for p in real.parent.iterdir()) == ["project.json"]


def test_the_next_write_removes_temp_files_a_killed_writer_left(tmp_path):
    dead = _dead_pid()
    stale = [
        tmp_path / f".model.onnx.layerlab-{dead}.abcd1234.tmp",
        tmp_path / f".project.json.layerlab-{dead}.zz_9zz9z.tmp",
    ]
    live = tmp_path / f".metrics.csv.layerlab-{os.getppid()}.abcd1234.tmp"  # a writer that still runs
    old_style = tmp_path / ".model.k2j4h5g6.tmp.pt"  # pid-less, as older versions named them
    young_old_style = tmp_path / ".model.a1b2c3d4.tmp.onnx"
    # Not names we make, however old: other programs' temp files in the user's folder stay.
    users = [
        tmp_path / ".hidden.tmp",
        tmp_path / "notes.abcd1234.tmp",
        tmp_path / ".report.abcd1234.tmp",
        tmp_path / f".thesis.docx.{dead}.abcd1234.tmp",
    ]
    for path in (*stale, live, old_style, young_old_style, *users):
        path.write_bytes(b"partial")
    an_hour_ago = time.time() - 3600
    for path in (old_style, *users):
        os.utime(path, (an_hour_ago, an_hour_ago))
    atomic_write(tmp_path / "other.txt", b"new")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(p.name for p in (live, young_old_style, *users, tmp_path / "other.txt"))
    assert is_temp_name(live.name) and not any(is_temp_name(p.name) for p in users)


def test_a_name_at_the_file_system_limit_still_gets_a_temp_file(tmp_path):
    path = tmp_path / ("n" * 250 + ".json")
    atomic_write(path, b"{}")
    assert path.read_bytes() == b"{}" and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_project_saved_with_a_byte_order_mark_loads(tmp_path):
    """Windows editors (Notepad) start UTF-8 files with a byte-order mark."""
    path = tmp_path / "bom.layerlab.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"seed": 4}).encode())
    assert load_project(path).seed == 4

    from engine.cli import load_project_arg

    assert load_project_arg(str(path), []).seed == 4
