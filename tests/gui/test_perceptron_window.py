"""The window on a perceptron project: the panel beside the bound, the overlay on the map, the
family's settings as undoable edits, and the supervised views back for an mlp project."""

from __future__ import annotations

import re

import numpy as np

from engine.families.perceptron.view import PerceptronProbe
from tests.gui.helpers import open_example


def probe(window) -> PerceptronProbe:
    shown = window.last_frame.main.probe
    assert isinstance(shown, PerceptronProbe)
    return shown


def test_separable_example_converges_within_the_bound(qtbot, window):
    open_example(qtbot, window, "perceptron")
    panel = window.perceptronPanel
    assert panel.isVisible()
    assert not window.panelTabs.isTabVisible(window.panelTabs.indexOf(window.builderPanel))
    assert not window.networkView.isVisible() and not window.gradientView.isVisible()
    assert not window.trainingPanel.optimizerCombo.isVisibleTo(window.trainingPanel)
    window.play()
    qtbot.waitUntil(lambda: panel.stateLabel.text().startswith("Converged at epoch"), timeout=20000)
    match = re.fullmatch(r"([\d,]+) mistakes? ≤ bound \(R/γ\)² = ([\d,.]+)", panel.counterLabel.text())
    assert match, panel.counterLabel.text()
    mistakes, bound = int(match[1].replace(",", "")), float(match[2].replace(",", ""))
    shown = probe(window)
    assert shown.converged and mistakes == shown.mistakes > 0
    assert mistakes <= bound and abs(bound - shown.bound) < 0.05
    assert f"Converged at epoch {shown.epoch}:" in panel.stateLabel.text()
    assert "misclassifies 0 of" in panel.errorsLabel.text()
    assert window.summaryLabel.text().startswith("Mistakes")
    # The curves plot points misclassified per pass, ending at none.
    xs, ys = window.curvesView._train_loss.getData()
    assert len(xs) == shown.epoch and ys[-1] == 0


def test_xor_says_it_is_not_separable(qtbot, window):
    open_example(qtbot, window, "perceptron_xor")
    for _ in range(2):
        window.step()
    qtbot.waitUntil(lambda: probe(window).epoch >= 2, timeout=20000)
    panel = window.perceptronPanel
    assert probe(window).bound is None
    assert panel.stateLabel.text().startswith("Not linearly separable")
    assert "pocket line" in panel.stateLabel.text()  # the example keeps a pocket
    assert "no bound" in panel.counterLabel.text()
    assert window.boundaryView.overlay.pocket_item.getData()[0] is not None


def test_overlay_draws_the_probes_line_and_theta(qtbot, window):
    open_example(qtbot, window, "perceptron")
    window.step()
    qtbot.waitUntil(lambda: probe(window).epoch >= 1, timeout=20000)
    shown, overlay = probe(window), window.boundaryView.overlay
    assert overlay.shown is shown
    a, b, c = shown.line
    xs, ys = overlay.line_item.getData()
    assert len(xs) == 2
    assert np.allclose(a * xs + b * ys + c, 0.0, atol=1e-6 * (abs(a) + abs(b) + abs(c)))
    ax, ay = overlay.arrow_item.getData()
    base, tip = np.array([ax[0], ay[0]]), np.array([ax[1], ay[1]])
    assert abs(a * base[0] + b * base[1] + c) < 1e-6 * (abs(a) + abs(b) + abs(c))  # starts on the line
    direction = (tip - base) / np.linalg.norm(tip - base)
    assert np.allclose(direction, np.array([a, b]) / np.hypot(a, b))  # along θ: normal, to the + side
    x_train = window.run_info.dataset.x_train
    rx, ry = overlay.looking_item.getData()
    assert (rx[0], ry[0]) == tuple(x_train[shown.looking_at])
    assert len(overlay.wrong_item.getData()[0]) == len(shown.misclassified)


def test_pocket_is_an_undoable_edit_of_the_model(qtbot, window):
    open_example(qtbot, window, "perceptron")
    check = window.perceptronPanel.pocketCheck
    assert window.model.project.model.settings["pocket"] is False
    generation = window.run_info.generation
    check.click()
    assert window.model.project.model.settings == {"lr": 1.0, "pocket": True}
    # A new rule is a new run: the session rebuilds it.
    qtbot.waitUntil(lambda: window.run_info.generation != generation, timeout=20000)
    window.model.undo_stack.undo()
    assert window.model.project.model.settings["pocket"] is False
    assert not check.isChecked()
    window.perceptronPanel.lrSpin.setValue(0.5)
    assert window.model.project.model.settings["lr"] == 0.5


def test_an_mlp_example_brings_the_builder_back(qtbot, window):
    open_example(qtbot, window, "perceptron")
    window.step()
    qtbot.waitUntil(lambda: probe(window).epoch >= 1, timeout=20000)
    open_example(qtbot, window, "spiral")
    assert window.panelTabs.isTabVisible(window.panelTabs.indexOf(window.builderPanel))
    assert not window.perceptronPanel.isVisible()
    assert window.networkView.isVisible() and window.gradientView.isVisible()
    assert window.trainingPanel.optimizerCombo.isVisibleTo(window.trainingPanel)
    assert window.boundaryView.overlay.shown is None
    assert len(window.boundaryView.overlay.line_item.getData()[0] or []) == 0
    assert window.curvesView.log_scale_check.isVisible()


def test_scrubbing_the_perceptrons_history(qtbot, window):
    open_example(qtbot, window, "perceptron")
    window.play()
    qtbot.waitUntil(lambda: window.perceptronPanel.stateLabel.text().startswith("Converged"), timeout=20000)
    qtbot.waitUntil(lambda: window.historySlider.isEnabled(), timeout=5000)
    window.historySlider.setValue(1)
    qtbot.waitUntil(
        lambda: window.history_view is not None and window.history_view.requested == 1, timeout=5000
    )
    assert isinstance(window.history_view.probe, PerceptronProbe)
    assert window.perceptronPanel.progressLabel.text().startswith("Epoch 1 ")
    shown = window.boundaryView.overlay.shown
    assert np.array_equal(shown.theta, window.history_view.probe.theta) and shown.epoch == 1
    assert window.perceptronPanel.counterLabel.text().startswith(f"{shown.mistakes} mistake")
