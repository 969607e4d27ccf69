"""Live pyqtgraph/Qt views of a training run: decision map, curves, gradient flow, network diagram."""

from gui.views.boundary import BoundaryView
from gui.views.curves import CurvesView
from gui.views.gradients import GradientFlowView
from gui.views.network_graph import NetworkView
from gui.views.output_panel import OutputPanel

__all__ = ["BoundaryView", "CurvesView", "GradientFlowView", "NetworkView", "OutputPanel"]
