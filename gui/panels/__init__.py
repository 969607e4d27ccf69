"""The window's left-hand editing panels: data, network builder and training settings."""

from gui.panels.builder import BuilderPanel
from gui.panels.data_panel import DataPanel
from gui.panels.layer_card import LayerCard
from gui.panels.training_panel import TrainingPanel

__all__ = ["BuilderPanel", "DataPanel", "LayerCard", "TrainingPanel"]
