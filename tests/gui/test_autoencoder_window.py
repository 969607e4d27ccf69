"""The window on autoencoder projects: points joined to their reconstructions and the decoder's
sweep, digits over their reconstructions and the latent scatter, the panel's settings as undoable
edits of `model`, and the mlp's views back for an mlp project. No slot may raise."""

from __future__ import annotations

import numpy as np
import pytest

from engine.families.autoencoder.view import AutoencoderProbe
from gui.views.autoencoder_views import COLUMNS, image_levels, mosaic
from tests.gui.helpers import make_window, open_example


def probe(window) -> AutoencoderProbe:
    shown = window.last_frame.main.probe
    assert isinstance(shown, AutoencoderProbe)
    return shown


def train_epochs(qtbot, window, epochs: int) -> AutoencoderProbe:
    for epoch in range(1, epochs + 1):
        window.step()
        qtbot.waitUntil(lambda e=epoch: probe(window).epoch >= e, timeout=30000)
    qtbot.waitUntil(lambda: window.reconstructionView.currentWidget().isVisible(), timeout=5000)
    return probe(window)


def test_points_are_joined_to_their_reconstructions(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder")
    shown = train_epochs(qtbot, window, 3)
    plot = window.reconstructionView.points
    assert window.reconstructionView.currentWidget() is plot and plot.isVisible()
    xs, ys = plot.links_item.getData()
    n = len(shown.inputs)
    assert n > 0 and len(xs) == 2 * n  # one segment a point, drawn as pairs
    ends = np.column_stack([xs, ys])
    assert np.allclose(ends[0::2], shown.inputs) and np.allclose(ends[1::2], shown.reconstructions)
    assert len(plot.input_item.getData()[0]) == n == len(plot.recon_item.getData()[0])
    sx, sy = plot.sweep_item.getData()
    assert shown.sweep is not None and np.allclose(np.column_stack([sx, sy]), shown.sweep)
    # The latent view: a 1-unit code against the arc's position t.
    drawn = window.codeView.latentPlot.shown_codes()
    assert np.allclose(np.sort(drawn[:, 0]), np.sort(shown.codes[:, 0]))
    assert window.summaryLabel.text().startswith("Train reconstruction")
    assert tracebacks == []


def test_digits_show_originals_reconstructions_and_codes(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder_digits")
    shown = train_epochs(qtbot, window, 1)
    images = window.reconstructionView.images
    assert window.reconstructionView.currentWidget() is images and images.isVisible()
    assert images.shown == len(shown.inputs) == len(shown.reconstructions) == 16
    picture = images.image_item.image
    levels = image_levels(shown)
    originals, rebuilt = mosaic(shown.inputs, COLUMNS, levels), mosaic(shown.reconstructions, COLUMNS, levels)
    assert np.array_equal(picture[:8], originals[:8])  # first row of originals...
    assert np.array_equal(picture[9:17], rebuilt[:8])  # ...over their reconstructions
    latent = window.codeView.latentPlot
    assert latent.isVisible()
    drawn = latent.shown_codes()
    assert len(drawn) == len(shown.codes) == 500
    assert np.allclose(np.sort(drawn, axis=0), np.sort(shown.codes, axis=0))
    colored = sum(len(item.getData()[0]) for item in latent.class_items[:10])
    assert colored == len(shown.codes)  # every code coloured by its digit
    key = window.codeView.keyLabel.text()
    assert key.startswith("Colour: the digit") and "●</span>&nbsp;9" in key  # a swatch per digit
    grid = window.codeView.sweepGridPlot
    assert grid.isVisible() and grid.grid == 8
    assert grid.image_item.image.shape[:2] == (8 * 9 - 1, 8 * 9 - 1)
    assert not window.codeView.activationPlot.isVisible()
    assert tracebacks == []


def test_sparse_shows_each_units_mean_activation(qtbot, window, tracebacks):
    open_example(qtbot, window, "sparse_autoencoder")
    shown = train_epochs(qtbot, window, 1)
    bars = window.codeView.activationPlot
    assert bars.isVisible() and not window.codeView.sweepGridPlot.isVisible()
    assert np.allclose(bars.bars.opts["height"], shown.mean_activation)
    assert bars.target.isVisible() and bars.target.value() == pytest.approx(0.05)
    assert tracebacks == []


def test_code_size_is_an_undoable_edit_of_the_model(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder_digits")
    panel = window.autoencoderPanel
    assert panel.isVisible() and panel.latentSpin.value() == 2
    generation = window.run_info.generation
    panel.latentSpin.setValue(3)
    assert window.model.project.model.settings["latent"] == 3
    qtbot.waitUntil(lambda: window.run_info.generation != generation, timeout=30000)
    qtbot.waitUntil(lambda: probe(window).codes.shape[1] == 3, timeout=30000)
    assert not window.codeView.sweepGridPlot.isVisible()  # no decoded grid beyond 2 units
    window.model.undo_stack.undo()
    assert window.model.project.model.settings["latent"] == 2
    assert panel.latentSpin.value() == 2
    # The variant's own settings come and go with it.
    noise = panel.editors["noise"]
    assert not noise.isVisibleTo(panel)
    panel.variantCombo.setCurrentIndex(panel.variantCombo.findData("denoising"))
    assert window.model.project.model.settings["variant"] == "denoising"
    assert noise.isVisibleTo(panel)
    assert tracebacks == []


def test_the_autoencoder_hides_what_it_does_not_read(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder")
    tabs, training = window.panelTabs, window.trainingPanel
    assert tabs.isTabVisible(tabs.indexOf(window.builderPanel))  # it edits the two stacks
    assert not window.networkView.isVisible() and not window.gradientView.isVisible()
    assert not window.boundaryView.isVisible()
    for kept in (training.optimizerCombo, training.learningRateSpin, training.scheduleCombo):
        assert kept.isVisibleTo(training)
    assert training.clipModeCombo.isVisibleTo(training) and training.epochsSpin.isVisibleTo(training)
    hidden = (training.lossCombo, training.l1Spin, training.l2Spin, training.inputNoiseSpin)
    for widget in (*hidden, training.earlyStoppingCheck, training.presetCombo, training.deviceCombo):
        assert not widget.isVisibleTo(training), widget.objectName()
    train_epochs(qtbot, window, 1)
    open_example(qtbot, window, "spiral")
    assert tabs.isTabVisible(tabs.indexOf(window.builderPanel))
    assert not window.autoencoderPanel.isVisible() and not window.codeView.isVisible()
    assert window.networkView.isVisible() and window.gradientView.isVisible()
    assert window.boundaryView.isVisible()
    assert training.lossCombo.isVisibleTo(training) and training.l1Spin.isVisibleTo(training)
    window.step()
    qtbot.waitUntil(lambda: window.epoch >= 1, timeout=30000)
    assert window.summaryLabel.text().startswith("Train loss")
    assert tracebacks == []


def test_the_encoders_layers_are_edited_in_the_panel(qtbot, window, tracebacks):
    open_example(qtbot, window, "autoencoder")
    edit = window.autoencoderPanel.hiddenEdit
    assert edit.text() == "16"
    edit.setText("24, 8")
    edit.editingFinished.emit()
    layers = window.model.project.model.settings["encoder"]["layers"]
    assert [(layer["units"], layer["activation"]) for layer in layers] == [(24, "tanh"), (8, "tanh")]
    assert "input → 24 → 8 → code (1) → 8 → 24" in window.autoencoderPanel.shapeLabel.text()
    edit.setText("two")
    edit.editingFinished.emit()
    assert edit.text() == "24, 8"  # refused: the project keeps its layers
    window.model.undo_stack.undo()
    assert window.model.project.model.settings["encoder"]["layers"][0]["units"] == 16
    assert edit.text() == "16"
    assert tracebacks == []


def test_a_window_opened_on_an_autoencoder_file_shows_its_views(qtbot, tmp_path, tracebacks):
    from engine.examples import example_path

    path = tmp_path / "digits.json"
    path.write_text(example_path("autoencoder_digits").read_text())
    window = make_window(qtbot, path)
    try:
        assert window.autoencoderPanel.isVisible() and not window.networkView.isVisible()
        assert window.compareButton.isEnabled()  # compare mode races autoencoders too
        train_epochs(qtbot, window, 1)
        assert window.reconstructionView.images.shown == 16
        assert tracebacks == []
    finally:
        window.shutdown()


def test_the_vae_shows_what_its_decoder_makes_of_the_prior(qtbot, window, tracebacks):
    open_example(qtbot, window, "vae_digits")
    images = window.reconstructionView.images
    qtbot.waitUntil(lambda: images.prior_shown == 8, timeout=30000)
    assert "prior" in images.caption.text
    code = window.codeView
    qtbot.waitUntil(lambda: "Holes:" in code.keyLabel.text(), timeout=10000)
    assert all(item.isVisible() for item in code.latentPlot.prior_items)  # the prior's circles
    radius = np.hypot(*code.latentPlot.prior_items[1].getData())
    np.testing.assert_allclose(radius, 2.0)
    assert window.autoencoderPanel.isVisible() and not window.autoencoderPanel.variantCombo.isVisibleTo(
        window.autoencoderPanel
    )
    assert not tracebacks


def test_denoising_shows_each_image_its_noisy_copy_and_what_is_rebuilt(qtbot, window, tracebacks):
    open_example(qtbot, window, "denoising_autoencoder")
    shown = train_epochs(qtbot, window, 1)
    images = window.reconstructionView.images
    qtbot.waitUntil(lambda: "noisy copy" in images.caption.text, timeout=10000)
    height = images.image_item.image.shape[0]
    groups = -(-len(shown.inputs) // COLUMNS)
    # Each group of rows: the clean images, their noisy copies, the reconstructions (8 px + 1 gap each).
    assert height == groups * 3 * 9 - 1 + (groups - 1) * 2
    open_example(qtbot, window, "autoencoder_digits")
    qtbot.waitUntil(lambda: "noisy" not in images.caption.text, timeout=10000)
    assert not tracebacks
