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


TEMPLATE = '''\
"""Train "{name}" with plain PyTorch: generated by Layerlab's script export (no Layerlab needed).

    python train.py                                   # one process
    torchrun --nproc_per_node 2 train.py              # DistributedDataParallel (gloo on CPU, nccl on CUDA)

data.npz beside this file holds the raw train/test split, the standardisation statistics and the
initial weights Layerlab started from. Each rank trains on a DistributedSampler shard with
batch_size // world_size rows per step, so one step still sees the project's batch size in total.
Rank 0 prints the final metrics as one JSON line and saves the trained weights (--save).
"""

import argparse
import json
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DistributedSampler

CONFIG = {config}
N_OUT = {n_out}
CLASSIFICATION = {classification}
HERE = Path(__file__).resolve().parent


# -- preprocessing: raw inputs -> derived features -> (x - mean) / std ---------------------------
def preprocess(x, mean, std):
{features}    return (x - mean) / std


# -- the network: module names match Layerlab's state dict -------------------------------------
class Maxout(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x.unflatten(1, (x.shape[1] // self.k, self.k)).amax(dim=2)


class Dense(nn.Module):
    def __init__(self, n_in, n_out, act):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.act = act

    def forward(self, x):
        return self.act(self.linear(x.flatten(1)))


class Residual(nn.Module):
    def __init__(self, features, units, pre_units, act):
        super().__init__()
        self.inner = nn.Linear(features, pre_units)
        self.act = act
        self.outer = nn.Linear(units, features)

    def forward(self, x):
        return x + self.outer(self.act(self.inner(x)))


class Conv(nn.Module):
    def __init__(self, channels, filters, kernel, stride, padding, act):
        super().__init__()
        self.conv = nn.Conv2d(channels, filters, kernel, stride=stride, padding=padding)
        self.act = act

    def forward(self, x):
        return self.act(self.conv(x))


class Recurrent(nn.Module):
    def __init__(self, cell, return_sequences):
        super().__init__()
        self.cell = cell
        self.return_sequences = return_sequences

    def forward(self, x):
        out, _ = self.cell(x)
        return out if self.return_sequences else out[:, -1]


class Network(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("std", std, persistent=False)
        self.layers = nn.ModuleList([
{layers}
        ])
        self.head = {head}

    def forward(self, raw):
        x = preprocess(raw, self.mean, self.std)
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


# -- loss, targets, probabilities, optimizer, schedule --------------------------------------------
LOSS = {loss}


def targets(y):
    return {targets}


def probabilities(out):
    """Class probabilities from raw outputs (output mode {mode}, as in Layerlab's exports)."""
    mode = {mode}
    if mode == 5:
        return torch.softmax(out, dim=1)
    if mode == 4:
        s = out.clamp(min=0.0)
        return s / s.sum(dim=1, keepdim=True).clamp(min=1e-12)
    p = torch.sigmoid(out[:, :1]) if mode == 1 else ((out[:, :1] + 1) / 2 if mode == 2 else out[:, :1])
    p = p.clamp(0.0, 1.0)
    return torch.cat([1 - p, p], dim=1)


def make_optimizer(params, lr):
    return {optimizer}


def learning_rate(epoch):
    """The rate at fractional epoch `epoch`; warm-up over {warmup!r} epochs."""
    lr0 = CONFIG["lr"]
    lr = {schedule}
    if {warmup!r} > 0 and epoch < {warmup!r}:
        lr *= epoch / {warmup!r}
    return lr


def penalty(model):
    weights = [p for p in model.parameters() if p.dim() >= 2]
    total = 0.0
    if CONFIG["l1"] > 0:
        total = total + CONFIG["l1"] * sum(w.abs().sum() for w in weights)
    if CONFIG["l2"] > 0:
        total = total + 0.5 * CONFIG["l2"] * sum(w.pow(2).sum() for w in weights)
    return total


@torch.no_grad()
def evaluate(model, x, y):
    model.eval()
    out = model(x)
    loss = float(LOSS(out, targets(y)))
    accuracy = float((probabilities(out).argmax(dim=1) == y).float().mean()) if CLASSIFICATION else None
    return loss, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    parser.add_argument("--data", default=str(HERE / "data.npz"))
    parser.add_argument("--save", default=str(HERE / "trained.pt"), help="rank 0 saves the state dict here")
    args = parser.parse_args()

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    if world > 1:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
        if not cuda:
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    device = torch.device(f"cuda:{{local_rank}}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.manual_seed(CONFIG["seed"])

    data = np.load(args.data, allow_pickle=False)
    x_train = torch.as_tensor(data["x_train"]).to(device)
    y_train = torch.as_tensor(data["y_train"]).to(device)
    x_test = torch.as_tensor(data["x_test"]).to(device)
    y_test = torch.as_tensor(data["y_test"]).to(device)
    mean, std = torch.as_tensor(data["mean"]), torch.as_tensor(data["std"])
    model = Network(mean, std)
    model.load_state_dict({{k[5:]: torch.as_tensor(data[k]) for k in data.files if k.startswith("init/")}})
    model.to(device)
    trained = nn.parallel.DistributedDataParallel(model, device_ids=[local_rank] if cuda else None) if world > 1 else model

    t_train = targets(y_train)
    batch = max(1, CONFIG["batch_size"] // world)
    shuffle = torch.Generator().manual_seed(CONFIG["seed"])
    sampler = None
    if world > 1:  # each rank walks its own shard of one shared permutation per epoch
        sampler = DistributedSampler(range(len(x_train)), num_replicas=world, rank=rank, seed=CONFIG["seed"])
    optimizer = make_optimizer(trained.parameters(), CONFIG["lr"])
    noise = CONFIG["input_noise"]
    clip = CONFIG["grad_clip"]

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler), dtype=torch.int64)
        else:
            order = torch.randperm(len(x_train), generator=shuffle)
        batches = order.to(device).split(batch)
        trained.train()
        for step, rows in enumerate(batches):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(epoch + step / len(batches))
            xb, tb = x_train[rows], t_train[rows]
            if noise > 0:
                xb = xb + noise * torch.randn_like(xb)
            loss = LOSS(trained(xb), tb) + penalty(model)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip["mode"] == "norm":
                nn.utils.clip_grad_norm_(trained.parameters(), clip["max"])
            elif clip["mode"] == "value":
                nn.utils.clip_grad_value_(trained.parameters(), clip["max"])
            optimizer.step()

    if rank == 0:
        train_loss, train_accuracy = evaluate(model, x_train, y_train)
        test_loss, test_accuracy = (None, None) if len(x_test) == 0 else evaluate(model, x_test, y_test)
        torch.save(model.state_dict(), args.save)
        print(json.dumps({{
            "epochs": args.epochs,
            "world_size": world,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
        }}), flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
