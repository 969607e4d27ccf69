"""The 2-D GAN family: its settings, its losses written out, the step's d_steps, the modes counted,
the gradient arrows against finite differences, its example, frames and CLI line."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from engine.errors import SpecError
from engine.examples import example_path
from engine.families.gan.trainer import modes_covered
from engine.spec.project import Project
from engine.store import load_project
from engine.train import build_trainer


def gan(model=None, data=None, training=None) -> Project:
    return Project.from_dict(
        {
            "format": "layerlab",
            "version": 2,
            "model": {"family": "gan", **(model or {})},
            "data": {"name": "ring8", "samples": 160, "train_fraction": 0.5, **(data or {})},
            "training": {"batch_size": 16, "epochs": 2, **(training or {})},
        }
    )


@pytest.mark.parametrize(
    "model, training, path",
    [
        ({"noise_dim": 0}, None, "model.noise_dim"),
        ({"loss": "wasserstein"}, None, "model.loss"),
        ({"generator": {"layers": [{"type": "lstm", "units": 4}]}}, None, "model.generator.layers[0].type"),
        ({"discriminator": {"optimizer": {"name": "lbfgs"}}}, None, "model.discriminator.optimizer.name"),
        ({"generator": {"optimiser": {}}}, None, "model.generator"),
        (None, {"optimizer": {"name": "adam", "lr": 0.1}}, "training.optimizer"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(model, training, path):
    with pytest.raises(SpecError) as err:
        gan(model, training=training)
    assert err.value.path == path, err.value


def test_a_gan_on_images_is_refused_before_it_is_built():
    with pytest.raises(SpecError) as err:
        build_trainer(gan(data={"name": "digits", "samples": None}))
    assert err.value.path == "data.name" and "image" in err.value.reason


def test_the_losses_are_the_games_written_out():
    trainer = build_trainer(gan())
    real, fake = torch.randn(7, 2), torch.randn(9, 2)
    p_real = torch.sigmoid(trainer.discriminator(real)).detach().double()
    p_fake = torch.sigmoid(trainer.discriminator(fake)).detach().double()
    d = -0.5 * (torch.log(p_real).mean() + torch.log(1 - p_fake).mean())
    assert float(trainer.d_loss_of(real, fake).detach()) == pytest.approx(float(d), rel=1e-5)
    assert float(trainer.g_loss_of(fake).detach()) == pytest.approx(
        float(-torch.log(p_fake).mean()), rel=1e-5
    )
    minimax = build_trainer(gan({"loss": "minimax"}))
    p_fake = torch.sigmoid(minimax.discriminator(fake)).detach().double()
    assert float(minimax.g_loss_of(fake).detach()) == pytest.approx(
        float(torch.log(1 - p_fake).mean()), rel=1e-5
    )


def test_a_step_is_d_steps_discriminator_updates_then_one_generator_update():
    trainer = build_trainer(gan({"d_steps": 3}))
    trainer.step()
    d_state = next(iter(trainer.d_optimizer.state.values()))
    g_state = next(iter(trainer.g_optimizer.state.values()))
    assert float(d_state["step"]) == 3 and float(g_state["step"]) == 1
    assert trainer.steps_per_epoch() == 2  # 80 real points, batches of 16, 3 per step: D sees each once
    trainer.run()
    assert trainer.step_count == 4 and len(trainer.metrics) == 2


def test_modes_covered_counts_the_modes_that_hold_enough_samples():
    centres = np.array([[4.0 * np.cos(a), 4.0 * np.sin(a)] for a in np.arange(8) * np.pi / 4])
    rng = np.random.default_rng(0)
    collapsed = centres[[2]] + rng.normal(0, 0.1, (1000, 2))
    assert modes_covered(collapsed, centres, 0.6) == 1.0
    spread = np.repeat(centres, 125, axis=0) + rng.normal(0, 0.1, (1000, 2))
    assert modes_covered(spread, centres, 0.6) == 8.0
    assert modes_covered(np.vstack([spread[:980], collapsed[:20]]), centres, 0.6) == 8.0
    few = np.vstack([np.repeat(centres[:3], 330, axis=0), centres[3:8].repeat(2, axis=0)])  # 2 samples each
    assert modes_covered(few, centres, 0.6) == 3.0


def test_the_arrows_are_minus_the_gradient_of_the_generators_loss():
    from engine.families.gan.view import _arrows

    trainer = build_trainer(gan())
    trainer.run()
    points = trainer.generated()[:5]
    arrows = _arrows(trainer, points)

    def loss_at(p):
        x = torch.as_tensor((p[None] - trainer.centre) / trainer.scale, dtype=torch.float64)
        trainer.discriminator.double()
        try:
            return float(trainer.g_loss_of(x))
        finally:
            trainer.discriminator.float()

    for point, arrow in zip(points, arrows, strict=True):
        numeric = np.array([(loss_at(point + e) - loss_at(point - e)) / 2e-5 for e in np.eye(2) * 1e-5])
        np.testing.assert_allclose(arrow, -numeric, rtol=1e-3, atol=1e-6)


def test_the_ring_example_covers_its_modes():
    final = build_trainer(load_project(example_path("gan_ring"))).run()
    assert final.metric("modes_covered") >= 7 and final.metric("nearest_real") <= 0.4


def test_the_session_sends_gan_frames_and_looks_back():
    from engine.families.gan.view import GanProbe
    from engine.session.session import Session

    events = []
    session = Session(lambda kind, arg: events.append((kind, arg)))
    session.handle("load", gan())
    session.handle("step")
    probe = [arg for kind, arg in events if kind == "frame"][-1].runs[0].probe
    assert (
        isinstance(probe, GanProbe)
        and probe.d_map.shape == (100, 100)
        and probe.manifold.shape == (20, 20, 2)
    )
    assert np.all((probe.d_map >= 0) & (probe.d_map <= 1)) and probe.arrows.shape == (100, 2)
    first = probe.fake.copy()
    session.handle("step")
    session.handle("show_epoch", ("main", 1))
    kind, view = events[-1]
    assert kind == "history_shown" and view.epoch == 1
    np.testing.assert_allclose(view.probe.fake, first)
    assert view.probe.epoch == 1 and session.trainer.epoch == 2  # the probe says which epoch it shows


def test_train_prints_the_family_and_keeps_both_networks(tmp_path):
    out = subprocess.run(
        [sys.executable, "main.py", "train", "gan_ring", "--epochs", "2", "--out", str(tmp_path / "run")],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["family"] == "gan" and set(summary["metrics"]) == {
        "d_loss",
        "g_loss",
        "modes_covered",
        "nearest_real",
    }
    from engine.store import load_weights

    weights = load_weights(tmp_path / "run" / "weights.safetensors")
    assert any(k.startswith("generator.") for k in weights) and any(
        k.startswith("discriminator.") for k in weights
    )


def test_the_generator_and_discriminator_export_in_the_datas_units(tmp_path):
    import onnxruntime

    from engine.export.models import export_run

    subprocess.run(
        [sys.executable, "main.py", "train", "gan_ring", "--epochs", "1", "--out", str(tmp_path / "run")],
        capture_output=True,
        check=True,
    )
    assert {"generator.onnx", "discriminator.onnx"} <= {p.name for p in (tmp_path / "run").iterdir()}
    trainer = build_trainer(load_project(tmp_path / "run" / "project.json"))
    from engine.store import load_weights

    trainer.load_state_dict(load_weights(tmp_path / "run" / "weights.safetensors"))

    def run(path, x):
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]

    noise = trainer.eval_noise[:9].numpy()
    np.testing.assert_allclose(
        run(tmp_path / "run" / "generator.onnx", noise), trainer.generated()[:9], atol=1e-4
    )
    points = trainer.dataset.x_test[:9].astype(np.float32)
    got = run(export_run(tmp_path / "run", "onnx", tmp_path / "d.onnx", part="discriminator"), points)
    np.testing.assert_allclose(got[:, 0], trainer.d_probability(points), atol=1e-5)
    with pytest.raises(SpecError) as err:
        export_run(tmp_path / "run", "onnx", tmp_path / "m.onnx")
    assert err.value.path == "--part" and "generator, discriminator" in err.value.reason


def test_one_player_moves_at_a_time_and_the_session_shows_it():
    from engine.session.session import Session

    trainer = build_trainer(gan())
    before = trainer.state_dict()
    trainer.update("discriminator")
    after = trainer.state_dict()
    moved = {k for k in before if not np.array_equal(before[k], after[k])}
    assert moved and all(k.startswith("discriminator.") for k in moved)
    trainer.update("generator")
    moved = {k for k, v in trainer.state_dict().items() if not np.array_equal(v, after[k])}
    assert moved and all(k.startswith("generator.") for k in moved)
    assert (trainer.step_count, trainer.epoch) == (0, 0) and trainer.single_updates == {
        "discriminator": 1,
        "generator": 1,
    }

    events = []
    session = Session(lambda kind, arg: events.append((kind, arg)))
    session.handle("load", gan())
    first = [arg for kind, arg in events if kind == "frame"][-1].runs[0].probe.fake.copy()
    session.handle("update", "generator")
    probe = [arg for kind, arg in events if kind == "frame"][-1].runs[0].probe
    assert probe.single_updates == (0, 1) and not np.allclose(probe.fake, first)
    session.handle("update", "referee")
    assert events[-1][0] == "failed" and "discriminator or generator" in events[-1][1][1]
