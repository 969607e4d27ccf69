"""Scrubbing back shows exactly the run as it was; a branch starts there and leaves its parent be."""

from __future__ import annotations

import numpy as np
import pytest

from engine.cli import load_project_arg
from engine.families.mlp.fastkernel import warm_up
from engine.probes import DenseProbe, dense_probe, grid_inputs, probe_grid
from engine.session.session import GRID_RESOLUTION, Session
from engine.train import Trainer
from tests.engine.test_session_runs import Recorder, train_to_end

BACKENDS = ("numpy", "torch")


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    warm_up()


def project(backend: str, epochs: int = 12):
    return load_project_arg("xor", [f"training.epochs={epochs}", f"training.backend={backend}"])


def session_for(project) -> tuple[Session, Recorder]:
    recorder = Recorder()
    session = Session(recorder)
    recorder.session = session
    session.load(project)
    return session, recorder


def map_of(probe, grid) -> np.ndarray:
    """The decision map's values, however the probe came (parameters or a drawn grid)."""
    drawn = probe.compute(grid) if isinstance(probe, DenseProbe) else probe
    return np.asarray(drawn.output)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_map_at_a_scrubbed_epoch_is_the_map_of_a_run_stopped_there(backend):
    session, recorder = session_for(project(backend))
    train_to_end(session)
    assert session.trainer.epoch == 12
    after = session.trainer.state_dict()
    session.handle("show_epoch", ("main", 5))
    (view,) = recorder.of("history_shown")
    assert (view.requested, view.epoch, view.latest_epoch) == (5, 5, 12)

    stopped = Trainer(project(backend))
    stopped.run(5)
    grid = grid_inputs(stopped, GRID_RESOLUTION)
    expected = dense_probe(stopped) or probe_grid(stopped, grid, units=True)
    assert np.array_equal(map_of(view.probe, grid), map_of(expected, grid))
    assert view.snapshot.epoch == 5
    assert view.snapshot.train_loss == stopped.evaluate().train_loss
    # looking back changed nothing of the run itself
    now = session.trainer.state_dict()
    assert all(np.array_equal(now[k], after[k]) for k in after)


def test_looking_back_at_an_unknown_run_or_epoch_says_so():
    session, recorder = session_for(project("numpy"))
    session.handle("show_epoch", ("run7", 1))
    session.handle("show_epoch", ("main", -1))
    assert [reason for _, reason in recorder.of("failed")] == [
        "no run 'run7' to look back at",
        "run 'main' has no epoch -1 in its history",
    ]
    assert recorder.of("history_shown") == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_branch_leaves_its_parent_exactly_as_it_would_have_been(backend):
    plain, _ = session_for(project(backend, epochs=8))
    train_to_end(plain)
    train_to_end(plain)  # Play again: eight more epochs

    session, recorder = session_for(project(backend, epochs=8))
    train_to_end(session)
    before_branch = session.trainer.metrics.to_csv()
    session.handle("branch", ("main", 4, "", {"training.optimizer.lr": 0.05}))
    (infos,) = recorder.of("compare_built")
    assert [(i.run_id, i.label, i.epoch) for i in infos] == [
        ("run1", "original", 8),
        ("run2", "branch at epoch 4", 4),
    ]
    parent, branch = session.runs["run1"].trainer, session.runs["run2"].trainer
    assert parent.metrics.to_csv() == before_branch  # the same rows, timings too
    assert branch.training.optimizer["lr"] == 0.05 and parent.training.optimizer["lr"] != 0.05
    start = session.runs["run1"].history.at(4)[1]
    assert all(np.array_equal(branch.state_dict()[k], start[k]) for k in start)
    assert branch.metrics.to_csv() == _rows_until(before_branch, 4)
    before = _measured(parent.metrics)

    train_to_end(session)
    assert (parent.epoch, branch.epoch) == (16, 12)
    assert np.array_equal(_measured(parent.metrics)[: len(before)], before, equal_nan=True)
    assert np.array_equal(_measured(parent.metrics), _measured(plain.trainer.metrics), equal_nan=True)
    final = plain.trainer.state_dict()
    assert all(np.array_equal(parent.state_dict()[k], final[k]) for k in final)
    # the branch learned with its own rate from epoch 4 on: its curve leaves the parent's there
    assert branch.metrics.column("train_loss")[4] != parent.metrics.column("train_loss")[4]


def test_a_branch_whose_settings_do_not_fit_changes_nothing():
    session, recorder = session_for(project("numpy", epochs=4))
    train_to_end(session)
    session.handle("branch", ("main", 2, "", {"training.optimizer.lr": -1}))
    assert len(recorder.of("failed")) == 1
    assert recorder.of("compare_built") == []
    assert list(session.runs) == ["main"] and session.comparing is None


def _measured(log) -> np.ndarray:
    """Every column of a metrics log but the training time (which no two runs share)."""
    return np.column_stack([log.column(name) for name in log.columns if name != "seconds"])


def _rows_until(csv_text: str, epoch: int) -> str:
    lines = csv_text.splitlines(keepends=True)
    return "".join(lines[: epoch + 1])
