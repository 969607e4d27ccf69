"""The validation split: held out of the training share, watched by early stopping; test never decides."""

import dataclasses
import json

import numpy as np
import pytest

from engine.data import make_dataset
from engine.errors import SpecError
from engine.spec.project import Project
from engine.store import load_project, save_project
from engine.train import Trainer

EARLY = {"enabled": True, "patience": 5, "min_delta": 0.0, "restore_best": True}


def early_doc(backend="auto", validation="auto", epochs=300):
    """A small gauss set that over-fits fast with Adam, so early stopping triggers within epochs."""
    return {
        "seed": 3,
        "data": {"name": "gauss", "samples": 160, "noise": 0.5, "validation_fraction": validation},
        "network": {"layers": [{"type": "dense", "units": 16, "activation": "tanh"}] * 2},
        "training": {
            "optimizer": {"name": "adam", "lr": 0.1},
            "batch_size": 10,
            "epochs": epochs,
            "early_stopping": EARLY,
            "backend": backend,
            "device": "cpu",
        },
    }


# ---- the split --------------------------------------------------------------------------------
def test_validation_comes_out_of_the_training_share_and_leaves_test_alone():
    plain = make_dataset({"name": "xor"}, 0)
    held = make_dataset({"name": "xor", "validation_fraction": 0.2}, 0)
    assert (len(held.x_train), len(held.x_val), len(held.x_test)) == (150, 100, 250)
    np.testing.assert_array_equal(held.x_test, plain.x_test)  # the same test points, with or without
    np.testing.assert_array_equal(np.concatenate([held.x_train, held.x_val]), plain.x_train)
    np.testing.assert_array_equal(np.concatenate([held.y_train, held.y_val]), plain.y_train)


def test_auto_holds_out_a_fifth_of_the_training_share_only_for_early_stopping():
    off = make_dataset({"name": "xor", "validation_fraction": "auto"}, 0)
    on = make_dataset({"name": "xor", "validation_fraction": "auto"}, 0, early_stopping=True)
    assert (len(off.x_train), len(off.x_val)) == (250, 0)
    assert (len(on.x_train), len(on.x_val), len(on.x_test)) == (200, 50, 250)


def test_without_validation_the_playground_split_is_unchanged():
    project = Project.from_dict({"data": {"name": "spiral"}, "training": {"preset": "playground"}})
    trainer = Trainer(project)
    plain = make_dataset({"name": "spiral"}, 0)
    np.testing.assert_array_equal(trainer.dataset.x_train, plain.x_train)
    assert len(trainer.dataset.x_val) == 0 and trainer.snapshot().val_loss is None


def test_a_tiny_training_share_still_keeps_a_point_to_train_on():
    d = make_dataset({"name": "xor", "samples": 4, "validation_fraction": 0.45}, 0)
    assert (len(d.x_train), len(d.x_val), len(d.x_test)) == (1, 1, 2)
    with pytest.raises(SpecError, match=r"^data\.validation_fraction: the training share has 1 point"):
        make_dataset({"name": "xor", "samples": 3, "validation_fraction": 0.3}, 0)


# ---- the project key --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0.5, "must be below data.train_fraction (0.5)"),
        (0.95, 'must be a number in 0..0.9 or "auto", got 0.95'),
        (-0.1, "got -0.1"),
        ("half", "got 'half'"),
        (None, "got None"),
        (True, "got True"),
    ],
)
def test_bad_validation_fractions_are_one_line_naming_the_key(value, words):
    with pytest.raises(SpecError) as err:
        Project.from_dict({"data": {"validation_fraction": value}})
    assert err.value.path == "data.validation_fraction" and words in err.value.reason
    assert "\n" not in str(err.value)


def test_early_stopping_with_an_explicit_zero_is_refused():
    doc = early_doc(validation=0)
    with pytest.raises(SpecError) as err:
        Project.from_dict(doc)
    assert err.value.path == "data.validation_fraction"
    assert "early stopping" in err.value.reason and "auto" in err.value.reason
    Project.from_dict(early_doc(validation=0.0) | {"training": {"early_stopping": {"enabled": False}}})


