"""The autoencoder family: its settings, its penalties against independent computations (autograd's
Jacobian, the closed-form KL), a linear autoencoder against PCA, its examples' claims, state, CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from engine.errors import SpecError
from engine.examples import example_path
from engine.families.autoencoder.model import contractive_penalty, corrupt, sparsity_penalty
from engine.families.mlp.network import build_network
from engine.spec.project import Project
from engine.store import load_project
from engine.train import build_trainer


def project(model=None, data=None, training=None, seed=0) -> Project:
    return Project.from_dict(
        {
            "format": "layerlab",
            "version": 2,
            "seed": seed,
            "model": {"family": "autoencoder", **(model or {})},
            "data": {"name": "curve", "samples": 200, "noise": 0.1, "train_fraction": 0.5, **(data or {})},
            "training": {
                "optimizer": {"name": "adam", "lr": 0.01},
                "batch_size": 16,
                "epochs": 5,
                **(training or {}),
            },
        }
    )


@pytest.mark.parametrize(
    "model, training, path",
    [
        ({"latent": 0}, None, "model.latent"),
        ({"variant": "sparse", "sparsity_kind": "kl"}, None, "model.code_activation"),
        ({"variant": "denoising", "noise_kind": "masking", "noise": 1.0}, None, "model.noise"),
        ({"encoder": {"layers": [{"type": "conv2d", "filters": 4}]}}, None, "model.encoder.layers[0].type"),
        ({"encoder": {"layers": [{"type": "dense", "units": 0}]}}, None, "model.encoder.layers[0].units"),
        ({"decoder": "backwards"}, None, "model.decoder"),
        ({"variant": "contractive", "encoder": {"layers": [{"type": "batchnorm"}]}}, None, "model.encoder"),
        ({"variant": "stacked"}, None, "model.variant"),
        (None, {"l1": 0.1}, "training.l1"),
        (None, {"loss": "mse"}, "training.loss"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(model, training, path):
    with pytest.raises(SpecError) as err:
        project(model, training=training)
    assert err.value.path == path, err.value


def test_a_saved_project_keeps_its_stacks_and_only_the_keys_it_reads():
    doc = project({"latent": 1, "encoder": {"layers": [{"type": "dense", "units": 8}]}}).to_dict()
    assert doc["model"]["encoder"] == {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}]}
    assert doc["model"]["decoder"] == "mirror" and "network" not in doc
    assert set(doc["training"]) == {"optimizer", "schedule", "batch_size", "epochs", "grad_clip"}
    assert Project.from_dict(doc).to_dict() == doc


# -- the penalties against independent computations -----------------------------------------------
def test_the_contractive_penalty_is_the_jacobians_squared_frobenius_norm():
    torch.manual_seed(0)
    layers = [
        {"type": "dense", "units": 7, "activation": "tanh"},
        {"type": "dense", "units": 5, "activation": "elu"},
    ]
    encoder = build_network(layers, (4,), 3, "sigmoid", "xavier_uniform").double()
    x = torch.randn(6, 4, dtype=torch.float64)
    penalty, code = contractive_penalty(encoder, x, create_graph=False)
    jacobians = [torch.autograd.functional.jacobian(lambda v: encoder(v[None])[0], row) for row in x]
    expected = torch.stack([(j**2).sum() for j in jacobians]).mean()
    torch.testing.assert_close(penalty, expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(code, encoder(x))


def test_the_contractive_penalty_trains_through_its_own_gradient():
    torch.manual_seed(1)
    encoder = build_network(
        [{"type": "dense", "units": 5, "activation": "tanh"}], (3,), 2, "linear", "xavier_uniform"
    )
    encoder = encoder.double()
    x = torch.randn(4, 3, dtype=torch.float64)
    penalty, _ = contractive_penalty(encoder, x, create_graph=True)
    (grads,) = torch.autograd.grad(penalty, [encoder.head.linear.weight])

    def by_jacobian(weight):
        w = encoder.head.linear.weight
        saved = w.detach().clone()
        with torch.no_grad():
            w.copy_(weight)
        value = torch.stack(
            [(torch.autograd.functional.jacobian(lambda v: encoder(v[None])[0], r) ** 2).sum() for r in x]
        ).mean()
        with torch.no_grad():
            w.copy_(saved)
        return value

    w0 = encoder.head.linear.weight.detach().clone()
    numeric = torch.zeros_like(w0)
    for idx in np.ndindex(*w0.shape):
        step = torch.zeros_like(w0)
        step[idx] = 1e-6
        numeric[idx] = (by_jacobian(w0 + step) - by_jacobian(w0 - step)) / 2e-6
    torch.testing.assert_close(grads, numeric, rtol=1e-5, atol=1e-8)


def test_the_sparsity_penalties_are_their_closed_forms():
    code = torch.rand(50, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    rho, rho_hat = 0.05, code.numpy().mean(axis=0)
    kl = np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    assert float(sparsity_penalty(code, "kl", rho)) == pytest.approx(kl, rel=1e-12)
    assert float(sparsity_penalty(code - 0.5, "l1", rho)) == pytest.approx(
        np.abs(code.numpy() - 0.5).sum(1).mean()
    )


def test_corruption_masks_the_share_asked_for_or_adds_noise_of_that_std():
    x = torch.ones(200, 50)
    masked = corrupt(x, "masking", 0.3, torch.Generator().manual_seed(0))
    assert set(masked.unique().tolist()) == {0.0, 1.0} and float(
        (masked == 0).float().mean()
    ) == pytest.approx(0.3, abs=0.01)
    noisy = corrupt(x, "gaussian", 0.5, torch.Generator().manual_seed(0))
    assert float((noisy - x).std()) == pytest.approx(0.5, rel=0.02)


# -- what training reaches -------------------------------------------------------------------------
def test_a_linear_autoencoder_reaches_the_pca_reconstruction():
    """With no hidden layers and a linear code, the best an autoencoder can do on its training data
    is PCA's projection onto the top `latent` components (Eckart-Young); gradient descent gets there."""
    trainer = build_trainer(
        Project.from_dict(
            {
                "format": "layerlab",
                "version": 2,
                "model": {
                    "family": "autoencoder",
                    "latent": 2,
                    "encoder": {"layers": []},
                    "decoder": {"layers": []},
                },
                "data": {"name": "digits", "train_fraction": 0.5},
                "training": {"optimizer": {"name": "adam", "lr": 0.03}, "batch_size": "all", "epochs": 400},
            }
        )
    )
    final = trainer.run()
    x = trainer.x_train.numpy().astype(np.float64)
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    pca = np.mean(((x - mean) @ vt[:2].T @ vt[:2] + mean - x) ** 2)
    assert pca * 0.999 <= final.metric("train_reconstruction") <= pca * 1.01


