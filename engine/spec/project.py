"""The project as plain data: model family, dataset, network and training settings, in one versioned
JSON document.

`Project.from_dict` is the only way in: it fills defaults, checks every field against its range
and the registries, and raises one SpecError naming the key path and the reason. It reads only
plain-data tables (engine.spec.catalog, engine.families), so validating never imports torch.
A top-level block the chosen family does not read is refused rather than silently kept.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from engine.errors import SpecError
from engine.spec.validate import check_choice, check_keys, check_number, check_type

FORMAT = "layerlab"
VERSION = 2
MAX_LAYERS = 64
PRESETS = ("standard", "playground")
DEVICES = ("auto", "cpu", "cuda")
BACKENDS = ("auto", "torch", "numpy")
STANDARDIZE = ("auto", "none", "features", "global")
CLIP_MODES = ("none", "norm", "value")
BLOCKS = ("data", "network", "training")  # the top-level blocks a family may read (Family.keys)


@dataclass
class ModelSpec:
    """Which model family (engine.families) and its own settings, the `model` block of version 2."""

    family: str = "mlp"
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, **copy.deepcopy(self.settings)}


@dataclass
class DataSpec:
    """Which data, how much, how noisy, how split, and which derived input features."""

    name: str = "spiral"
    samples: int | None = None  # None: the dataset's own default size
    noise: float = 0.0
    train_fraction: float = 0.5
    # Held out of the training share to decide when to stop; "auto": none, or a fifth of the
    # training share while early stopping is on. The test split never decides anything.
    validation_fraction: float | str = "auto"
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    path: str | None = None
    target: str | None = None
    standardize: str = "auto"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class NetworkSpec:
    """A stack of typed layers; the output layer is derived from the task."""

    layers: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"type": "dense", "units": 8, "activation": "tanh"},
            {"type": "dense", "units": 8, "activation": "tanh"},
        ]
    )
    init: str | dict[str, Any] = "xavier_uniform"
    output_activation: str = "auto"


@dataclass
class TrainingSpec:
    """Loss, optimizer, schedule, batching, regularisation and where to run."""

    preset: str = "standard"
    loss: str = "auto"
    optimizer: dict[str, Any] = field(default_factory=lambda: {"name": "sgd", "lr": 0.03})
    schedule: dict[str, Any] = field(default_factory=lambda: {"name": "constant"})
    batch_size: int | str = 10
    epochs: int = 200
    l1: float = 0.0
    l2: float = 0.0
    early_stopping: dict[str, Any] = field(
        default_factory=lambda: {"enabled": False, "patience": 20, "min_delta": 0.0, "restore_best": True}
    )
    grad_clip: dict[str, Any] = field(default_factory=lambda: {"mode": "none", "max": 1.0})
    input_noise: float = 0.0
    device: str = "auto"
    backend: str = "auto"


@dataclass
class Project:
    """Everything needed to rebuild a run: data recipe, network, training settings and seed."""

    name: str = "untitled"
    description: str = ""
    seed: int = 0
    model: ModelSpec = field(default_factory=ModelSpec)
    data: DataSpec = field(default_factory=DataSpec)
    network: NetworkSpec = field(default_factory=NetworkSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    # What an example promises after training.epochs, e.g. {"test_accuracy": 0.95}; checked by tests.
    expect: dict[str, float] = field(default_factory=dict)
    # A lesson's block (engine/lessons.py checks it): kept as written, so a lesson saved stays one.
    lesson: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The version-2 document; of data/network/training, only the blocks the family reads."""
        from engine.families import FAMILIES

        family = FAMILIES[self.model.family]
        blocks = {key: copy.deepcopy(vars(getattr(self, key))) for key in BLOCKS if key in family.keys}
        for key, only in family.reads_only:
            blocks[key] = {name: value for name, value in blocks[key].items() if name in only}
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "description": self.description,
            "seed": self.seed,
            "model": self.model.to_dict(),
            **blocks,
            **({"expect": dict(self.expect)} if self.expect else {}),
            **({"lesson": copy.deepcopy(self.lesson)} if self.lesson else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def copy(self) -> Project:
        return Project.from_dict(self.to_dict())

    @classmethod
    def from_dict(cls, raw: Any) -> Project:
        """A validated project from plain data (as read from JSON); raises SpecError."""
        from engine.spec.migrate import migrate

        doc = migrate(raw)
        check_keys(
            doc,
            "",
            {"format", "version", "name", "description", "seed", "model", *BLOCKS, "expect", "lesson"},
        )
        model = _model_from(doc.get("model", {}))
        _check_blocks_read(doc, model.family)
        from engine.families import FAMILIES

        family = FAMILIES[model.family]
        project = cls(
            name=check_type(doc.get("name", "untitled"), str, "name"),
            description=check_type(doc.get("description", ""), str, "description"),
            seed=check_number(doc.get("seed", 0), "seed", int, 0, 2**31 - 1),
            model=model,
            data=_data_from(doc.get("data", {})),
            network=_network_from(doc.get("network", {})),
            training=_training_from(doc.get("training", {})),
            expect=_expect_from(doc.get("expect", {}), family),
            lesson=copy.deepcopy(check_type(doc.get("lesson", {}), dict, "lesson")),
        )
        _check_validation(project.data, project.training)
        return project

    @classmethod
    def from_json(cls, text: str, source: str = "project") -> Project:
        return cls.from_dict(read_project_json(text, source))


def read_project_json(text: str, source: str = "project") -> Any:
    """The plain data of a project file's text, before validation; bad JSON names line and column."""
    from engine.json_read import parse_json

    try:
        return parse_json(text, source=source)
    except json.JSONDecodeError as exc:
        raise SpecError(
            source, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _model_from(raw: Any) -> ModelSpec:
    """The `model` block: a family from engine.families (plain data) and its checked settings."""
    from engine.families import FAMILIES

    settings = dict(check_type(raw, dict, "model"))
    family = FAMILIES.lookup(settings.pop("family", ModelSpec.family), "model.family")
    return ModelSpec(family=family.name, settings=family.check_settings(settings, "model"))


def _check_blocks_read(doc: dict[str, Any], family_name: str) -> None:
    """A data/network/training block the family does not read is refused: it would do nothing."""
    from engine.families import FAMILIES

    family = FAMILIES[family_name]
    for key in BLOCKS:
        if key in doc and key not in family.keys:
            reads = ", ".join(family.keys) or "none"
            raise SpecError(key, f"the {family_name} family does not read this block; it reads {reads}")
        only = family.block_keys(key)
        if only is not None and isinstance(doc.get(key), dict):
            for name in doc[key]:
                if name not in only:
                    raise SpecError(
                        f"{key}.{name}",
                        f"the {family_name} family does not read this key; of {key} it reads {', '.join(only)}",
                    )


def _expect_from(raw: Any, family) -> dict[str, float]:
    """What an example promises: a bound on some of its family's metrics."""
    check_keys(raw, "expect", set(family.metric_names()))
    return {key: check_number(value, f"expect.{key}", float, 0.0, 1e6) for key, value in raw.items()}


def _data_from(raw: Any) -> DataSpec:
    from engine.data import DATASETS, check_validation
    from engine.spec.catalog.features import FEATURES

    d = DataSpec()
    check_keys(raw, "data", set(vars(d)))
    name = raw.get("name", d.name)
    entry = DATASETS.lookup(name, "data.name")
    samples = raw.get("samples")
    if samples is not None:
        samples = check_number(samples, "data.samples", int, 1, 200_000)
    features = check_type(raw.get("features", d.features), list, "data.features")
    for i, feature in enumerate(features):
        FEATURES.lookup(feature, f"data.features[{i}]")
    if not features:
        raise SpecError("data.features", "choose at least one input feature")
    if len(set(features)) != len(features):
        raise SpecError("data.features", "lists a feature twice")
    path = raw.get("path")
    if path is not None:
        check_type(path, str, "data.path")
    target = raw.get("target")
    if target is not None:
        check_type(target, str, "data.target")
    params = check_type(raw.get("params", {}), dict, "data.params")
    train_fraction = check_number(
        raw.get("train_fraction", d.train_fraction), "data.train_fraction", float, 0.05, 0.95
    )
    return DataSpec(
        name=name,
        samples=samples,
        noise=check_number(raw.get("noise", d.noise), "data.noise", float, 0.0, 10.0),
        train_fraction=train_fraction,
        validation_fraction=check_validation(raw.get("validation_fraction", "auto"), train_fraction),
        features=list(features),
        path=path,
        target=target,
        standardize=check_choice(raw.get("standardize", d.standardize), STANDARDIZE, "data.standardize"),
        params=entry.check_params(params, "data.params"),
    )


def _check_validation(data: DataSpec, training: TrainingSpec) -> None:
    """Early stopping decides on a validation split; an explicit 0 leaves it nothing to watch."""
    if training.early_stopping["enabled"] and data.validation_fraction == 0:
        raise SpecError(
            "data.validation_fraction",
            'is 0, but early stopping watches the validation split: set it above 0 or to "auto", '
            "or turn training.early_stopping off",
        )


def _network_from(raw: Any) -> NetworkSpec:
    from engine.spec.catalog.activations import ACTIVATIONS
    from engine.spec.catalog.initializers import INITIALIZERS
    from engine.spec.catalog.layers import LAYERS

    n = NetworkSpec()
    check_keys(raw, "network", set(vars(n)))
    layers = check_type(raw.get("layers", n.layers), list, "network.layers")
    if len(layers) > MAX_LAYERS:
        raise SpecError("network.layers", f"must have at most {MAX_LAYERS} layers, got {len(layers)}")
    checked = [layer_from(layer, f"network.layers[{i}]", LAYERS) for i, layer in enumerate(layers)]
    init = raw.get("init", n.init)
    if isinstance(init, str):
        INITIALIZERS.lookup(init, "network.init")
    else:
        init = dict(check_type(init, dict, "network.init"))
        entry = INITIALIZERS.lookup(init.pop("name", None), "network.init.name")
        init = {"name": entry.name, **entry.check_params(init, "network.init")}
    out_act = raw.get("output_activation", n.output_activation)
    if out_act != "auto":
        ACTIVATIONS.lookup(out_act, "network.output_activation", tag="output")
    return NetworkSpec(layers=checked, init=init, output_activation=out_act)


def layer_from(raw: Any, path: str, layers) -> dict[str, Any]:
    """A layer dict with its defaults filled; its activation may be a name or {"name", params}."""
    from engine.spec.catalog.activations import parse_activation

    raw = dict(check_type(raw, dict, path))
    entry = layers.lookup(raw.pop("type", None), f"{path}.type")
    activation = raw.pop("activation", None)
    checked = entry.check_params(raw, path)
    if "activation" in checked:
        value = checked["activation"] if activation is None else activation
        name, params = parse_activation(value, f"{path}.activation")
        checked["activation"] = {"name": name, **params} if params else name
    elif activation is not None:
        raise SpecError(f"{path}.activation", f"{entry.name} layers take no activation")
    return {"type": entry.name, **checked}


def _training_from(raw: Any) -> TrainingSpec:
    from engine.schedules import SCHEDULES
    from engine.spec.catalog.losses import LOSSES

    t = TrainingSpec()
    check_keys(raw, "training", set(vars(t)))
    loss = raw.get("loss", t.loss)
    if loss != "auto":
        LOSSES.lookup(loss, "training.loss")
    optimizer = optimizer_from(raw.get("optimizer", t.optimizer), "training.optimizer")
    sched = dict(check_type(raw.get("schedule", t.schedule), dict, "training.schedule"))
    sched_entry = SCHEDULES.lookup(sched.pop("name", "constant"), "training.schedule.name")
    schedule = {"name": sched_entry.name, **sched_entry.check_params(sched, "training.schedule")}
    batch = raw.get("batch_size", t.batch_size)
    if batch != "all":
        batch = check_number(batch, "training.batch_size", int, 1, 100_000, hint=' or "all"')
    return TrainingSpec(
        preset=check_choice(raw.get("preset", t.preset), PRESETS, "training.preset"),
        loss=loss,
        optimizer=optimizer,
        schedule=schedule,
        batch_size=batch,
        epochs=check_number(raw.get("epochs", t.epochs), "training.epochs", int, 1, 1_000_000),
        l1=check_number(raw.get("l1", t.l1), "training.l1", float, 0.0, 10.0),
        l2=check_number(raw.get("l2", t.l2), "training.l2", float, 0.0, 10.0),
        early_stopping=_early_stopping_from(raw.get("early_stopping", t.early_stopping)),
        grad_clip=_grad_clip_from(raw.get("grad_clip", t.grad_clip)),
        input_noise=check_number(
            raw.get("input_noise", t.input_noise), "training.input_noise", float, 0.0, 10.0
        ),
        device=check_choice(raw.get("device", t.device), DEVICES, "training.device"),
        backend=check_choice(raw.get("backend", t.backend), BACKENDS, "training.backend"),
    )


def optimizer_from(raw: Any, path: str) -> dict[str, Any]:
    """An optimizer block ({"name", "lr", its parameters}) with its defaults filled in."""
    from engine.spec.catalog.optimizers import OPTIMIZERS

    opt = dict(check_type(raw, dict, path))
    entry = OPTIMIZERS.lookup(opt.pop("name", "sgd"), f"{path}.name")
    lr = check_number(opt.pop("lr", 0.03), f"{path}.lr", float, 1e-7, 100.0)
    return {"name": entry.name, "lr": lr, **entry.check_params(opt, path)}


def _early_stopping_from(raw: Any) -> dict[str, Any]:
    path = "training.early_stopping"
    defaults = TrainingSpec().early_stopping
    check_keys(raw, path, set(defaults))
    return {
        "enabled": check_type(raw.get("enabled", defaults["enabled"]), bool, f"{path}.enabled"),
        "patience": check_number(
            raw.get("patience", defaults["patience"]), f"{path}.patience", int, 1, 100_000
        ),
        "min_delta": check_number(
            raw.get("min_delta", defaults["min_delta"]), f"{path}.min_delta", float, 0, 1e6
        ),
        "restore_best": check_type(
            raw.get("restore_best", defaults["restore_best"]), bool, f"{path}.restore_best"
        ),
    }


def _grad_clip_from(raw: Any) -> dict[str, Any]:
    path = "training.grad_clip"
    check_keys(raw, path, {"mode", "max"})
    return {
        "mode": check_choice(raw.get("mode", "none"), CLIP_MODES, f"{path}.mode"),
        "max": check_number(raw.get("max", 1.0), f"{path}.max", float, 1e-6, 1e6),
    }
