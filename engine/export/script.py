"""The standalone-script export: one readable train.py (plain torch + numpy, no Layerlab) plus data.npz.

The data (raw train/test arrays), the preprocessing statistics and the initial weights travel in
data.npz beside the script rather than as literals inside it: the generators behind the playground
sets are not worth re-implementing, an npz holds any size exactly, and the script stays short.
The script rebuilds the preprocessing, the network (same module names as Layerlab's state dict),
loss, optimizer and learning-rate schedule, trains for the project's epochs and prints one JSON line.
It runs with `python train.py` and with `torchrun --nproc_per_node N train.py` (DDP).

No text a user wrote (the project's name, CSV column names, ...) ever becomes source text: every value
that reaches the script goes through `literal`, which writes Python literals of plain data only, and
all code comes from the fixed tables below, so a hostile project cannot put code into train.py.
"""

from __future__ import annotations

import io
import math
import numbers
import re
from pathlib import Path

import numpy as np

from engine.errors import SpecError
from engine.export.template import TEMPLATE

ACTIVATION_CODE = {
    "linear": "nn.Identity()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU({slope})",
    "elu": "nn.ELU({alpha})",
    "gelu": "nn.GELU()",
    "maxout": "Maxout({k})",
    "softmax": "nn.Softmax(dim=1)",
}
LAYER_TYPES = ("dense", "dropout", "flatten", "batchnorm", "residual", "conv2d", "maxpool", "avgpool")
FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1sq": "x1 * x1",
    "x2sq": "x2 * x2",
    "x1x2": "x1 * x2",
    "sin_x1": "torch.sin(x1)",
    "sin_x2": "torch.sin(x2)",
}
OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD(params, lr=lr, weight_decay={weight_decay})",
    "momentum": "torch.optim.SGD(params, lr=lr, momentum={momentum}, weight_decay={weight_decay})",
    "nesterov": "torch.optim.SGD(params, lr=lr, momentum={momentum}, nesterov=True, weight_decay={weight_decay})",
    "adagrad": "torch.optim.Adagrad(params, lr=lr, eps={eps}, weight_decay={weight_decay})",
    "adadelta": "torch.optim.Adadelta(params, lr=lr, rho={rho}, eps={eps}, weight_decay={weight_decay})",
    "rmsprop": "torch.optim.RMSprop(params, lr=lr, alpha={alpha}, eps={eps}, momentum={momentum}, "
    "weight_decay={weight_decay})",
    "adam": "torch.optim.Adam(params, lr=lr, betas=({beta1}, {beta2}), eps={eps}, weight_decay={weight_decay})",
    "adamw": "torch.optim.AdamW(params, lr=lr, betas=({beta1}, {beta2}), eps={eps}, "
    "weight_decay={weight_decay})",
}
SCHEDULE_CODE = {
    "constant": "lr0",
    "exponential": "lr0 * {rate} ** (epoch / {every})",
    "inverse_time": "lr0 / (1.0 + {rate} * epoch / {every})",
    "step": "lr0 * {rate} ** math.floor(epoch / {every})",
    "cosine": "lr0 * {min_fraction} + 0.5 * (lr0 - lr0 * {min_fraction}) "
    "* (1.0 + math.cos(math.pi * min(epoch, {period}) / {period}))",
}
LOSS_CODE = {
    "mse": "nn.MSELoss()",
    "mae": "nn.L1Loss()",
    "half_mse": "lambda out, target: 0.5 * F.mse_loss(out, target)",
    "bce": "nn.BCEWithLogitsLoss()",
    "cross_entropy": "nn.CrossEntropyLoss()",
    "kl_div": "lambda out, target: F.kl_div(F.log_softmax(out, dim=1), target, reduction='batchmean')",
}
TARGET_CODE = {
    "index": "y.long()",
    "onehot": "torch.eye(N_OUT, device=y.device)[y.long()]",
    "binary": "y.float().reshape(-1, 1)",
    "pm1": "(2.0 * y.float() - 1.0).reshape(-1, 1)",
    "value": "y.float().reshape(-1, 1)",
}


