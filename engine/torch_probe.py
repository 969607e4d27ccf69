"""Whether torch could see a CUDA device, answered without importing torch where its build says no.

`training.device: auto` asks torch.cuda.is_available(); importing torch for that costs more than a
short NumPy run. A torch built without CUDA and ROCm (torch/version.py: `cuda = None`, `hip = None`)
has no `_cuda_getDeviceCount`, and is_available() is False on it whatever the machine: that answer
needs only the text of version.py. Any other build (or torch already loaded) asks torch itself.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

_FIELD = re.compile(r"^(cuda|hip)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def cuda_available() -> bool:
    """torch.cuda.is_available(), importing torch only where the answer could be True."""
    if "torch" not in sys.modules and _built_without_gpu():
        return False
    import torch

    return torch.cuda.is_available()


def _built_without_gpu() -> bool:
    """True when torch/version.py says the build has neither CUDA nor ROCm; False when unsure."""
    try:
        spec = importlib.util.find_spec("torch")
        if spec is None or spec.origin is None:
            return False
        text = (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError):
        return False
    fields = dict(_FIELD.findall(text))
    return fields.get("cuda") == "None" and fields.get("hip") == "None"
