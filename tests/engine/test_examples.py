"""Every bundled example reaches the quality it states (its "expect") within its default epochs."""

import pytest

from engine.examples import example_names, example_path
from engine.store import load_project
from engine.train import Trainer

REQUIRED = {"xor", "circle", "gauss", "spiral", "spiral3", "plane", "sine", "digits_cnn", "sequence_lstm"}


def test_the_required_examples_are_shipped():
    assert set(example_names()) >= REQUIRED


@pytest.mark.slow
@pytest.mark.parametrize("name", example_names())
def test_example_reaches_its_stated_quality(name):
    project = load_project(example_path(name))
    assert project.expect, f"{name} states no expected quality"
    final = Trainer(project).run()
    assert final.status == "completed", final.message
    for metric, bound in project.expect.items():
        value = getattr(final, metric)
        if "accuracy" in metric:
            assert value >= bound, f"{name}: {metric} {value:.4f} < {bound}"
        else:
            assert value <= bound, f"{name}: {metric} {value:.4g} > {bound}"
