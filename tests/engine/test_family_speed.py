"""What the autoencoder, VAE and GAN trainers do to run as fast as a plain torch loop, each checked to
change no number: the dense layer's direct forward, the optimizers on torch's foreach kernels and
the GAN's nearest-real-point query in a k-d tree."""

import numpy as np
import pytest
import torch
from torch import nn

from engine.families.gan.trainer import GanTrainer
from engine.nn.layers import DenseLayer
from engine.nn.optim import OPTIMIZERS
from engine.run_control import use_foreach
from engine.spec.project import Project
from engine.train import build_trainer

ACTIVATIONS = [
    "linear",
    "tanh",
    "relu",
    "sigmoid",
    "elu",
    "softmax",
    {"name": "leaky_relu", "slope": 0.2},
    {"name": "maxout", "k": 3},
]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_the_dense_layer_is_its_linear_module_then_its_activation_module_bit_for_bit(activation):
    torch.manual_seed(0)
    layer = DenseLayer(6, 4, activation)
    x = torch.randn(9, 2, 3, requires_grad=True)  # flattened to (9, 6) first
    out = layer(x)
    expected = layer.act(layer.linear(x.flatten(1)))
    assert torch.equal(out, expected)
    upstream = torch.randn_like(out)
    ours = torch.autograd.grad(out, [x, *layer.parameters()], upstream)
    theirs = torch.autograd.grad(expected, [x, *layer.parameters()], upstream)
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs, strict=True))
    assert list(layer.state_dict()) == ["linear.weight", "linear.bias"]  # the public key names
    assert torch.equal(torch.jit.script(layer)(x), expected)  # TorchScript exports still script it


def test_only_the_plain_activations_take_the_direct_path():
    assert [DenseLayer(3, 2, a).direct for a in ACTIVATIONS[:5]] == [
        "identity",
        "tanh",
        "relu",
        "sigmoid",
        "",
    ]
    inplace = DenseLayer(3, 2, "relu")
    inplace.act = nn.ReLU(inplace=True)
    from engine.nn.layers import _direct

    assert _direct(inplace.act) == ""  # an in-place ReLU is left to its module


def _trained(name: str, foreach: bool, weight_decay: float) -> list[torch.Tensor]:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))
    kwargs = {"weight_decay": weight_decay} if weight_decay else {}
    optimizer = OPTIMIZERS[name].factory(net.parameters(), 0.01, **kwargs)
    if foreach:
        use_foreach(optimizer)
    else:
        assert all(group["foreach"] is None for group in optimizer.param_groups)  # torch's own choice
    generator = torch.Generator().manual_seed(1)
    for _ in range(40):
        loss = (net(torch.randn(9, 5, generator=generator)) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return [p.detach().clone() for p in net.parameters()]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_every_optimizer_on_foreach_kernels_gives_the_default_numbers_bit_for_bit(name, weight_decay):
    ours, default = _trained(name, True, weight_decay), _trained(name, False, weight_decay)
    assert all(torch.equal(a, b) for a, b in zip(ours, default, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(ours, _trained(name, True, 0.5), strict=True))


def _project(family_model: dict, data: dict, training: dict) -> Project:
    return Project.from_dict(
        {"format": "layerlab", "version": 2, "model": family_model, "data": data, "training": training}
    )


@pytest.mark.parametrize("family", ["autoencoder", "vae", "gan"])
def test_a_seeded_run_is_the_same_with_torchs_default_optimizer_loop(family):
    if family == "gan":
        project = _project({"family": "gan"}, {"name": "ring8", "samples": 160}, {"batch_size": 16})
    else:
        project = _project(
            {"family": family, "latent": 2, "encoder": {"layers": [{"type": "dense", "units": 8}]}},
            {"name": "digits", "samples": 200},
            {"batch_size": 16, "optimizer": {"name": "adam", "lr": 0.01}},
        )
    ours, default = build_trainer(project), build_trainer(project)
    optimizers = [
        getattr(default, n) for n in ("optimizer", "g_optimizer", "d_optimizer") if hasattr(default, n)
    ]
    for optimizer in optimizers:
        assert all(group["foreach"] is True for group in optimizer.param_groups)
        for group in optimizer.param_groups:
            group["foreach"] = False
    for _ in range(2):
        ours.run_epoch()
        default.run_epoch()
    assert ours.snapshot().metrics == default.snapshot().metrics
    mine, theirs = ours.state_dict(), default.state_dict()
    assert mine.keys() == theirs.keys() and all(np.array_equal(mine[k], theirs[k]) for k in mine)


def test_nearest_real_is_the_mean_of_every_samples_nearest_norm_bit_for_bit():
    trainer = GanTrainer(_project({"family": "gan"}, {"name": "ring8", "samples": 300}, {"batch_size": 16}))
    real = np.asarray(trainer.dataset.x_train, dtype=np.float64)
    rng = np.random.default_rng(0)
    for samples in (
        rng.normal(size=(500, 2)) * 3.0,  # around and far off the ring
        real[:40] + 1e-9,  # next to real points: near-ties between neighbours
        real[:10].copy(),  # on real points: distance 0
    ):
        pairs = np.linalg.norm(samples[:, None, :] - real[None, :, :], axis=2)
        assert trainer._nearest(samples) == float(pairs.min(axis=1).mean())
