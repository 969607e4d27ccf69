"""Reusable widgets: the registry-driven parameter form and the helpers panels share."""

from gui.widgets.param_form import ParamForm, SciSpinBox, fill_combo, set_quietly, tag

__all__ = ["ParamForm", "SciSpinBox", "fill_combo", "set_quietly", "tag"]
