"""Weight edits on a running trainer: a swap of two hidden units keeps the function; a weight set
by hand is the weight training continues from; bad edits are refused with a reason."""

import numpy as np
import pytest

from engine.errors import SpecError
from engine.spec.project import Project
from engine.train import Trainer
from engine.weight_edits import set_weight, swap_units, swapped_state

LAYERS = [
    {"type": "dense", "units": 4, "activation": "tanh"},
    {"type": "dense", "units": 3, "activation": "relu"},
]


def make_trainer(backend, optimizer=None):
    doc = {
        "seed": 5,
        "data": {"name": "spiral3", "samples": 90},
        "network": {"layers": LAYERS},
        "training": {
            "backend": backend,
            "device": "cpu",
            "batch_size": 6,
            "epochs": 3,
            "optimizer": optimizer or {"name": "adam", "lr": 0.01},
        },
    }
    trainer = Trainer(Project.from_dict(doc))
    assert trainer.backend_name == backend
    trainer.run_epoch()
    return trainer


def outputs(trainer):
    return trainer.backend.evaluate("train")[1].astype(np.float64)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("layer", [0, 1])
def test_swapping_two_units_leaves_every_output_equal(backend, layer):
    trainer = make_trainer(backend)
    before, state = outputs(trainer), trainer.state_dict()
    swap_units(trainer, layer, 0, 2)
    after = trainer.state_dict()
    assert not np.array_equal(after[f"layers.{layer}.linear.weight"], state[f"layers.{layer}.linear.weight"])
    np.testing.assert_allclose(outputs(trainer), before, atol=1e-6, rtol=0)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_swapping_only_the_incoming_weights_changes_the_outputs(backend):
    """The check above can fail: half a swap is a different network."""
    trainer = make_trainer(backend)
    before = outputs(trainer)
    trainer.load_state_dict(swapped_state(trainer.state_dict(), 2, 0, 0, 2, outgoing=False))
    assert np.abs(outputs(trainer) - before).max() > 1e-3


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_training_after_a_swap_is_the_mirror_of_training_without_it(backend):
    """The optimizer's buffers (Adam's averages) are swapped with the weights: the next epoch of
    the swapped network is the unswapped one's, with the two units traded."""
    plain, swapped = make_trainer(backend), make_trainer(backend)
    swap_units(swapped, 0, 1, 3)
    plain.run_epoch()
    swapped.run_epoch()
    expected = swapped_state(plain.state_dict(), 2, 0, 1, 3)
    for key, value in swapped.state_dict().items():
        np.testing.assert_allclose(value, expected[key], atol=1e-5, rtol=0)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_weight_set_by_hand_is_trained_from(backend):
    trainer = make_trainer(backend, optimizer={"name": "sgd", "lr": 0.1})
    old = set_weight(trainer, 1, 2, 0, 1.75)
    assert trainer.state_dict()["layers.1.linear.weight"][2, 0] == pytest.approx(1.75)
    assert old != pytest.approx(1.75)
    set_weight(trainer, 2, 0, 1, -0.5)  # the head is the last matrix
    assert trainer.state_dict()["head.linear.weight"][0, 1] == pytest.approx(-0.5)
    trainer.run_epoch()
    moved = trainer.state_dict()["layers.1.linear.weight"][2, 0]
    assert moved != 1.75 and abs(moved - 1.75) < 0.5  # trained on from the value set


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, 0, 0, float("nan")), "finite"),
        ((0, 0, 0, float("inf")), "finite"),
        ((0, 0, 0, "abc"), "must be a number"),
        ((0, 0, 0, 1e9), "too large"),
        ((3, 0, 0, 1.0), "the layer must be a whole number from 0 to 2"),
        ((0, 4, 0, 1.0), "the unit must be a whole number from 0 to 3"),
        ((0, 0, -1, 1.0), "the input"),
    ],
)
def test_bad_weight_edits_are_refused_and_change_nothing(args, message):
    trainer = make_trainer("numpy")
    state = trainer.state_dict()
    with pytest.raises(SpecError, match=message):
        set_weight(trainer, *args)
    for key, value in trainer.state_dict().items():
        np.testing.assert_array_equal(value, state[key])


def test_bad_swaps_are_refused():
    trainer = make_trainer("numpy")
    with pytest.raises(SpecError, match="hidden layer must be a whole number from 0 to 1"):
        swap_units(trainer, 2, 0, 1)
    with pytest.raises(SpecError, match="unit j must be a whole number from 0 to 2"):
        swap_units(trainer, 1, 0, 3)
    with pytest.raises(SpecError, match="no hidden layer"):
        swapped_state(trainer.state_dict(), 0, 0, 0, 1)


def test_session_commands_edit_the_main_run_and_answer_with_a_frame():
    from engine.session.session import Session

    sent = []
    session = Session(lambda kind, payload: sent.append((kind, payload)))
    session.handle("load", Project.from_dict({"seed": 1, "data": {"name": "xor", "samples": 60}}))
    frames = sum(kind == "frame" for kind, _ in sent)
    session.handle("set_weight", (0, 1, 0, 0.625))
    assert session.trainer.state_dict()["layers.0.linear.weight"][1, 0] == pytest.approx(0.625)
    assert sum(kind == "frame" for kind, _ in sent) == frames + 1
    before = outputs(session.trainer)
    session.handle("swap_units", (0, 0, 1))
    assert session.trainer.state_dict()["layers.0.linear.weight"][0, 0] == pytest.approx(0.625)
    np.testing.assert_allclose(outputs(session.trainer), before, atol=1e-6)
    session.handle("set_weight", (0, 1, 0, float("nan")))
    assert sent[-1] == ("failed", ("weights", "a weight must be a finite number, not nan"))
    session.handle("swap_units", (0, 0))
    assert sent[-1][0] == "failed" and "takes 3 values" in sent[-1][1][1]


def test_an_edit_replaces_the_kept_weights_of_its_epoch_so_looking_back_shows_it():
    from engine.session.session import Session

    sent = []
    session = Session(lambda kind, payload: sent.append((kind, payload)))
    session.handle("load", Project.from_dict({"seed": 1, "data": {"name": "xor", "samples": 60}}))
    session.handle("step")
    session.handle("step")
    epoch = session.trainer.epoch
    history = session.runs["main"].history
    assert history.at(epoch)[1]["layers.0.linear.weight"][1, 0] != pytest.approx(0.625)
    session.handle("set_weight", (0, 1, 0, 0.625))
    shown, kept = history.at(epoch)
    assert shown == epoch
    assert kept["layers.0.linear.weight"][1, 0] == pytest.approx(0.625)
    assert history.at(epoch - 1)[1]["layers.0.linear.weight"][1, 0] != pytest.approx(0.625)  # the past stays
    session.handle("show_epoch", ("main", epoch))
    view = sent[-1][1]
    assert sent[-1][0] == "history_shown" and view.epoch == epoch
    assert view.snapshot.train_loss == pytest.approx(session.trainer.evaluate().train_loss)
