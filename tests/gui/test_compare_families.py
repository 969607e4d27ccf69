"""Compare mode for every model family: each offers its own settings to vary, plots and tabulates
its own metrics, ranks the runs by its main one in the right direction, and draws each run's picture.

The mlp's comparison is tested in tests/gui/test_compare_window.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.examples import example_path
from engine.families import FAMILIES
from engine.families.autoencoder.view import AutoencoderProbe
from engine.families.gan.view import GanProbe
from engine.store import load_project
from gui.compare.family_keys import keys_for
from gui.compare.family_maps import RunCodeView, RunGanView, RunPointsView
from gui.compare.family_terms import terms_for
from gui.compare.stats import RunStats, ranks
from gui.compare.variants import VariantError, build_variants, read_values
from tests.gui.helpers import open_example, start_comparison


def compare(qtbot, window, key: str, values: str, epochs: int) -> None:
    """Open compare mode, start comparing `key` over `values`, and train `epochs` epochs."""
    assert window.compareButton.isEnabled()
    start_comparison(qtbot, window, key, values)
    for _ in range(epochs):
        window.step()
    qtbot.waitUntil(
        lambda: (
            all(s.epoch >= epochs for s in window.compare_stats.values()) and not window.last_frame.running
        ),
        timeout=60000,
    )
    qtbot.waitUntil(lambda: not window.compareView.maps.waiting(), timeout=10000)
    window._refresh_compare_table()  # the pacer's next turn would; the test reads it now


def column(window, run_id: str, header: str) -> str:
    return window.compareTable.cell_text(run_id, header)


def test_gan_losses_race_with_their_metrics_pictures_and_a_kept_winner(qtbot, window):
    open_example(qtbot, window, "gan_ring")
    view = window.compareView
    window.compareButton.click()
    offered = [view.keyCombo.itemData(i) for i in range(view.keyCombo.count())]
    for name in ("loss", "d_steps", "noise_dim", "generator_lr", "discriminator_lr", "seed"):
        assert name in offered
    assert "optimizer" not in offered and "activation" not in offered  # not read by a GAN
    view.cancelButton.click()
    compare(qtbot, window, "loss", "minimax, non_saturating", 2)
    runs = list(window.compare_runs)
    assert [window.compare_runs[r].label for r in runs] == ["loss minimax", "loss non_saturating"]
    headers = [
        window.compareTable.horizontalHeaderItem(c).text() for c in range(window.compareTable.columnCount())
    ]
    for header in ("Rank", "Discriminator loss", "Generator loss", "Modes covered", "Nearest real"):
        assert header in headers
    for run_id in runs:
        log = window.compare_logs[run_id]
        assert column(window, run_id, "Discriminator loss") == f"{log.column('d_loss')[-1]:.4f}"
        assert column(window, run_id, "Generator loss") == f"{log.column('g_loss')[-1]:.4f}"
        assert column(window, run_id, "Modes covered") == f"{int(log.column('modes_covered')[-1])}"
        picture = view.maps.views[run_id]
        assert isinstance(picture, RunGanView) and isinstance(picture._probe, GanProbe)
        assert len(picture.fake.getData()[0]) == len(picture._probe.fake)
    # the two runs' generators differ after two epochs of different losses
    fakes = [view.maps.views[r]._probe.fake for r in runs]
    assert not np.array_equal(fakes[0], fakes[1])
    assert view.curves.curve_count("loss") == 4  # D's and G's loss of each run
    assert "discriminator loss" in view.curves.key.text() and "generator loss" in view.curves.key.text()
    assert view.rankLabel.text() == "Ranked by modes covered (higher is better)"
    # Keep the minimax run: the project's loss becomes minimax, the GAN's own views come back.
    window.compareTable.selectRow(0)
    window.keepRunButton.click()
    qtbot.waitUntil(lambda: not window.comparing and window.last_frame.main is not None, timeout=30000)
    assert window.model.project.model.settings["loss"] == "minimax"
    assert window.viewStack.currentIndex() == 0 and window.ganView.isVisible()


def test_autoencoder_latents_are_ranked_by_reconstruction_lower_first(qtbot, window):
    open_example(qtbot, window, "autoencoder_digits")
    compare(qtbot, window, "latent", "1, 2", 3)
    view = window.compareView
    finals = {r: window.compare_logs[r].column("reconstruction")[-1] for r in window.compare_runs}
    best = min(finals, key=finals.get)
    assert column(window, best, "Rank") == "1"
    assert column(window, max(finals, key=finals.get), "Rank") == "2"
    for run_id, value in finals.items():
        assert column(window, run_id, "Test reconstruction") == f"{value:.4f}"
        picture = view.maps.views[run_id]
        assert isinstance(picture, RunCodeView) and isinstance(picture._probe, AutoencoderProbe)
        assert len(picture.shown_codes()) == len(picture._probe.codes)
    assert view.rankLabel.text() == "Ranked by test reconstruction (lower is better)"
    assert view.curves.curve_count("loss") == 4  # test and train reconstruction of each run
    assert not view.curves.accuracy_plot.isVisibleTo(view.curves)  # an autoencoder has no accuracy
    assert "the digit" in view.maps.key.text()
    # a target every run is under names an epoch; one none is under says "not yet"
    window.compareTarget.setValue(100.0)
    assert all(column(window, r, view.table.target_title).startswith("epoch ") for r in window.compare_runs)
    window.compareTarget.setValue(0.0)
    assert all(column(window, r, view.table.target_title) == "not yet" for r in window.compare_runs)


def test_the_perceptron_compares_its_pocket_and_counts_its_errors(qtbot, window):
    open_example(qtbot, window, "perceptron_xor")
    window.compareButton.click()
    view = window.compareView
    assert [key.name for key in view.keys] == ["lr", "pocket", "seed"]
    view.cancelButton.click()
    compare(qtbot, window, "pocket", "off, on", 3)
    assert [info.label for info in window.compare_runs.values()] == ["pocket off", "pocket on"]
    assert view.curves.curve_count("loss") == 2  # each run's points misclassified
    assert view.curves.curve_count("accuracy") == 4
    for run_id in window.compare_runs:
        errors = window.compare_logs[run_id].column("errors")[-1]
        assert column(window, run_id, "Errors") == f"{int(errors):,}"
    # the pocket keeps the best weights seen: its test accuracy ranks it first or level
    accuracy = {r: window.compare_logs[r].column("test_accuracy")[-1] for r in window.compare_runs}
    ranked = {r: int(column(window, r, "Rank")) for r in window.compare_runs}
    assert ranked[max(accuracy, key=accuracy.get)] == 1
    assert view.rankLabel.text() == "Ranked by test accuracy (higher is better)"


def test_the_vae_compares_beta_with_its_kl_in_the_table(qtbot, window):
    open_example(qtbot, window, "vae_digits")
    compare(qtbot, window, "beta", "1, 0.1", 1)
    for run_id in window.compare_runs:
        kl = window.compare_logs[run_id].column("kl")[-1]
        assert column(window, run_id, "KL to the prior") == f"{kl:.4f}"
        assert isinstance(window.compareView.maps.views[run_id], RunCodeView)


@pytest.mark.parametrize("family", FAMILIES.names())
def test_every_family_is_ranked_in_its_metrics_direction(family):
    terms = terms_for(family, True, True)
    entry = FAMILIES[family]
    assert entry.metric(terms.ranked_by)  # a metric of the family
    for name, higher in terms.ranking():
        assert higher == entry.metric(name).higher_is_better
    assert {c.metric for c in terms.columns} <= set(entry.metric_names())


def test_ranks_put_the_better_value_first_and_break_ties():
    lower = {m: False for m in ("reconstruction", "train_reconstruction")}
    stats = {r: RunStats(lower) for r in ("a", "b", "c")}
    for run_id, (test, train) in {"a": (0.3, 0.2), "b": (0.1, 0.5), "c": (0.3, 0.1)}.items():
        stats[run_id].add(
            type("Snap", (), {"epoch": 1, "metrics": {"reconstruction": test, "train_reconstruction": train}})
        )
    assert ranks(stats, [("reconstruction", False)]) == {"a": 2, "b": 1, "c": 2}
    assert ranks(stats, [("reconstruction", False), ("train_reconstruction", False)]) == {
        "a": 3,
        "b": 1,
        "c": 2,
    }


def test_family_keys_set_the_family_settings_and_bad_values_are_named():
    gan = load_project(example_path("gan_ring"))
    ((label, overrides),) = build_variants(
        gan, [("generator_lr", read_values("generator_lr", "0.001", keys_for(gan)))]
    )
    assert label == "g learning rate 0.001" and overrides == {"model.generator.optimizer.lr": 0.001}
    ae = load_project(example_path("autoencoder_digits"))
    with pytest.raises(VariantError, match="latent 0: model.latent"):
        build_variants(ae, [("latent", [0, 2])])
    perceptron = load_project(example_path("perceptron"))
    assert read_values("pocket", "on, off", keys_for(perceptron)) == [True, False]
    with pytest.raises(VariantError, match="not a setting"):
        build_variants(perceptron, [("optimizer", ["sgd"])])  # the rule has no optimizer


def test_autoencoder_variants_on_points_show_each_runs_reconstructions_whole(qtbot, window):
    open_example(qtbot, window, "autoencoder")  # 2-D points along a curve
    compare(qtbot, window, "variant", "plain, denoising, contractive", 1)
    view = window.compareView
    assert view.maps.header.text() == "Reconstructions by variant"
    for run_id in window.compare_runs:
        picture = view.maps.views[run_id]
        assert isinstance(picture, RunPointsView)
        inputs = np.asarray(picture._probe.inputs)
        assert len(picture.recon_item.getData()[0]) == len(picture._probe.reconstructions)
        # the whole plane fits its cell: every input lies inside the range shown, and the plot
        # is no wider than its widget (a legend left in its layout once pushed the right side out)
        (x0, x1), (y0, y1) = picture.viewRange()
        assert x0 <= inputs[:, 0].min() and inputs[:, 0].max() <= x1
        assert y0 <= inputs[:, 1].min() and inputs[:, 1].max() <= y1
        assert picture.getPlotItem().width() <= picture.width() + 1
    assert column(window, "run3", "The variant's penalty") != "0.0000"  # the contractive penalty
