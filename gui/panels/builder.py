"""The network builder: the layer stack as reorderable cards, an add button, and the network footer.

Edits go through `model.edit`; `show_check(infos, error)` paints the engine's shape check onto the
cards (the window runs `engine.families.mlp.build.check_network` and hands the result here).
For the autoencoder, the VAE and the GAN the same cards edit one of the family's two stacks in
`model`, chosen with a picker; their shapes come from `engine.families.stacks.infer_stack`.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.data import dataset_defaults
from engine.errors import SpecError
from engine.families.stacks import STACK_KINDS
from engine.spec.catalog.activations import ACTIVATIONS
from engine.spec.catalog.initializers import INITIALIZERS, init_spec
from engine.spec.catalog.layers import LAYERS
from gui.panels.family_stacks import HEADS, TITLES, FamilyStacks, StackPickerWidget, stack_text
from gui.panels.layer_card import LayerCard
from gui.panels.layer_list import LayerListWidget, allowed_kinds
from gui.project_model import ProjectModel
from gui.widgets.param_form import ParamForm, fill_combo, set_quietly, tag


class BuilderPanel(FamilyStacks, QWidget):
    """Edits `network` (the layers as cards, initialiser and output activation in the footer), or
    one of a family's two stacks in `model`."""

    message = Signal(str)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._cards: list[LayerCard] = []
        self._infos: list | None = None
        self._error: SpecError | None = None
        self._head: Any = None
        self._stack = ""  # the family's stack the cards edit; "": the mlp's network.layers
        self._n_in: int | None = None  # the autoencoder's input width, known once a run is built
        self._seen: tuple | None = None  # (family, each stack's layers) when last shown
        self.setObjectName("builderPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.stackPicker = StackPickerWidget()
        self.stackPicker.stackChanged.connect(self._on_stack_picked)
        self.mirrorCheck = tag(
            QCheckBox("Mirror the encoder"),
            "builderMirrorDecoder",
            "Mirror the encoder",
            'model.decoder: "mirror" runs the encoder\'s layers in reverse; uncheck to edit the '
            "decoder's own layers (they start as the mirror)",
        )
        self.mirrorCheck.toggled.connect(self._on_mirror_toggled)
        layout.addWidget(self.stackPicker)
        layout.addWidget(self.mirrorCheck)
        layout.addLayout(self._add_row())
        self.layerList = tag(LayerListWidget(), "layerList", "Layers")
        self.layerList.moveRequested.connect(self.move_layer)
        layout.addWidget(self.layerList, 1)
        layout.addWidget(self._footer())
        model.changed.connect(self._on_model_changed)
        model.editRejected.connect(self._on_edit_rejected)
        self._follow_edit(edited=False)
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
        self.footerBox = box = QGroupBox("Network")
        self._form = form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.stackLabel = QLabel()
        self.stackLabel.setObjectName("builderStackText")
        self.stackLabel.setWordWrap(True)
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
        form.addRow(self.stackLabel)
        form.addRow(self.totalParamsLabel)
        form.addRow(self.networkErrorLabel)
        form.addRow("Init", self.initCombo)
        form.addRow(self.initForm)
        form.addRow("Output", self.outputActivationCombo)
        return box

    # --- refreshing ---------------------------------------------------------------------------
    def _on_model_changed(self, sections: set) -> None:
        if "data" in sections:
            self._n_in = None  # another data set: its width is known again once a run is built
        if "model" in sections:
            self._follow_edit(edited="data" not in sections)  # not when another project opens
        if sections & {"data", "model"}:
            self._refresh_kinds()
        if sections & {"network", "data", "training", "model"}:
            self._refresh()

    def _on_edit_rejected(self, path: str, reason: str) -> None:
        self._refresh()  # snap every widget back to the project
        if path.startswith(self._prefix()):
            self.message.emit(f"{path}: {reason}")

    def _kinds(self) -> list[str]:
        if self._stack:
            return list(STACK_KINDS)
        try:
            kind = dataset_defaults(self._model.project.data.name)["kind"]
        except SpecError:
            kind = "points2d"
        return allowed_kinds(kind)

    def _refresh_kinds(self) -> None:
        self._sync_stack()
        kinds = self._kinds()
        current = self.layerKindCombo.currentData() or "dense"
        fill_combo(self.layerKindCombo, LAYERS, kinds)
        set_quietly(self.layerKindCombo, current if current in kinds else kinds[0])
        for card in self._cards:
            card.set_kinds(kinds)

    def _refresh(self) -> None:
        self._sync_stack()
        layers = self._shown_layers()
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
        editable = not self._mirrored()
        for i, (card, layer) in enumerate(zip(self._cards, layers, strict=True)):
            card.set_target(self._where(), self._stack, editable)
            card.set_layer(i, layer, len(layers))
        for widget in (self.layerKindCombo, self.addLayerButton):
            widget.setEnabled(editable)
        self.layerList.setDragEnabled(editable)
        self._refresh_footer()
        self._apply_check()

    def _refresh_footer(self) -> None:
        self.footerBox.setTitle(TITLES.get(self._stack, "Network"))
        self.mirrorCheck.setVisible(self._stack == "decoder")
        set_quietly(self.mirrorCheck, self._mirrored())
        self._form.setRowVisible(self.stackLabel, bool(self._stack))
        for widget in (self.initCombo, self.initForm, self.outputActivationCombo):
            self._form.setRowVisible(widget, not self._stack)  # a family's stacks share model.init
        if self._stack:
            model = self._model.project.model
            self.stackLabel.setText(stack_text(model.family, model.settings, self._stack, self._n_in))
            return
        network = self._model.project.network
        name, params = init_spec(network.init)
        set_quietly(self.initCombo, name)
        self.initForm.set_params(INITIALIZERS[name].params, params)
        set_quietly(self.outputActivationCombo, network.output_activation)

    def _resize_rows(self) -> None:
        for i, card in enumerate(self._cards):
            card.adjustSize()
            self.layerList.item(i).setSizeHint(QSize(0, card.sizeHint().height()))
        self.layerList.doItemsLayout()  # adjustSize shrank each card to its hint: back to the row's width

    # --- the engine's check -------------------------------------------------------------------
    def show_check(self, infos: list | None, error: SpecError | None, head: Any = None) -> None:
        """Show shapes (`infos`: one LayerInfo per layer, then the head) or mark the erring card."""
        self._infos, self._error, self._head = infos, error, head
        if head is not None and self._model.project.model.family in ("autoencoder", "vae"):
            self._n_in = head.n_out  # the autoencoder's head rebuilds the input: it is as wide
            self._refresh_footer()
        self._apply_check()

    def _check(self) -> tuple[list | None, SpecError | None]:
        """The mlp's: the window's check. A stack's: the engine's shapes, and the run's error."""
        if not self._stack:
            return self._infos, self._error
        return self._stack_check(self._error)

    def _apply_check(self) -> None:
        infos, error = self._check()
        bad = -1
        layer_path = re.compile(re.escape(self._prefix()) + r"\.layers\[(\d+)\]")
        if error is not None and (match := layer_path.match(error.path)):
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
        if self._stack:
            return f"Total: {total:,} parameters  ·  {HEADS[self._stack]}: {n_out} {units}"
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
        self._edit(f"Add {title} layer", lambda doc: self._layers_in(doc).append(layer))

    def move_layer(self, src: int, dst: int) -> None:
        """Move layer `src` so it ends up at index `dst` (what a drag in the list asks for)."""

        def mutate(doc: dict[str, Any]) -> None:
            layers = self._layers_in(doc)
            layers.insert(dst, layers.pop(src))

        n = len(self._cards)
        if src != dst and 0 <= src < n and 0 <= dst < n and not self._mirrored():
            self._edit(f"Move layer {src + 1} to {dst + 1}", mutate)

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
