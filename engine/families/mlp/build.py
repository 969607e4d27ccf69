"""Turns a validated Project into the parts a Trainer owns: data, task head, network, backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

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
    network: Any
    layer_infos: list
    backend: Any
    backend_name: str  # "numpy" | "torch"
    device: str
    hyper: Hyper


def resolve_device(requested: str) -> str:
    """`auto` picks CUDA when torch sees a device, else the CPU; `cuda` without one is an error."""
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise SpecError(
            "training.device", "cuda was requested but torch sees no CUDA device; use auto or cpu"
        )
    return requested


def check_network(project: Project, dataset) -> tuple[TaskHead, Any, list]:
    """Resolve the task and infer every layer's shape; raises SpecError naming the layer."""
    from engine.families.mlp.network import infer_shapes
    from engine.memory import check_memory
    from engine.nn.preprocess import build_preprocessor

    head = resolve_task(project.training, project.network, dataset)
    preprocessor = build_preprocessor(dataset, vars(project.data))
    infos = infer_shapes(project.network.layers, preprocessor.out_shape, head.n_out)
    check_memory(project, dataset, preprocessor.out_shape, infos)  # before the network is built
    return head, preprocessor, infos


def build_parts(project: Project, dataset=None) -> TrainingParts:
    from engine.data import make_dataset
    from engine.families.mlp.network import build_network
    from engine.nn.losses import LOSSES

    training = project.training
    early = training.early_stopping["enabled"]  # "auto" validation holds out a split only for it
    data = dataset if dataset is not None else make_dataset(vars(project.data), project.seed, early)
    head, preprocessor, infos = check_network(project, data)
    init = "playground" if training.preset == "playground" else project.network.init
    torch.manual_seed(project.seed)
    network = build_network(
        project.network.layers, preprocessor.out_shape, head.n_out, head.output_activation, init
    )
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

        state = {k: v.detach().cpu().numpy().copy() for k, v in network.state_dict().items()}
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
