"""The window on a GAN project: GAN Lab's picture of the game, the standing and settings panel as
undoable edits, the curves of both players, and the supervised views back for an mlp project."""

from __future__ import annotations

import numpy as np

from engine.families.gan.view import GanProbe
from tests.gui.helpers import open_example


def test_the_ring_shows_the_game_and_its_numbers(qtbot, window):
    open_example(qtbot, window, "gan_ring")
    assert window.ganView.isVisible() and window.ganSettings.isVisible()
    assert not window.boundaryView.isVisible() and not window.networkView.isVisible()
    assert not window.trainingPanel.optimizerCombo.isVisibleTo(
        window.trainingPanel
    )  # each network has its own
    assert window.compareButton.isEnabled()  # compare mode races GANs too
    window.step()
    qtbot.waitUntil(
        lambda: window.epoch >= 1 and "of 8 modes covered" in window.ganSettings.standingLabel.text(),
        timeout=30000,
    )
    probe = window.last_frame.main.probe
    assert isinstance(probe, GanProbe)
    qtbot.waitUntil(lambda: len(window.ganView.fake.getData()[0]) == len(probe.fake), timeout=10000)
    np.testing.assert_allclose(
        np.sort(window.ganView.fake.getData()[0]), np.sort(window.last_frame.main.probe.fake[:, 0])
    )
    assert window.summaryLabel.text().startswith("Discriminator loss")
    names = [label.text for _, label in window.curvesView.loss_plot.getPlotItem().legend.items]
    assert names[:2] == ["discriminator", "generator"]
    xs, _ = window.curvesView._train_loss.getData()
    assert len(xs) == window.epoch


def test_settings_are_undoable_edits_that_rebuild_the_run(qtbot, window):
    open_example(qtbot, window, "gan_ring")
    settings = window.ganSettings
    generation = window.run_info.generation
    settings.dStepsSpin.setValue(3)
    assert window.model.project.model.settings["d_steps"] == 3
    qtbot.waitUntil(lambda: window.run_info.generation > generation, timeout=30000)
    settings.dLrSpin.setValue(0.0005)
    assert window.model.project.model.settings["discriminator"]["optimizer"]["lr"] == 0.0005
    assert window.model.project.model.settings["generator"]["optimizer"]["lr"] == 0.002
    window.model.undo_stack.undo()
    window.model.undo_stack.undo()
    assert window.model.project.model.settings["d_steps"] == 1
    assert settings.dStepsSpin.value() == 1 and settings.dLrSpin.value() == 0.002
    # Each player has its own optimizer: switching D to RMSProp keeps its rate and leaves G's Adam.
    settings.dOptimizerCombo.setCurrentIndex(settings.dOptimizerCombo.findData("rmsprop"))
    own = window.model.project.model.settings
    assert own["discriminator"]["optimizer"]["name"] == "rmsprop"
    assert (
        own["discriminator"]["optimizer"]["lr"] == 0.002 and own["generator"]["optimizer"]["name"] == "adam"
    )
    window.model.undo_stack.undo()
    assert window.model.project.model.settings["discriminator"]["optimizer"]["name"] == "adam"
    assert settings.dOptimizerCombo.currentData() == "adam"


def test_an_mlp_example_brings_the_supervised_views_back(qtbot, window):
    open_example(qtbot, window, "gan_ring")
    assert not window.dataPanel._features_group.isVisibleTo(window.dataPanel)
    open_example(qtbot, window, "spiral")
    assert not window.ganView.isVisible() and window.boundaryView.isVisible()
    assert window.dataPanel._features_group.isVisibleTo(window.dataPanel)
    names = [label.text for _, label in window.curvesView.loss_plot.getPlotItem().legend.items]
    assert names[:2] == ["train", "test"]


def test_one_move_at_a_time_shows_what_that_player_did(qtbot, window):
    open_example(qtbot, window, "gan_ring")
    before = window.ganView.fake.getData()[0].copy()
    window.ganSettings.gStepButton.click()
    qtbot.waitUntil(lambda: window.last_frame.main.probe.single_updates == (0, 1), timeout=20000)
    qtbot.waitUntil(lambda: "generator 1" in window.ganSettings.movesLabel.text(), timeout=10000)
    assert not np.allclose(window.ganView.fake.getData()[0], before)  # G moved its samples
    d_map = window.last_frame.main.probe.d_map.copy()
    window.ganSettings.dStepButton.click()
    qtbot.waitUntil(lambda: window.last_frame.main.probe.single_updates == (1, 1), timeout=20000)
    assert not np.allclose(window.last_frame.main.probe.d_map, d_map)  # D redrew its map
    assert not window.running and window.epoch == 0
