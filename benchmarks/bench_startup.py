"""Start-up wall times (issue 13): the headless `train` command, and the window until it can play.

    OMP_NUM_THREADS=1 python benchmarks/bench_startup.py [--runs 5] [--root DIR] [--skip-window]

CLI: `python main.py train EXAMPLE --epochs 1` from process start to exit, after one unmeasured run
(warm disk cache, numba's cache written). Window: `python main.py spiral` offscreen, from process
start to (a) the main window shown and (b) its session ready: the run built in the training process
and its first frame drawn (run_info and last_frame set), when Play would start training at once.
Medians of --runs. --root measures another checkout (e.g. an unmodified copy) the same way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs gui.app.main as `python main.py spiral` does; a timer started where main() calls
# calm_garbage_collector (right after window.show()) reports when the session is ready, then quits.
WINDOW_DRIVER = r"""
import sys, time
T0 = float(sys.argv[1])
import gui.app as app_module
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

calm = app_module.calm_garbage_collector

def shown_then_poll():
    calm()
    shown = time.time() - T0
    from gui.main_window import MainWindow
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))

    def poll():
        if window.run_info is None or window.last_frame is None:
            return
        timer.stop()
        print(f"WINDOW shown={shown:.3f} ready={time.time() - T0:.3f}", flush=True)
        window.confirm_discard = lambda *a: "discard"
        window.close()
        QApplication.instance().quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(10)
    app_module._bench_timer = timer

app_module.calm_garbage_collector = shown_then_poll
sys.exit(app_module.main(["spiral"]))
"""


def cli_once(root: Path, example: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "main.py", "train", example, "--epochs", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"train {example} failed in {root}: {result.stderr.strip()[-500:]}")
    return wall


def window_once(root: Path) -> tuple[float, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-c", WINDOW_DRIVER, repr(t0)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in proc.stdout:  # the session child inherits stdout: read the line, not to EOF
            if line.startswith("WINDOW "):
                fields = dict(part.split("=") for part in line.split()[1:])
                return float(fields["shown"]), float(fields["ready"])
        raise SystemExit("the window driver exited without reporting")
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def median(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--examples", nargs="+", default=["spiral", "xor"])
    parser.add_argument("--skip-window", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    root = args.root.resolve()
    print(f"checkout: {root}")
    for example in args.examples:
        cli_once(root, example)  # warm: disk cache, numba cache
        walls = [cli_once(root, example) for _ in range(args.runs)]
        print(f"train {example} --epochs 1: {median(walls)}")
    if not args.skip_window:
        window_once(root)
        shown, ready = zip(*(window_once(root) for _ in range(args.runs)), strict=True)
        print(f"window shown:       {median(list(shown))}")
        print(f"window ready (play): {median(list(ready))}")


if __name__ == "__main__":
    main()
