"""The window's training controls: the toolbar (Reset, Play/Pause, Step, speed, Compare…, the run
summary) and what Play, Pause, Step and Reset do. A mixin of MainWindow (gui/main_window.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QStyle, QToolBar

from gui.widgets.param_form import tag

SPEEDS = (
    ("1 epoch/s", 1.0),
    ("5 epochs/s", 5.0),
    ("20 epochs/s", 20.0),
    ("100 epochs/s", 100.0),
    ("As fast as possible", 0.0),
)


class TrainingControls:
    """trainingToolbar and its buttons; `running` is Play's checked state."""

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar("Training controls")
        bar.setObjectName("trainingToolbar")
        bar.setMovable(False)
        self.resetButton = tag(
            QPushButton("⟲ Reset"), "resetButton", "Reset", "Re-initialise the weights (R)"
        )
        self.playButton = tag(QPushButton("Play"), "playButton", "Play or pause", "Train / pause (Space)")
        self.playButton.setCheckable(True)
        self.playButton.setMinimumWidth(96)
        self.stepButton = tag(
            QPushButton("Step ›"), "stepButton", "Step one epoch", "Train one epoch (→ or S)"
        )
        self.speedCombo = tag(QComboBox(), "speedCombo", "Training speed", "Epochs per second while playing")
        for text, value in SPEEDS:
            self.speedCombo.addItem(text, value)
        self.speedCombo.setCurrentIndex(len(SPEEDS) - 1)
        self.compareButton = tag(
            QPushButton("Compare…"),
            "compareButton",
            "Compare runs",
            "Train up to 8 variants of this project side by side, from the same start",
        )
        self.compareButton.clicked.connect(self.open_compare)
        self.summaryLabel = QLabel("")
        self.summaryLabel.setObjectName("summaryLabel")
        self.summaryLabel.setStyleSheet("QLabel { font-size: 13px; padding-left: 12px; }")
        self.resetButton.clicked.connect(self.reset)
        self.playButton.clicked.connect(self._on_play_clicked)
        self.stepButton.clicked.connect(self.step)
        self.speedCombo.currentIndexChanged.connect(
            lambda: self.training.speedChanged.emit(float(self.speedCombo.currentData()))
        )
        for widget in (
            self.resetButton,
            self.playButton,
            self.stepButton,
            QLabel("  Speed "),
            self.speedCombo,
            self.compareButton,
            self.summaryLabel,
        ):
            bar.addWidget(widget)
        self._set_running(False)  # Play's icon and text
        return bar

    # -- controls -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.playButton.isChecked()

    def play(self) -> None:
        if not self.playButton.isEnabled():
            return
        self._ensure_session(resume=True)
        self._set_running(True)
        self.training.playRequested.emit()

    def pause(self) -> None:
        self._set_running(False)
        self.training.pauseRequested.emit()

    def toggle_play(self) -> None:
        self.pause() if self.running else self.play()

    def step(self) -> None:
        if self.stepButton.isEnabled():
            self._ensure_session(resume=True)
            self._set_running(False)
            self.training.stepRequested.emit()

    def reset(self) -> None:
        self._set_running(False)
        if self.comparing and not self.session_lost:
            self._reset_comparison()
            return
        if self.session_lost:
            self._ensure_session(resume=False)  # the new session loads the project afresh
            return
        self.training.loadRequested.emit(self.model.project)

    def _on_play_clicked(self, checked: bool) -> None:
        self.play() if checked else self.pause()

    def _set_running(self, running: bool) -> None:
        self.playButton.setChecked(running)
        # Standard icons, not glyphs: "⏸" is missing from common fonts and showed as a box.
        icon = QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        self.playButton.setIcon(self.style().standardIcon(icon))
        self.playButton.setText("Pause" if running else "Play")

    def _set_trainable(self, ok: bool) -> None:
        for button in (self.playButton, self.stepButton):
            button.setEnabled(ok)
        if not ok:
            self._set_running(False)
