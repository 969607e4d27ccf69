"""The NumPy fast path starts without torch, from the very weights and inputs torch would give.

torch is the oracle: its CPU generator after torch.manual_seed, build_network's draws, and the
torch Preprocessor's apply_numpy, compared bit for bit (float32 bit patterns, so -0.0 != 0.0).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.data import make_dataset
from engine.families.mlp.fastpath import HIDDEN, OUTPUTS
from engine.families.mlp.network import build_network
from engine.nn.numpy_init import UNIFORM_SCHEMES, dense_state
from engine.nn.numpy_preprocess import build_numpy_preprocessor
from engine.nn.preprocess import build_preprocessor
from engine.nn.torch_rng import TorchCPUGenerator
from engine.spec.catalog.initializers import INITIALIZERS
from engine.spec.project import Project
from engine.train import Trainer

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (0, 1, 7, 2**31 - 1)
SHAPES = (((2,), [3], 1), ((4,), [8, 5], 3), ((1,), [], 1), ((6,), [16, 16, 4], 2))
SCHEMES = [
    *INITIALIZERS,
    {"name": "uniform", "scale": 0.0},
    {"name": "uniform", "scale": 2.5},
    {"name": "constant", "value": -0.3},
    {"name": "normal", "std": 0.2},
]


def bits(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32).view(np.uint32)


def same_state(ours: dict, theirs: dict) -> bool:
    return list(ours) == list(theirs) and all(
        ours[k].dtype == np.float32
        and ours[k].shape == theirs[k].shape
        and np.array_equal(bits(ours[k]), bits(theirs[k]))
        for k in theirs
    )


def torch_state(layers, in_shape, n_out, output_activation, init, seed) -> dict:
    torch.manual_seed(seed)
    network = build_network(layers, in_shape, n_out, output_activation, init)
    return {k: v.detach().numpy().copy() for k, v in network.state_dict().items()}


@pytest.mark.parametrize("seed", [0, 3, 12345, 2**31 - 1, 2**32 + 5])
@pytest.mark.parametrize(
    "low,high", [(-0.5, 0.5), (-1 / 3**0.5, 1 / 3**0.5), (-3.3, 3.3), (-0.0, 0.0), (0.25, 0.25)]
)
def test_the_generator_draws_what_torch_uniform_draws(seed, low, high):
    torch.manual_seed(seed)
    expected = torch.empty(4000).uniform_(low, high).numpy()
    assert np.array_equal(bits(TorchCPUGenerator(seed).uniform_float32(4000, low, high)), bits(expected))


def test_skipped_draws_are_the_draws_torch_spent():
    torch.manual_seed(9)
    torch.empty(37).uniform_(-1.0, 1.0)
    expected = torch.empty(11).uniform_(-2.0, 2.0).numpy()
    rng = TorchCPUGenerator(9)
    rng.skip(37)
    assert np.array_equal(bits(rng.uniform_float32(11, -2.0, 2.0)), bits(expected))


@pytest.mark.parametrize("init", SCHEMES, ids=str)
@pytest.mark.parametrize("in_shape,units,n_out", SHAPES)
def test_every_uniform_scheme_gives_torchs_weights_bit_for_bit(init, in_shape, units, n_out):
    name = init["name"] if isinstance(init, dict) else init
    for seed in SEEDS:
        for hidden, output in zip(HIDDEN, [*OUTPUTS, *OUTPUTS], strict=True):
            layers = [{"type": "dense", "units": u, "activation": hidden} for u in units]
            sizes, fan_in = [], in_shape[0]
            for u in units:
                sizes.append((fan_in, u))
                fan_in = u
            sizes.append((fan_in, n_out))
            prefixes = [f"layers.{i}.linear" for i in range(len(units))] + ["head.linear"]
            ours = dense_state(sizes, init, seed, prefixes)
            if name not in UNIFORM_SCHEMES:
                assert ours is None  # the normal schemes are left to torch (engine/nn/numpy_init.py)
                continue
            assert same_state(ours, torch_state(layers, in_shape, n_out, output, init, seed)), (seed, hidden)


@pytest.mark.parametrize(
    "doc",
    [
        {"data": {"name": "xor", "samples": 60}},
        {
            "data": {"name": "spiral", "samples": 60},
            "training": {"preset": "playground", "optimizer": {"name": "sgd"}},
        },
        {"data": {"name": "circle", "samples": 60}, "network": {"init": "he_uniform"}, "seed": 5},
        {"data": {"name": "gauss", "samples": 60}, "network": {"init": "lecun_normal"}, "seed": 2},
    ],
    ids=["xor", "playground", "he_uniform", "normal_falls_back"],
)
def test_a_fast_path_trainer_starts_from_the_torch_networks_weights(doc):
    trainer = Trainer(Project.from_dict(doc))
    assert trainer.backend_name == "numpy"
    p = trainer.project
    init = "playground" if p.training.preset == "playground" else p.network.init
    expected = torch_state(
        p.network.layers,
        trainer.preprocessor.out_shape,
        trainer.head.n_out,
        trainer.head.output_activation,
        init,
        p.seed,
    )
    ours = trainer.backend.state_dict()  # float64 on the fast path: float32 values, widened exactly
    assert sorted(ours) == sorted(expected)
    for key, value in expected.items():
        assert np.array_equal(bits(ours[key].astype(np.float32)), bits(value)), key
        assert np.array_equal(ours[key], value.astype(ours[key].dtype)), key


def test_the_torch_network_is_built_on_demand_with_the_current_weights_and_leaves_torchs_stream():
    trainer = Trainer(Project.from_dict({"data": {"name": "xor", "samples": 60}}))
    assert trainer.network is None
    trainer.run(epochs=1)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    network = trainer.torch_network()
    assert torch.equal(torch.get_rng_state(), before)
    state = trainer.backend.state_dict()
    for key, value in network.state_dict().items():
        assert np.array_equal(value.numpy(), np.asarray(state[key], dtype=np.float32))
    assert trainer.torch_network() is network


@pytest.mark.parametrize(
    "data",
    [
        {
            "name": "xor",
            "samples": 80,
            "features": ["x1", "x2", "x1sq", "x2sq", "x1x2"],
            "standardize": "features",
        },
        {"name": "xor", "samples": 80, "features": ["x1x2", "x2"], "standardize": "global"},
        {"name": "spiral", "samples": 80, "features": ["x1", "sin_x2"], "standardize": "features"},
        {"name": "digits", "samples": 40},
        {"name": "sine", "samples": 40, "standardize": "features"},
    ],
    ids=["squares", "product", "sin_goes_to_torch", "images", "function"],
)
def test_the_numpy_preprocessor_gives_the_torch_preprocessors_values(data):
    dataset = make_dataset(data, seed=4)
    ours, theirs = build_numpy_preprocessor(dataset, data), build_preprocessor(dataset, data)
    assert ours.out_shape == theirs.out_shape and ours.feature_names == theirs.feature_names
    for x in (dataset.x_train, dataset.x_test):
        assert np.array_equal(bits(ours.apply_numpy(x)), bits(theirs.apply_numpy(x)))
    assert torch.equal(ours.mean, theirs.mean) and torch.equal(ours.std, theirs.std)  # via its torch module


FAST_PATH_RUN = """
import sys
from engine.train import Trainer
from engine.spec.project import Project
for doc in ({"data": {"name": "xor", "samples": 60}},
            {"data": {"name": "circle", "samples": 60}, "network": {"init": "he_uniform"}},
            {"data": {"name": "xor", "samples": 60}, "training": {"preset": "playground", "optimizer": {"name": "sgd"}}}):
    trainer = Trainer(Project.from_dict(doc))
    assert trainer.backend_name == "numpy", trainer.backend_name
    trainer.run(epochs=1)
print("torch" in sys.modules)
"""


def test_the_fast_paths_build_init_and_training_do_not_import_torch():
    result = subprocess.run(
        [sys.executable, "-c", FAST_PATH_RUN], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_cuda_probe_agrees_with_torch():
    code = (
        "from engine.torch_probe import cuda_available; import sys; a = cuda_available(); "
        "import torch; print(a == torch.cuda.is_available())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
