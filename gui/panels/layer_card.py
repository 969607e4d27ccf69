"""One layer of the stack as an editable card: kind, units, activation, own parameters, shape and errors.

A card edits its layer through `model.edit`; `set_layer` shows a layer dict with signals blocked.
`set_target` says which stack it belongs to (the mlp's `network.layers`, or a family's stack in
`model`) and whether it may edit it (a mirrored decoder's cards only show the encoder's layers).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from engine.spec.catalog.activations import ACTIVATIONS, activation_name
from engine.spec.catalog.layers import LAYERS
from gui.project_model import ProjectModel
from gui.widgets.param_form import ParamForm, fill_combo, set_quietly, tag

NORMAL_STYLE = "#{name} {{ border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }}"
ERROR_STYLE = "#{name} {{ border: 2px solid #d64541; border-radius: 6px; background: #fff4f3; }}"


def format_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


NETWORK = ("network", "layers")


class LayerCard(QFrame):
    """The card for `<stack>.layers[index]`; `new_layer()` gives the layer the insert button adds."""

    def __init__(
        self,
        model: ProjectModel,
        index: int,
        kinds: list[str],
        new_layer: Callable[[], dict[str, Any]],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._model, self._index, self._new_layer = model, index, new_layer
        self._layer: dict[str, Any] = {}
        self._error = ""
        self._where, self._label, self._editable = NETWORK, "", True
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(self._header_row(kinds))
        layout.addLayout(self._units_row())
        self.paramForm = ParamForm("param")
        self.paramForm.valueChanged.connect(self._on_param_changed)
        self.activationForm = ParamForm("activation")
        self.activationForm.valueChanged.connect(self._on_activation_param_changed)
        layout.addWidget(self.activationForm)
        layout.addWidget(self.paramForm)
        self.errorLabel = QLabel()
        self.errorLabel.setObjectName("errorLabel")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setStyleSheet("color: #b3261e;")
        self.errorLabel.hide()
        layout.addWidget(self.errorLabel)
        layout.addLayout(self._footer_row())

    @property
    def index(self) -> int:
        return self._index

    # --- construction -------------------------------------------------------------------------
    def _header_row(self, kinds: list[str]) -> QHBoxLayout:
        row = QHBoxLayout()
        self.titleLabel = QLabel()
        self.titleLabel.setObjectName("titleLabel")
        self.titleLabel.setStyleSheet("font-weight: 600;")
        self.kindCombo = tag(QComboBox(), "kindCombo", "Layer kind")
        self.kindCombo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_kinds(kinds)
        self.kindCombo.currentIndexChanged.connect(self._on_kind_changed)
        self.moveUpButton = self._button("▲", "moveUpButton", "Move this layer up (closer to the input)")
        self.moveDownButton = self._button(
            "▼", "moveDownButton", "Move this layer down (closer to the output)"
        )
        self.moveUpButton.clicked.connect(lambda: self._move(-1))
        self.moveDownButton.clicked.connect(lambda: self._move(+1))
        for widget in (self.titleLabel, self.kindCombo, self.moveUpButton, self.moveDownButton):
            row.addWidget(widget)
        return row

    def _units_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.unitsMinusButton = self._button("−", "unitsMinusButton", "One unit fewer")
        self.unitsPlusButton = self._button("+", "unitsPlusButton", "One unit more")
        self.unitsSpin = tag(QSpinBox(), "unitsSpin", "Units", "neurons in the layer")
        self.unitsSpin.setKeyboardTracking(False)
        self.unitsSpin.setSuffix(" units")
        self.unitsMinusButton.clicked.connect(lambda: self._step_units(-1))
        self.unitsPlusButton.clicked.connect(lambda: self._step_units(+1))
        self.unitsSpin.valueChanged.connect(self._on_units_changed)
        self.activationCombo = tag(QComboBox(), "activationCombo", "Activation")
        self.activationCombo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        fill_combo(self.activationCombo, ACTIVATIONS, ACTIVATIONS.names("hidden"))
        self.activationCombo.currentIndexChanged.connect(self._on_activation_changed)
        self._units_widgets = (self.unitsMinusButton, self.unitsSpin, self.unitsPlusButton)
        for widget in (*self._units_widgets, self.activationCombo):
            row.addWidget(widget)
        return row

    def _footer_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.shapeLabel = QLabel("…")
        self.shapeLabel.setObjectName("shapeLabel")
        self.shapeLabel.setStyleSheet("color: palette(placeholder-text);")
        self.insertButton = self._button("Insert", "insertButton", "Insert a new layer above this one")
        self.duplicateButton = self._button("Copy", "duplicateButton", "Duplicate this layer")
        self.removeButton = self._button("✕", "removeButton", "Remove this layer")
        self.insertButton.clicked.connect(self._on_insert_clicked)
        self.duplicateButton.clicked.connect(self._on_duplicate_clicked)
        self.removeButton.clicked.connect(self._on_remove_clicked)
        row.addWidget(self.shapeLabel, 1)
        for widget in (self.insertButton, self.duplicateButton, self.removeButton):
            row.addWidget(widget)
        return row

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        button = tag(QToolButton(), name, tip, tip)
        button.setText(text)
        button.setAutoRaise(True)
        return button

    # --- showing ------------------------------------------------------------------------------
    def set_target(self, where: tuple[str, ...], label: str = "", editable: bool = True) -> None:
        """Edit the layer list at document keys `where`; `label` names the stack in undo texts."""
        self._where, self._label, self._editable = tuple(where), label, editable

    def set_kinds(self, kinds: list[str]) -> None:
        current = self._layer.get("type")
        names = list(kinds) + ([current] if current and current not in kinds else [])
        fill_combo(self.kindCombo, LAYERS, names)
        if current:
            set_quietly(self.kindCombo, current)

    def set_layer(self, index: int, layer: dict[str, Any], count: int) -> None:
        """Show `layer` as layer `index` of `count`, without issuing edits."""
        kind_changed = layer.get("type") != self._layer.get("type")
        self._index, self._layer = index, copy.deepcopy(layer)
        self.setObjectName(f"layerCard{index}")
        self.setAccessibleName(f"Layer {index + 1}")
        self.titleLabel.setText(f"{index + 1}")
        entry = LAYERS[layer["type"]]
        if self.kindCombo.findData(entry.name) < 0:
            self.kindCombo.addItem(entry.title, entry.name)
        set_quietly(self.kindCombo, entry.name)
        names = {p.name for p in entry.params}
        for widget in self._units_widgets:
            widget.setVisible("units" in names)
        if "units" in names:
            units = next(p for p in entry.params if p.name == "units")
            with signals_blocked(self.unitsSpin):
                self.unitsSpin.setRange(int(units.min), int(units.max))
            set_quietly(self.unitsSpin, layer["units"])
            self.unitsMinusButton.setEnabled(self._editable and layer["units"] > units.min)
            self.unitsPlusButton.setEnabled(self._editable and layer["units"] < units.max)
        self._show_activation(layer.get("activation"))
        others = [p for p in entry.params if p.name not in ("units", "activation")]
        self.paramForm.set_params(others, layer)
        self.moveUpButton.setEnabled(self._editable and index > 0)
        self.moveDownButton.setEnabled(self._editable and index < count - 1)
        for widget in self._editors():
            widget.setEnabled(self._editable)
        if kind_changed:
            self.show_info(None)
        self._apply_style()

    def _editors(self) -> tuple[QWidget, ...]:
        """The widgets that edit (the move and units-step buttons also follow the layer)."""
        return (
            self.kindCombo,
            self.unitsSpin,
            self.activationCombo,
            self.activationForm,
            self.paramForm,
            self.insertButton,
            self.duplicateButton,
            self.removeButton,
        )

    def _show_activation(self, value: Any) -> None:
        self.activationCombo.setVisible(value is not None)
        if value is None:
            self.activationForm.set_params(())
            return
        name = activation_name(value)
        set_quietly(self.activationCombo, name)
        params = value if isinstance(value, dict) else {}
        self.activationForm.set_params(ACTIVATIONS[name].params, params)

    def show_info(self, info: Any) -> None:
        """Show a LayerInfo's output shape and parameter count (None: unknown)."""
        if info is None:
            self.shapeLabel.setText("…")
            return
        shape = format_shape(tuple(info.out_shape))
        # Compact: beside three buttons in the panel's width, "→ (32,)  · 1,056 params" lost its "s".
        self.shapeLabel.setText(f"{shape} · {info.params:,} params")
        self.shapeLabel.setToolTip(f"Output shape {shape}; {info.params:,} trainable parameters")

    def show_error(self, reason: str) -> None:
        """Mark the card with the engine's reason ("" clears the mark)."""
        self._error = reason
        self.errorLabel.setText(reason)
        self.errorLabel.setVisible(bool(reason))
        self.setToolTip(reason)
        if reason:
            self.shapeLabel.setText("✕")
        self._apply_style()

    @property
    def has_error(self) -> bool:
        return bool(self._error)

    def _apply_style(self) -> None:
        style = ERROR_STYLE if self._error else NORMAL_STYLE
        self.setStyleSheet(style.format(name=self.objectName()))

    # --- editing ------------------------------------------------------------------------------
    def _layers(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        for key in self._where:
            doc = doc[key]
        return doc

    def _edit_layer(self, text: str, change: Callable[[dict[str, Any]], None]) -> None:
        i = self._index
        self._edit_layers(text, lambda layers: change(layers[i]))

    def _edit_layers(self, text: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
        if not self._editable:
            return
        text = f"{text} ({self._label})" if self._label else text
        # A rejection makes the builder snap every card back.
        self._model.edit(text, lambda doc: change(self._layers(doc)))

    def _on_kind_changed(self, _index: int) -> None:
        kind = self.kindCombo.currentData()
        defaults = LAYERS[kind].defaults()

        def change(layer: dict[str, Any]) -> None:
            layer.clear()
            layer.update({"type": kind, **defaults})

        self._edit_layer(f"Layer {self._index + 1}: {LAYERS[kind].title}", change)

    def _step_units(self, delta: int) -> None:
        self._set_units(self.unitsSpin.value() + delta)

    def _on_units_changed(self, value: int) -> None:
        self._set_units(value)

    def _set_units(self, units: int) -> None:
        self._edit_layer(f"Layer {self._index + 1}: {units} units", lambda layer: layer.update(units=units))

    def _on_activation_changed(self, _index: int) -> None:
        name = self.activationCombo.currentData()
        params = ACTIVATIONS[name].defaults()
        value = {"name": name, **params} if params else name
        self._edit_layer(f"Layer {self._index + 1}: {name}", lambda layer: layer.update(activation=value))

    def _on_activation_param_changed(self, key: str, value: Any) -> None:
        name = self.activationCombo.currentData()

        def change(layer: dict[str, Any]) -> None:
            current = layer.get("activation")
            params = dict(current) if isinstance(current, dict) else {"name": name}
            params[key] = value
            layer["activation"] = params

        self._edit_layer(f"Layer {self._index + 1}: {key} {value:g}", change)

    def _on_param_changed(self, key: str, value: Any) -> None:
        self._edit_layer(
            f"Layer {self._index + 1}: {key} = {value}", lambda layer: layer.update({key: value})
        )

    def _move(self, delta: int) -> None:
        i, j = self._index, self._index + delta

        def change(layers: list[dict[str, Any]]) -> None:
            if 0 <= j < len(layers):
                layers.insert(j, layers.pop(i))

        self._edit_layers(f"Move layer {i + 1} {'up' if delta < 0 else 'down'}", change)

    def _on_insert_clicked(self) -> None:
        layer, i = self._new_layer(), self._index
        self._edit_layers(f"Insert layer above {i + 1}", lambda layers: layers.insert(i, layer))

    def _on_duplicate_clicked(self) -> None:
        i = self._index
        self._edit_layers(
            f"Duplicate layer {i + 1}", lambda layers: layers.insert(i + 1, copy.deepcopy(layers[i]))
        )

    def _on_remove_clicked(self) -> None:
        i = self._index
        self._edit_layers(f"Remove layer {i + 1}", lambda layers: layers.pop(i))
