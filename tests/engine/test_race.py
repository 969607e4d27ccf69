"""A race: variants share their start and batch order, and each trains exactly as it would alone."""

import numpy as np
import pytest

from engine.errors import SpecError
from engine.families.mlp import race_kernel
from engine.race import MAX_VARIANTS, make_variants, parse_vary, step_together, variant_project
from engine.spec.project import Project
from engine.train import Trainer


def small(epochs=6, **training):
    """The spiral at the playground's settings, smaller: 120 points, 8-8 tanh, batch 10."""
    return Project.from_dict(
        {
            "seed": 3,
            "data": {"name": "spiral", "samples": 120, "features": ["x1", "x2", "sin_x1", "sin_x2"]},
            "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}] * 2},
            "training": {"batch_size": 10, "epochs": epochs, "device": "cpu", **training},
        }
    )


def race(project, variants, epochs=None):
    trainers = make_variants(project, variants)
    for trainer in trainers:
        if epochs is not None:
            trainer.target = epochs
        trainer.play()
    step_together(trainers, max_seconds=1e9)
    return trainers


def alone(project, overrides, epochs=None):
    trainer = Trainer(variant_project(project, overrides))
    trainer.run(epochs)
    return trainer


def assert_same_run(raced, lone):
    assert raced.status == lone.status
    assert raced.epoch == lone.epoch and raced.step_count == lone.step_count
    for column in ("train_loss", "test_loss", "train_accuracy"):
        # Bit for bit: the race calls the very kernel a lone Trainer calls, in the same order.
        np.testing.assert_array_equal(raced.metrics.column(column), lone.metrics.column(column))
    for key, value in lone.state_dict().items():
        np.testing.assert_array_equal(raced.state_dict()[key], value)


# -- the start: weights and batches ------------------------------------------------------------
def test_variants_share_initial_weights_and_first_batch():
    lrs = [0.01, 0.1, 0.5]
    trainers = make_variants(small(), [{"training.optimizer.lr": lr} for lr in lrs])
    start = [t.state_dict() for t in trainers]
    for state in start[1:]:
        for key, value in start[0].items():
            np.testing.assert_array_equal(state[key], value)
    for t in trainers:
        t.step()
    # Plain SGD moves by -lr * gradient: the same gradient (same weights, same first batch) in each.
    steps = [
        {k: (start[0][k] - t.state_dict()[k]) / lr for k in start[0]}
        for t, lr in zip(trainers, lrs, strict=True)
    ]
    for step in steps[1:]:
        for key, value in steps[0].items():
            np.testing.assert_allclose(step[key], value, rtol=1e-9, atol=1e-12)
    assert any(np.abs(v).max() > 1e-6 for v in steps[0].values())


def record_batches(trainer, epochs=2):
    seen = []
    train_batch = trainer.backend.train_batch

    def recording(idx, lr, collect):
        seen.append(np.array(idx))
        return train_batch(idx, lr, collect)

    trainer.backend.train_batch = recording
    trainer.run(epochs)
    return seen


def test_variants_draw_the_same_batches_unless_the_seed_changes():
    variants = [
        {"training.optimizer.lr": 0.05},
        {"training.optimizer": {"name": "adam", "lr": 0.01}},
        {"network.layers[0].units": 4},
        {"seed": 9},
    ]
    batches = [record_batches(t) for t in make_variants(small(), variants)]
    for other in batches[1:3]:
        assert len(other) == len(batches[0])
        for a, b in zip(batches[0], other, strict=True):
            np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(batches[0], batches[3], strict=True))


def test_a_variant_keeps_its_own_start_where_shapes_or_the_initialiser_differ():
    base = Trainer(small()).state_dict()
    wide, he, reseeded = make_variants(
        small(), [{"network.layers[0].units": 4}, {"network.init": "he_normal"}, {"seed": 9}]
    )
    assert wide.state_dict()["layers.0.linear.weight"].shape == (4, 4)
    for trainer in (he, reseeded):
        assert not np.array_equal(
            trainer.state_dict()["layers.0.linear.weight"], base["layers.0.linear.weight"]
        )


def test_the_race_kernel_warms_up_with_the_types_races_pass():
    race_kernel.warm_up()  # the training process calls it before its first run: it must not fail


# -- each race run equals the same project trained alone ---------------------------------------------
@pytest.mark.skipif(not race_kernel.available(), reason="numba is not installed")
def test_batched_runs_equal_lone_runs_bit_for_bit(monkeypatch):
    calls = []
    kernel = race_kernel.race_batches
    monkeypatch.setattr(race_kernel, "race_batches", lambda *a: calls.append(len(a[9])) or kernel(*a))
    variants = [{"training.optimizer.lr": lr} for lr in (0.01, 0.3)] + [
        {"network.layers[1].units": 5},  # another shape, batched all the same
        {"network.layers[0].activation": "relu"},
        {"training.batch_size": 7},
        # Every compiled optimizer, on its own buffers, in the same call.
        {"training.optimizer": {"name": "momentum", "lr": 0.05}},
        {"training.optimizer": {"name": "adam", "lr": 0.01, "weight_decay": 0.001}},
        {"training.optimizer": {"name": "rmsprop", "lr": 0.01, "momentum": 0.5}},
    ]
    project = small(epochs=8)
    raced = race(project, variants)
    assert calls and set(calls) == {len(variants)}  # every variant in the one compiled call
    for trainer, overrides in zip(raced, variants, strict=True):
        assert trainer.backend_name == "numpy"
        assert_same_run(trainer, alone(project, overrides))


