"""The autoencoder's panel: how well it rebuilds its input now, and the family's settings (variant,
code size, and the variant's own noise, sparsity or contraction), as undoable ProjectModel edits
of `model`. The encoder's layers are those of the project file (model.encoder)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.spec.catalog.activations import ACTIVATIONS
from gui.project_model import ProjectModel
from gui.widgets.param_form import SciSpinBox, set_quietly, tag

VARIANTS = {
    "plain": "plain: rebuild the input through the code",
    "denoising": "denoising: rebuild the clean input from a corrupted copy",
    "sparse": "sparse: a penalty keeps each code unit quiet most of the time",
    "contractive": "contractive: a penalty on how much the code moves with the input",
}
OWN_ROWS = {  # the settings each variant reads besides variant, latent and code activation
    "denoising": ("noise", "noise_kind"),
    "sparse": ("sparsity", "sparsity_kind", "sparsity_target"),
    "contractive": ("contraction",),
}
CODE_SHAPERS = ("maxout", "softmax")  # they change the code's width or tie its units together
FAMILIES = ("autoencoder", "vae")  # the VAE: the same stacks, a Gaussian code and its weight β
LABELS = {
    "beta": "KL weight β",
    "noise": "Noise",
    "noise_kind": "Noise kind",
    "sparsity": "Sparsity weight λ",
    "sparsity_kind": "Sparsity penalty",
    "sparsity_target": "Target activation ρ",
    "contraction": "Contraction weight λ",
}


def encoder_text(settings: dict) -> str:
    """The shape of the network in one line: input → hidden → code → hidden → output."""
    hidden = [
        str(layer.get("units")) for layer in settings.get("encoder", {}).get("layers", []) if "units" in layer
    ]
    decoder = settings.get("decoder", "mirror")
    back = (
        hidden[::-1]
        if decoder == "mirror"
        else [str(x.get("units")) for x in decoder["layers"] if "units" in x]
    )
    return " → ".join(["input", *hidden, f"code ({settings['latent']})", *back, "input again"])


class AutoencoderPanel(QWidget):
    """The reconstruction error now, the network's shape, and the settings of the variant."""

    message = Signal(str)

    def __init__(self, model: ProjectModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.setObjectName("autoencoderPanel")
        self.errorLabel = QLabel("No run yet")
        self.errorLabel.setObjectName("autoencoderError")
        self.errorLabel.setWordWrap(True)  # unwrapped, its one line set the window's minimum width
        self.errorLabel.setStyleSheet("QLabel { font-size: 15px; font-weight: 600; }")
        self.shapeLabel = QLabel()
        self.shapeLabel.setObjectName("autoencoderShape")
        self.shapeLabel.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.errorLabel)
        column.addWidget(self.shapeLabel)
        column.addWidget(self._settings_box())
        column.addStretch(1)
        model.changed.connect(lambda sections: self._refresh() if "model" in sections else None)
        model.editRejected.connect(lambda *_: self._refresh())
        self._refresh()

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Settings (a change starts a new run)")
        self._form = form = QFormLayout(box)
        self.variantCombo = self._combo("autoencoderVariantCombo", "Variant", VARIANTS)
        self.latentSpin = tag(
            QSpinBox(), "autoencoderLatentSpin", "Code size", "model.latent: units in the code"
        )
        self.latentSpin.setRange(1, 256)
        self.latentSpin.setSuffix(" units")
        self.latentSpin.valueChanged.connect(
            lambda v: self.latentSpin.setSuffix(" unit" if v == 1 else " units")
        )
        self.latentSpin.setKeyboardTracking(False)
        self.latentSpin.valueChanged.connect(lambda v: self._set(f"Code size {v}", latent=int(v)))
        names = {n: ACTIVATIONS[n].help for n in ACTIVATIONS.names() if n not in CODE_SHAPERS}
        self.codeActivationCombo = self._combo("autoencoderCodeActivation", "Code activation", names)
        self.editors = {
            "noise": self._spin("noise", 0.0, 5.0, "std of gaussian noise, or share of inputs zeroed"),
            "noise_kind": self._combo("autoencoderNoiseKind", "Noise kind", {"gaussian": "", "masking": ""}),
            "sparsity": self._spin("sparsity", 0.0, 100.0, "the penalty's weight"),
            "sparsity_kind": self._combo(
                "autoencoderSparsityKind",
                "Sparsity penalty",
                {"kl": "KL to the target ρ", "l1": "L1 of the codes"},
            ),
            "sparsity_target": self._spin("sparsity_target", 0.001, 0.999, "each code unit's wanted mean"),
            "contraction": self._spin("contraction", 0.0, 100.0, "weight of ‖∂code/∂input‖²"),
            "beta": self._spin("beta", 0.0, 100.0, "the VAE's weight of KL(code ‖ N(0, I)); 1 is the ELBO"),
        }
        self.hiddenEdit = tag(
            QLineEdit(),
            "autoencoderHiddenEdit",
            "Encoder hidden units",
            "model.encoder.layers: the encoder's dense layers, input side first (e.g. 64, 32); "
            "a mirrored decoder takes them in reverse",
        )
        self.hiddenEdit.editingFinished.connect(self._on_hidden_edited)
        form.addRow("Variant", self.variantCombo)
        form.addRow("Encoder layers", self.hiddenEdit)
        form.addRow("Code size", self.latentSpin)
        form.addRow("Code activation", self.codeActivationCombo)
        for key, editor in self.editors.items():
            form.addRow(LABELS[key], editor)
            if isinstance(editor, QComboBox):
                editor.currentIndexChanged.connect(
                    lambda _=0, k=key, e=editor: self._set(LABELS[k], **{k: e.currentData()})
                )
        self.variantCombo.currentIndexChanged.connect(
            lambda: self._on_variant_changed(self.variantCombo.currentData())
        )
        self.codeActivationCombo.currentIndexChanged.connect(
            lambda: self._set("Code activation", code_activation=self.codeActivationCombo.currentData())
        )
        return box

    def _combo(self, name: str, accessible: str, items: dict) -> QComboBox:
        combo = tag(QComboBox(), name, accessible)
        for value, tip in items.items():
            combo.addItem(value, value)
            if tip:
                combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        return combo

    def _spin(self, key: str, lo: float, hi: float, tip: str) -> SciSpinBox:
        spin = SciSpinBox(lo, hi, log=True)
        name = "autoencoder" + "".join(part.capitalize() for part in key.split("_")) + "Spin"
        tag(spin, name, LABELS[key], f"model.{key}: {spin.range_text()}. {tip}")
        spin.valueChanged.connect(lambda v: self._set(f"{LABELS[key]} {v:g}", **{key: float(v)}))
        spin.outOfRange.connect(
            lambda typed: self.message.emit(f"model.{key}: {typed:g} is outside {spin.range_text()}")
        )
        return spin

    # -- from the run --------------------------------------------------------------------------
    def show_probe(self, probe, snapshot=None) -> None:
        """The reconstruction error at the epoch shown (None: no run yet)."""
        if probe is None or snapshot is None:
            self.errorLabel.setText("No run yet")
            return
        test, train = snapshot.metric("reconstruction"), snapshot.metric("train_reconstruction")
        parts = [f"Epoch {snapshot.epoch:,}"]  # the history's probes carry the latest epoch
        if test is not None:
            parts.append(f"test error {test:.4f}")
        if train is not None:
            parts.append(f"train {train:.4f}")
        self.errorLabel.setText(" · ".join(parts))

    # -- the project ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        project = self._model.project
        if project.model.family not in FAMILIES:
            return
        settings = project.model.settings
        vae = project.model.family == "vae"
        self._form.setRowVisible(self.variantCombo, not vae)
        self._form.setRowVisible(self.codeActivationCombo, not vae)
        if vae:
            self._refresh_vae(settings)
            return
        set_quietly(self.variantCombo, settings["variant"])
        self.variantCombo.setToolTip(VARIANTS.get(settings["variant"], ""))
        set_quietly(self.latentSpin, settings["latent"])
        self.latentSpin.setSuffix(" unit" if settings["latent"] == 1 else " units")
        set_quietly(self.codeActivationCombo, settings["code_activation"])
        self._refresh_hidden(settings)
        own = OWN_ROWS.get(settings["variant"], ())
        for key, editor in self.editors.items():
            if key in settings:
                set_quietly(editor, settings[key])
            self._form.setRowVisible(editor, key in own)
        if settings["variant"] == "sparse":
            self._form.setRowVisible(self.editors["sparsity_target"], settings["sparsity_kind"] == "kl")
        self.shapeLabel.setText(f"{VARIANTS[settings['variant']].capitalize()}.<br>{encoder_text(settings)}")

    def _refresh_vae(self, settings: dict) -> None:
        set_quietly(self.latentSpin, settings["latent"])
        self.latentSpin.setSuffix(" unit" if settings["latent"] == 1 else " units")
        self._refresh_hidden(settings)
        for key, editor in self.editors.items():
            self._form.setRowVisible(editor, key == "beta")
        set_quietly(self.editors["beta"], settings["beta"])
        self.shapeLabel.setText(
            "Variational: each input gets a mean and a variance per code unit; training decodes a code "
            f"drawn from them, and β·KL pulls them towards N(0, I).<br>{encoder_text(settings)}"
        )

    def _refresh_hidden(self, settings: dict) -> None:
        layers = settings["encoder"]["layers"]
        dense = all(layer["type"] == "dense" for layer in layers)
        self.hiddenEdit.setEnabled(dense)  # dropout or batch norm: edited in the project file
        set_quietly(self.hiddenEdit, ", ".join(str(layer["units"]) for layer in layers) if dense else "")

    def _on_hidden_edited(self) -> None:
        text = self.hiddenEdit.text().replace(",", " ").split()
        if not all(part.isdigit() and int(part) > 0 for part in text):
            self.message.emit(
                f"model.encoder.layers: {self.hiddenEdit.text()!r} is not a list of unit counts"
            )
            self._refresh()
            return
        units = [int(part) for part in text]
        old = self._model.project.model.settings["encoder"]["layers"]
        if units == [layer["units"] for layer in old]:
            return
        # Each layer keeps its own activation (and other settings); a new one copies the last.
        own = [{k: v for k, v in layer.items() if k not in ("type", "units")} for layer in old]
        own = own or [{"activation": "tanh"}]
        layers = [{"type": "dense", **own[min(i, len(own) - 1)], "units": u} for i, u in enumerate(units)]
        text = f"Encoder layers {', '.join(map(str, units)) or 'none'}"
        self._edit(text, lambda doc: doc["model"].update(encoder={"layers": layers}))

    def _on_variant_changed(self, variant: str) -> None:
        def mutate(doc: dict) -> None:
            doc["model"]["variant"] = variant
            # The KL penalty compares mean activations with ρ in (0, 1): it needs sigmoid codes.
            if variant == "sparse" and doc["model"].get("sparsity_kind", "kl") == "kl":
                doc["model"]["code_activation"] = "sigmoid"

        self._edit(f"Variant {variant}", mutate)

    def _set(self, text: str, **values) -> None:
        self._edit(text, lambda doc: doc["model"].update(values))

    def _edit(self, text: str, mutate) -> None:
        if self._model.project.model.family in FAMILIES:
            self._model.edit(text, mutate)
