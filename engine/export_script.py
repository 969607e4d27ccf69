"""The standalone-script export: one readable train.py (plain torch + numpy, no Layerlab) plus data.npz.

The data (raw train/test arrays), the preprocessing statistics and the initial weights travel in
data.npz beside the script rather than as literals inside it: the generators behind the playground
sets are not worth re-implementing, an npz holds any size exactly, and the script stays short.
The script rebuilds the preprocessing, the network (same module names as Layerlab's state dict),
loss, optimizer and learning-rate schedule, trains for the project's epochs and prints one JSON line.
It runs with `python train.py` and with `torchrun --nproc_per_node N train.py` (DDP).
"""

from __future__ import annotations

import io
import pprint
from pathlib import Path

import numpy as np

from engine.errors import SpecError
from engine.export_template import TEMPLATE

ACTIVATION_CODE = {
    "linear": "nn.Identity()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU({slope!r})",
    "elu": "nn.ELU({alpha!r})",
    "gelu": "nn.GELU()",
    "maxout": "Maxout({k!r})",
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
    "sgd": "torch.optim.SGD(params, lr=lr, weight_decay={weight_decay!r})",
    "momentum": "torch.optim.SGD(params, lr=lr, momentum={momentum!r}, weight_decay={weight_decay!r})",
    "nesterov": "torch.optim.SGD(params, lr=lr, momentum={momentum!r}, nesterov=True, weight_decay={weight_decay!r})",
    "adagrad": "torch.optim.Adagrad(params, lr=lr, eps={eps!r}, weight_decay={weight_decay!r})",
    "adadelta": "torch.optim.Adadelta(params, lr=lr, rho={rho!r}, eps={eps!r}, weight_decay={weight_decay!r})",
    "rmsprop": "torch.optim.RMSprop(params, lr=lr, alpha={alpha!r}, eps={eps!r}, momentum={momentum!r}, "
    "weight_decay={weight_decay!r})",
    "adam": "torch.optim.Adam(params, lr=lr, betas=({beta1!r}, {beta2!r}), eps={eps!r}, weight_decay={weight_decay!r})",
    "adamw": "torch.optim.AdamW(params, lr=lr, betas=({beta1!r}, {beta2!r}), eps={eps!r}, "
    "weight_decay={weight_decay!r})",
}
SCHEDULE_CODE = {
    "constant": "lr0",
    "exponential": "lr0 * {rate!r} ** (epoch / {every!r})",
    "inverse_time": "lr0 / (1.0 + {rate!r} * epoch / {every!r})",
    "step": "lr0 * {rate!r} ** math.floor(epoch / {every!r})",
    "cosine": "{low} + 0.5 * (lr0 - {low}) * (1.0 + math.cos(math.pi * min(epoch, {period!r}) / {period!r}))",
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


def _activation(value, path: str) -> str:
    name = value["name"] if isinstance(value, dict) else value
    if name not in ACTIVATION_CODE:
        raise SpecError(path, f"the script export does not know the activation {name!r}")
    from engine.activations import ACTIVATIONS

    params = ACTIVATIONS[name].defaults()
    if isinstance(value, dict):
        params.update({k: v for k, v in value.items() if k != "name"})
    return ACTIVATION_CODE[name].format(**params)


def check_supported(trainer) -> None:
    """SpecError naming the first layer, activation, optimizer or schedule the script cannot write."""
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


def _layers_code(trainer) -> tuple[list[str], str]:
    from engine.activations import pieces
    from engine.layers import LAYERS

    lines, shape = [], tuple(trainer.preprocessor.out_shape)
    for i, cfg in enumerate(trainer.project.network.layers):
        n, size = cfg["type"], int(np.prod(shape))
        act = _activation(cfg["activation"], f"network.layers[{i}]") if "activation" in cfg else ""
        if n == "dense":
            code = f"Dense({size}, {cfg['units'] * pieces(cfg['activation'])}, {act})"
        elif n == "dropout":
            code = f"nn.Dropout({cfg['rate']!r})"
        elif n == "flatten":
            code = "nn.Flatten()"
        elif n == "batchnorm":
            code = f"nn.BatchNorm1d({shape[0]})" if len(shape) == 1 else f"nn.BatchNorm2d({shape[0]})"
        elif n == "residual":
            code = f"Residual({shape[0]}, {cfg['units']}, {cfg['units'] * pieces(cfg['activation'])}, {act})"
        elif n == "conv2d":
            pad = cfg["kernel"] // 2 if cfg["padding"] == "same" else 0
            code = f"Conv({shape[0]}, {cfg['filters']}, {cfg['kernel']}, {cfg['stride']}, {pad}, {act})"
        elif n in ("maxpool", "avgpool"):
            code = f"nn.{'MaxPool2d' if n == 'maxpool' else 'AvgPool2d'}({cfg['size']})"
        else:
            kind = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[n]
            code = f"Recurrent(nn.{kind}({shape[1]}, {cfg['units']}, batch_first=True), {cfg['return_sequences']})"
        described = ", ".join(f"{k}={v}" for k, v in cfg.items() if k != "type")
        lines.append(f"            {code},  # {i}: {n} {described}".rstrip())
        shape, _ = LAYERS[n].factory.shape(shape, cfg, f"network.layers[{i}]")
    head = trainer.head
    out_act = _activation(head.output_activation, "network.output_activation")
    return lines, f"Dense({int(np.prod(shape))}, {head.n_out}, {out_act})"


def _schedule_code(schedule: dict) -> str:
    from engine.schedules import SCHEDULES

    params = {**SCHEDULES[schedule["name"]].defaults(), **schedule}
    if schedule["name"] == "cosine":
        params["low"] = f"(lr0 * {params['min_fraction']!r})"
    return SCHEDULE_CODE[schedule["name"]].format(**params)


def render(trainer) -> str:
    """The text of train.py for this trainer's project."""
    from engine.export import output_mode
    from engine.optim import OPTIMIZERS

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
    layers, head_code = _layers_code(trainer)
    warmup = float(training.schedule.get("warmup_epochs", 0.0))
    batch = (
        trainer.n_train if training.batch_size == "all" else min(int(training.batch_size), trainer.n_train)
    )
    config = {
        "project": project.name,
        "dataset": project.data.name,
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
        name=project.name,
        config=pprint.pformat(config, sort_dicts=False),
        n_out=head.n_out,
        mode=output_mode(head),
        classification=head.classification,
        features=features,
        layers="\n".join(layers),
        head=head_code,
        loss=LOSS_CODE[head.loss],
        targets=TARGET_CODE[head.target_kind],
        optimizer=OPTIMIZER_CODE[opt["name"]].format(**opt_params),
        schedule=_schedule_code(training.schedule),
        warmup=warmup,
    )


def write_script(trainer, folder: Path) -> Path:
    """train.py and data.npz in `folder` (each written atomically)."""
    from engine.store import atomic_write
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
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "data.npz", buffer.getvalue())
    atomic_write(folder / "train.py", text.encode("utf-8"))
    return folder
