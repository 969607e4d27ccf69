"""The model families, one entry each (engine/families/family.py says what an entry holds)."""

from __future__ import annotations

from engine.families.family import Family, Metric
from engine.spec.registry import Param, Registry

_INITS = ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "lecun_normal")

MLP = Family(
    name="mlp",
    label="Supervised network",
    help="a stack of layers trained on labelled data: a classifier or a regressor",
    keys=("data", "network", "training"),
    settings=(),
    # The log's column order is v1's (readers of the older CSV by position still find them).
    metrics=(
        Metric("train_loss", "train loss"),
        Metric("test_loss", "test loss"),
        Metric("penalty", "L1/L2 penalty", "value"),
        Metric("train_accuracy", "train accuracy", "accuracy"),
        Metric("test_accuracy", "test accuracy", "accuracy"),
        Metric("val_loss", "validation loss"),
        Metric("val_accuracy", "validation accuracy", "accuracy"),
        # The mean batch loss in train mode (dropout on, batch norm on batch statistics), as the
        # optimizer saw it; only where that differs from the eval-mode train loss (engine/train.py).
        Metric("train_loss_seen", "train loss as trained (train mode)"),
    ),
    parameter_groups=("network",),
    views=("decision_map", "curves", "network", "gradients"),
    builder="engine.families.mlp.build:build_parts",
    # v1's order: the validation columns came last, so readers of the older CSV by position still work.
    columns=(
        "epoch",
        "step",
        "train_loss",
        "test_loss",
        "penalty",
        "train_accuracy",
        "test_accuracy",
        "lr",
        "seconds",
        "val_loss",
        "val_accuracy",
        "train_loss_seen",
    ),
)

PERCEPTRON = Family(
    name="perceptron",
    label="Perceptron (Rosenblatt's rule)",
    help="one linear unit with a sign output, trained one point at a time: an update only on a mistake",
    keys=("data", "training"),
    settings=(
        Param("lr", 1.0, float, 1e-6, 1e6, help="scales every update (the rule's path keeps its shape)"),
        Param("pocket", False, bool, help="keep the weights with the fewest training errors seen (Gallant)"),
    ),
    metrics=(
        Metric("mistakes", "mistakes (updates so far)", "count"),
        Metric("bound", "mistake bound (R/γ)²", "value"),
        Metric("converged", "converged (a pass without a mistake)", "flag"),
        Metric("errors", "training points misclassified", "count"),
        Metric("train_accuracy", "train accuracy", "accuracy"),
        Metric("test_accuracy", "test accuracy", "accuracy"),
    ),
    parameter_groups=("theta",),
    views=("perceptron", "decision_map", "curves"),
    builder="engine.families.perceptron.trainer:PerceptronTrainer",
    trainer="engine.families.perceptron.trainer:PerceptronTrainer",
    reads_only=(("training", ("epochs",)),),  # one pass per epoch; the rule has no optimizer
)

