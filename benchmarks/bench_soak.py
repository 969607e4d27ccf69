"""Soak: train the spiral example with the window open and report resident memory over time.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_soak.py [--minutes 10]

Prints the window process's and the training process's resident memory (MB) at the start, every
minute, and at the end, with the growth (target: under 50 MB over 10 minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb(pid: int) -> float:
    """Resident set size from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--example", default="spiral")
    args = parser.parse_args()

    from window_harness import open_window, run_for

    from engine.cli import load_project_arg

    window = open_window(load_project_arg(args.example, ["training.epochs=1000000"]))
    window.play()
    run_for(5000)  # start-up settles: first frames, caches, pyqtgraph items
    child = window.training.process.pid
    start = (rss_mb(os.getpid()), rss_mb(child))
    print(f"start: window {start[0]:.1f} MB, training {start[1]:.1f} MB, epoch {window.epoch}", flush=True)
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.minutes * 60:
        run_for(int(min(60.0, args.minutes * 60 - (time.monotonic() - t0)) * 1000))
        now = (rss_mb(os.getpid()), rss_mb(child))
        print(
            f"{(time.monotonic() - t0) / 60:5.1f} min: window {now[0]:.1f} MB, training {now[1]:.1f} MB, "
            f"epoch {window.epoch:,}",
            flush=True,
        )
    end = (rss_mb(os.getpid()), rss_mb(child))
    window.pause()
    window.shutdown()
    print(
        f"growth over {args.minutes:g} min: window {end[0] - start[0]:+.1f} MB, training {end[1] - start[1]:+.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
