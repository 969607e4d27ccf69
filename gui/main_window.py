"""The Layerlab window: editing panels on the left, the network in the middle, results on the right.

Data flow: panels edit the ProjectModel -> the window sends the new project to the training
thread (rebuild for data/network, live update for training settings) -> the thread answers with
RunInfo and throttled Frames -> the views repaint from those plain-numpy records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.diagnostics import chance_level
from engine.errors import SpecError
from engine.inspect import InspectProbe
from engine.metrics import MetricsLog, family_columns
from engine.spec.project import Project
from gui.compare.mode import CompareWindow
from gui.family_views import FamilyViews
from gui.history.mode import HistoryScrub
from gui.lesson_browser import LessonWindow
from gui.menus import build_menus
from gui.panels import BuilderPanel, DataPanel, TrainingPanel
from gui.plot_menus import release_plot_menus
from gui.preset_switch import build_fix, keep_trainable
from gui.project_files import ProjectFiles, default_project
from gui.project_model import ProjectModel
from gui.run_status import RunMessages, summary_text
from gui.session_client import Frame, RunFrame, RunInfo
from gui.session_recovery import SessionRecovery
from gui.status_line import StatusLine
from gui.trained_state import TrainedState
from gui.training_controls import TrainingControls
from gui.view_pacer import ViewPacer
from gui.views import CurvesView, GradientFlowView, NetworkView, OutputPanel
from gui.views.histograms import HistogramView
from gui.widgets.fit_scroll import CurrentPageStack, FitScrollArea, pair_columns

AUTOSAVE_MS = 60_000
PANELS_MIN_WIDTH = 330  # the editing tabs: a layer card's widest row
FIT_WIDTH = 1024  # the narrowest screen the window fits without cutting a panel (its columns scroll)
COLUMN_TALLEST = 420  # a shorter window scrolls the column rather than cutting its lower box


class MainWindow(
    CompareWindow,
    FamilyViews,
    HistoryScrub,
    LessonWindow,
    TrainedState,
    ProjectFiles,
    SessionRecovery,
    RunMessages,
    TrainingControls,
    StatusLine,
    QMainWindow,
):
    """`MainWindow()` opens the spiral example; `MainWindow(path)` a project file."""

    def __init__(self, path: str | Path | None = None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.resize(1440, 900)
        # Dialog hooks: tests replace these to answer without a modal loop.
        self.confirm_discard: Callable[[str], str] = self._ask_discard  # -> "save" | "discard" | "cancel"
        self.ask_restore: Callable[[str], bool] = self._ask_restore
        self._opened_path: Path | None = None
        self._startup_error = ""
        # Parented: the model's connections hold lambdas over the window, and a parentless model
        # kept every closed window alive through them.
        self.model = ProjectModel(default_project() if path is None else self._load_or_default(path), self)
        if path is not None and self._opened_path is not None:
            self.model.mark_saved(self._opened_path)
        self.metrics = MetricsLog()
        self.run_info: RunInfo | None = None
        self.last_frame: Frame | None = None
        self.epoch = 0
        self.view_pacer = ViewPacer(self)
        self._resume_epoch: int | None = None  # set while a new session resumes a dead one's run
        self.training = self._start_training()  # gui/session_recovery.py
        self._build_ui()
        build_menus(self)
        self.model.changed.connect(self._on_project_changed)
        self.model.dirtyChanged.connect(lambda _: self._update_title())
        self.model.pathChanged.connect(lambda _: self._update_title())
        self.model.editRejected.connect(lambda p, r: self.show_message(f"{p}: {r}"))
        # An edit the preset cannot train switches the preset, in the same edit (gui/preset_switch.py).
        self.model.adjust = keep_trainable
        self.model.adjusted.connect(lambda note: self.show_message(note, 15000))
        # An undo or redo makes a note about the edit before it stale ("Undo (Ctrl+Z) to go back").
        # (a method, not a lambda: Qt drops the connection when the window goes, and the undo
        # stack's last signals come while it is being deleted)
        self.model.undo_stack.indexChanged.connect(self._clear_adjusted_note)
        self._fix = None  # the edit behind the run panel's fix button, while one is offered
        self._chance = None  # what guessing scores on this run's training split
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave)
        self._autosave.start()
        self._update_title()
        self._send_epoch_budget()
        self._load_project_run()

    # -- construction ---------------------------------------------------------------------------
    def _load_or_default(self, path: str | Path) -> Project:
        from engine.store import load_project

        try:
            project = load_project(path)
        except SpecError as exc:
            self._startup_error = f"Could not open {path}: {exc}"
            return default_project()
        self._opened_path = Path(path)
        self._restore_run_beside(path)
        return project

    def _build_ui(self) -> None:
        self.toolbar = self._build_toolbar()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.dataPanel = DataPanel(self.model)
        self.builderPanel = BuilderPanel(self.model)
        self.trainingPanel = TrainingPanel(self.model)
        for panel in (self.dataPanel, self.builderPanel, self.trainingPanel):
            panel.message.connect(self.show_message)
        self.trainingPanel.epochBudgetChanged.connect(lambda _: self._send_epoch_budget())
        self.panelTabs = QTabWidget()
        self.panelTabs.setObjectName("panelTabs")
        self.panelTabs.addTab(self.dataPanel, "Data")
        self.panelTabs.addTab(self.builderPanel, "Network")
        self.panelTabs.addTab(self.trainingPanel, "Training")
        self.panelTabs.setCurrentWidget(self.builderPanel)
        self.panelTabs.setMinimumWidth(PANELS_MIN_WIDTH)
        self._build_lesson_tab()  # gui/lesson_browser.py: shown while the project is a lesson

        self.networkView = NetworkView()
        self.gradientView = GradientFlowView()
        self.gradientPlot = self.gradientView.plot_widget
        middle = QSplitter(Qt.Orientation.Vertical)
        from gui.views.backprop_panel import BackpropPanel  # the step-through bar over the network view

        self.backpropPanel = BackpropPanel(self.networkView, self)
        network_box = _titled(NETWORK_TITLES["points2d"], self.backpropPanel)
        self._network_title = network_box.title_label
        middle.addWidget(network_box)
        self.histogramView = HistogramView()
        self.histogramView.shownChanged.connect(self._send_view_options)
        self.layerTabs = QTabWidget()  # how the gradient flows, and how every layer's values spread
        self.layerTabs.setObjectName("layerTabs")
        self.layerTabs.addTab(self.gradientView, "Gradient flow")
        self.layerTabs.addTab(self.histogramView, "Histograms")
        middle.addWidget(_titled("Inside the layers", self.layerTabs))
        middle.setSizes([560, 300])

        output = OutputPanel()
        self.boundaryView, self.runMessage = output.boundaryView, output.runMessage
        self.showTestCheck, self.discretizeCheck = output.showTestCheck, output.discretizeCheck
        self.outputPanel = output
        output.fixClicked.connect(self._on_fix_clicked)
        output.paint.bind(self.model)  # painting edits the project: gui/views/paint_controller.py
        output.paint.message.connect(self.show_message)
        output.dataViews.sampleChosen.connect(lambda i: self.training.send("view_options", {"sample": i}))
        self.curvesView = CurvesView()
        self.lossPlot = self.curvesView.loss_plot
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(_titled("Output", output))
        curves = QWidget()
        curves_layout = QVBoxLayout(curves)
        curves_layout.setContentsMargins(0, 0, 0, 0)
        curves_layout.addWidget(self.curvesView, 1)
        curves_layout.addWidget(self._build_history_bar())
        curves_box = _titled("Loss and accuracy", curves)
        self._curves_title = curves_box.title_label
        right.addWidget(curves_box)
        right.setSizes([480, 380])
        self._build_family_views(middle, right, _titled)  # the other families' boxes, in their place

        views = QSplitter(Qt.Orientation.Horizontal)
        # The columns scroll only past the width they share: the window fits a 1024-pixel screen.
        columns = [FitScrollArea(column, 0, COLUMN_TALLEST) for column in (middle, right)]
        for column in columns:
            views.addWidget(column)
        views.setSizes([560, 520])
        views.setChildrenCollapsible(False)
        self._views_splitter = views
        # One run's views, or compare mode's page in their place (gui/compare/mode.py).
        self.viewStack = CurrentPageStack()
        self.viewStack.addWidget(views)
        self.viewStack.addWidget(self._build_compare_view())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.panelTabs)
        splitter.addWidget(self.viewStack)
        splitter.setSizes([360, 1080])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        pair_columns(*columns, FIT_WIDTH - PANELS_MIN_WIDTH - splitter.handleWidth() - views.handleWidth())

        self.networkView.unitHovered.connect(self._on_unit_hovered)
        self._build_status_labels()
        if self._startup_error:
            self.show_message(self._startup_error)
        self._apply_family()

    # -- from the project -----------------------------------------------------------------------
    def _on_project_changed(self, sections: set) -> None:
        self._update_title()
        self._apply_family()
        if self._keeping_run:
            return  # a kept run's settings: the session trains that run already (gui/compare/mode.py)
        rebuild = {"model", "data", "network"}  # a new model, data or network: weights start afresh
        if self.session_lost and sections & {*rebuild, "training"}:
            # No session would hear the edit: start one on the edited project now, as a live one
            # would rebuild; it goes on from the last weights only when they still fit (training).
            self._set_running(False)
            self._ensure_session(resume=not sections & rebuild)
        elif sections & rebuild:
            self._set_running(False)
            self._load_project_run()
        elif "training" in sections:
            self.training.trainingChanged.emit(self.model.project)

    # -- from the training thread ---------------------------------------------------------------
    def _on_rebuilt(self, info: RunInfo) -> None:
        if not self._from_current_session():
            return
        self.view_pacer.cancel()  # views of the previous run must not be drawn over the new one
        self._forget_run_line()
        self._compare_rebuilt()
        self.run_info = info
        self.curvesView.clear()
        self._send_view_options()  # a replacement session must measure what this one did
        if info.metrics is not None:  # a run that trained already: restored, or kept from a comparison
            self.metrics = info.metrics
            self.gradientView.clear()
            self.histogramView.clear()
            self._resume_epoch = None
        elif self._resume_epoch is None:
            self.metrics = MetricsLog(family_columns(self.family))
            self.gradientView.clear()
            self.histogramView.clear()
        else:  # a new session goes on from the dead one's last weights: so do the curves
            self.metrics.truncate(self._resume_epoch)
            self.gradientView.truncate(self._resume_epoch)
            self._resume_epoch = None
        self._rebuilt_family()
        self._network_title.setText(NETWORK_TITLES.get(info.dataset.kind, NETWORK_TITLES["other"]))
        self.curvesView.set_task(info.head.classification)
        self.outputPanel.set_run(info)
        self._fix = None
        # Guessing is judged by a supervised loss: the perceptron has none, the autoencoder no targets.
        supervised = self.family == "mlp"
        self._chance = chance_level(info.head, info.dataset.y_train) if supervised else None
        self.gradientView.chance_loss = self._chance.loss if self._chance is not None else None
        self._send_epoch_budget()  # a replacement session must stop (or not) as this one did
        self.builderPanel.show_check(list(info.layer_infos), None, info.head)
        self.deviceLabel.setText(f"{info.backend} on {info.device}")
        self._set_trainable(True)
        self._set_running(False)

    def _on_frame(self, frame: Frame) -> None:
        if not self._from_current_session():
            return
        try:
            self._show_frame(frame)
        finally:
            self.training.worker.frame_consumed()

    def _show_frame(self, frame: Frame) -> None:
        if self.run_info is None or frame.generation != self.run_info.generation:
            return  # a frame from a run that has since been rebuilt
        run = frame.main
        if run is None:
            self._show_compare_frame(frame)  # a comparison's frame
            return
        self.last_frame = frame
        for snap in run.snapshots:
            self.metrics.append(snap)
            self.gradientView.record(snap)
        self.histogramView.record(run.histograms)
        latest = run.latest
        if not frame.running:
            # While training, the plots keep headroom for epochs to come; a still picture fits tightly,
            # so the loss and gradient plots of the same epochs show the same range.
            self.curvesView.refit()
            self.gradientView.refit()
        self.view_pacer.schedule(frame.running, self._busy_views(run))  # see gui/view_pacer.py
        self._show_probe(run.probe, latest, paced=True)  # the pacer draws the pictures (gui/family_views.py)
        self.epoch = latest.epoch
        self.epochLabel.setText(f"Epoch {latest.epoch:,}")
        self.rateLabel.setText(f"{frame.epochs_per_second:,.0f} epochs/s" if frame.running else "")
        self.summaryLabel.setText(summary_text(latest))
        self._follow_run(latest.epoch, frame.running)
        stopped = frame.command_id == self.training.command_id and self.running and not frame.running
        if frame.command_id == self.training.command_id and frame.running != self.running:
            self._set_running(frame.running)  # the session stopped by itself (end, early stop, divergence)
        self._show_run_state(run, frame.running, stopped)

    def _busy_views(self, run: RunFrame) -> dict:
        """The busy views with something to show, each with its repaint as parts."""
        views, probe = {}, run.probe
        if isinstance(probe, InspectProbe):  # 5 a second, not every frame: first in line when it comes
            data = probe
            views["data"] = lambda: [lambda: self.outputPanel.dataViews.show_probe(data)]
            probe = None  # the network view draws the layer diagram, without unit maps
        if len(self.metrics):
            views["curves"] = lambda: self.curvesView.update_steps(self.metrics)
        views["gradients"] = self.gradientView.redraw_steps
        if run.histograms is not None:
            views["histograms"] = lambda: [self.histogramView.redraw]
        infos = self.run_info.layer_infos
        if self._draws_network(probe):
            views["network"] = lambda: [lambda: self.networkView.set_probe(probe, infos)]
        views |= self._family_busy_views(probe)  # gui/family_views.py
        return views

    def _send_view_options(self, _shown: bool = False) -> None:
        """What the data and layer views need measured (engine/session/session.py view_options)."""
        self.training.send("view_options", {"histograms": self.histogramView.isVisible()})

    def _on_build_failed(self, path: str, reason: str) -> None:
        """No run exists for the project as it stands: say why where it stays visible, and keep
        Play and Step off until an edit builds again (the previous run's views are stale)."""
        if not self._from_current_session():
            return
        text = f"{path}: {reason}" if path else reason
        self._resume_epoch = None  # nothing was resumed: the next run's curves start afresh
        self.view_pacer.cancel()
        self.run_info = None
        self.builderPanel.show_check(None, SpecError(path, reason))
        self._set_trainable(False)
        self.rateLabel.setText("")
        fix = build_fix(self.model.project, path)
        if fix is not None:
            label, mutate = fix
            fix = (label, lambda: self.model.edit(label, mutate))
        self._show_run_message(f"Cannot train this project: {text}", fix=fix)

    def _on_failed(self, path: str, reason: str) -> None:
        self.show_message(f"{path}: {reason}" if path else reason)

    def _on_exported(self, written: str, error: str) -> None:
        self.show_message(f"Exported {written}" if not error else f"Export failed: {error}", 15000)

    def _on_unit_hovered(self, hovered) -> None:
        if hovered is None:
            self.boundaryView.show_map(None)
        else:
            title, values = hovered
            self.boundaryView.show_map(values, title)

    # -- closing --------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_discard("quit"):
            event.ignore()
            return
        self.shutdown()
        self.release_recovery()  # saved or discarded on purpose: nothing is left to recover
        event.accept()

    def shutdown(self) -> None:
        """Stop training and join the thread (idempotent)."""
        self._closing = True
        self._autosave.stop()
        self.view_pacer.cancel()
        self.training.stop()
        release_plot_menus(self)


# The network box says what it draws: unit maps over a plane, or the layers one box each.
NETWORK_TITLES = {
    "points2d": "Network: every unit's output over the input plane (hover one)",
    "other": "Network: its layers, each one's output shape and parameters",
}


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 2, 4, 2)
    label = QLabel(title)
    label.setStyleSheet("QLabel { font-weight: 600; color: #3c4043; }")
    label.setWordWrap(True)  # a long title wraps: unwrapped, it set the column's (and window's) minimum width
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    box.title_label = label
    return box