def test_saving_writes_the_key_and_loading_keeps_it(tmp_path):
    for value in ("auto", 0.25):
        project = Project.from_dict({"data": {"validation_fraction": value}})
        save_project(project, tmp_path / "p.json")
        written = json.loads((tmp_path / "p.json").read_text())
        assert written["data"]["validation_fraction"] == value
        assert load_project(tmp_path / "p.json").data.validation_fraction == value
    assert "validation_fraction" in Project.from_dict({}).to_dict()["data"]  # an older file gets it too


# ---- early stopping watches validation, never test --------------------------------------------
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_the_test_split_decides_nothing(backend):
    """Another test split changes the test figures and nothing else, not when training stops.

    The other split is a copy of the training points, whose loss keeps falling: watching it (as
    early stopping once did) ran 17 epochs here instead of 7.
    """
    project = Project.from_dict(early_doc(backend))
    honest = Trainer(project)
    assert honest.backend_name == backend
    data = honest.dataset
    other = Trainer(project, dataclasses.replace(data, x_test=data.x_train, y_test=data.y_train))
    a, b = honest.run(), other.run()
    assert a.status == b.status == "early_stopping" and a.epoch == b.epoch == 7
    np.testing.assert_array_equal(honest.metrics.column("val_loss"), other.metrics.column("val_loss"))
    for key, value in honest.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[key], value)
    assert a.test_loss != b.test_loss and b.test_loss == pytest.approx(b.train_loss)
    assert "validation loss" in a.message


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_snapshots_carry_the_validation_figures(backend):
    trainer = Trainer(Project.from_dict(early_doc(backend, validation=0.25, epochs=3)))
    final = trainer.run()
    loss, outputs = trainer.backend.evaluate("validation")
    assert final.val_loss == pytest.approx(loss) and len(outputs) == len(trainer.dataset.y_val) == 40
    assert 0.0 <= final.val_accuracy <= 1.0
    assert np.isfinite(trainer.metrics.column("val_loss")).all()


def test_both_backends_evaluate_the_validation_split_alike():
    columns = {}
    for backend in ("numpy", "torch"):
        trainer = Trainer(Project.from_dict(early_doc(backend, validation=0.25, epochs=4)))
        trainer.run()
        columns[backend] = trainer.metrics.column("val_loss"), trainer.metrics.column("val_accuracy")
    np.testing.assert_allclose(columns["numpy"][0], columns["torch"][0], rtol=1e-3)
    np.testing.assert_array_equal(columns["numpy"][1], columns["torch"][1])


def test_metrics_csv_has_validation_columns_left_empty_without_a_split():
    with_split = Trainer(Project.from_dict(early_doc(validation=0.25, epochs=2)))
    with_split.run()
    header, first = with_split.metrics.to_csv().splitlines()[:2]
    columns = header.split(",")
    assert columns[:4] == ["epoch", "step", "train_loss", "test_loss"]  # older readers keep working
    # the validation columns, then the train-mode loss (engine/train.py: only with dropout or batch norm)
    assert columns[-3:] == ["val_loss", "val_accuracy", "train_loss_seen"]
    assert all(first.split(",")[-3:-1]) and first.endswith(",")
    plain = Trainer(Project.from_dict({"data": {"name": "xor", "samples": 40}, "training": {"epochs": 1}}))
    plain.run()
    assert plain.metrics.to_csv().splitlines()[1].endswith(",,,")


# ---- live edits -------------------------------------------------------------------------------
def test_toggling_early_stopping_resplits_auto_data_but_applies_live_with_a_fixed_split():
    def trainer(validation):
        doc = early_doc(validation=validation)
        doc["training"]["early_stopping"] = {**EARLY, "enabled": False}
        return Trainer(Project.from_dict(doc))

    on = Project.from_dict(early_doc()).training
    assert not trainer("auto").apply_live(on)  # "auto" now holds out a split: the data changes
    fixed = trainer(0.2)
    assert fixed.apply_live(on) and fixed.training.early_stopping["enabled"]
