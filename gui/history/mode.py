"""Looking back through the run in the window, and branching from a past epoch.

A mixin of MainWindow. While paused, the history bar's epoch goes to the session, which answers
with that epoch's map, unit maps, weights and metrics (a HistoryView); every view shows it, the
curves get a cursor there and epochLabel says which epoch it is. Any new frame (Play, Step, a
setting) shows the run as it is again. A branch becomes a comparison of the run and its branch.
"""

from __future__ import annotations

from gui.compare.family_keys import keys_for
from gui.compare.variants import VariantError, build_variants, key_named, read_values
from gui.history.bar import HistoryBar
from gui.run_status import summary_text


class HistoryScrub:
    """historyBar, its slider (`historySlider`), and what the views show of a past epoch."""

    def _build_history_bar(self) -> HistoryBar:
        self.historyBar = bar = HistoryBar()
        self.historySlider = bar.historySlider
        self.history_view = None  # the HistoryView on screen, or None when the views are live
        bar.epochPicked.connect(self._ask_for_epoch)
        bar.latestPicked.connect(self._show_latest)
        bar.branchRequested.connect(self._branch_from_shown)
        return bar

    def _follow_run(self, epoch: int, running: bool) -> None:
        """A frame of the run as it is: the views are live again, the slider spans its epochs."""
        if self.history_view is not None:
            self.history_view = None
            self.curvesView.set_cursor(None)
        self.historyBar.set_state(epoch, running)

    def _history_off(self, _infos=None) -> None:
        """Compare mode (a branch included) has its own views: the bar waits for one run again."""
        self.history_view = None
        self.curvesView.set_cursor(None)
        self.historyBar.set_state(0, running=False, usable=False)

    def _ask_for_epoch(self, epoch: int) -> None:
        if not self.running and self.run_info is not None:
            self.training.send("show_epoch", (self.run_info.run_id, int(epoch)))

    def _on_history_shown(self, view) -> None:
        info = self.run_info
        if not self._from_current_session() or info is None or view.generation != info.generation:
            return
        if self.running or view.requested != self.historyBar.shown:
            return  # the slider has moved on (or training resumed) since this was asked for
        self.history_view = view
        self._show_probe(view.probe, view.snapshot)  # gui/family_views.py
        probe = view.probe
        if probe is not None and self._draws_network(probe):
            self.networkView.set_probe(probe, info.layer_infos)
        self.curvesView.set_cursor(view.epoch)
        self.epochLabel.setText(f"Epoch {view.epoch:,} of {view.latest_epoch:,} (looking back)")
        self.summaryLabel.setText(summary_text(view.snapshot))

    def _show_latest(self) -> None:
        """Back to the run as it is: the last frame's pictures again."""
        frame = self.last_frame
        self.history_view = None
        self.curvesView.set_cursor(None)
        if frame is None or frame.main is None or self.run_info is None:
            return
        run = frame.main
        self._show_probe(run.probe, run.latest)
        probe = run.probe
        if probe is not None and self._draws_network(probe):
            self.networkView.set_probe(probe, self.run_info.layer_infos)
        self.epochLabel.setText(f"Epoch {run.latest.epoch:,}")
        self.summaryLabel.setText(summary_text(run.latest))
        self.historyBar.set_state(run.latest.epoch, running=False)

    def _branch_from_shown(self, key_name: str, text: str) -> None:
        """A new run from the epoch shown with one setting changed; a bad value is said in place."""
        if self.running or self.run_info is None:
            return
        keys = keys_for(self.model.project)
        try:
            values = read_values(key_name, text, keys)
            if len(values) != 1:
                raise VariantError(
                    f"{key_named(key_name, keys).title}: a branch takes one value, not {len(values)}"
                )
            ((label, overrides),) = build_variants(self.model.project, [(key_name, values)])
        except VariantError as exc:
            self.show_message(f"Cannot branch: {exc}")
            return
        epoch = self.historyBar.shown
        self.historyBar.branchButton.setChecked(False)
        self.training.send("branch", (self.run_info.run_id, epoch, f"{label} from epoch {epoch}", overrides))
