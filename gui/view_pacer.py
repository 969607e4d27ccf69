"""When the window's busy views (curves, gradient flow, network graph) repaint while training runs.

The decision map repaints with every frame (30 a second). The busy views repaint at their own calmer
pace (PERIODS), at most one of them per frame, and that repaint is put off into the gap between two
frames (DEFER_MS), one part per event-loop turn: Qt paints everything that changed in one pass, and
a busy view painted together with the map made one long turn (measured: 25-40 ms, against 5-15 ms
for each alone). When training is idle (pause, step, end) every view is drawn at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

# Seconds between repaints while training. Compare mode (gui/compare/mode.py): the maps up to 20
# times a second (a part per map), the curves and the table twice a second.
PERIODS = {
    "curves": 0.25,
    "network": 0.25,
    "gradients": 0.5,
    "compare_curves": 0.5,
    "compare_maps": 0.05,
    # The families' own pictures (gui/family_views.py): each is a busy view of its own, as the
    # autoencoder's code view drawn with every frame held the event loop for ~80 ms at p99.
    "codes": 0.2,
    "reconstructions": 0.1,
    "gan_plane": 0.1,
    "histograms": 0.5,  # gui/views/histograms.py: measured every 0.5 s at most
    "data": 0.2,  # images, sequences, tables (gui/views/data_views.py): as often as the session probes
}
DEFER_MS = 12  # a busy view repaints this long after the frame that called for it (frames: 33 ms apart)
DEFER_STEP_MS = 2  # and the next part of it this long after the previous part's paint

Steps = Callable[[], list[Callable[[], None]]]  # a view's repaint, as parts to run one per turn


class ViewPacer(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._drawn_at: dict[str, float] = {}
        self.pending: dict[str, list[Callable[[], None]]] = {}  # view -> its put-off repaint parts
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._run_next)

    def schedule(self, running: bool, views: dict[str, Steps]) -> None:
        """Repaint `views` (those with something to show) as the pace allows; in order of priority."""
        now = time.monotonic()
        if not running:  # idle: every view is drawn now, which supersedes anything put off
            self.cancel()
            for view, steps in views.items():
                self._drawn_at[view] = now
                for step in steps():
                    step()
            return
        # At most one busy view per frame: of those due, the one most overdue for its pace, so on a
        # machine too busy for many frames the curves (due every frame then) cannot starve the rest.
        overdue = {view: (now - self._drawn_at.get(view, 0.0)) / PERIODS[view] for view in views}
        due = [view for view in views if overdue[view] >= 1.0]
        if due:
            view = max(due, key=lambda v: overdue[v])  # ties: the first, in order of priority
            self._drawn_at[view] = now
            self.pending[view] = views[view]()  # replaces this view's own older parts, not another's
            if not self.timer.isActive():
                self.timer.start(DEFER_MS)

    def cancel(self) -> None:
        """Drop what is put off (a new run, or the window closing)."""
        self.timer.stop()
        self.pending = {}

    def _run_next(self) -> None:
        if self.pending:
            # Round robin: a view with parts left goes to the back of the line, so one whose
            # repaint is put off again and again (the curves, on a busy machine) cannot starve the
            # others (a GAN's plane was seen stuck at an early epoch while training ran).
            view, steps = next(iter(self.pending.items()))
            del self.pending[view]
            steps.pop(0)()
            if steps:
                self.pending[view] = steps
        if self.pending:
            self.timer.start(DEFER_STEP_MS)
