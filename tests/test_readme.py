"""The README's own examples must work: every project it shows loads, every JSON line parses."""

import json
import re
from pathlib import Path

import pytest

from engine.spec.project import Project

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_json_blocks_to_check():
    assert any('"format": "layerlab"' in block for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_every_json_block_parses_and_every_project_in_it_loads(block):
    doc = json.loads(block)
    if isinstance(doc, dict) and doc.get("format") == "layerlab":
        project = Project.from_dict(doc)
        # What the README shows is what a project keeps: nothing it lists is silently dropped.
        saved = project.to_dict()
        for section in ("data", "network", "training"):
            assert set(doc.get(section, {})) <= set(saved[section]), section