_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def literal(value, path: str) -> str:
    """`value` (plain data: str, number, bool, None, list, dict) as a Python literal, never as code.

    repr of a str escapes quotes, backslashes and newlines, so a string stays one string literal;
    numbers are converted to int/float first (a numpy scalar's repr is `np.float64(...)`, a call).
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return repr(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise SpecError(path, f"is {number}; the script export writes finite numbers only")
        return repr(number)
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v, f"{path}[{i}]") for i, v in enumerate(value)) + "]"
    if isinstance(value, dict):
        items = (f"{literal(str(k), path)}: {literal(v, f'{path}.{k}')}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise SpecError(path, f"holds a {type(value).__name__}, which the script export cannot write")


def _integer(value, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SpecError(path, f"must be an integer for the script export, got {type(value).__name__}")
    return repr(int(value))


def _fill(code: str, params: dict, path: str) -> str:
    """A fixed code table entry with each parameter written as a literal."""
    return code.format(**{k: literal(v, f"{path}.{k}") for k, v in params.items()})


def _comment(text: str) -> str:
    """Text for a `#` comment: printable ASCII only, so it can never end the comment's line."""
    return _PRINTABLE.sub("?", text)


def _activation(value, path: str) -> str:
    name = value["name"] if isinstance(value, dict) else value
    if not isinstance(name, str) or name not in ACTIVATION_CODE:
        raise SpecError(path, f"the script export does not know the activation {name!r}")
    from engine.nn.activations import ACTIVATIONS

    params = ACTIVATIONS[name].defaults()
    if isinstance(value, dict):
        params.update({k: v for k, v in value.items() if k != "name"})
    return _fill(ACTIVATION_CODE[name], params, path)


def check_supported(trainer) -> None:
    """SpecError naming the first layer, activation, optimizer or schedule the script cannot write."""
    family = trainer.family.name
    if family != "mlp":
        raise SpecError(
            "--format", f"the script export writes a supervised network's training; not the {family} family"
        )
    training = trainer.project.training
    for i, cfg in enumerate(trainer.project.network.layers):
        if cfg["type"] not in (*LAYER_TYPES, "rnn", "lstm", "gru"):
            raise SpecError(
                f"network.layers[{i}].type", f"the script export does not support {cfg['type']} layers"
            )
        if "activation" in cfg:
            _activation(cfg["activation"], f"network.layers[{i}].activation")
    if training.optimizer["name"] not in OPTIMIZER_CODE:
        raise SpecError(
            "training.optimizer.name", f"the script export does not support {training.optimizer['name']}"
        )
    if training.schedule["name"] not in SCHEDULE_CODE:
        raise SpecError(
            "training.schedule.name", f"the script export does not support {training.schedule['name']}"
        )
    if trainer.head.loss not in LOSS_CODE:
        raise SpecError("training.loss", f"the script export does not support the {trainer.head.loss} loss")
    if trainer.head.target_kind not in TARGET_CODE:
        raise SpecError(
            "training.loss", f"the script export does not support {trainer.head.target_kind} targets"
        )
    if trainer.preprocessor.select_features:
        for i, name in enumerate(trainer.preprocessor.feature_names):
            if name not in FEATURE_CODE:
                raise SpecError(
                    f"data.features[{i}]", f"the script export does not support the feature {name!r}"
                )


def _layer_code(n: str, cfg: dict, shape: tuple, path: str) -> str:
    """One layer's constructor call: names from the fixed tables, every number a checked literal."""
    from engine.nn.activations import pieces

    size = int(np.prod(shape))
    act = _activation(cfg["activation"], path) if "activation" in cfg else ""
    if n in ("dense", "residual"):
        units = _integer(cfg["units"], f"{path}.units")
        pre_units = _integer(cfg["units"] * pieces(cfg["activation"]), f"{path}.units")
        if n == "dense":
            return f"Dense({size}, {pre_units}, {act})"
        return f"Residual({int(shape[0])}, {units}, {pre_units}, {act})"
    if n == "dropout":
        return f"nn.Dropout({literal(float(cfg['rate']), f'{path}.rate')})"
    if n == "flatten":
        return "nn.Flatten()"
    if n == "batchnorm":
        return f"nn.BatchNorm1d({int(shape[0])})" if len(shape) == 1 else f"nn.BatchNorm2d({int(shape[0])})"
    if n == "conv2d":
        kernel = _integer(cfg["kernel"], f"{path}.kernel")
        pad = int(cfg["kernel"]) // 2 if cfg["padding"] == "same" else 0
        filters, stride = (
            _integer(cfg["filters"], f"{path}.filters"),
            _integer(cfg["stride"], f"{path}.stride"),
        )
        return f"Conv({int(shape[0])}, {filters}, {kernel}, {stride}, {pad}, {act})"
    if n in ("maxpool", "avgpool"):
        return f"nn.{'MaxPool2d' if n == 'maxpool' else 'AvgPool2d'}({_integer(cfg['size'], f'{path}.size')})"
    kind = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[n]
    units, sequences = _integer(cfg["units"], f"{path}.units"), literal(bool(cfg["return_sequences"]), path)
    return f"Recurrent(nn.{kind}({int(shape[1])}, {units}, batch_first=True), {sequences})"


