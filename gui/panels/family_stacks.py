"""The builder's pieces for the families with two stacks (autoencoder, VAE, GAN): the picker that
chooses which stack the cards edit, and the line that says what the chosen stack does.

The stacks themselves, their ends and their shapes are the engine's (engine/families/stacks.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from engine.errors import SpecError
from engine.families.autoencoder.settings import MIRROR, mirrored
from engine.families.stacks import STACKS, infer_stack, stack_ends, stack_layers
from gui.panels.layer_card import NETWORK
from gui.widgets.param_form import camel, tag

TITLES = {
    "encoder": "Encoder",
    "decoder": "Decoder",
    "generator": "Generator",
    "discriminator": "Discriminator",
}
TIPS = {
    "encoder": "model.encoder: the layers from the input to the code",
    "decoder": "model.decoder: the layers from the code back to the input (mirrored by default)",
    "generator": "model.generator: the layers from the noise to a point of the plane",
    "discriminator": "model.discriminator: the layers from a point to the logit of 'real'",
}
HEADS = {  # the linear layer that closes each stack, as the footer's total names it
    "encoder": "code layer",
    "decoder": "output layer",
    "generator": "output (x, y)",
    "discriminator": "output logit",
}
# Joined buttons: the chosen stack stands out as the highlighted half of one control.
SEGMENT_STYLE = """
QPushButton { padding: 5px 12px; border: 1px solid palette(mid); background: palette(button); }
QPushButton:checked { background: palette(highlight); color: palette(highlighted-text);
                      font-weight: 600; }
QPushButton#{first} { border-top-left-radius: 6px; border-bottom-left-radius: 6px; }
QPushButton#{last} { border-top-right-radius: 6px; border-bottom-right-radius: 6px;
                     border-left: none; }
"""


class StackPickerWidget(QWidget):
    """Two joined buttons, one per stack of the family; `stackChanged(name)` when one is chosen."""

    stackChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        tag(self, "builderStackPicker", "Stack to edit", "Which of the family's two networks the cards edit")
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(0)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}

    def set_stacks(self, names: tuple[str, ...], current: str) -> None:
        """Offer `names` (rebuilt only when they change) with `current` chosen."""
        if tuple(self.buttons) != tuple(names):
            for button in self.buttons.values():
                self._group.removeButton(button)
                button.deleteLater()
            self.buttons = {name: self._button(name) for name in names}
            if names:
                style = SEGMENT_STYLE.replace("{first}", self.buttons[names[0]].objectName())
                self.setStyleSheet(style.replace("{last}", self.buttons[names[-1]].objectName()))
        if current in self.buttons:
            self.buttons[current].setChecked(True)

    def current(self) -> str:
        button = self._group.checkedButton()
        return next((name for name, b in self.buttons.items() if b is button), "")

    def _button(self, name: str) -> QPushButton:
        button = tag(QPushButton(TITLES[name]), f"builderStack{camel(name)}", TITLES[name], TIPS[name])
        button.setCheckable(True)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda _=False, n=name: self.stackChanged.emit(n))
        self._group.addButton(button)
        self._row.addWidget(button, 1)
        return button


class FamilyStacks:
    """BuilderPanel's choice of stack: where the cards' layers live in the project and how an edit
    names them. A mixin: the panel holds `_model`, `_stack`, `_seen`, `_n_in` and `stackPicker`."""

    def edits_family(self, family: str) -> bool:
        """Whether the builder has layers to edit for `family` (the perceptron has none)."""
        return family == "mlp" or family in STACKS

    def _on_stack_picked(self, stack: str) -> None:
        self._stack = stack
        self._refresh_kinds()
        self._refresh()

    def _sync_stack(self) -> None:
        """Keep the chosen stack if the family has it; else its first one ("" for the mlp)."""
        stacks = STACKS.get(self._model.project.model.family, ())
        if self._stack not in stacks:
            self._stack = stacks[0] if stacks else ""
        self.stackPicker.set_stacks(stacks, self._stack)
        self.stackPicker.setVisible(bool(stacks))

    def _follow_edit(self, edited: bool) -> None:
        """An `edited` project (an undo, the autoencoder panel's line) changed only the stack not
        shown: show that one, so the change is seen where it happened."""
        model = self._model.project.model
        stacks = STACKS.get(model.family, ())
        now = {s: (stack_layers(model.settings, s), model.settings[s] == MIRROR) for s in stacks}
        before, self._seen = self._seen, (model.family, now)
        if not edited or before is None or before[0] != model.family:
            return
        changed = [s for s in stacks if now[s] != before[1][s]]
        if len(changed) == 1 and changed[0] != self._stack:
            self._stack = changed[0]

    def _where(self) -> tuple[str, ...]:
        return ("model", self._stack, "layers") if self._stack else NETWORK

    def _prefix(self) -> str:
        """The key path the engine's messages about the stack shown start with."""
        return f"model.{self._stack}" if self._stack else "network"

    def _layers_in(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        for key in self._where():
            doc = doc[key]
        return doc

    def _mirrored(self) -> bool:
        return self._stack == "decoder" and self._model.project.model.settings["decoder"] == MIRROR

    def _shown_layers(self) -> list[dict[str, Any]]:
        if self._stack:
            return stack_layers(self._model.project.model.settings, self._stack)
        return self._model.project.network.layers

    def _edit(self, text: str, mutate) -> None:
        self._model.edit(f"{text} ({self._stack})" if self._stack else text, mutate)

    def _stack_check(self, error: SpecError | None) -> tuple[list | None, SpecError | None]:
        """The engine's shapes of the stack shown, and `error` (the run's) unless they fail first."""
        model = self._model.project.model
        try:
            infos = infer_stack(model.family, model.settings, self._stack, self._n_in)
        except SpecError as exc:
            return None, exc
        return infos, error

    def _on_mirror_toggled(self, mirror: bool) -> None:
        """Checked: the decoder mirrors the encoder. Unchecked: the mirror becomes its own layers."""
        encoder = self._model.project.model.settings["encoder"]["layers"]
        decoder = MIRROR if mirror else {"layers": mirrored(encoder)}
        text = "Mirror the encoder" if mirror else "Edit the decoder's own layers"
        self._model.edit(text, lambda doc: doc["model"].update(decoder=decoder))


def stack_text(family: str, settings: dict[str, Any], stack: str, n_in: int | None) -> str:
    """What the stack does in one line, e.g. "64 inputs → 32 → code of 2"."""
    hidden = [str(layer["units"]) for layer in stack_layers(settings, stack) if "units" in layer]
    start, end = _ends(family, settings, stack, n_in)
    text = " → ".join([start, *hidden, end])
    if stack == "decoder" and settings["decoder"] == MIRROR:
        text += "; mirrored: the encoder's layers, last first"
    return text


def _ends(family: str, settings: dict[str, Any], stack: str, n_in: int | None) -> tuple[str, str]:
    width_in, _ = stack_ends(family, settings, stack, n_in)
    inputs = f"{n_in} inputs" if n_in else "the inputs"
    code = f"code of {settings.get('latent')}"
    if family == "vae":
        code += " (a mean and a variance each)"
    return {
        "encoder": (inputs, code),
        "decoder": (code, f"{n_in} outputs (the input rebuilt)" if n_in else "the input rebuilt"),
        "generator": (f"noise of {width_in}", "2-D point"),
        "discriminator": ("2-D point", "real or fake (1 logit)"),
    }[stack]
