"""A Trainer saved at epoch k and rebuilt from its state trains on exactly as one that never stopped."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.errors import SpecError
from engine.families.mlp.fastkernel import warm_up
from engine.spec.project import Project
from engine.train import Trainer
from engine.train_state import STATE_FILES, SavedState, apply_state, state_files, write_state
from tests.conftest import tiny_project

ADAM = {"optimizer": {"name": "adam", "lr": 0.01}}
CASES = {
    "numpy-sgd": ({}, "numpy"),
    "numpy-adam": (ADAM, "numpy"),
    # batches of 7 leave a remainder the playground carries into the next epoch; L1 kills weights
    "numpy-playground": ({"preset": "playground", "batch_size": 7, "l1": 0.01}, "numpy"),
    # dropout and input noise: the torch RNG and the noise generator decide every step
    "torch-adam-dropout": (ADAM | {"backend": "torch", "input_noise": 0.1}, "torch"),
}
DROPOUT = [
    {"type": "dense", "units": 6, "activation": "tanh"},
    {"type": "dropout", "rate": 0.3},
]


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    warm_up()


def project(case: str, epochs: int = 6) -> Project:
    training, _ = CASES[case]
    doc = tiny_project(epochs=epochs, **training)
    if case.startswith("torch"):
        doc["network"]["layers"] = DROPOUT
    return Project.from_dict(doc)


def resumed(saved_in, case: str, epochs: int = 6) -> Trainer:
    """A new Trainer (on the saved data split), given the state saved in the folder `saved_in`."""
    saved = SavedState(saved_in)
    trainer = Trainer(project(case, epochs), dataset=saved.dataset())
    apply_state(trainer, saved)
    return trainer


def measured(trainer: Trainer) -> np.ndarray:
    """The metrics log's raw rows without its wall-clock column (the only one that may differ)."""
    log = trainer.metrics
    return np.delete(log._rows[: log._count], log.columns.index("seconds"), axis=1)


def assert_same_run(a: Trainer, b: Trainer) -> None:
    assert (a.epoch, a.step_count, a.status) == (b.epoch, b.step_count, b.status)
    assert np.array_equal(measured(a), measured(b), equal_nan=True)
    wa, wb = a.state_dict(), b.state_dict()
    assert wa.keys() == wb.keys()
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)


@pytest.mark.parametrize("steps_into_epoch", [0, 4], ids=["at-epoch-end", "mid-epoch"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_run_resumed_from_epoch_k_equals_the_run_that_never_stopped(tmp_path, case, steps_into_epoch):
    whole = Trainer(project(case))
    whole.run()
    assert whole.backend_name == CASES[case][1] and whole.epoch == 6

    part = Trainer(project(case))
    part.run(3)
    for _ in range(steps_into_epoch):
        part.step()
    if case == "numpy-playground":  # what the case is there for: pinned weights and a remainder
        assert any(dead.any() for dead in part.backend._dead) and len(part._carry)
    write_state(part, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(STATE_FILES)

    again = resumed(tmp_path, case)
    assert (again.epoch, again.step_count) == (part.epoch, part.step_count)
    again.run()
    assert_same_run(again, whole)


def test_the_resumed_run_differs_from_one_whose_random_draws_start_afresh(tmp_path):
    """The torch case can fail: with torch's random state not the saved one, the dropout masks differ."""
    case = "torch-adam-dropout"
    whole = Trainer(project(case))
    whole.run()
    part = Trainer(project(case))
    part.run(3)
    write_state(part, tmp_path)
    again = resumed(tmp_path, case)
    torch.manual_seed(12345)  # dropout draws from torch's global generator
    again.run()
    assert not np.array_equal(measured(again), measured(whole), equal_nan=True)


def test_state_bytes_round_trip_and_say_what_they_hold(tmp_path):
    trainer = Trainer(project("numpy-adam"))
    trainer.run(2)
    files = state_files(trainer)
    assert set(files) == set(STATE_FILES)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    saved = SavedState(tmp_path)
    assert saved.meta["epoch"] == 2 and saved.meta["backend"] == "numpy"
    assert np.array_equal(saved.dataset().x_train, trainer.dataset.x_train)
    # the float64 weights themselves, not weights.safetensors' float32 copy
    assert all(saved.group("weights")[k].dtype == np.float64 for k in trainer.state_dict())


def test_a_state_of_another_network_shape_is_refused_in_one_line_and_changes_nothing(tmp_path):
    trainer = Trainer(project("numpy-sgd"))
    trainer.run(2)
    write_state(trainer, tmp_path)

    wider_doc = tiny_project(epochs=6)
    wider_doc["network"]["layers"][0]["units"] = 5
    wider = Trainer(Project.from_dict(wider_doc))
    before = wider.state_dict()
    with pytest.raises(SpecError) as caught:
        apply_state(wider, SavedState(tmp_path))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "state.safetensors"))
    assert "shape (4, 2)" in message and "(5, 2)" in message
    assert wider.epoch == 0 and len(wider.metrics) == 0
    assert all(np.array_equal(before[k], v) for k, v in wider.state_dict().items())


def test_a_state_of_another_optimizer_is_refused(tmp_path):
    trainer = Trainer(project("numpy-adam"))
    trainer.run(1)
    write_state(trainer, tmp_path)
    sgd = Trainer(project("numpy-sgd"))
    with pytest.raises(SpecError, match="'adam''s, this run trains with 'sgd'"):
        apply_state(sgd, SavedState(tmp_path))
    assert sgd.epoch == 0


def test_a_damaged_state_is_one_line_naming_the_file(tmp_path):
    trainer = Trainer(project("numpy-sgd"))
    trainer.run(1)
    write_state(trainer, tmp_path)
    (tmp_path / "state.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{broken}")
    with pytest.raises(SpecError, match="state.safetensors: is not a valid safetensors file"):
        SavedState(tmp_path)
    (tmp_path / "state.json").write_text('{"format": "something else"}')
    with pytest.raises(SpecError, match="state.json: is not a Layerlab training state"):
        SavedState(tmp_path)
