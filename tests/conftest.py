"""Shared test setup: Qt runs offscreen, torch stays on one thread, and no thread or child process
of the window outlives its test."""

import gc
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window's recent-files list and autosave must never touch the developer's own folders.
os.environ["LAYERLAB_STATE_DIR"] = tempfile.mkdtemp(prefix="layerlab-test-state-")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def no_leftover_threads_or_processes():
    """Fail a test that leaves a thread or child process of the window running.

    Such leftovers fire into deleted objects later and crash an unrelated test (a segfault far
    from its cause). The widgets pytest-qt closed are deleted here, under the test that made
    them, not in some later test's event loop.
    """
    yield
    if "gui.threads" not in sys.modules:
        return  # no window code was imported: nothing of Qt's can be left
    from PySide6.QtCore import QCoreApplication, QEvent

    from gui.threads import stop_leftovers

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
    stopped = stop_leftovers()
    assert not stopped, f"still running after the test: {', '.join(stopped)}"


def tiny_project(**training):
    """A small, fast project dict: xor, one hidden layer of 4 tanh units."""
    doc = {
        "seed": 1,
        "data": {"name": "xor", "samples": 200, "noise": 0.0},
        "network": {"layers": [{"type": "dense", "units": 4, "activation": "tanh"}]},
        "training": {"optimizer": {"name": "sgd", "lr": 0.1}, "batch_size": 10, "epochs": 20, **training},
    }
    return doc


def train_headless(path, out_dir, epochs: int = 2):
    """`python main.py train PATH --epochs N --out OUT_DIR/run`, as a user types it: the finished
    process (its exit code, stdout and stderr)."""
    import subprocess

    return subprocess.run(
        [
            sys.executable,
            "main.py",
            "train",
            str(path),
            "--epochs",
            str(epochs),
            "--out",
            str(out_dir / "run"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
