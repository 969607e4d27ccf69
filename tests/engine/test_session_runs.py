"""The session holds several runs: compare mode's variants train side by side, frames carry the
runs that changed, and the run the user keeps goes on with its weights and curves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.cli import load_project_arg
from engine.families.mlp.fastkernel import warm_up
from engine.race.variants import make_variants
from engine.session.session import Session

RATES = (0.01, 0.1, 0.3)


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    warm_up()


class Recorder:
    """Stands in for the window: keeps every event and consumes every frame."""

    def __init__(self):
        self.events: list[tuple[str, object]] = []
        self.session: Session | None = None

    def __call__(self, kind: str, payload) -> None:
        self.events.append((kind, payload))
        if kind == "frame":
            self.session.handle("consumed")

    def of(self, kind: str) -> list:
        return [payload for k, payload in self.events if k == kind]


def comparing_session(epochs: int = 6) -> tuple[Session, Recorder]:
    recorder = Recorder()
    session = Session(recorder)
    recorder.session = session
    session.load(load_project_arg("xor", [f"training.epochs={epochs}"]))
    variants = [(f"lr = {lr}", {"training.optimizer.lr": lr}) for lr in RATES]
    session.handle("compare", variants)
    return session, recorder


def train_to_end(session: Session, limit: int = 100_000) -> None:
    session.handle("play", 1)
    for _ in range(limit):
        if not session.running:
            return
        session.tick()
    raise AssertionError("the runs never ended")


def epochs_by_run(recorder: Recorder) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for frame in recorder.of("frame"):
        for run in frame.runs:
            if run.run_id == "main":
                continue  # the project's own run, before the comparison replaced it
            seen.setdefault(run.run_id, []).extend(snap.epoch for snap in run.snapshots)
    return seen


def test_compare_trains_every_variant_and_reports_each_epoch_once():
    session, recorder = comparing_session()
    (infos,) = recorder.of("compare_built")
    assert [info.run_id for info in infos] == ["run1", "run2", "run3"]
    assert [info.overrides for info in infos] == [{"training.optimizer.lr": lr} for lr in RATES]
    train_to_end(session)
    assert epochs_by_run(recorder) == {run: [1, 2, 3, 4, 5, 6] for run in ("run1", "run2", "run3")}
    assert all(slot.trainer.status == "completed" for slot in session.runs.values())


def test_each_run_equals_its_variant_trained_alone():
    session, _ = comparing_session()
    train_to_end(session)
    project = load_project_arg("xor", ["training.epochs=6"])
    alone = make_variants(project, [{"training.optimizer.lr": lr} for lr in RATES])
    for trainer, slot in zip(alone, session.runs.values(), strict=True):
        trainer.run()
        assert list(slot.trainer.metrics.column("train_loss")) == list(trainer.metrics.column("train_loss"))


def test_a_learning_rate_race_trains_its_epochs_in_the_race_kernel(monkeypatch):
    from engine.families.mlp import race_kernel

    if not race_kernel.available():
        pytest.skip("numba is not installed")
    calls = []
    kernel = race_kernel.race_batches
    monkeypatch.setattr(race_kernel, "race_batches", lambda *a: calls.append(len(a[9])) or kernel(*a))
    session, _ = comparing_session()
    train_to_end(session)
    assert calls and set(calls) == {len(RATES)}  # every variant's batches in each compiled call
    project = load_project_arg("xor", ["training.epochs=6"])
    alone = make_variants(project, [{"training.optimizer.lr": lr} for lr in RATES])
    for trainer, slot in zip(alone, session.runs.values(), strict=True):
        trainer.run()
        assert list(slot.trainer.metrics.column("train_loss")) == list(trainer.metrics.column("train_loss"))
        assert slot.trainer.step_count == trainer.step_count


def test_frames_carry_only_the_runs_that_changed():
    recorder = Recorder()
    session = Session(recorder)
    recorder.session = session
    session.load(load_project_arg("xor", ["training.epochs=2"]))
    session.handle("compare", [("short", {}), ("long", {"training.epochs": 400})])
    train_to_end(session)
    after_short_ended = False
    only_long = 0
    for frame in recorder.of("frame"):
        ids = {run.run_id for run in frame.runs}
        if frame.running and after_short_ended:
            only_long += ids == {"run2"}
        if any(run.run_id == "run1" and run.status == "completed" for run in frame.runs):
            after_short_ended = True
    assert only_long > 0  # run1 had finished: the loop's frames no longer carried it
    final = recorder.of("frame")[-1]
    assert {run.run_id for run in final.runs} == {"run1", "run2"}  # the end is shown whole


def test_keeping_a_run_leaves_compare_mode_with_its_weights_and_curves():
    session, recorder = comparing_session()
    train_to_end(session)
    kept = session.runs["run2"].trainer
    weights = kept.state_dict()
    session.handle("leave_compare", "run2")
    info = recorder.of("rebuilt")[-1]
    assert info.run_id == "main" and info.epoch == 6 and len(info.metrics) == 6
    assert list(session.runs) == ["main"] and session.trainer is kept
    assert session.project.training.optimizer["lr"] == RATES[1]
    assert all((weights[k] == v).all() for k, v in session.trainer.state_dict().items())
    session.handle("play", 2)
    for _ in range(100_000):
        session.tick()
        if not session.running:
            break
    assert session.trainer.epoch == 12  # play after the end: another training.epochs


def test_a_bad_variant_changes_nothing():
    session, recorder = comparing_session()
    before = dict(session.runs)
    session.handle("compare", [("bad", {"training.optimizer.lr": -1.0})])
    path, reason = recorder.of("failed")[-1]
    assert path == "training.optimizer.lr" and reason
    assert session.runs == before and session.comparing is not None


def test_the_session_never_writes_a_trainers_status():
    """The Trainer owns its status; the session only asks it to play, pause or step."""
    folder = Path(__file__).resolve().parents[2] / "engine" / "session"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                assert not (isinstance(target, ast.Attribute) and target.attr == "status"), path.name
