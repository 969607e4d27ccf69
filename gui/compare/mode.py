"""Compare mode in the window: variants of the project trained side by side, one of them kept.

A mixin of MainWindow. `compareButton` opens the page (gui/compare/view.py) in place of the
network and output views; Start sends the variants to the session (`compare`), which answers
with a RunInfo per run (`compare_built`, also after a branch) and then frames carrying the runs
that changed. Play, Pause and Step already act on every run of the session; Reset builds the
same comparison again. Keeping a run sends `leave_compare` and makes its overrides the project's
settings as one undoable edit, without a rebuild: the kept run goes on where it is.

While the runs train, a frame only records its news; the window's ViewPacer (gui/view_pacer.py)
draws the page in parts, one per event-loop turn: every run's map as often as its PERIODS
allow, the curves and the table twice a second. Measured with 8 runs, drawing
all of a frame at once (8 maps, 32 curves, 80 table cells, one paint of all) held the event loop
~0.1 s. A frame that says training stopped draws everything at once, so a paused comparison
shows its last state in full.
"""

from __future__ import annotations

from engine.metrics import MetricsLog, family_columns
from gui.compare.family_keys import keys_for
from gui.compare.family_terms import CompareTerms, terms_for
from gui.compare.stats import RunStats
from gui.compare.variants import (
    VariantError,
    apply_overrides,
    build_variants,
    read_values,
)
from gui.compare.view import RUN_COLORS, CompareView


