"""Training speed with the window open, against headless training of the same project.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py [--seconds 8] [--example spiral]

Reports, for one example project:
  - headless epochs/s (Trainer.run in this process, no window),
  - epochs/s with the window open and training (worker thread + live views), and their ratio,
  - the window's event-loop lag: a 10 ms timer records how late each of its ticks fires (p50/p99),
  - boundary frames painted per second (paint events of the decision-map view).
Both speeds are measured in the same process, one after the other, so a busy machine shifts both.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine.cli import load_project_arg  # noqa: E402
from engine.train import Trainer  # noqa: E402

PLAYGROUND_PAGE_EPOCHS_PER_S = 20.0  # TF Playground redrawing every epoch on this machine kind


def headless_rate(project, seconds: float) -> float:
    torch.set_num_threads(1)
    trainer = Trainer(project)
    for _ in range(20):  # warm-up
        trainer.run_epoch()
    start, epoch0 = time.perf_counter(), trainer.epoch
    while time.perf_counter() - start < seconds:
        trainer.run_epoch()
    return (trainer.epoch - epoch0) / (time.perf_counter() - start)


class PaintCounter:
    """Counts paint events of one widget's viewport."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def __init__(self):
                super().__init__()
                self.count = 0

            def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
                if event.type() == QEvent.Type.Paint:
                    self.count += 1
                return False

        self.filter = Filter()
        widget.viewport().installEventFilter(self.filter)


def window_rate(project, seconds: float) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from window_harness import open_window, run_for

    window = open_window(project)
    paints = PaintCounter(window.boundaryView)
    lags: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)
    last = [0]

    def tick():
        now = clock.elapsed()
        lags.append(max(0, now - last[0] - 10))
        last[0] = now

    ticker.timeout.connect(tick)
    window.play()
    run_for(1000)  # warm-up
    epoch0, paints0 = window.epoch, paints.filter.count
    clock.start()
    ticker.start()
    start = time.perf_counter()
    run_for(int(seconds * 1000))
    elapsed = time.perf_counter() - start
    ticker.stop()
    epochs = window.epoch - epoch0
    frames = paints.filter.count - paints0
    window.pause()
    window.shutdown()
    window.close()
    lag = np.asarray(lags[1:] or [0.0])
    return {
        "epochs_per_s": epochs / elapsed,
        "boundary_fps": frames / elapsed,
        "lag_p50_ms": float(np.percentile(lag, 50)),
        "lag_p99_ms": float(np.percentile(lag, 99)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--example", default="spiral")
    args = parser.parse_args()
    project = load_project_arg(args.example, ["training.epochs=1000000"])
    headless = headless_rate(project, args.seconds)
    window = window_rate(project, args.seconds)
    print(f"example: {args.example}  (backend chosen automatically)")
    print(f"headless:          {headless:8.0f} epochs/s")
    print(
        f"window, training:  {window['epochs_per_s']:8.0f} epochs/s  ratio {window['epochs_per_s'] / headless:.2f}"
        f"  ({window['epochs_per_s'] / PLAYGROUND_PAGE_EPOCHS_PER_S:.0f}x TF Playground's ~20 epochs/s)"
    )
    print(f"event-loop lag:    p50 {window['lag_p50_ms']:.1f} ms, p99 {window['lag_p99_ms']:.1f} ms")
    print(f"boundary frames:   {window['boundary_fps']:.1f} per second (100x100 grid)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
