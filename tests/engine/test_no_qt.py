"""The engine never imports Qt: the window is a view onto it, and the CLI runs without a screen."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys, pkgutil, importlib
import engine
for info in pkgutil.walk_packages(engine.__path__, "engine."):
    importlib.import_module(info.name)
from engine.train import Trainer
from engine.spec.project import Project
Trainer(Project.from_dict({"data": {"name": "xor", "samples": 40}})).run(epochs=1)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "superqt", "qtpy", "shiboken6"))
print(",".join(loaded))
"""


def test_importing_and_running_the_engine_loads_no_qt_module():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
