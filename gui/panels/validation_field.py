"""The Data panel's Validation field: data.validation_fraction as a percentage, "auto" at 0 %.

Early stopping decides on this split, so the test split's figures stay an honest estimate; the
field says what "auto" means for the project as it stands (none, or a fifth of the training share).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QSpinBox
from superqt.utils import signals_blocked

from engine.data import validation_share
from gui.widgets.param_form import tag

TIP = (
    "Share of all points held out of the training share as a validation split. Early stopping "
    "watches it to decide when to stop, so the test split is never used for any decision and its "
    "figures stay an honest estimate. auto: no validation split, or a fifth of the training share "
    "while early stopping is on."
)


def auto_text(value: float | str, train_fraction: float, early_stopping: bool) -> str:
    """What the field shows at 0 %: what "auto" resolves to now, or "none" for an explicit 0."""
    if value != "auto":
        return "none"
    share = validation_share("auto", train_fraction, early_stopping)
    return f"auto ({share:.0%})" if share else "auto (none)"


class ValidationSpin(QSpinBox):
    """0–90 % of all points; 0 % is "auto". Emits `fractionChosen` with "auto" or a fraction."""

    fractionChosen = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        tag(self, "validationSpin", "Validation share", TIP)
        self.setRange(0, 90)
        self.setSingleStep(5)
        self.setSuffix(" %")
        self.setKeyboardTracking(False)
        self.valueChanged.connect(self._on_value_changed)

    def show_fraction(self, value: float | str, train_fraction: float, early_stopping: bool) -> None:
        """Show the project's value without emitting fractionChosen."""
        with signals_blocked(self):
            self.setSpecialValueText(auto_text(value, train_fraction, early_stopping))
            self.setValue(0 if value == "auto" else round(float(value) * 100))

    def _on_value_changed(self, percent: int) -> None:
        value: Any = "auto" if percent == 0 else percent / 100
        self.fractionChosen.emit(value)
