"""Turns a validated Project into the parts a Trainer owns: data, task head, network, backend."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.errors import SpecError
from engine.families.mlp.backend import Hyper, SplitData
from engine.families.mlp.task import TaskHead, encode_targets, resolve_task
from engine.spec.project import Project


@dataclass
class TrainingParts:
    """Everything built from one project, before any training."""

    dataset: Any
    head: TaskHead
    preprocessor: Any
    network: Any  # None on the NumPy fast path: `torch_twin` builds it where torch needs one
    layer_infos: list
    backend: Any
    backend_name: str  # "numpy" | "torch"
    device: str
    hyper: Hyper


def resolve_device(requested: str) -> str:
    """`auto` picks CUDA when torch sees a device, else the CPU; `cuda` without one is an error."""
    from engine.torch_probe import cuda_available  # torch itself only where the build has a GPU

    if requested == "auto":
        return "cuda" if cuda_available() else "cpu"
    if requested == "cuda" and not cuda_available():
        raise SpecError(
            "training.device", "cuda was requested but torch sees no CUDA device; use auto or cpu"
        )
    return requested


def check_network(project: Project, dataset) -> tuple[TaskHead, Any, list]:
    """Resolve the task and infer every layer's shape; raises SpecError naming the layer."""
    from engine.families.mlp.shapes import infer_shapes
    from engine.memory import check_memory
    from engine.nn.numpy_preprocess import build_numpy_preprocessor

    head = resolve_task(project.training, project.network, dataset)
    # torch-free; the torch backend swaps in its torch module (build_parts)
    preprocessor = build_numpy_preprocessor(dataset, vars(project.data))
    infos = infer_shapes(project.network.layers, preprocessor.out_shape, head.n_out)
    check_memory(project, dataset, preprocessor.out_shape, infos)  # before the network is built
    return head, preprocessor, infos


def build_parts(project: Project, dataset=None) -> TrainingParts:
    from engine.data import make_dataset

    training = project.training
    early = training.early_stopping["enabled"]  # "auto" validation holds out a split only for it
    data = dataset if dataset is not None else make_dataset(vars(project.data), project.seed, early)
    head, preprocessor, infos = check_network(project, data)
    hyper = Hyper(
        l1=training.l1,
        l2=training.l2,
        clip_mode=training.grad_clip["mode"],
        clip_max=training.grad_clip["max"],
        input_noise=training.input_noise,
        optimizer={k: v for k, v in training.optimizer.items() if k not in ("name", "lr")},
    )
    train = _split(preprocessor, head, data.x_train, data.y_train)
    test = _split(preprocessor, head, data.x_test, data.y_test) if len(data.x_test) else None
    validation = _split(preprocessor, head, data.x_val, data.y_val) if len(data.y_val) else None
    if early and validation is None:  # a dataset handed in (or too small) may have none
        raise SpecError(
            "data.validation_fraction",
            "early stopping watches the validation split, and this data set has none: "
            'set data.validation_fraction above 0 or to "auto"',
        )
    device = resolve_device(training.device)
    backend_name = _choose_backend(project, head, device)
    if backend_name == "numpy":
        from engine.families.mlp.fastpath import NumpyBackend

        network, state = _numpy_start(project, preprocessor, head)
        backend = NumpyBackend(
            project.network.layers,
            head.output_activation,
            head.loss,
            training.optimizer["name"],
            state,
            train,
            test,
            hyper,
            preset=training.preset,
            seed=project.seed,
            validation=validation,
        )
    else:
        from engine.families.mlp.torch_backend import TorchBackend
        from engine.nn.losses import LOSSES

        preprocessor = preprocessor.torch_module()
        network = torch_twin(project, preprocessor, head)
        loss_fn = LOSSES[head.loss].factory(**head.loss_params)
        backend = TorchBackend(
            network,
            loss_fn,
            training.optimizer["name"],
            training.optimizer["lr"],
            train,
            test,
            hyper,
            device,
            project.seed,
            validation=validation,
        )
    return TrainingParts(data, head, preprocessor, network, infos, backend, backend_name, device, hyper)


def initial_scheme(project: Project) -> Any:
    return "playground" if project.training.preset == "playground" else project.network.init


def torch_twin(project: Project, preprocessor, head: TaskHead):
    """The torch Network as torch.manual_seed(seed) and build_network make it (its initial weights)."""
    import torch

    from engine.families.mlp.network import build_network

    torch.manual_seed(project.seed)
    return build_network(
        project.network.layers,
        preprocessor.out_shape,
        head.n_out,
        head.output_activation,
        initial_scheme(project),
    )


def _numpy_start(project: Project, preprocessor, head: TaskHead) -> tuple[Any, dict]:
    """(network or None, initial state) of a dense stack: drawn without torch where the scheme allows
    (engine/nn/numpy_init.py: the same float32 values), else from the torch twin."""
    from engine.nn.numpy_init import dense_state

    sizes, fan_in = [], math.prod(preprocessor.out_shape)
    for layer in project.network.layers:  # the fast path runs dense layers only
        sizes.append((fan_in, layer["units"]))
        fan_in = layer["units"]
    sizes.append((fan_in, head.n_out))
    prefixes = [f"layers.{i}.linear" for i in range(len(project.network.layers))] + ["head.linear"]
    state = dense_state(sizes, initial_scheme(project), project.seed, prefixes)
    if state is not None:
        return None, state
    network = torch_twin(project, preprocessor, head)
    return network, {k: v.detach().cpu().numpy().copy() for k, v in network.state_dict().items()}


def _split(preprocessor, head: TaskHead, x, y) -> SplitData:
    return SplitData(x=preprocessor.apply_numpy(x), targets=encode_targets(head, y), labels=y)


def _choose_backend(project: Project, head: TaskHead, device: str) -> str:
    from engine.families.mlp.fastpath import NumpyBackend

    training = project.training
    reason = NumpyBackend.unsupported_reason(
        project.network.layers, head.output_activation, head.loss, training.optimizer["name"]
    )
    if training.preset == "playground":
        if reason is not None:
            raise SpecError("training.preset", f"the playground preset trains dense stacks only: {reason}")
        if training.optimizer["name"] != "sgd":
            raise SpecError("training.optimizer.name", "the playground preset uses plain sgd")
        return "numpy"
    if training.backend == "numpy":
        if reason is not None:
            raise SpecError("training.backend", f"the numpy fast path cannot run this project: {reason}")
        if device != "cpu":
            raise SpecError(
                "training.backend", "the numpy fast path runs on the CPU; set training.device to cpu"
            )
        return "numpy"
    if training.backend == "torch" or device != "cpu" or reason is not None:
        return "torch"
    return "numpy"
