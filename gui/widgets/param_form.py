"""A form built from a registry Entry's parameters, plus the small widget helpers every panel shares.

Floats get a spin box that shows compact numbers (1e-08, 0.999) and, for rates that span decades,
steps along 1-3-10; refreshes go through `set_quietly`, which blocks signals so they never echo edits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from engine.spec.registry import Param, Registry


def camel(name: str) -> str:
    """`return_sequences` -> `ReturnSequences`, `sin_x1` -> `SinX1` (for objectNames)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def label_text(name: str) -> str:
    """A short form label from a parameter name: `warmup_epochs` -> `Warmup epochs`."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def scrolling_column(owner: QWidget, *groups: QWidget) -> None:
    """Give `owner` a vertically scrolling column of `groups` (a panel taller than the window)."""
    body = QWidget()
    column = QVBoxLayout(body)
    column.setContentsMargins(4, 4, 4, 4)
    for group in groups:
        column.addWidget(group)
    column.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(body)
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)


def tag(widget: QWidget, object_name: str, accessible: str = "", tip: str = "") -> QWidget:
    """Give `widget` its stable objectName, an accessible name and (optionally) a tooltip."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible or object_name)
    if tip:
        widget.setToolTip(tip)
    return widget


def fill_combo(
    combo: QComboBox, registry: Registry, names: Iterable[str], extra: Sequence[tuple] = ()
) -> None:
    """Fill `combo` with (title, name) pairs from `registry`, help as item tooltips; `extra` first."""
    with signals_blocked(combo):
        combo.clear()
        for title, data, tip in extra:
            combo.addItem(title, data)
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        for name in names:
            entry = registry[name]
            combo.addItem(entry.title, name)
            combo.setItemData(combo.count() - 1, entry.help, Qt.ItemDataRole.ToolTipRole)


def set_quietly(widget: QWidget, value: Any) -> None:
    """Show `value` in `widget` without emitting its change signals."""
    with signals_blocked(widget):
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index < 0:
                widget.addItem(str(value), value)  # keep unknown values visible rather than lying
                index = widget.count() - 1
            widget.setCurrentIndex(index)
            widget.setToolTip(widget.itemData(index, Qt.ItemDataRole.ToolTipRole) or "")
        elif isinstance(widget, QCheckBox) or (hasattr(widget, "isCheckable") and widget.isCheckable()):
            widget.setChecked(bool(value))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            widget.setValue(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))
        else:
            raise TypeError(f"cannot set {type(widget).__name__}")


_LADDER = (1.0, 3.0)  # the playground's learning-rate ladder: 0.001, 0.003, 0.01, 0.03, ...


def ladder_step(value: float, steps: int, floor: float) -> float:
    """The value `steps` rungs away on the 1-3-10 ladder; below `floor` it falls to 0."""
    for _ in range(abs(steps)):
        if steps > 0:
            value = floor if value < floor * 0.999 else _next_rung(value, up=True)
        else:
            value = 0.0 if value <= floor * 1.001 else _next_rung(value, up=False)
    return value


def _next_rung(value: float, up: bool) -> float:
    exp = math.floor(math.log10(value))
    rungs = sorted(m * 10.0**e for e in (exp - 1, exp, exp + 1) for m in _LADDER)
    if up:
        return next(r for r in rungs if r > value * 1.0001)
    return next(r for r in reversed(rungs) if r < value * 0.9999)


def range_text(minimum: float, maximum: float) -> str:
    """'range 1e-07..100', as the engine's messages write a parameter's limits."""
    return f"range {minimum:g}..{maximum:g}"


