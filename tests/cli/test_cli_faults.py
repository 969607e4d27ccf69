"""`train`/`export` against the operating system: unwritable targets and Ctrl-C.

Tests run as root, which chmod cannot stop, so full and read-only disks are simulated by making
the write calls raise the OSError the kernel would (ENOSPC, EROFS, ENAMETOOLONG).
"""

import errno
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from engine import cli
from tests.cli.test_cli import ROOT, run_main
from tests.conftest import tiny_project


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_project(epochs=3)))
    return path


def run_cli(capsys, *args):
    """engine.cli.main in this process (what main.py runs for these commands): code, stdout, stderr."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_exit_2(result, *fragments):
    code, out, err = result
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_out_under_a_regular_file_exits_2_before_training(project_file, tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = run_cli(capsys, "train", str(project_file), "--out", str(blocker / "run"))
    _one_line_exit_2(result, f"--out {blocker / 'run'}: {blocker} is a file, not a folder")
    result = run_cli(capsys, "train", str(project_file), "--out", str(blocker))
    _one_line_exit_2(result, f"--out {blocker}: exists and is a file, not a folder")
    assert blocker.read_text() == "not a folder"


def test_a_name_too_long_for_the_file_system_exits_2(project_file, tmp_path):
    done = run_main("train", str(project_file), "--out", str(tmp_path / ("n" * 300) / "run"))  # via main.py
    _one_line_exit_2((done.returncode, done.stdout, done.stderr), "file name too long")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.json"]


def _raise(code):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on device"),
        (errno.EROFS, "read-only file system"),
        (errno.EDQUOT, "disk quota exceeded"),
    ],
)
def test_an_unwritable_out_is_found_before_training_and_leaves_nothing(
    project_file, tmp_path, monkeypatch, capsys, code, words
):
    import engine.train

    trained = []
    monkeypatch.setattr(engine.train.Trainer, "run", lambda self, **kw: trained.append(1))
    monkeypatch.setattr(os, "fsync", _raise(code))
    out = tmp_path / "runs" / "x"
    assert cli.main(["train", str(project_file), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: --out {out}: {words}\n"
    assert not trained, "training started although --out cannot be written"
    assert not (tmp_path / "runs").exists(), "the refused --out left folders behind"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.ENAMETOOLONG])
def test_a_disk_that_fills_while_the_run_is_saved_exits_2_with_one_line(
    project_file, tmp_path, monkeypatch, capsys, code
):
    import engine.os_errors

    monkeypatch.setattr(engine.os_errors, "check_writable", lambda *a: None)  # the probe passed
    monkeypatch.setattr(os, "fsync", _raise(code))
    out = tmp_path / "run"
    assert cli.main(["train", str(project_file), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if not line.startswith("epoch ")]
    assert lines == [
        f"error: --out {out}: {engine.os_errors.describe_os_error(OSError(code, ''), '').reason}"
    ]
    assert captured.out == ""


@pytest.fixture
def run_dir(project_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert run_cli(capsys, "train", str(project_file), "--out", str(out))[0] == 0
    return out


def test_export_os_errors_exit_2_with_one_line(run_dir, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = run_cli(capsys, "export", str(run_dir), "--format", "onnx", "--out", str(blocker / "m.onnx"))
    _one_line_exit_2(result, f"--out {blocker / 'm.onnx'}:", "is a file, not a folder")
    long_name = tmp_path / ("m" * 300 + ".onnx")
    result = run_cli(capsys, "export", str(run_dir), "--format", "onnx", "--out", str(long_name))
    _one_line_exit_2(result, "file name too long")
    monkeypatch.setattr(os, "fsync", _raise(errno.ENOSPC))
    target = tmp_path / "weights"
    code = cli.main(["export", str(run_dir), "--format", "safetensors", "--out", str(target)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "no space left on device" in err, err


@pytest.mark.parametrize("deliveries", [1, 2], ids=["once", "twice at once"])
def test_ctrl_c_saves_the_last_finished_epoch_and_exits_130(project_file, tmp_path, deliveries):
    """SIGINT mid-run: a whole run folder of the epochs trained so far, one line, exit 130. The
    same interrupt delivered twice at once (GNU timeout signals the child, then its group) is
    still one Ctrl-C, not the second that quits without saving."""
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "train", str(project_file), "--epochs", "1000000"]
        + ["--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = proc.stderr.readline()  # the first progress line: training is under way
        assert first.startswith("epoch "), first
        for _ in range(deliveries):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    summary = json.loads(stdout)
    epochs = summary["epochs"]
    assert summary["stopped"] == "interrupted" and 1 <= epochs < 1_000_000
    lines = [line for line in stderr.splitlines() if line and not line.startswith("epoch ")]
    assert lines == [
        "stopping after this epoch and saving (Ctrl-C again to quit at once)",  # said at once
        f"interrupted after epoch {epochs}; saved the run so far to {out}",
    ]

    from engine.store import load_project, load_weights
    from engine.train import Trainer

    rows = (out / "metrics.csv").read_text().splitlines()
    assert len(rows) == epochs + 1 and rows[-1].startswith(f"{epochs},")
    trainer = Trainer(load_project(out / "project.json"))
    weights = load_weights(out / "weights.safetensors")
    trainer.load_state_dict(weights)
    assert all(np.isfinite(v).all() for v in weights.values())


def test_ctrl_c_before_training_starts_writes_nothing(project_file, tmp_path, monkeypatch, capsys):
    import engine.train

    def interrupted(self, project, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.train.Trainer, "__init__", interrupted)
    out = tmp_path / "run"
    assert cli.main(["train", str(project_file), "--out", str(out)]) == 130
    assert capsys.readouterr().err == "interrupted: nothing was saved\n"
    assert not out.exists()
