"""Every bundled example reaches the quality it states (its "expect") within its default epochs,
from its own seed and from two others: a promise that held for one seed only was luck."""

import pytest

from engine.examples import example_names, example_path, promise_kept, promises
from engine.store import load_project
from engine.train import Trainer, build_trainer

REQUIRED = {"xor", "circle", "gauss", "spiral", "spiral3", "plane", "sine", "digits_cnn", "sequence_lstm"}
REQUIRED |= {"perceptron", "perceptron_xor"}
REQUIRED |= {"vae_digits", "gan_ring", "gan_moons"}
REQUIRED |= {
    "autoencoder",
    "autoencoder_digits",
    "denoising_autoencoder",
    "sparse_autoencoder",
    "contractive_autoencoder",
}
OTHER_SEEDS = (0, 1, 2)  # added to the example's own seed (every example ships with seed 0)


def test_the_required_examples_are_shipped():
    assert set(example_names()) >= REQUIRED


@pytest.mark.slow
@pytest.mark.parametrize("offset", OTHER_SEEDS)
@pytest.mark.parametrize("name", example_names())
def test_example_reaches_its_stated_quality(name, offset):
    project = load_project(example_path(name))
    assert project.expect, f"{name} states no expected quality"
    project.seed += offset  # the seed draws the data and the initial weights
    final = build_trainer(project).run()
    assert final.status == "completed", final.message
    for metric, op, bound in promises(project):
        value = final.metric(metric)
        assert promise_kept(op, value, bound), (
            f"{name}, seed {project.seed}: {metric} {value} not {op} {bound}"
        )


@pytest.mark.slow
def test_xor_depends_on_its_start_as_it_says():
    """Four tanh units are just enough: a rare start settles in a poorer minimum, and the example
    says so (seed 70 is one of the two among seeds 0-89, README's table names them)."""
    project = load_project(example_path("xor"))
    assert "the start matters" in project.description
    project.seed = 70
    assert Trainer(project).run().test_accuracy < 0.9