def test_a_one_unit_code_learns_the_curve_no_line_can_follow():
    trainer = build_trainer(load_project(example_path("autoencoder")))
    final = trainer.run()
    x_train, x_test = trainer.x_train.numpy().astype(np.float64), trainer.x_test.numpy().astype(np.float64)
    mean = x_train.mean(axis=0)
    _, _, vt = np.linalg.svd(x_train - mean, full_matrices=False)
    line = np.mean(((x_test - mean) @ vt[:1].T @ vt[:1] + mean - x_test) ** 2)  # PCA, one component
    assert final.metric("reconstruction") <= 0.03 < line / 50
    probe = trainer.view_probe(None)
    assert probe.sweep.shape == (200, 2) and probe.codes.shape[1] == 1
    # The decoded sweep lies on the arc y = 0.3 x² - 2.5 where the data is.
    inside = np.abs(probe.sweep[:, 0]) < 4.5
    arc = 0.3 * probe.sweep[inside, 0] ** 2 - 2.5
    assert np.max(np.abs(probe.sweep[inside, 1] - arc)) < 0.5


def test_the_sparse_example_keeps_its_codes_near_the_target_activation():
    trainer = build_trainer(load_project(example_path("sparse_autoencoder")))
    trainer.run(epochs=10)
    mean = trainer.view_probe(None).mean_activation
    assert mean.shape == (32,) and 0.02 < float(mean.mean()) < 0.1


def test_a_run_goes_on_from_its_state_and_refuses_a_state_that_does_not_fit():
    trainer = build_trainer(project())
    trainer.run(epochs=2)
    state = trainer.state_dict()
    other = build_trainer(project())
    other.load_state_dict(state)
    np.testing.assert_array_equal(
        other.view_probe(None).reconstructions, trainer.view_probe(None).reconstructions
    )
    with pytest.raises(SpecError):
        other.load_state_dict({k: v for k, v in state.items() if "decoder" not in k})


