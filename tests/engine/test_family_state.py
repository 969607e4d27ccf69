"""The trained state of the perceptron, autoencoder, VAE and GAN families: a run saved mid-epoch
and resumed in a new trainer goes on exactly as the run that never stopped (weights, metrics log,
optimizer buffers and random draws alike); a state that does not fit is one line and changes nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from engine.errors import SpecError
from engine.examples import example_path
from engine.session.frames import MAIN_RUN
from engine.store import load_project
from engine.train import build_trainer
from engine.train_state import SavedState, apply_state, write_state

CASES = {  # example: (overrides of the project, steps before the save, steps after it)
    "perceptron_xor": ({}, 150, 130),  # a pass is 100 points: saved half-way through the second
    "autoencoder": ({"data.samples": 120}, 5, 9),  # 60 points in batches of 16: 4 a pass
    "sparse_autoencoder": ({"data.samples": 120}, 5, 7),
    "contractive_autoencoder": ({"data.samples": 120}, 3, 6),
    "denoising_autoencoder": ({"data.samples": 120}, 5, 6),
    "vae_digits": ({"training.batch_size": 512}, 2, 3),  # digits: 3 batches a pass
    "gan_ring": ({"data.samples": 200}, 3, 5),
}


def project(name: str, **extra):
    project = load_project(example_path(name))
    doc = project.to_dict()
    for path, value in {**CASES[name][0], **extra}.items():
        *parents, key = path.split(".")
        node = doc
        for part in parents:
            node = node[part]
        node[key] = value
    return type(project).from_dict(doc)


def steps(trainer, count: int) -> None:
    trainer.play()
    for _ in range(count):
        trainer.step()


def assert_same_run(a, b) -> None:
    assert (a.epoch, a.step_count, a.status) == (b.epoch, b.step_count, b.status)
    state_a, state_b = a.state_dict(), b.state_dict()
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        np.testing.assert_array_equal(state_a[key], state_b[key], err_msg=key)
    measured = [i for i, column in enumerate(a.metrics.columns) if column != "seconds"]  # not the clock
    rows_a, rows_b = (t.metrics._rows[: t.metrics._count][:, measured] for t in (a, b))
    np.testing.assert_array_equal(rows_a, rows_b)
    assert a.snapshot().metrics == b.snapshot().metrics


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_family_run_saved_mid_epoch_goes_on_as_if_it_never_stopped(tmp_path, name):
    _, before, after = CASES[name]
    straight = build_trainer(project(name))
    steps(straight, before + after)
    first = build_trainer(project(name))
    steps(first, before)
    write_state(first, tmp_path)
    del first
    saved = SavedState(tmp_path)
    assert saved.meta["family"] == straight.family.name
    resumed = build_trainer(project(name), dataset=saved.dataset())
    apply_state(resumed, saved)
    steps(resumed, after)
    assert resumed.epoch >= 1, "the case should cross an epoch's end after the save"
    assert_same_run(resumed, straight)


def test_the_saved_random_draws_matter_a_fresh_rng_gives_another_run(tmp_path):
    """The denoising corruption and batch order come from the saved generator: without it, not the same."""
    name = "denoising_autoencoder"
    straight = build_trainer(project(name))
    steps(straight, 10)
    first = build_trainer(project(name))
    steps(first, 5)
    write_state(first, tmp_path)
    saved = SavedState(tmp_path)
    tampered = build_trainer(project(name), dataset=saved.dataset())
    saved.tensors = {k: v for k, v in saved.tensors.items()}
    saved.tensors["rng._generator"] = build_trainer(project(name, seed=7))._generator.get_state().numpy()
    apply_state(tampered, saved)
    steps(tampered, 5)
    ours, theirs = tampered.state_dict(), straight.state_dict()
    assert tampered.step_count == straight.step_count
    assert any(not np.array_equal(ours[key], theirs[key]) for key in ours)


def test_a_state_of_another_family_or_shape_is_refused_and_changes_nothing(tmp_path):
    gan = build_trainer(project("gan_ring"))
    steps(gan, 2)
    (tmp_path / "gan").mkdir()
    write_state(gan, tmp_path / "gan")
    autoencoder = build_trainer(project("autoencoder"))
    before = autoencoder.state_dict()
    with pytest.raises(SpecError, match="holds a gan run; this project builds the autoencoder family"):
        apply_state(autoencoder, SavedState(tmp_path / "gan"))
    wider = build_trainer(project("gan_ring", **{"model.noise_dim": 3}))
    with pytest.raises(SpecError, match="shape"):
        apply_state(wider, SavedState(tmp_path / "gan"))
    assert wider.epoch == 0 and wider.step_count == 0
    for key, value in autoencoder.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_a_damaged_family_state_is_one_line_naming_the_file(tmp_path):
    trainer = build_trainer(project("autoencoder"))
    steps(trainer, 5)
    write_state(trainer, tmp_path)
    saved = SavedState(tmp_path)
    saved.tensors["queue._pending.indices"] = saved.tensors["queue._pending.indices"] + 10_000
    fresh = build_trainer(project("autoencoder"), dataset=saved.dataset())
    with pytest.raises(SpecError, match="training points outside") as caught:
        apply_state(fresh, saved)
    assert caught.value.path.endswith("state.safetensors") and fresh.step_count == 0
    meta = json.loads((tmp_path / "state.json").read_text())
    del meta["optimizers"]
    (tmp_path / "state.json").write_text(json.dumps(meta))
    with pytest.raises(SpecError, match="incomplete or damaged"):
        apply_state(fresh, SavedState(tmp_path))


def test_train_resume_continues_a_gan_run_folder_exactly(tmp_path):
    out = tmp_path / "run"
    cli = [sys.executable, "main.py", "train", "gan_ring", "--set", "data.samples=200"]
    first = subprocess.run(
        [*cli, "--epochs", "2", "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    assert {"generator.onnx", "state.json", "state.safetensors"} <= {p.name for p in out.iterdir()}
    resumed = subprocess.run(
        [sys.executable, "main.py", "train", "--resume", str(out), "--epochs", "4"],
        capture_output=True,
        text=True,
        check=False,
    )
    straight = subprocess.run([*cli, "--epochs", "4"], capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    a, b = (json.loads(r.stdout.strip().splitlines()[-1]) for r in (resumed, straight))
    assert a["epochs"] == b["epochs"] == 4
    assert a["metrics"] == b["metrics"]


def test_the_session_saves_and_restores_an_autoencoder_run(tmp_path):
    from engine.session.session import Session

    events = []
    session = Session(lambda kind, arg: events.append((kind, arg)))
    loaded = project("autoencoder")
    session.handle("load", loaded)
    session.handle("step")
    session.handle("save_state", str(tmp_path / "saved.state"))
    assert events[-1] == ("state_saved", (str(tmp_path / "saved.state"), ""))
    weights = session.trainer.state_dict()
    session.handle("load_saved", (loaded, str(tmp_path / "saved.state")))
    restored = session.runs[MAIN_RUN].trainer
    assert restored.epoch == 1 and restored is not session.runs.get("gone")
    for key, value in weights.items():
        np.testing.assert_array_equal(restored.state_dict()[key], value)
    assert not [arg for kind, arg in events if kind == "failed"]


def test_the_projects_own_rate_wins_over_the_saved_one_and_non_finite_weights_are_refused(tmp_path):
    """The file gives the optimizer's buffers, not its settings: a project whose generator rate was
    changed before resuming trains at the new rate. A state holding NaN is refused, naming the tensor."""
    first = build_trainer(project("gan_ring"))
    steps(first, 2)
    write_state(first, tmp_path)
    faster = build_trainer(project("gan_ring", **{"model.generator.optimizer.lr": 0.01}))
    apply_state(faster, SavedState(tmp_path))
    assert faster.g_optimizer.param_groups[0]["lr"] == 0.01
    assert faster.g_optimizer.state  # the buffers came back (Adam's averages)
    saved = SavedState(tmp_path)
    name = next(k for k in saved.tensors if k.startswith("weights."))
    saved.tensors[name] = np.full_like(saved.tensors[name], np.nan)
    fresh = build_trainer(project("gan_ring"))
    with pytest.raises(SpecError, match="not finite"):
        apply_state(fresh, saved)
    assert fresh.step_count == 0
    rmsprop = build_trainer(
        project("gan_ring", **{"model.generator.optimizer": {"name": "rmsprop", "lr": 0.002}})
    )
    with pytest.raises(SpecError, match="another kind of optimizer"):
        apply_state(rmsprop, SavedState(tmp_path))
