"""Compare mode in the window: 8 runs' maps refreshing live, and the event loop's lag meanwhile.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_compare_window.py [--seconds 8] [--example spiral]

Opens the window on an example, starts a comparison of 8 learning rates (compare mode's setup row,
as a learner would), plays, and reports over `--seconds`:
  - frames painted per second by each run's decision map (the slowest map and the median),
  - the window's event-loop lag: a 10 ms timer records how late each tick fires (p50/p99),
  - epochs/s per run,
  - the GUI thread's time on a core and waiting for one (Linux): on a shared machine the lag is
    mostly the wait, which no change to the window shortens.
Issue 9's target: every map ≥ 10 frames/s with lag p99 < 20 ms. The figures are measured here,
nothing is compared with a recorded number.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from engine.cli import load_project_arg  # noqa: E402

RATES = "0.003, 0.01, 0.03, 0.1, 0.3, 1, 0.02, 0.05"
SCHEDSTAT = Path("/proc/thread-self/schedstat")  # ns on a core, ns runnable but waiting for one


def _core_times() -> tuple[float, float] | None:
    """The calling thread's seconds on a core and waiting for one, where Linux says them."""
    try:
        on_core, waiting = SCHEDSTAT.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return int(on_core) / 1e9, int(waiting) / 1e9


def main() -> int:
    from bench_window import PaintCounter
    from PySide6.QtCore import QElapsedTimer, QTimer
    from window_harness import open_window, run_for

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--example", default="spiral")
    args = parser.parse_args()
    window = open_window(load_project_arg(args.example, ["training.epochs=1000000"]))
    window.compareButton.click()
    view = window.compareView
    view.keyCombo.setCurrentIndex(view.keyCombo.findData("lr"))
    view.valuesEdit.setText(RATES)
    view.startButton.click()
    while not window.comparing:
        run_for(50)
    counters = {run_id: PaintCounter(map_view) for run_id, map_view in view.maps.views.items()}
    lags: list[float] = []
    clock, ticker, last = QElapsedTimer(), QTimer(), [0]

    def tick():
        now = clock.elapsed()
        lags.append(max(0, now - last[0] - 10))
        last[0] = now

    ticker.setInterval(10)
    ticker.timeout.connect(tick)
    window.play()
    run_for(1500)  # warm-up
    paints0 = {run_id: c.filter.count for run_id, c in counters.items()}
    epochs0 = {run_id: s.epoch for run_id, s in window.compare_stats.items()}
    clock.start()
    ticker.start()
    start, cores0 = time.perf_counter(), _core_times()
    run_for(int(args.seconds * 1000))
    elapsed, cores1 = time.perf_counter() - start, _core_times()
    ticker.stop()
    window.pause()
    fps = [(c.filter.count - paints0[r]) / elapsed for r, c in counters.items()]
    rates = [(s.epoch - epochs0[r]) / elapsed for r, s in window.compare_stats.items()]
    lag = np.asarray(lags[1:] or [0.0])
    print(f"compare mode, {len(counters)} runs of {args.example} (learning rates {RATES}), {elapsed:.1f} s:")
    print(f"  map frames/s:  slowest {min(fps):.1f}, median {np.median(fps):.1f}")
    print(f"  event-loop lag: p50 {np.percentile(lag, 50):.1f} ms, p99 {np.percentile(lag, 99):.1f} ms")
    print(f"  epochs/s per run: median {np.median(rates):,.0f}")
    if cores0 is not None and cores1 is not None:
        on_core, waiting = (b - a for a, b in zip(cores0, cores1, strict=True))
        print(f"  GUI thread: {on_core / elapsed:.0%} on a core, {waiting / elapsed:.0%} waiting for one")
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