def test_train_prints_the_family_and_exports_a_raw_to_raw_model(tmp_path):
    import onnxruntime

    out = subprocess.run(
        [sys.executable, "main.py", "train", "autoencoder", "--epochs", "3", "--out", str(tmp_path / "run")],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["family"] == "autoencoder" and summary["train_loss"] is None
    assert set(summary["metrics"]) == {"reconstruction", "train_reconstruction", "penalty"}
    session = onnxruntime.InferenceSession(
        str(tmp_path / "run" / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    trainer = build_trainer(load_project(example_path("autoencoder")))
    from engine.store import load_weights

    trainer.load_state_dict(load_weights(tmp_path / "run" / "weights.safetensors"))
    raw = trainer.dataset.x_test[:20].astype(np.float32)
    got = session.run(None, {session.get_inputs()[0].name: raw})[0]
    expected = trainer.decode(trainer.codes(trainer._inputs(raw)))  # the curve has no standardisation
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_the_exported_digits_model_answers_in_pixel_units():
    from engine.export.models import export_model
    from engine.families.autoencoder.view import raw_units

    trainer = build_trainer(load_project(example_path("autoencoder_digits")))
    trainer.run(epochs=2)
    raw = trainer.dataset.x_test[:10].astype(np.float32)
    with torch.no_grad():
        got = export_model(trainer)(torch.from_numpy(raw)).numpy()
    expected = raw_units(trainer, trainer.decode(trainer.codes(trainer._inputs(raw)))).reshape(10, -1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    assert trainer.preprocessor.std.numpy().item() > 1  # standardised: the units differ
    assert 0 < got.mean() < 16  # pixel values are 0..16


@pytest.mark.parametrize("family", ["autoencoder", "vae"])
def test_the_encoder_and_decoder_export_alone_and_answer_as_the_run_does(tmp_path, family):
    import onnxruntime

    from engine.export.models import export_run

    name = "autoencoder_digits" if family == "autoencoder" else "vae_digits"
    subprocess.run(
        [sys.executable, "main.py", "train", name, "--epochs", "1", "--out", str(tmp_path / "run")],
        capture_output=True,
        check=True,
    )
    encoder = export_run(tmp_path / "run", "onnx", tmp_path / "encoder.onnx", part="encoder")
    decoder = export_run(tmp_path / "run", "onnx", tmp_path / "decoder.onnx", part="decoder")
    trainer = build_trainer(load_project(tmp_path / "run" / "project.json"))
    from engine.store import load_weights

    trainer.load_state_dict(load_weights(tmp_path / "run" / "weights.safetensors"))
    raw = trainer.dataset.x_test[:7].astype(np.float32)

    def run(path, x):
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]

    codes = run(encoder, raw)
    np.testing.assert_allclose(codes, trainer.codes(trainer._inputs(raw)), atol=1e-5)
    from engine.families.autoencoder.view import raw_units

    expected = raw_units(trainer, trainer.decode(codes)).reshape(7, -1)
    np.testing.assert_allclose(run(decoder, codes), expected, rtol=1e-5, atol=1e-4)
    with pytest.raises(SpecError) as err:
        export_run(tmp_path / "run", "onnx", tmp_path / "g.onnx", part="generator")
    assert err.value.path == "--part" and "encoder, decoder" in err.value.reason


def test_the_denoising_view_shows_the_noisy_copy_and_what_is_rebuilt_from_it():
    trainer = build_trainer(load_project(example_path("denoising_autoencoder")))
    trainer.run(1)
    probe, again = trainer.view_probe(None), trainer.view_probe(None)
    noisy, clean = probe.corrupted, probe.inputs
    assert noisy.shape == clean.shape == probe.reconstructions.shape
    np.testing.assert_array_equal(noisy, again.corrupted)  # the same draw each frame: no flicker
    # Masking noise of 0.3: about 30% of the standardised pixels set to 0, i.e. to the images' mean.
    mean = float(trainer.preprocessor.mean.numpy().reshape(-1)[0])
    masked = np.isclose(noisy, mean, atol=1e-4) & ~np.isclose(clean, mean, atol=1e-4)
    assert 0.2 < masked.mean() < 0.35
    # The reconstructions are the network's answer to the noisy copy, not to the clean image.
    x = trainer._inputs(noisy.reshape(len(noisy), -1))
    rebuilt = trainer.decode(trainer.codes(x))
    expected = rebuilt * float(trainer.preprocessor.std.numpy().reshape(-1)[0]) + mean
    np.testing.assert_allclose(probe.reconstructions.reshape(len(noisy), -1), expected, atol=1e-3)
    plain = build_trainer(load_project(example_path("autoencoder_digits")))
    assert plain.view_probe(None).corrupted is None