class SciSpinBox(QDoubleSpinBox):
    """A double spin box that shows %g numbers (1e-08, 0.03) and can step along a 1-3-10 ladder.

    A typed number outside the range is refused, not clamped (0 silently became 1e-07): the box
    keeps its value and emits `outOfRange(typed value)` for the panel to say so.
    """

    outOfRange = Signal(float)

    def __init__(self, minimum: float, maximum: float, log: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(12)  # rounding precision only; the text is %g
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self._log = log
        self._floor = minimum if minimum > 0 else min(1e-4, maximum)
        if not log:
            span = maximum - minimum
            self.setSingleStep(1.0 if span > 100 else 10.0 ** math.floor(math.log10(span / 100)))

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> QValidator.State:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = stripped in ("", "-", ".", "-.") or stripped[-1:] in ("e", "E", "-", "+")
            return QValidator.State.Intermediate if partial else QValidator.State.Invalid
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate

    def fixup(self, text: str) -> str:
        """Qt calls this for text that is not acceptable when editing ends: keep the old value."""
        try:
            typed = float(text.strip())
        except ValueError:
            return self.textFromValue(self.value())
        if not self.minimum() <= typed <= self.maximum():
            # Said where the typing happened too, for boxes whose panel shows no message.
            QToolTip.showText(
                self.mapToGlobal(self.rect().bottomLeft()),
                f"{typed:g} is outside the {self.range_text()}; kept {self.value():g}",
                self,
            )
            self.outOfRange.emit(typed)
        return self.textFromValue(self.value())

    def range_text(self) -> str:
        return range_text(self.minimum(), self.maximum())

    def stepBy(self, steps: int) -> None:
        if not self._log:
            super().stepBy(steps)
            return
        value = ladder_step(self.value(), steps, self._floor)
        self.setValue(min(max(value, self.minimum()), self.maximum()))
        self.selectAll()


def is_log_param(p: Param) -> bool:
    """Rates that live across decades (eps, weight decay, L2, init scale) step on the 1-3-10 ladder."""
    if p.min is None or p.max is None or p.min < 0 or p.max > 100:
        return False
    return p.default == 0 or p.default <= 0.01 * p.max


def make_editor(p: Param, object_name: str) -> QWidget:
    """The widget for one parameter, named and tool-tipped, not yet connected."""
    if p.kind is bool:
        widget: QWidget = QCheckBox()
    elif p.kind is int:
        widget = QSpinBox()
        widget.setRange(
            int(p.min if p.min is not None else -(2**31)), int(p.max if p.max is not None else 2**31 - 1)
        )
        widget.setKeyboardTracking(False)
    elif p.kind is float:
        lo = p.min if p.min is not None else -1e9
        hi = p.max if p.max is not None else 1e9
        widget = SciSpinBox(lo, hi, log=is_log_param(p))
        return tag(widget, object_name, label_text(p.name), f"{p.help} ({range_text(lo, hi)})")
    elif p.choices:
        widget = QComboBox()
        for choice in p.choices:
            widget.addItem(choice, choice)
    else:
        widget = QLineEdit()
    return tag(widget, object_name, label_text(p.name), p.help)


class ParamForm(QWidget):
    """Editors for a tuple of Params; emits `valueChanged(name, value)` once per committed value."""

    valueChanged = Signal(str, object)
    refused = Signal(str)  # one line: a typed value outside its parameter's range

    def __init__(self, prefix: str = "param", parent: QWidget | None = None):
        super().__init__(parent)
        self._prefix = prefix
        self._params: tuple[Param, ...] = ()
        self.editors: dict[str, QWidget] = {}
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    @property
    def params(self) -> tuple[Param, ...]:
        return self._params

    def set_params(self, params: Iterable[Param], values: dict[str, Any] | None = None) -> None:
        """Rebuild the editors if the parameter list changed, then show `values` (defaults for missing)."""
        params = tuple(params)
        if params != self._params:
            self._rebuild(params)
        self.set_values(values or {})

    def set_values(self, values: dict[str, Any]) -> None:
        for p in self._params:
            set_quietly(self.editors[p.name], values.get(p.name, p.default))

    def values(self) -> dict[str, Any]:
        return {p.name: self._read(p, self.editors[p.name]) for p in self._params}

    def _rebuild(self, params: tuple[Param, ...]) -> None:
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self.editors = {}
        self._params = params
        for p in params:
            editor = make_editor(p, f"{self._prefix}{camel(p.name)}")
            self._connect(p, editor)
            self.editors[p.name] = editor
            label = QLabel(label_text(p.name))
            label.setToolTip(p.help)
            label.setBuddy(editor)
            self._layout.addRow(label, editor)
        self.setVisible(bool(params))

    def _connect(self, p: Param, editor: QWidget) -> None:
        def emit(*_):
            self.valueChanged.emit(p.name, self._read(p, editor))

        if isinstance(editor, QCheckBox):
            editor.toggled.connect(emit)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(emit)
        elif isinstance(editor, QLineEdit):
            editor.editingFinished.connect(emit)
        else:
            editor.valueChanged.connect(emit)
        if isinstance(editor, SciSpinBox):
            editor.outOfRange.connect(
                lambda typed: self.refused.emit(
                    f"{self._prefix}.{p.name}: {typed:g} is outside the {editor.range_text()}; "
                    f"kept {editor.value():g}"
                )
            )

    @staticmethod
    def _read(p: Param, editor: QWidget) -> Any:
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QLineEdit):
            return editor.text()
        return int(editor.value()) if p.kind is int else float(editor.value())