AUTOENCODER = Family(
    name="autoencoder",
    label="Autoencoder",
    help="an encoder squeezes the input into a small code and a decoder rebuilds the input from it",
    keys=("data", "training"),
    settings=(
        Param(
            "variant",
            "plain",
            str,
            choices=("plain", "denoising", "sparse", "contractive"),
            help="plain; denoising (rebuild the clean input from a corrupted one); sparse (a penalty on "
            "the codes); contractive (a penalty on the code's sensitivity to the input)",
        ),
        Param("latent", 2, int, 1, 256, help="units in the code"),
        Param("code_activation", "linear", str, help="the code layer's activation"),
        Param(
            "init",
            "xavier_uniform",
            str,
            choices=_INITS,
            help="how both stacks' weights start",
        ),
        Param(
            "noise",
            0.3,
            float,
            0.0,
            5.0,
            help="denoising: the noise's std (gaussian) or share of inputs zeroed (masking)",
        ),
        Param("noise_kind", "gaussian", str, choices=("gaussian", "masking")),
        Param("sparsity", 0.1, float, 0.0, 100.0, help="sparse: the penalty's weight λ"),
        Param(
            "sparsity_kind",
            "kl",
            str,
            choices=("kl", "l1"),
            help="sparse: KL to a target mean activation, or L1",
        ),
        Param("sparsity_target", 0.05, float, 0.001, 0.999, help="sparse (kl): the target mean activation ρ"),
        Param("contraction", 0.1, float, 0.0, 100.0, help="contractive: the weight λ of ‖∂h/∂x‖²"),
    ),
    metrics=(
        Metric("reconstruction", "test reconstruction (MSE)"),
        Metric("train_reconstruction", "train reconstruction (MSE)"),
        Metric("penalty", "the variant's penalty", "value"),
    ),
    parameter_groups=("encoder", "decoder"),
    views=("reconstruction", "latent", "decoder_sweep", "curves"),
    builder="engine.families.autoencoder.trainer:AutoencoderTrainer",
    trainer="engine.families.autoencoder.trainer:AutoencoderTrainer",
    reads_only=(("training", ("optimizer", "schedule", "batch_size", "epochs", "grad_clip")),),
    checker="engine.families.autoencoder.settings:check",
    structured=("encoder", "decoder"),
)

VAE = Family(
    name="vae",
    label="Variational autoencoder",
    help="an autoencoder whose code is a Gaussian: a mean and a variance per unit, drawn from while "
    "training and pulled towards N(0, I), so any point of the code space decodes to something plausible",
    keys=("data", "training"),
    settings=(
        Param("latent", 2, int, 1, 256, help="units in the code"),
        Param("beta", 1.0, float, 0.0, 100.0, help="the KL term's weight β (1: the ELBO)"),
        Param("init", "xavier_uniform", str, choices=_INITS, help="how both stacks' weights start"),
    ),
    metrics=(
        Metric("reconstruction", "test reconstruction (MSE, z = μ)"),
        Metric("train_reconstruction", "train reconstruction (MSE, z = μ)"),
        Metric("kl", "KL to the prior (test, per sample)", "value"),
        Metric("elbo", "ELBO (test, per sample)", "value"),
    ),
    parameter_groups=("encoder", "decoder"),
    views=("reconstruction", "latent", "decoder_sweep", "prior_samples", "curves"),
    builder="engine.families.vae.trainer:VaeTrainer",
    trainer="engine.families.vae.trainer:VaeTrainer",
    reads_only=AUTOENCODER.reads_only,
    checker="engine.families.vae.settings:check",
    structured=("encoder", "decoder"),
)

GAN = Family(
    name="gan",
    label="GAN (2-D)",
    help="a generator turns noise into points of the plane; a discriminator learns to tell them from "
    "the real ones, and the generator learns to fool it",
    keys=("data", "training"),
    settings=(
        Param("noise_dim", 2, int, 1, 16, help="the generator's noise inputs"),
        Param("d_steps", 1, int, 1, 10, help="discriminator updates per generator update"),
        Param(
            "loss", "non_saturating", str, choices=("non_saturating", "minimax"), help="the generator's loss"
        ),
        Param("init", "xavier_uniform", str, choices=_INITS, help="how both networks' weights start"),
    ),
    metrics=(
        Metric("d_loss", "discriminator loss"),
        Metric("g_loss", "generator loss"),
        Metric("modes_covered", "modes covered (of 8)", "score"),
        Metric("nearest_real", "mean distance of a sample to the nearest real point", "value"),
    ),
    parameter_groups=("generator", "discriminator"),
    views=("samples", "discriminator_map", "manifold", "gradients", "curves"),
    builder="engine.families.gan.trainer:GanTrainer",
    trainer="engine.families.gan.trainer:GanTrainer",
    reads_only=(("training", ("batch_size", "epochs")),),  # each network names its own optimizer
    checker="engine.families.gan.settings:check",
    structured=("generator", "discriminator"),
)

FAMILIES = Registry("model family", [MLP, PERCEPTRON, AUTOENCODER, VAE, GAN])
