"""`python main.py screenshot PROJECT.json --epochs N --png FILE`: train N epochs, save the window.

Works offscreen (QT_QPA_PLATFORM=offscreen is chosen when there is no display).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from engine.errors import SpecError


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="main.py screenshot", description="Train, then save an image of the window."
    )
    parser.add_argument("project", help="a project file or the name of a bundled example")
    parser.add_argument(
        "--epochs", type=int, default=100, help="epochs to train before the picture (default 100)"
    )
    parser.add_argument("--png", required=True, help="where to save the image")
    parser.add_argument("--size", default="1440x900", help="window size WIDTHxHEIGHT (default 1440x900)")
    parser.add_argument("--tab", choices=("data", "network", "training"), default="network")
    args = parser.parse_args(argv)
    if args.epochs < 0:
        print(f"error: --epochs: must be 0 or more, got {args.epochs}", file=sys.stderr)
        return 2
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"error: --size: expected WIDTHxHEIGHT, got {args.size!r}", file=sys.stderr)
        return 2
    from engine.cli import load_project_arg

    try:
        project = load_project_arg(args.project, [f"training.epochs={max(args.epochs, 1)}"])
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from gui.qt_app import make_app
    from gui.session_client import start_session_early

    app = make_app()
    start_session_early()  # loads torch beside the window's own imports
    from gui.main_window import MainWindow

    window = MainWindow()
    window.model.replace(project, None)
    window.resize(width, height)
    window.panelTabs.setCurrentIndex(("data", "network", "training").index(args.tab))
    window.trainingPanel.stopAtEpochCheck.setChecked(True)  # stop at --epochs, not when paused
    window.show()
    ok = _train(app, window, args.epochs)
    saved = _save(window.grab(), args.png)
    window.shutdown()
    window.close()
    if saved:
        print(f"error: --png {args.png}: {saved}", file=sys.stderr)
        return 2
    print(f"saved {args.png} at epoch {window.epoch}" + ("" if ok else " (training stopped early)"))
    return 0


def _save(pixmap, path: str) -> str:
    """Write `pixmap` as a PNG at `path` atomically; "" when it worked, else why not."""
    from PySide6.QtCore import QBuffer, QIODevice

    from engine.store import atomic_write

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buffer, "PNG"):
        return "the window's image could not be encoded as PNG"
    try:
        atomic_write(path, bytes(buffer.data()))
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def _train(app, window, epochs: int, timeout: float = 600.0) -> bool:
    """Play until the run reaches `epochs` (or stops by itself), keeping the event loop turning."""
    deadline = time.monotonic() + timeout
    while window.run_info is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if epochs > 0:
        window.play()
    while time.monotonic() < deadline:
        app.processEvents()
        frame = window.last_frame
        if frame is not None and frame.main.latest.epoch >= epochs and not frame.running:
            break
        if frame is not None and frame.main.status in ("diverged", "early_stopping"):
            break
        time.sleep(0.005)
    for _ in range(20):  # let the last frame paint
        app.processEvents()
        time.sleep(0.01)
    return window.epoch >= epochs
