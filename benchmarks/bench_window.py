"""Training speed with the window open, against headless training of the same project.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py [--seconds 8] [--rounds 3] [--example spiral]
    QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py --example autoencoder_digits --example gan_ring

Reports, for each example project (--example, repeatable; any family: the trainer is build_trainer's):
  - headless epochs/s (Trainer.run_epoch in a process of its own, no Qt),
  - epochs/s with the window open and training (session process + live views), and their ratio,
  - the window's event-loop lag: a 10 ms timer records how late each of its ticks fires (p50/p99),
  - frames painted per second of the family's main view (the decision map; the autoencoder's
    reconstructions; the GAN's plane: FRAME_VIEWS).
Both speeds are measured alternating round by round (the window stays open, paused, while a
separate headless process trains), and the median over the rounds is reported: on a shared 2-core
machine one-off measurements of either drift by ±10%.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine.cli import load_project_arg  # noqa: E402
from engine.train import build_trainer  # noqa: E402

PLAYGROUND_PAGE_EPOCHS_PER_S = 20.0  # TF Playground redrawing every epoch on this machine kind
# The view whose paints count as frames, per family (the window's attribute path); the mlp's map.
FRAME_VIEWS = {
    "autoencoder": "reconstructionView.images",
    "vae": "reconstructionView.images",
    "gan": "ganView.plot_widget",
}


def headless_rate(project, seconds: float) -> float:
    """Epochs/s of a bare Trainer, set up as the window's session sets itself up (one thread)."""
    from threadpoolctl import threadpool_limits

    from engine.families.mlp.fastkernel import warm_up

    torch.set_num_threads(1)
    threadpool_limits(1)
    warm_up()
    trainer = build_trainer(project)
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


def frame_view(window, family: str):
    """The widget whose paints are the family's frames (the decision map for the mlp)."""
    view = window
    for name in FRAME_VIEWS.get(family, "boundaryView").split("."):
        view = getattr(view, name)
    return view


def window_rate(window, seconds: float) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from window_harness import run_for

    paints = PaintCounter(frame_view(window, window.model.project.model.family))
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
    run_for(300)  # the pause reaches the session before the next headless round
    lag = np.asarray(lags[1:] or [0.0])
    return {
        "epochs_per_s": epochs / elapsed,
        "boundary_fps": frames / elapsed,
        "lag_p50_ms": float(np.percentile(lag, 50)),
        "lag_p99_ms": float(np.percentile(lag, 99)),
        "lag_max_ms": float(lag.max()),
        "ticks": len(lag),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--example", action="append", help="an example project (repeatable; default spiral)")
    args = parser.parse_args()
    # Headless training runs in a process of its own, as `main.py train` would: no Qt loaded.
    headless_process = multiprocessing.get_context("spawn").Pool(1)
    for example in args.example or ["spiral"]:
        measure_example(example, args, headless_process)
    headless_process.terminate()
    return 0


def measure_example(example: str, args, headless_process) -> None:
    from window_harness import open_window

    project = load_project_arg(example, ["training.epochs=1000000"])
    window = open_window(project)
    rounds = []
    for n in range(args.rounds):
        headless = headless_process.apply(headless_rate, (project, args.seconds / 2))
        measured = window_rate(window, args.seconds)
        measured["headless"] = headless
        measured["ratio"] = measured["epochs_per_s"] / headless
        rounds.append(measured)
        print(
            f"round {n + 1}: headless {headless:5.0f}, window {measured['epochs_per_s']:5.0f} epochs/s"
            f" (ratio {measured['ratio']:.2f}), lag p99 {measured['lag_p99_ms']:5.1f} ms"
            f" (max {measured['lag_max_ms']:.0f} ms, {measured['ticks']} ticks),"
            f" {measured['boundary_fps']:4.1f} frames/s"
        )
    window.shutdown()
    window.close()

    def median(key: str) -> float:
        return float(np.median([r[key] for r in rounds]))

    def spread(key: str, fmt: str) -> str:
        values = [r[key] for r in rounds]
        return f"rounds {min(values):{fmt}}-{max(values):{fmt}}"

    view = FRAME_VIEWS.get(project.model.family, "the decision map, 100x100 grid")
    print(f"example: {example}  (backend chosen automatically), median of {len(rounds)} rounds:")
    print(f"headless:          {median('headless'):8.0f} epochs/s")
    playground = ""
    if project.model.family == "mlp":
        playground = (
            f"  ({median('epochs_per_s') / PLAYGROUND_PAGE_EPOCHS_PER_S:.0f}x TF Playground's ~20 epochs/s)"
        )
    print(f"window, training:  {median('epochs_per_s'):8.0f} epochs/s{playground}")
    print(f"ratio:             {median('ratio'):8.2f}  ({spread('ratio', '.2f')})")
    print(
        f"event-loop lag:    p50 {median('lag_p50_ms'):.1f} ms, p99 {median('lag_p99_ms'):.1f} ms"
        f"  ({spread('lag_p99_ms', '.1f')}; {sum(r['ticks'] for r in rounds)} ticks in all)"
    )
    print(
        f"frames:            {median('boundary_fps'):.1f} per second, {view} ({spread('boundary_fps', '.1f')})"
    )


if __name__ == "__main__":
    sys.exit(main())
