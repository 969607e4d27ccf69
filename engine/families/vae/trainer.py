"""The VAE: the encoder gives a mean μ and a log-variance log σ² per code unit; a code is drawn as
z = μ + σ·ε with ε ~ N(0, I) (the reparameterisation trick, so gradients pass through the draw);
the decoder rebuilds the input from z.

Per sample the loss is the negative ELBO with a unit-variance Gaussian likelihood, weighted:
½·Σ_d (x_d - x̂_d)² + β·KL(N(μ, σ²) ‖ N(0, I)), KL = ½·Σ_j (μ_j² + σ_j² - 1 - log σ_j²).
Reported each epoch: `reconstruction` (test split, mean squared error per value with z = μ: the
autoencoder's measure, so the two families compare), `train_reconstruction`, `kl` (test split, per
sample) and `elbo` (test split, per sample, one draw of ε from a fixed seed; the likelihood's
constant -D/2·log 2π included).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from engine.families.autoencoder.trainer import EVAL_CHUNK, AutoencoderTrainer
from engine.families.mlp.network import build_network
from engine.snapshot import Snapshot


class VariationalAutoencoder(nn.Module):
    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent: int):
        super().__init__()
        self.encoder = encoder  # -> (μ, log σ²) side by side
        self.decoder = decoder
        self.latent = latent

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.encoder(x)
        return out[:, : self.latent], out[:, self.latent :]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction from z = μ, μ): the deterministic path exports and views take."""
        mu, _ = self.encode(x)
        return self.decoder(mu), mu


def kl_to_prior(mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) of each sample, summed over the code units."""
    return 0.5 * torch.sum(mu**2 + log_var.exp() - 1.0 - log_var, dim=1)


class VaeTrainer(AutoencoderTrainer):
    """One run of a VAE; the autoencoder's loop, views and state with a Gaussian code."""

    def _build_model(self, encoder: list, decoder: list):
        from engine.families.autoencoder.model import build_autoencoder

        s = self.settings
        latent = s["latent"]
        # Checked (and sized) as an autoencoder with a code of 2·latent, then built as a VAE.
        build_autoencoder(encoder, decoder, self.n_in, 2 * latent, "linear", s["init"])
        enc = build_network(encoder, (self.n_in,), 2 * latent, "linear", s["init"])
        dec = build_network(decoder, (latent,), self.n_in, "linear", s["init"])
        return VariationalAutoencoder(enc, dec, latent)

    def _draw(self, mu, log_var, generator) -> torch.Tensor:
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        return mu + torch.exp(0.5 * log_var) * eps

    def _loss_terms(self, x: torch.Tensor, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(sum over values of ½(x - x̂)², mean over the batch; KL per sample, mean over the batch)."""
        mu, log_var = self.model.encode(x)
        z = self._draw(mu, log_var, self._generator) if train else mu
        squared = 0.5 * torch.sum((self.model.decoder(z) - x) ** 2, dim=1).mean()
        return squared, kl_to_prior(mu, log_var).mean()

    def _objective(self, squared: torch.Tensor, kl: torch.Tensor) -> torch.Tensor:
        return squared + self.settings["beta"] * kl

    def _evaluate(self, lr: float) -> Snapshot:
        train_mse = self._split_figures(self.x_train, sampled=False)[0]
        test = None if self.x_test is None else self._split_figures(self.x_test, sampled=True)
        metrics = {
            "reconstruction": None if test is None else test[0],
            "train_reconstruction": train_mse,
            "kl": None if test is None else test[1],
            "elbo": None if test is None else test[2],
        }
        return Snapshot(self.epoch, self.step_count, metrics, lr, self.elapsed, status=self.status)

    def _split_figures(self, x: torch.Tensor, sampled: bool) -> tuple[float, float, float]:
        """(MSE per value with z = μ, KL per sample, ELBO per sample from one fixed draw)."""
        self.model.eval()
        generator = torch.Generator().manual_seed(12345)  # the same draw every epoch
        squared_mu = kl = squared_drawn = 0.0
        with torch.no_grad():
            for chunk in torch.split(x, EVAL_CHUNK):
                mu, log_var = self.model.encode(chunk)
                squared_mu += float(torch.sum((self.model.decoder(mu) - chunk) ** 2))
                kl += float(kl_to_prior(mu, log_var).sum())
                if sampled:
                    drawn = self.model.decoder(self._draw(mu, log_var, generator))
                    squared_drawn += float(torch.sum((drawn - chunk) ** 2))
        n, d = x.shape
        constant = 0.5 * d * math.log(2.0 * math.pi)
        elbo = -(0.5 * squared_drawn + kl) / n - constant
        return squared_mu / (n * d), kl / n, elbo

    def codes(self, x: torch.Tensor) -> np.ndarray:
        """The means μ: where the encoder puts each point."""
        self.model.eval()
        with torch.no_grad():
            return self.model.encode(x)[0].numpy()

    def view_probe(self, grid):
        """The autoencoder's view data, with codes drawn from the prior N(0, I) and decoded: what a
        VAE is for (the same seed every frame, so the row changes only as the decoder learns)."""
        from dataclasses import replace

        from engine.families.autoencoder.view import PRIOR_SAMPLES, autoencoder_probe, raw_units

        probe = autoencoder_probe(self)
        return replace(probe, prior=raw_units(self, self.prior_samples(PRIOR_SAMPLES)))

    def prior_samples(self, count: int, seed: int = 0) -> np.ndarray:
        """Codes drawn from the prior N(0, I), decoded (preprocessed units)."""
        z = torch.randn((count, self.settings["latent"]), generator=torch.Generator().manual_seed(seed))
        return self.decode(z.numpy())
