"""A run saved by the session comes back as it was, and goes on as if it had never stopped."""

from __future__ import annotations

import numpy as np
import pytest

from engine.families.mlp.fastkernel import warm_up
from engine.session.saved_runs import trained_state_folder
from tests.engine.test_session_history import _measured, project, session_for
from tests.engine.test_session_runs import train_to_end


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    warm_up()


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_saved_run_reopens_at_its_epoch_and_goes_on_exactly(tmp_path, backend):
    whole, _ = session_for(project(backend, epochs=5))
    train_to_end(whole)
    train_to_end(whole)  # Play again: to epoch 10

    session, recorder = session_for(project(backend, epochs=5))
    train_to_end(session)
    folder = trained_state_folder(tmp_path / "run.json")
    assert folder == tmp_path / "run.state"
    session.handle("save_state", str(folder))
    assert recorder.of("state_saved") == [(str(folder), "")]

    reopened, events = session_for(project(backend, epochs=5))
    reopened.handle("load_saved", (project(backend, epochs=5), str(folder)))
    info = events.of("rebuilt")[-1]
    assert info.epoch == 5 and len(info.metrics) == 5
    assert np.array_equal(_measured(info.metrics), _measured(session.trainer.metrics), equal_nan=True)
    saved, restored = session.trainer.state_dict(), reopened.trainer.state_dict()
    assert all(np.array_equal(saved[k], restored[k]) for k in saved)

    train_to_end(reopened)
    assert reopened.trainer.epoch == 10
    assert np.array_equal(
        _measured(reopened.trainer.metrics), _measured(whole.trainer.metrics), equal_nan=True
    )


def test_a_state_that_does_not_fit_gives_a_fresh_run_and_says_why(tmp_path):
    session, _ = session_for(project("numpy", epochs=3))
    train_to_end(session)
    folder = tmp_path / "run.state"
    session.handle("save_state", str(folder))

    wider = project("numpy", epochs=3)
    wider.network.layers[0]["units"] += 1
    other, events = session_for(wider)
    other.handle("load_saved", (wider, str(folder)))
    (failure,) = events.of("failed")
    assert failure[1].startswith("the trained run was not restored: ")
    assert other.trainer.epoch == 0 and events.of("rebuilt")[-1].metrics is None


def test_saving_where_a_file_is_in_the_way_says_so_and_writes_nothing(tmp_path):
    session, recorder = session_for(project("numpy", epochs=2))
    train_to_end(session)
    blocker = tmp_path / "run.state"
    blocker.write_text("not a folder")
    session.handle("save_state", str(blocker))
    ((where, error),) = recorder.of("state_saved")
    assert where == str(blocker) and error
    assert blocker.read_text() == "not a folder"
