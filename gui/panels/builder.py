"""The network builder: the layer stack as reorderable cards, an add button, and the network footer.

Edits go through `model.edit`; `show_check(infos, error)` paints the engine's shape check onto the
cards (the window runs `engine.families.mlp.build.check_network` and hands the result here).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.data import dataset_defaults
from engine.errors import SpecError
from engine.spec.catalog.activations import ACTIVATIONS
from engine.spec.catalog.initializers import INITIALIZERS, init_spec
from engine.spec.catalog.layers import LAYERS
from gui.panels.layer_card import LayerCard
from gui.project_model import ProjectModel
from gui.widgets.param_form import ParamForm, fill_combo, set_quietly, tag

_LAYER_PATH = re.compile(r"^network\.layers\[(\d+)\]")


def allowed_kinds(data_kind: str) -> list[str]:
    """Layer kinds that fit data of `data_kind`: "any" always, plus image or sequence layers."""
    tags = {"any"} | ({data_kind} & {"image", "sequence"})
    return [name for name, entry in LAYERS.items() if entry.tags & tags]


class LayerListWidget(QListWidget):
    """A list of cards; a drop asks for a move (`moveRequested(src, dst)`) instead of moving widgets."""

    moveRequested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSpacing(3)
        self.setStyleSheet(
            "QListWidget { background: transparent; border: none; }"
            "QListWidget::item:selected { background: transparent; }"
        )

    def dropEvent(self, event) -> None:
        src = self.currentRow()
        target = self.indexAt(event.position().toPoint())
        dst = self.count() if not target.isValid() else target.row()
        if (
            target.isValid()
            and self.dropIndicatorPosition() == QAbstractItemView.DropIndicatorPosition.BelowItem
        ):
            dst += 1
        if dst > src:
            dst -= 1  # the row is taken out before it is put back
        # Qt would move the row (and lose its card widget); we edit the project instead, after the drag.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if src >= 0 and dst != src:
            QTimer.singleShot(0, lambda: self.moveRequested.emit(src, dst))


class BuilderPanel(QWidget):
    """Edits `network`: the layers as cards, plus initialiser and output activation in the footer."""

    message = Signal(str)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._cards: list[LayerCard] = []
        self._infos: list | None = None
        self._error: SpecError | None = None
        self._head: Any = None
        self.setObjectName("builderPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._add_row())
        self.layerList = tag(LayerListWidget(), "layerList", "Layers")
        self.layerList.moveRequested.connect(self.move_layer)
        layout.addWidget(self.layerList, 1)
        layout.addWidget(self._footer())
        model.changed.connect(self._on_model_changed)
        model.editRejected.connect(self._on_edit_rejected)
        self._refresh_kinds()
        self._refresh()

    # --- construction -------------------------------------------------------------------------
    def _add_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.layerKindCombo = tag(QComboBox(), "layerKindCombo", "Kind of layer to add")
        self.layerKindCombo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.addLayerButton = tag(
            QPushButton("Add layer"),
            "addLayerButton",
            "Add layer",
            "Append a layer of the chosen kind after the last one",
        )
        self.addLayerButton.clicked.connect(self._on_add_clicked)
        row.addWidget(self.layerKindCombo, 1)
        row.addWidget(self.addLayerButton)
        return row

    def _footer(self) -> QGroupBox:
        box = QGroupBox("Network")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.totalParamsLabel = QLabel("…")
        self.totalParamsLabel.setObjectName("totalParamsLabel")
        self.totalParamsLabel.setWordWrap(True)
        self.networkErrorLabel = QLabel()
        self.networkErrorLabel.setObjectName("networkErrorLabel")
        self.networkErrorLabel.setWordWrap(True)
        self.networkErrorLabel.setStyleSheet("color: #b3261e;")
        self.networkErrorLabel.hide()
        self.initCombo = tag(QComboBox(), "initCombo", "Weight initialiser")
        fill_combo(self.initCombo, INITIALIZERS, INITIALIZERS.names())
        self.initCombo.currentIndexChanged.connect(self._on_init_changed)
        self.initForm = ParamForm("init")
        self.initForm.valueChanged.connect(self._on_init_param_changed)
        self.initForm.refused.connect(lambda text: self.message.emit(f"network.{text}"))
        self.outputActivationCombo = tag(QComboBox(), "outputActivationCombo", "Output activation")
        auto = ("auto", "auto", "chosen from the task and loss")
        fill_combo(self.outputActivationCombo, ACTIVATIONS, ACTIVATIONS.names("output"), [auto])
        self.outputActivationCombo.currentIndexChanged.connect(self._on_output_activation_changed)
        form.addRow(self.totalParamsLabel)
        form.addRow(self.networkErrorLabel)
        form.addRow("Init", self.initCombo)
        form.addRow(self.initForm)
        form.addRow("Output", self.outputActivationCombo)
        return box

    # --- refreshing ---------------------------------------------------------------------------
    def _on_model_changed(self, sections: set) -> None:
        if "data" in sections:
            self._refresh_kinds()
        if sections & {"network", "data", "training"}:
            self._refresh()

    def _on_edit_rejected(self, path: str, reason: str) -> None:
        self._refresh()  # snap every widget back to the project
        if path.startswith("network"):
            self.message.emit(f"{path}: {reason}")

    def _kinds(self) -> list[str]:
        try:
            kind = dataset_defaults(self._model.project.data.name)["kind"]
        except SpecError:
            kind = "points2d"
        return allowed_kinds(kind)

    def _refresh_kinds(self) -> None:
        kinds = self._kinds()
        current = self.layerKindCombo.currentData() or "dense"
        fill_combo(self.layerKindCombo, LAYERS, kinds)
        set_quietly(self.layerKindCombo, current if current in kinds else kinds[0])
        for card in self._cards:
            card.set_kinds(kinds)

    def _refresh(self) -> None:
        network = self._model.project.network
        layers = network.layers
        while len(self._cards) > len(layers):
            card = self._cards.pop()
            self.layerList.takeItem(self.layerList.count() - 1)
            card.hide()
            card.deleteLater()  # takeItem leaves the item's widget alive; without this cards pile up
        kinds = self._kinds()
        while len(self._cards) < len(layers):
            card = LayerCard(self._model, len(self._cards), kinds, self.new_layer)
            item = QListWidgetItem()
            self.layerList.addItem(item)
            self.layerList.setItemWidget(item, card)
            self._cards.append(card)
        for i, (card, layer) in enumerate(zip(self._cards, layers, strict=True)):
            card.set_layer(i, layer, len(layers))
        name, params = init_spec(network.init)
        set_quietly(self.initCombo, name)
        self.initForm.set_params(INITIALIZERS[name].params, params)
        set_quietly(self.outputActivationCombo, network.output_activation)
        self._apply_check()

    def _resize_rows(self) -> None:
        for i, card in enumerate(self._cards):
            card.adjustSize()
            self.layerList.item(i).setSizeHint(QSize(0, card.sizeHint().height()))

    # --- the engine's check -------------------------------------------------------------------
    def show_check(self, infos: list | None, error: SpecError | None, head: Any = None) -> None:
        """Show shapes (`infos`: one LayerInfo per layer, then the head) or mark the erring card."""
        self._infos, self._error, self._head = infos, error, head
        self._apply_check()

    def _apply_check(self) -> None:
        infos, error = self._infos, self._error
        bad = -1
        if error is not None and (match := _LAYER_PATH.match(error.path)):
            bad = int(match.group(1))
        usable = infos is not None and len(infos) == len(self._cards) + 1
        for i, card in enumerate(self._cards):
            card.show_error(error.reason if i == bad else "")
            if i != bad:
                card.show_info(infos[i] if usable else None)
        loose = error is not None and not 0 <= bad < len(self._cards)
        self.networkErrorLabel.setText(f"{error.path}: {error.reason}" if loose else "")
        self.networkErrorLabel.setVisible(loose)
        self.totalParamsLabel.setText(self._total_text(infos) if usable else "Total: …")
        self._resize_rows()

    def _total_text(self, infos: list) -> str:
        n_out = infos[-1].out_shape[0]
        units = "unit" if n_out == 1 else "units"
        total = sum(info.params for info in infos)
        return f"Total: {total:,} parameters  ·  output: {n_out} {units}, {self._output_activation()}"

    def _output_activation(self) -> str:
        """The head's activation as the engine resolved it (RunInfo.head); until a run is built,
        the project's own setting, "auto" until the engine has picked one."""
        if self._head is not None:
            return self._head.output_activation
        return self._model.project.network.output_activation

    # --- editing ------------------------------------------------------------------------------
    def new_layer(self) -> dict[str, Any]:
        """The layer the add/insert buttons create: the chosen kind with its defaults."""
        kind = self.layerKindCombo.currentData() or "dense"
        return {"type": kind, **LAYERS[kind].defaults()}

    def _on_add_clicked(self) -> None:
        layer = self.new_layer()
        title = LAYERS[layer["type"]].title
        self._model.edit(f"Add {title} layer", lambda doc: doc["network"]["layers"].append(layer))

    def move_layer(self, src: int, dst: int) -> None:
        """Move layer `src` so it ends up at index `dst` (what a drag in the list asks for)."""

        def mutate(doc: dict[str, Any]) -> None:
            layers = doc["network"]["layers"]
            layers.insert(dst, layers.pop(src))

        if src != dst and 0 <= src < len(self._cards) and 0 <= dst < len(self._cards):
            self._model.edit(f"Move layer {src + 1} to {dst + 1}", mutate)

    def _on_init_changed(self, _index: int) -> None:
        name = self.initCombo.currentData()
        self._model.edit(f"Initialiser: {name}", lambda doc: doc["network"].update(init=name))

    def _on_init_param_changed(self, key: str, value: Any) -> None:
        name, params = init_spec(self._model.project.network.init)
        init = {"name": name, **params, key: value}
        self._model.edit(f"Initialiser {key}: {value:g}", lambda doc: doc["network"].update(init=init))

    def _on_output_activation_changed(self, _index: int) -> None:
        name = self.outputActivationCombo.currentData()
        self._model.edit(
            f"Output activation: {name}", lambda doc: doc["network"].update(output_activation=name)
        )
