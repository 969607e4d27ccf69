"""The window's status bar: its messages, and the device, rate and epoch labels kept at its right.
A mixin of MainWindow (gui/main_window.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class StatusLine:
    """epochLabel, rateLabel (epochs/s), lrLabel (the learning rate), deviceLabel and `show_message`."""

    def _build_status_labels(self) -> None:
        self.epochLabel = QLabel("Epoch 0")
        self.epochLabel.setObjectName("epochLabel")
        self.epochLabel.setAccessibleName("Epoch counter")
        self.rateLabel = QLabel("")
        self.rateLabel.setObjectName("rateLabel")
        self.lrLabel = QLabel("")
        self.lrLabel.setObjectName("lrLabel")
        self.lrLabel.setAccessibleName("Learning rate")
        self.deviceLabel = QLabel("")
        self.deviceLabel.setObjectName("deviceLabel")
        for label in (self.deviceLabel, self.lrLabel, self.rateLabel, self.epochLabel):
            self.statusBar().addPermanentWidget(label)

    def _clear_adjusted_note(self, _index: int = 0) -> None:
        if self.statusBar().currentMessage().startswith("Switched to the standard algorithm"):
            self.statusBar().clearMessage()

    def show_message(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text, ms)