class CompareWindow:
    """The compare page's state: the runs on it, their logs and table numbers."""

    def _build_compare_view(self) -> CompareView:
        self.compareView = view = CompareView()
        self.compareTable = view.table
        self.compareTarget = view.targetSpin
        self.keepRunButton = view.keepButton
        self.compare_runs: dict = {}  # run id -> RunInfo while comparing
        self.compare_logs: dict[str, MetricsLog] = {}
        self.compare_stats: dict[str, RunStats] = {}
        self._compare_variants: list | None = None  # what Reset builds again
        self._keeping_run = False  # the kept run's overrides are being written into the project
        self._compare_target_metric = "test_accuracy"  # set per comparison: what the target is on
        self._compare_terms: CompareTerms | None = None  # the family's metrics, plots and ranking
        self._compare_resolved = False  # the ranking metric is one the runs report (the first frame says)
        view.startRequested.connect(self._start_compare)
        view.cancelRequested.connect(self._close_compare_page)
        view.keepRequested.connect(self._keep_run)
        view.fixRequested.connect(self._compare_with_standard_preset)
        view.targetChanged.connect(lambda _: self._refresh_compare_table())
        return view

    def _compare_failed(self, path: str, reason: str) -> None:
        """The session refused the comparison: say so on the setup row, where the learner looks."""
        if not self.comparing and self.viewStack.currentWidget() is self.compareView:
            where = f"{path}: " if path else ""
            self.compareView.show_error(f"Cannot compare: {where}{reason}", self._preset_refused(reason))

    def _preset_refused(self, reason: str) -> bool:
        return self.model.project.training.preset == "playground" and "playground preset" in reason

    def _compare_with_standard_preset(self) -> None:
        """The one-click fix: the standard algorithm (one undoable edit), then the same comparison."""
        if self.model.edit(
            "Use the standard algorithm", lambda doc: doc["training"].update(preset="standard")
        ):
            self._start_compare(self.compareView.picks())

    @property
    def comparing(self) -> bool:
        return bool(self.compare_runs)

    def open_compare(self) -> None:
        """Show the setup row; nothing changes until Start."""
        if self.comparing:
            return
        self.pause()
        self.compareView.set_keys(keys_for(self.model.project))
        self.compareView.set_comparing(False)
        self.compareView.show_error("")
        self.viewStack.setCurrentWidget(self.compareView)

    def _close_compare_page(self) -> None:
        self.compare_runs, self.compare_logs, self.compare_stats = {}, {}, {}
        self.compareView.set_comparing(False)
        self.viewStack.setCurrentIndex(0)

    def _start_compare(self, picks: list) -> None:
        """`picks`: (key name, values as typed) for one setting, or two (every combination)."""
        try:
            keys = keys_for(self.model.project)
            read = [(key_name, read_values(key_name, text, keys)) for key_name, text in picks]
            variants = build_variants(self.model.project, read)
        except VariantError as exc:
            self.compareView.show_error(f"Cannot compare: {exc}", self._preset_refused(str(exc)))
            return
        self.compareView.show_error("")
        self._compare_variants = variants
        self._set_running(False)
        self.training.send("compare", variants)

    def _on_compare_built(self, infos) -> None:
        if not self._from_current_session() or not infos:
            return
        self.view_pacer.cancel()
        first = infos[0]
        self.run_info = first  # frames of this generation are the comparison's
        # Every run of a comparison is of the project's family (the variants vary its settings).
        family = self.model.project.model.family
        head = first.head
        classification = bool(getattr(head, "classification", False))
        has_test = first.dataset is not None and len(first.dataset.x_test) > 0
        terms = terms_for(family, classification, has_test)
        self._compare_terms, self._compare_resolved = terms, family == "mlp"
        self.compare_runs = {info.run_id: info for info in infos}
        self.compare_logs = {info.run_id: MetricsLog(family_columns(family)) for info in infos}
        self.compare_stats = {info.run_id: RunStats(terms.higher) for info in infos}
        runs = [
            (info.run_id, info.label or info.run_id, RUN_COLORS[n % len(RUN_COLORS)])
            for n, info in enumerate(infos)
        ]
        view = self.compareView
        view.run_ids = [run_id for run_id, _, _ in runs]
        view.curves.set_runs(runs, terms)
        view.maps.set_runs(runs, first.dataset, head, family)
        self._show_compare_ranking(runs)
        view.table.selectRow(0)
        view.set_comparing(True)
        self.statusBar().clearMessage()  # a refusal said before this start is no longer true
        self.viewStack.setCurrentWidget(view)
        self._set_trainable(True)
        self._set_running(False)
        self.epochLabel.setText(f"Epoch {first.epoch:,}")
        self.summaryLabel.setText(f"Comparing {len(infos)} runs")

    def _show_compare_ranking(self, runs: list | None = None) -> None:
        """The table's columns (with `runs`, a new comparison) and the target on the ranked metric."""
        terms, view = self._compare_terms, self.compareView
        metric = terms.ranked_by
        self._compare_target_metric = metric
        title = terms.ranked_title
        if runs is not None:
            view.table.set_runs(runs, terms, f"{title.capitalize()} reached")
        else:
            view.table.target_title = f"{title.capitalize()} reached"
            view.table.horizontalHeaderItem(view.table.columnCount() - 1).setText(view.table.target_title)
        accuracy = terms.kinds.get(metric) == "accuracy"
        view.set_target(f"Target {title}", terms.target_default(), accuracy, terms.ranking_text())

    def _show_compare_frame(self, frame) -> None:
        view = self.compareView
        if not self._compare_resolved and frame.runs and frame.runs[0].latest is not None:
            # The first frame says which of the family's ranking metrics its runs report.
            self._compare_terms = self._compare_terms.resolved(dict(frame.runs[0].latest.metrics))
            self._compare_resolved = True
            self._show_compare_ranking()
        for run in frame.runs:
            if run.run_id not in self.compare_runs:
                continue
            log, stats = self.compare_logs[run.run_id], self.compare_stats[run.run_id]
            for snap in run.snapshots:
                log.append(snap)
                stats.add(snap)
            view.maps.set_probe(run.run_id, run.probe)
        if not frame.running:
            view.curves.refit()
        self.view_pacer.schedule(frame.running, self._compare_busy_views())
        epoch = max((stats.epoch for stats in self.compare_stats.values()), default=0)
        self.epochLabel.setText(f"Epoch {epoch:,}")
        self.rateLabel.setText(f"{frame.epochs_per_second:,.0f} epochs/s per run" if frame.running else "")
        if frame.command_id == self.training.command_id and frame.running != self.running:
            self._set_running(frame.running)  # every run stopped by itself

    def _compare_busy_views(self) -> dict:
        """The compare page's views as ViewPacer parts, in order of priority."""
        view = self.compareView
        return {
            "compare_curves": lambda: [
                *view.curves.update_steps(self.compare_logs),
                self._refresh_compare_table,
            ],
            "compare_maps": view.maps.draw_steps,
        }

    def _refresh_compare_table(self) -> None:
        stats = {run_id: self.compare_stats[run_id] for run_id in self.compare_runs}
        if self._compare_terms is None:
            return
        order = self._compare_terms.ranking()
        self.compareTable.show_all(stats, self._compare_target_metric, self.compareTarget.value(), order)

    def _reset_comparison(self) -> None:
        """Reset while comparing: the same variants from a fresh start."""
        if self._compare_variants is None:  # a branch's comparison: back to the project itself
            self.training.loadRequested.emit(self.model.project)
            return
        self.training.send("compare", self._compare_variants)

    def _keep_run(self, run_id: str) -> None:
        info = self.compare_runs.get(run_id)
        if info is None:
            return
        self._set_running(False)
        self.training.send("leave_compare", run_id)
        if info.overrides:
            self._keeping_run = True
            try:
                self.model.edit(f"Keep run: {info.label}", lambda doc: apply_overrides(doc, info.overrides))
            finally:
                self._keeping_run = False

    def _compare_rebuilt(self) -> None:
        """A rebuilt run ends a comparison (the kept run, or an edit that built the project anew)."""
        if self.comparing or self.viewStack.currentWidget() is self.compareView:
            self._close_compare_page()
