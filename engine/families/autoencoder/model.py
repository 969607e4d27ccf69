"""The autoencoder as torch modules, and the terms of its loss.

encoder: the encoder stack, then the code layer (`latent` units, `code_activation`);
decoder: the decoder stack, then a linear layer back to the input's size. Inputs are the
preprocessed (standardised) features, flattened; the reconstruction is compared with them.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from engine.errors import SpecError
from engine.families.mlp.network import Network, build_network

MAX_PARAMETERS = 2_000_000


class Autoencoder(nn.Module):
    def __init__(self, encoder: Network, decoder: Network):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction, code) of a batch."""
        code = self.encoder(x)
        return self.decoder(code), code


def build_autoencoder(
    encoder_layers, decoder_layers, n_in: int, latent: int, code_activation, init
) -> Autoencoder:
    """Both stacks checked (shapes, size) and built, initialised by `init`."""
    _check_stack(encoder_layers, (n_in,), latent, "model.encoder")
    _check_stack(decoder_layers, (latent,), n_in, "model.decoder")
    encoder = build_network(encoder_layers, (n_in,), latent, code_activation, init)
    decoder = build_network(decoder_layers, (latent,), n_in, "linear", init)
    model = Autoencoder(encoder, decoder)
    total = sum(p.numel() for p in model.parameters())
    if total > MAX_PARAMETERS:
        raise SpecError(
            "model.encoder",
            f"the autoencoder would have {total:,} parameters; the limit is {MAX_PARAMETERS:,}",
        )
    return model


def _check_stack(layers, in_shape: tuple[int, ...], n_out: int, path: str) -> None:
    from engine.spec.catalog.layers import LAYERS

    shape = in_shape
    for i, cfg in enumerate(layers):
        shape, _ = LAYERS[cfg["type"]].factory.shape(shape, cfg, f"{path}.layers[{i}]")
    if math.prod(shape) < 1 or n_out < 1:
        raise SpecError(path, "a stack must keep at least one unit")


def corrupt(x: torch.Tensor, kind: str, amount: float, generator: torch.Generator) -> torch.Tensor:
    """The denoising autoencoder's input: Gaussian noise of std `amount`, or a share `amount` of the
    values set to 0 ("masking")."""
    if kind == "gaussian":
        return x + amount * torch.randn(x.shape, generator=generator, dtype=x.dtype)
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype) >= amount
    return x * keep


def sparsity_penalty(code: torch.Tensor, kind: str, target: float) -> torch.Tensor:
    """l1: the mean over the batch of Σ_j |h_j|. kl: Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the batch's mean
    activation of code unit j (sigmoid codes), ρ the target."""
    if kind == "l1":
        return code.abs().sum(dim=1).mean()
    rho_hat = code.mean(dim=0).clamp(1e-6, 1.0 - 1e-6)
    rho = torch.full_like(rho_hat, target)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def contractive_penalty(
    encoder: nn.Module, x: torch.Tensor, create_graph: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """(the mean over the batch of ‖∂h/∂x‖²_F, the code h), exactly: one backward pass per code unit.

    The samples of a batch do not interact in the encoder (no batch norm: refused with this
    variant), so the gradient of Σ_b h_bj with respect to the batch holds every sample's row j of
    its own Jacobian.
    """
    x = x.detach().requires_grad_(True)
    code = encoder(x)
    total = x.new_zeros(())
    for j in range(code.shape[1]):
        (rows,) = torch.autograd.grad(code[:, j].sum(), x, create_graph=create_graph, retain_graph=True)
        total = total + (rows**2).sum()
    return total / len(x), code


class Reconstruction(nn.Module):
    """What the exports take away: preprocessed input -> the reconstruction in the data's own
    units (the standardisation undone), so an exported model maps raw inputs to raw outputs."""

    def __init__(self, model: Autoencoder, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.model = model
        self.register_buffer("mean", mean.reshape(1, -1).clone())
        self.register_buffer("std", std.reshape(1, -1).clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.model(x.flatten(1))
        return out * self.std + self.mean


class EncoderPart(nn.Module):
    """Raw inputs -> the code (a VAE's mean μ): the encoder as exported on its own."""

    def __init__(self, preprocessor: nn.Module, encoder: nn.Module, latent: int):
        super().__init__()
        self.preprocessor = preprocessor
        self.encoder = encoder
        self.latent = latent

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(self.preprocessor(x.to(torch.float32)).flatten(1))[:, : self.latent]


class DecoderPart(nn.Module):
    """Codes -> the decoded input in the data's own units (flattened): the decoder on its own."""

    def __init__(self, decoder: nn.Module, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.decoder = decoder
        self.register_buffer("mean", mean.reshape(1, -1).clone())
        self.register_buffer("std", std.reshape(1, -1).clone())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z.to(torch.float32)) * self.std + self.mean
