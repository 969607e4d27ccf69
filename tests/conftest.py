"""Shared test setup: Qt runs offscreen, torch stays on one thread, and no QThread outlives its test."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window's recent-files list and autosave must never touch the developer's own folders.
os.environ["LAYERLAB_STATE_DIR"] = tempfile.mkdtemp(prefix="layerlab-test-state-")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def no_running_qthreads(request):
    """Fail a test that leaves a QThread running: such threads abort pytest at teardown."""
    yield
    if "qtbot" not in request.fixturenames:
        return
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    running = [t for t in app.findChildren(QThread) if t.isRunning()]
    for thread in running:
        thread.quit()
        thread.wait(2000)
    assert not running, f"{len(running)} QThread(s) still running after the test"


def tiny_project(**training):
    """A small, fast project dict: xor, one hidden layer of 4 tanh units."""
    doc = {
        "seed": 1,
        "data": {"name": "xor", "samples": 200, "noise": 0.0},
        "network": {"layers": [{"type": "dense", "units": 4, "activation": "tanh"}]},
        "training": {"optimizer": {"name": "sgd", "lr": 0.1}, "batch_size": 10, "epochs": 20, **training},
    }
    return doc
