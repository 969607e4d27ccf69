"""The builder on the families with two stacks: the GAN's generator and discriminator, the
autoencoder's encoder and (mirrored or its own) decoder, each edited with the mlp's layer cards as
one undoable step; a refused edit changes nothing; an mlp project brings its own layers back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.helpers import open_example


def settings(window) -> dict:
    return window.model.project.model.settings


def units(layers: list) -> list:
    return [layer.get("units") for layer in layers]


def shown_units(builder) -> list:
    return [card.unitsSpin.value() for card in builder._cards]


def pick(qtbot, builder, stack: str) -> None:
    qtbot.mouseClick(builder.stackPicker.buttons[stack], Qt.MouseButton.LeftButton)
    assert builder.stackPicker.current() == stack


def test_the_gan_builds_its_generator_and_discriminator_in_the_builder(qtbot, window, tracebacks):
    open_example(qtbot, window, "gan_ring")
    builder, tabs = window.builderPanel, window.panelTabs
    assert tabs.isTabVisible(tabs.indexOf(builder))
    tabs.setCurrentWidget(builder)
    assert builder.stackPicker.isVisible()
    assert list(builder.stackPicker.buttons) == ["generator", "discriminator"]
    assert builder.stackPicker.buttons["generator"].text() == "Generator"
    pick(qtbot, builder, "generator")
    assert builder.stackLabel.text() == "noise of 2 → 32 → 32 → 2-D point"
    assert [card.shapeLabel.text() for card in builder._cards] == [
        "(32,) · 96 params",
        "(32,) · 1,056 params",
    ]
    discriminator = settings(window)["discriminator"]
    qtbot.mouseClick(builder.addLayerButton, Qt.MouseButton.LeftButton)
    layers = settings(window)["generator"]["layers"]
    assert len(layers) == 3 and layers[2]["type"] == "dense"
    assert settings(window)["discriminator"] == discriminator
    assert len(builder._cards) == 3
    assert "generator" in window.model.undo_stack.undoText()
    assert builder.stackLabel.text() == f"noise of 2 → 32 → 32 → {layers[2]['units']} → 2-D point"
    pick(qtbot, builder, "discriminator")
    window.model.undo_stack.undo()  # the undone edit is the generator's: the builder shows it
    assert units(settings(window)["generator"]["layers"]) == [32, 32]
    assert builder.stackPicker.current() == "generator"
    assert builder.stackPicker.buttons["generator"].isChecked()
    assert len(builder._cards) == 2
    # The other stack: its own layers in the same cards; an edit leaves the generator alone.
    pick(qtbot, builder, "discriminator")
    assert builder.stackLabel.text().startswith("2-D point → 32 → 32 → real or fake")
    builder._cards[0].unitsSpin.setValue(12)
    assert units(settings(window)["discriminator"]["layers"]) == [12, 32]
    assert units(settings(window)["generator"]["layers"]) == [32, 32]
    qtbot.mouseClick(builder._cards[1].removeButton, Qt.MouseButton.LeftButton)
    assert units(settings(window)["discriminator"]["layers"]) == [12]
    assert window.model.undo_stack.undoText() == "Remove layer 2 (discriminator)"
    window.model.undo_stack.undo()
    window.model.undo_stack.undo()
    assert units(settings(window)["discriminator"]["layers"]) == [32, 32]
    assert shown_units(builder) == [32, 32]
    assert tracebacks == []


def test_unmirroring_the_decoder_gives_it_its_own_layers(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder_digits")
    builder, panel = window.builderPanel, window.autoencoderPanel
    window.panelTabs.setCurrentWidget(builder)
    assert list(builder.stackPicker.buttons) == ["encoder", "decoder"]
    pick(qtbot, builder, "encoder")
    assert not builder.mirrorCheck.isVisible()
    qtbot.waitUntil(lambda: builder.stackLabel.text() == "64 inputs → 32 → code of 2", timeout=10000)
    pick(qtbot, builder, "decoder")
    mirror = builder.mirrorCheck
    assert mirror.isVisible() and mirror.isChecked()
    card = builder._cards[0]
    assert shown_units(builder) == [32]  # the mirror: the encoder's layers
    assert not card.unitsSpin.isEnabled() and not card.removeButton.isEnabled()
    assert not builder.addLayerButton.isEnabled()
    depth = window.model.undo_stack.count()
    mirror.click()  # unchecked: the mirror becomes the decoder's own layers, in one step
    assert settings(window)["decoder"] == {"layers": [{"type": "dense", "units": 32, "activation": "tanh"}]}
    assert window.model.undo_stack.count() == depth + 1
    assert card.unitsSpin.isEnabled() and builder.addLayerButton.isEnabled()
    builder._cards[0].unitsSpin.setValue(20)
    assert units(settings(window)["decoder"]["layers"]) == [20]
    assert units(settings(window)["encoder"]["layers"]) == [32]
    assert panel.hiddenEdit.text() == "32"
    window.model.undo_stack.undo()
    window.model.undo_stack.undo()
    assert settings(window)["decoder"] == "mirror"
    assert mirror.isChecked() and not builder._cards[0].unitsSpin.isEnabled()
    assert tracebacks == []


def test_the_encoder_line_and_the_builder_edit_the_same_layers(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder_digits")
    builder, panel = window.builderPanel, window.autoencoderPanel
    pick(qtbot, builder, "encoder")
    builder._cards[0].unitsSpin.setValue(24)
    assert units(settings(window)["encoder"]["layers"]) == [24]
    assert panel.hiddenEdit.text() == "24"
    panel.hiddenEdit.setText("48, 16")
    panel.hiddenEdit.editingFinished.emit()
    assert shown_units(builder) == [48, 16]
    window.model.undo_stack.undo()
    assert shown_units(builder) == [24] and panel.hiddenEdit.text() == "24"
    window.model.undo_stack.undo()
    assert shown_units(builder) == [32] and panel.hiddenEdit.text() == "32"
    assert tracebacks == []


def test_a_refused_stack_edit_changes_nothing_and_says_why(qtbot, window, tracebacks):
    open_example(qtbot, window, "contractive_autoencoder")
    builder = window.builderPanel
    pick(qtbot, builder, "encoder")
    before, depth = window.model.document(), window.model.undo_stack.count()
    combo = builder.layerKindCombo
    combo.setCurrentIndex(combo.findData("batchnorm"))
    qtbot.mouseClick(builder.addLayerButton, Qt.MouseButton.LeftButton)
    # The contractive penalty is per sample: the engine refuses batch norm in its encoder.
    assert window.model.document() == before
    assert window.model.undo_stack.count() == depth
    assert len(builder._cards) == 1
    message = window.statusBar().currentMessage()
    assert message.startswith("model.encoder") and "batch norm" in message
    assert tracebacks == []


def test_an_mlp_project_brings_back_its_own_layers(qtbot, window, tracebacks):
    open_example(qtbot, window, "gan_ring")
    builder = window.builderPanel
    pick(qtbot, builder, "discriminator")
    open_example(qtbot, window, "spiral")
    window.panelTabs.setCurrentWidget(builder)
    layers = window.model.project.network.layers
    assert not builder.stackPicker.isVisible() and not builder.mirrorCheck.isVisible()
    assert builder.footerBox.title() == "Network" and builder.initCombo.isVisible()
    assert shown_units(builder) == units(layers)
    qtbot.mouseClick(builder.addLayerButton, Qt.MouseButton.LeftButton)
    assert len(window.model.project.network.layers) == len(layers) + 1
    assert window.model.undo_stack.undoText() == "Add Dense layer"
    assert "generator" not in window.model.project.to_dict()["model"]
    # The perceptron has no layers: no builder tab.
    open_example(qtbot, window, "perceptron")
    assert not window.panelTabs.isTabVisible(window.panelTabs.indexOf(builder))
    assert tracebacks == []


@pytest.mark.parametrize("example", ["autoencoder_digits", "vae_digits", "gan_ring"])
def test_the_stacks_shapes_count_what_the_trainers_build(example):
    """infer_stack's parameter counts against the torch modules the family's trainer builds."""
    from engine.examples import example_path
    from engine.families.stacks import STACKS, infer_stack
    from engine.store import load_project
    from engine.train import build_trainer

    project = load_project(example_path(example))
    trainer = build_trainer(project)
    model = project.model
    n_in = getattr(trainer, "n_in", None)
    counted = {
        stack: sum(info.params for info in infer_stack(model.family, model.settings, stack, n_in))
        for stack in STACKS[model.family]
    }
    parts = {
        "encoder": lambda: trainer.model.encoder,
        "decoder": lambda: trainer.model.decoder,
        "generator": lambda: trainer.generator,
        "discriminator": lambda: trainer.discriminator,
    }
    built = {stack: sum(p.numel() for p in parts[stack]().parameters()) for stack in counted}
    assert counted == built
