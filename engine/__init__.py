"""Layerlab's computing half: specs, data, models and training, with torch and numpy only.

Nothing under engine/ imports Qt; the window and the command line both drive these objects.
"""

from engine.errors import SpecError

__all__ = ["SpecError"]