def _layers_code(trainer) -> tuple[list[str], str]:
    from engine.nn.layers import LAYERS

    lines, shape = [], tuple(trainer.preprocessor.out_shape)
    for i, cfg in enumerate(trainer.project.network.layers):
        n, path = cfg["type"], f"network.layers[{i}]"
        code = _layer_code(n, cfg, shape, path)
        described = _comment(", ".join(f"{k}={literal(v, path)}" for k, v in cfg.items() if k != "type"))
        lines.append(f"            {code},  # {i}: {n} {described}".rstrip())
        shape, _ = LAYERS[n].factory.shape(shape, cfg, path)
    head = trainer.head
    out_act = _activation(head.output_activation, "network.output_activation")
    return lines, f"Dense({int(np.prod(shape))}, {_integer(head.n_out, 'network')}, {out_act})"


def _config_code(config: dict) -> str:
    """CONFIG as a dict literal, one key a line (readable and editable in train.py)."""
    rows = "".join(f"    {literal(key, 'config')}: {literal(value, key)},\n" for key, value in config.items())
    return "{\n" + rows + "}"


def render(trainer) -> str:
    """The text of train.py for this trainer's project."""
    from engine.export.output_head import output_mode
    from engine.nn.optim import OPTIMIZERS
    from engine.schedules import SCHEDULES

    check_supported(trainer)
    project, head, training = trainer.project, trainer.head, trainer.project.training
    pre = trainer.preprocessor
    if pre.select_features:
        columns = ", ".join(FEATURE_CODE[name] for name in pre.feature_names)
        features = f"    x1, x2 = x[:, 0], x[:, 1]\n    x = torch.stack([{columns}], dim=1)\n"
    else:
        features = ""
    opt = training.optimizer
    opt_params = {
        **OPTIMIZERS[opt["name"]].defaults(),
        **{k: v for k, v in opt.items() if k not in ("name", "lr")},
    }
    schedule = {**SCHEDULES[training.schedule["name"]].defaults(), **training.schedule}
    schedule.pop("name")
    layers, head_code = _layers_code(trainer)
    batch = (
        trainer.n_train if training.batch_size == "all" else min(int(training.batch_size), trainer.n_train)
    )
    config = {
        "project": project.name,
        "dataset": project.data.name,
        "inputs": list(pre.feature_names),
        "seed": project.seed,
        "epochs": training.epochs,
        "batch_size": batch,
        "lr": opt["lr"],
        "l1": training.l1,
        "l2": training.l2,
        "grad_clip": training.grad_clip,
        "input_noise": training.input_noise,
    }
    return TEMPLATE.format(
        config=_config_code(config),
        n_out=_integer(head.n_out, "network"),
        mode=_integer(output_mode(head), "network"),
        classification=literal(bool(head.classification), "training.loss"),
        features=features,
        layers="\n".join(layers),
        head=head_code,
        loss=LOSS_CODE[head.loss],
        targets=TARGET_CODE[head.target_kind],
        optimizer=_fill(OPTIMIZER_CODE[opt["name"]], opt_params, "training.optimizer"),
        schedule=_fill(SCHEDULE_CODE[training.schedule["name"]], schedule, "training.schedule"),
        warmup=literal(float(training.schedule.get("warmup_epochs", 0.0)), "training.schedule.warmup_epochs"),
    )


def write_script(trainer, folder: Path) -> Path:
    """train.py and data.npz in `folder`, both staged before either replaces an old one."""
    from engine.store import atomic_write_many, new_folder
    from engine.train import Trainer

    if folder.exists() and not folder.is_dir():
        raise SpecError(
            str(folder), "exists and is not a folder (the script export writes train.py and data.npz)"
        )
    text = render(trainer)
    initial = Trainer(trainer.project, trainer.dataset).state_dict()  # the seeded start Layerlab trains from
    data = trainer.dataset
    arrays = {
        "x_train": np.asarray(data.x_train, dtype=np.float32),
        "y_train": np.asarray(data.y_train),
        "x_test": np.asarray(data.x_test, dtype=np.float32),
        "y_test": np.asarray(data.y_test),
        "mean": trainer.preprocessor.mean.detach().cpu().numpy(),
        "std": trainer.preprocessor.std.detach().cpu().numpy(),
        **{
            f"init/{k}": np.asarray(v, dtype=np.float32 if v.dtype == np.float64 else v.dtype)
            for k, v in initial.items()
        },
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    with new_folder(folder):
        atomic_write_many({folder / "data.npz": buffer.getvalue(), folder / "train.py": text.encode("utf-8")})
    return folder
