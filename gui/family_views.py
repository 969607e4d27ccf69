"""What the window shows for each model family: the perceptron's panel in place of the network
and gradient views, the autoencoder's reconstructions and code in place of the network and the
decision map, and only the editors the family reads. A mixin of MainWindow.

The editors follow the project (they edit it); the views of a run follow the run's rebuild.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QSplitter

from engine.families.autoencoder.view import AutoencoderProbe
from engine.families.gan.view import GanProbe
from engine.families.perceptron.view import PerceptronProbe
from engine.inspect import InspectProbe
from gui.compare.family_keys import keys_for
from gui.panels.autoencoder_panel import AutoencoderPanel
from gui.panels.gan_settings import GanSettings
from gui.panels.perceptron_panel import PerceptronPanel
from gui.views.autoencoder_code import CodeView
from gui.views.autoencoder_views import ReconstructionView
from gui.views.gan_views import GanView

CURVES_TITLES = {
    "perceptron": "Points misclassified and accuracy",
    "autoencoder": "Reconstruction error (mean squared error per input value)",
    "gan": "Discriminator and generator losses",
}
DEFAULT_CURVES_TITLE = "Loss and accuracy"
# Splitter sizes: views (middle | right), the middle's six boxes, the right's four.
SIZES = {
    "mlp": ([560, 520], [560, 300, 0, 0, 0, 0], [480, 0, 0, 380]),
    "perceptron": ([380, 700], [0, 0, 860, 0, 0, 0], [480, 0, 0, 380]),
    "autoencoder": ([500, 580], [0, 0, 0, 500, 360, 0], [0, 480, 0, 380]),
    "gan": ([380, 700], [0, 0, 0, 0, 0, 860], [0, 0, 560, 300]),
}
# Families whose compare button says something else than the default tip: none, every family
# compares (gui/compare/family_terms.py ranks each by its own metrics).
COMPARE_TIPS: dict[str, str] = {}
# Families drawn with another family's views: the VAE's runs are an autoencoder's to look at.
VIEWS_OF = {"vae": "autoencoder"}
PENALTIES = {"sparse": "sparsity penalty", "contractive": "contractive penalty"}


class FamilyViews:
    """perceptronPanel, the autoencoder's views and panel, and switching between families."""

    def _build_family_views(self, middle: QSplitter, right: QSplitter, titled) -> None:
        """The families' own boxes, hidden, beside the mlp's (`titled` frames each)."""
        self.perceptronPanel = PerceptronPanel(self.model)
        self.perceptronPanel.message.connect(self.show_message)
        self._perceptron_box = titled("Perceptron: mistakes and the bound", self.perceptronPanel)
        middle.addWidget(self._perceptron_box)
        self.autoencoderPanel = AutoencoderPanel(self.model)
        self.autoencoderPanel.message.connect(self.show_message)
        self.reconstructionView = ReconstructionView()
        self.codeView = CodeView()
        self._reconstruction_box = titled("Inputs and their reconstructions", self.reconstructionView)
        self._autoencoder_box = titled("Autoencoder: how well it rebuilds its input", self.autoencoderPanel)
        middle.addWidget(self._reconstruction_box)
        middle.addWidget(self._autoencoder_box)
        self._code_box = titled("The code: where the encoder puts each input", self.codeView)
        right.insertWidget(1, self._code_box)
        self.ganSettings = GanSettings(self.model)
        self.ganSettings.message.connect(self.show_message)
        self.ganSettings.updateRequested.connect(self._update_gan_player)
        self._gan_settings_box = titled("GAN: generator against discriminator", self.ganSettings)
        middle.addWidget(self._gan_settings_box)
        self.ganView = GanView()
        self._gan_box = titled("Real and generated points, the discriminator's map", self.ganView)
        right.insertWidget(2, self._gan_box)
        self._own_boxes = {
            "perceptron": (self._perceptron_box,),
            "autoencoder": (self._reconstruction_box, self._autoencoder_box, self._code_box),
            "gan": (self._gan_settings_box, self._gan_box),
        }
        self._mlp_boxes = [middle.widget(i) for i in range(2)] + [right.widget(0)]
        for boxes in self._own_boxes.values():
            for box in boxes:
                box.hide()
        self._middle, self._right = middle, right
        self._compare_tip = self.compareButton.toolTip()
        self._family_shown = "mlp"

    @property
    def family(self) -> str:
        """Whose views and editors the window shows: the project's family (the VAE: the autoencoder's)."""
        family = self.model.project.model.family
        return VIEWS_OF.get(family, family)

    def _apply_family(self) -> None:
        """Show the editors and views of the project's family; hide those it does not read."""
        family = self.family
        if family == self._family_shown:
            return
        self._family_shown = family
        self.statusBar().clearMessage()  # the other family's last word (e.g. "converged") is stale
        builder = self.panelTabs.indexOf(self.builderPanel)
        builds = self.builderPanel.edits_family(family)  # the mlp's network, or a family's two stacks
        if not builds and self.panelTabs.currentIndex() == builder:
            self.panelTabs.setCurrentWidget(self.dataPanel)
        self.panelTabs.setTabVisible(builder, builds)
        self.trainingPanel.set_family(family)
        self.compareButton.setEnabled(family not in COMPARE_TIPS)
        self.compareButton.setToolTip(COMPARE_TIPS.get(family, self._compare_tip))
        self.dataPanel.set_family(family)
        network, gradients, output = self._mlp_boxes
        network.setVisible(family == "mlp")
        gradients.setVisible(family == "mlp")
        output.setVisible(family not in ("autoencoder", "gan"))  # the decision map
        for owner, boxes in self._own_boxes.items():
            for box in boxes:
                box.setVisible(owner == family)
        self._curves_title.setText(CURVES_TITLES.get(family, DEFAULT_CURVES_TITLE))
        views, middle, right = SIZES.get(family, SIZES["mlp"])
        self._views_splitter.setSizes(views)
        self._middle.setSizes(middle)  # a box shown again must not come back squeezed to nothing
        self._right.setSizes(right)

    def _rebuilt_family(self) -> None:
        """A run was built: its curves and panels start afresh, in its family's terms."""
        self._apply_family()
        settings = self.model.project.model.settings
        self.curvesView.set_family(self.family, PENALTIES.get(settings.get("variant")))
        self.historyBar.set_keys(keys_for(self.model.project))  # a branch changes the family's own keys
        self.perceptronPanel.show_probe(None)
        self.autoencoderPanel.show_probe(None)
        self.reconstructionView.show_probe(None)
        self.codeView.show_probe(None, settings)
        self.ganView.set_probe(None)
        self.ganSettings.show_snapshot(None)
        self.ganSettings.show_probe(None)

    def _update_gan_player(self, player: str) -> None:
        """One update of the GAN's `player`, paused (the session answers with a frame)."""
        if not self.stepButton.isEnabled():
            return
        self._ensure_session(resume=True)
        self._set_running(False)
        self.training.send("update", player)

    def _family_busy_views(self, probe) -> dict:
        """The family's pictures as busy views (gui/view_pacer.py), each with its repaint."""
        settings = self.model.project.model.settings
        if isinstance(probe, GanProbe) and self.family == "gan":
            return {"gan_plane": lambda: [lambda: self.ganView.set_probe(probe)]}
        if isinstance(probe, AutoencoderProbe) and self.family == "autoencoder":
            return {
                "reconstructions": lambda: [lambda: self.reconstructionView.show_probe(probe)],
                "codes": lambda: [lambda: self.codeView.show_probe(probe, settings)],
            }
        return {}

    def _show_probe(self, probe, snapshot, paced: bool = False) -> None:
        """The family's pictures of the run at the epoch shown. A frame's (`paced`) big pictures are
        the view pacer's to draw (_family_busy_views: at their pace while training, at once when
        idle); a look back draws them here."""
        if isinstance(probe, InspectProbe):  # images, sequences, tables: the output area's data views
            if not paced:
                self.outputPanel.dataViews.show_probe(probe)
            return
        if isinstance(probe, GanProbe):
            if self.family == "gan":
                if not paced:
                    self.ganView.set_probe(probe)
                self.ganView.set_metrics(snapshot)
                self.ganSettings.show_snapshot(snapshot)
                self.ganSettings.show_probe(probe)
            return
        if isinstance(probe, AutoencoderProbe):
            if self.family == "autoencoder":
                if not paced:
                    self.reconstructionView.show_probe(probe)
                    self.codeView.show_probe(probe, self.model.project.model.settings)
                self.autoencoderPanel.show_probe(probe, snapshot)
            return
        self.boundaryView.set_probe(probe, self.run_info.head)
        self.outputPanel.unitContributionView.set_probe(probe, self.run_info.head)  # under a 1-D fit
        if self.family == "perceptron" and isinstance(probe, PerceptronProbe):
            self.perceptronPanel.show_probe(probe, snapshot)

    def _draws_network(self, probe) -> bool:
        """Whether the network view can draw `probe`: unit maps over a 2-D plane or a 1-D line."""
        if self.family in ("autoencoder", "gan") or isinstance(probe, (AutoencoderProbe, GanProbe)):
            return False
        if probe is None:
            return True
        return getattr(probe, "features", None) is not None or np.ndim(getattr(probe, "output", None)) == 1