def test_fallback_runs_equal_lone_runs_bit_for_bit():
    variants = [
        {"training.optimizer": {"name": "adadelta", "lr": 1.0}},  # batched: beside runs that are not
        {"training.optimizer": {"name": "sgd", "lr": 0.1, "weight_decay": 0.01}},
        {"training.input_noise": 0.1},
        {"training.backend": "torch"},
        {"training.grad_clip": {"mode": "norm", "max": 0.5}},
    ]
    project = small(epochs=4)
    for trainer, overrides in zip(race(project, variants), variants, strict=True):
        assert_same_run(trainer, alone(project, overrides))


@pytest.mark.parametrize("lr", [30.0, 100.0])  # diverged at an epoch's end; mid-epoch, an infinite loss
def test_a_diverging_variant_stops_as_it_would_alone(lr):
    relu = {"data.name": "plane", "network.layers[0].activation": "relu"}
    variants = [{**relu, "training.optimizer.lr": 0.01}, {**relu, "training.optimizer.lr": lr}]
    project = small(epochs=5)
    raced = race(project, variants)
    assert raced[1].status == "diverged" and raced[0].status == "completed"
    lone = alone(project, variants[1])
    assert raced[1].message == lone.message
    assert_same_run(raced[1], lone)
    assert_same_run(raced[0], alone(project, variants[0]))


def test_a_schedule_and_the_playground_preset_race_as_alone():
    project = small(epochs=5, preset="playground", schedule={"name": "cosine"})
    variants = [{"training.optimizer.lr": 0.03}, {"training.optimizer.lr": 0.3}, {"training.l2": 0.01}]
    for trainer, overrides in zip(race(project, variants), variants, strict=True):
        assert_same_run(trainer, alone(project, overrides))


def test_step_together_leaves_paused_trainers_alone():
    a, b = make_variants(small(), [{"training.optimizer.lr": 0.1}, {"training.optimizer.lr": 0.2}])
    a.play()
    assert step_together([a, b], max_seconds=0.0) == 1
    assert (a.epoch, b.epoch, b.status) == (1, 0, "ready")
    a.pause()
    assert step_together([a, b]) == 0 and a.epoch == 1


# -- the variants: --vary lists and their checks --------------------------------------------------
def test_parse_vary_is_the_product_in_order():
    variants = parse_vary(
        [
            "training.optimizer.name=sgd,adam",
            'network.layers[0].activation={"name": "elu", "alpha": 0.5},tanh',
        ]
    )
    assert variants == [
        {"training.optimizer.name": "sgd", "network.layers[0].activation": {"name": "elu", "alpha": 0.5}},
        {"training.optimizer.name": "sgd", "network.layers[0].activation": "tanh"},
        {"training.optimizer.name": "adam", "network.layers[0].activation": {"name": "elu", "alpha": 0.5}},
        {"training.optimizer.name": "adam", "network.layers[0].activation": "tanh"},
    ]
    assert parse_vary(["training.optimizer.lr=0.1,1e-2"]) == [
        {"training.optimizer.lr": 0.1},
        {"training.optimizer.lr": 0.01},
    ]


@pytest.mark.parametrize(
    ("items", "where", "words"),
    [
        (["training.optimizer.lr=1,2,3", "seed=1,2,3"], "--vary", "9 variants"),
        (["training.optimizer.lr"], "--vary", "KEY=V1,V2"),
        (["training.optimizer.lr=0.1,,0.2"], "--vary", "empty value"),
        (["seed=1,2", "seed=3"], "--vary", "varied twice"),
        (["training..lr=1,2"], "--set", "cannot read key path"),
    ],
)
def test_parse_vary_refuses_bad_lists(items, where, words):
    with pytest.raises(SpecError) as info:
        parse_vary(items)
    assert info.value.path == where and words in info.value.reason


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"training.optimizer.lr": -1}, "training.optimizer.lr"),
        ({"training.optimizer.name": "rmsprop2"}, "training.optimizer.name"),
        ({"training.colour": "red"}, "training"),
        ({"network.layers[5].units": 3}, "network.layers.5"),
    ],
)
def test_make_variants_names_the_bad_key_path(overrides, where):
    with pytest.raises(SpecError) as info:
        make_variants(small(), [{"training.optimizer.lr": 0.1}, overrides])
    assert info.value.path.startswith(where)


def test_make_variants_refuses_more_than_eight():
    with pytest.raises(SpecError, match=f"at most {MAX_VARIANTS}"):
        make_variants(small(), [{"seed": s} for s in range(MAX_VARIANTS + 1)])


def test_a_plain_autoencoder_races_a_vae():
    """Varying model.family keeps the settings both read (latent, encoder, ...) and drops the plain
    one's `variant`, which the VAE does not read."""
    from engine.examples import example_path
    from engine.store import load_project

    base = load_project(example_path("autoencoder_digits"))
    plain, vae = make_variants(base, [{"model.family": "autoencoder"}, {"model.family": "vae"}])
    assert (plain.family.name, vae.family.name) == ("autoencoder", "vae")
    assert vae.settings["latent"] == plain.settings["latent"] == base.model.settings["latent"]
    assert "variant" not in vae.project.model.settings
    first = base.model.settings["encoder"]["layers"][0]["units"]
    assert vae.settings["encoder"]["layers"][0]["units"] == first
    with pytest.raises(SpecError, match="model.family"):
        variant_project(base, {"model.family": "transformer"})
