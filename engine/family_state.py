"""The trained state of a family other than the mlp (perceptron, autoencoder, VAE, GAN), in the
same two files as the mlp's (engine/train_state.py: state.json + state.safetensors).

Each family's trainer names what its next step reads besides its weights, in `resume_parts`:
its torch optimizers, its torch random generators (batch order, noise), its queues of pending
batch indices and its plain counters. Kept with them: the weights and the last epoch's checkpoint,
the torch global RNG (dropout), the epoch, step, budget and status, the metrics log's raw rows, the
last snapshot and the data split. Adopting checks all of it against the trainer first, so a bad
file is one SpecError line and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.errors import SpecError
from engine.run_control import check_fits


@dataclass(frozen=True)
class ResumeParts:
    """Attribute names on a family's trainer that a resumed step reads (besides its weights)."""

    optimizers: tuple[str, ...] = ()  # torch.optim.Optimizer
    rngs: tuple[str, ...] = ()  # torch.Generator
    queues: tuple[str, ...] = ()  # lists of 1-D index tensors: the batches still due this epoch
    counters: tuple[str, ...] = ()  # ints
    plain: tuple[str, ...] = ()  # JSON-able values (e.g. a dict of counts)


CONTROL = ("epoch", "step_count", "target")


def capture_family(trainer) -> tuple[dict[str, np.ndarray], dict]:
    """(tensors, meta) of a family trainer's whole state."""
    import torch

    from engine.train_state import FORMAT, VERSION, data_meta, data_tensors, log_parts

    parts: ResumeParts = trainer.resume_parts
    tensors = _prefixed("weights", trainer.state_dict())
    tensors |= _prefixed("checkpoint", trainer._checkpoint)
    tensors["random.torch"] = torch.get_rng_state().numpy().copy()
    optimizers = {}
    for name in parts.optimizers:
        own, optimizers[name] = _optimizer_parts(getattr(trainer, name))
        tensors |= _prefixed(f"optimizer.{name}", own)
    for name in parts.rngs:
        tensors[f"rng.{name}"] = getattr(trainer, name).get_state().numpy().copy()
    for name in parts.queues:
        queue = getattr(trainer, name)
        flat = [np.asarray(batch, dtype=np.int64) for batch in queue]
        tensors[f"queue.{name}.indices"] = np.concatenate(flat) if flat else np.zeros(0, np.int64)
        tensors[f"queue.{name}.lengths"] = np.array([len(b) for b in flat], dtype=np.int64)
    log_tensors, log_meta, snapshot = log_parts(trainer)
    tensors |= log_tensors
    tensors |= data_tensors(trainer.dataset)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "family": trainer.family.name,
        **{name: int(getattr(trainer, name)) for name in CONTROL},
        "budget": bool(trainer.budget),
        "elapsed": float(trainer.elapsed),
        "status": trainer.status,
        "message": trainer.message,
        "counters": {name: int(getattr(trainer, name)) for name in parts.counters},
        "plain": {name: getattr(trainer, name) for name in parts.plain},
        "optimizers": optimizers,
        "metrics": log_meta,
        "last_snapshot": snapshot,
        "data": data_meta(trainer.dataset),
    }
    return tensors, meta


def apply_family(trainer, saved) -> None:
    """Check `saved` (an engine.train_state.SavedState) against the trainer, then adopt it."""
    import torch

    from engine.snapshot import STATUSES
    from engine.train_state import metrics_rows, snapshot_from

    meta, where, parts = saved.meta, saved.source, trainer.resume_parts
    try:
        family = meta.get("family", "mlp")
        if family != trainer.family.name:
            raise SpecError(
                where, f"holds a {family} run; this project builds the {trainer.family.name} family"
            )
        weights, checkpoint = saved.group("weights"), saved.group("checkpoint")
        what = f"this {trainer.family.name} model"
        check_fits(trainer.state_dict(), weights, what)
        check_fits(trainer.state_dict(), checkpoint, what)
        for group, tensors in (("weights", weights), ("checkpoint", checkpoint)):
            for name, value in tensors.items():
                if value.dtype.kind == "f" and not np.isfinite(value).all():
                    raise SpecError(
                        where, f"{group}.{name} holds values that are not finite (a run that diverged?)"
                    )
        torch_rng = torch.from_numpy(np.array(saved.tensors["random.torch"]))
        if torch_rng.dtype != torch.uint8 or torch_rng.numel() != torch.get_rng_state().numel():
            raise SpecError(where, "holds a torch random state of another size")
        optimizers = {
            name: _optimizer_state(
                getattr(trainer, name), saved.group(f"optimizer.{name}"), meta["optimizers"][name]
            )
            for name in parts.optimizers
        }
        rngs = {name: _generator(saved.tensors[f"rng.{name}"]) for name in parts.rngs}
        queues = {name: _queue(saved, name, trainer.n_train, where) for name in parts.queues}
        counters = {name: int(meta["counters"][name]) for name in parts.counters}
        plain = {name: meta["plain"][name] for name in parts.plain}
        control = {name: int(meta[name]) for name in CONTROL}
        if meta["status"] not in STATUSES:
            raise SpecError(where, f"has an unknown status {meta['status']!r}")
        columns, rows = tuple(meta["metrics"]["columns"]), saved.tensors["metrics.rows"]
        if columns != trainer.metrics.columns or rows.ndim != 2 or rows.shape[1] != len(columns):
            raise SpecError(
                where,
                f"logs the metrics {', '.join(columns)}; this run logs {', '.join(trainer.metrics.columns)}",
            )
        log = metrics_rows(trainer.metrics, rows, meta["metrics"])
        snapshot = snapshot_from(meta["last_snapshot"])
        elapsed, budget = float(meta["elapsed"]), bool(meta["budget"])
    except SpecError as exc:
        raise SpecError(where, exc.reason if exc.path == where else f"{exc.path}: {exc.reason}") from None
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        raise SpecError(where, f"is incomplete or damaged ({type(exc).__name__}: {exc})") from None
    # From here on nothing can fail: everything was checked above.
    trainer.load_state_dict(weights)
    trainer._checkpoint = checkpoint
    for name, state in optimizers.items():
        getattr(trainer, name).load_state_dict(state)
    for name, values in {**rngs, **queues, **counters, **plain}.items():
        setattr(trainer, name, values)
    for name, value in control.items():
        setattr(trainer, name, value)
    trainer.elapsed, trainer.budget = elapsed, budget
    trainer.status, trainer.message = meta["status"], str(meta["message"])
    trainer.metrics._rows, trainer.metrics._count, trainer.metrics._stride, trainer.metrics.limit = log
    trainer.last_snapshot = snapshot
    torch.set_rng_state(torch_rng)


def _prefixed(prefix: str, state: dict) -> dict[str, np.ndarray]:
    return {f"{prefix}.{k}": np.asarray(v) for k, v in state.items()}


# -- torch optimizers -------------------------------------------------------------------------------
def _optimizer_parts(optimizer) -> tuple[dict[str, np.ndarray], dict]:
    """A torch optimizer's buffers as `<param index>.<name>` arrays, and the rest as JSON."""
    import torch

    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, buffers in state["state"].items():
        for name, value in buffers.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{name}"] = value.detach().cpu().numpy().copy()
            else:
                scalars.setdefault(str(index), {})[name] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _optimizer_state(optimizer, tensors: dict[str, np.ndarray], info: dict) -> dict:
    """The state dict to load into `optimizer`, each buffer checked against its parameter's shape."""
    import torch

    params = [p for group in optimizer.param_groups for p in group["params"]]
    saved = info["param_groups"]
    if [len(g["params"]) for g in saved] != [len(g["params"]) for g in optimizer.param_groups]:
        raise SpecError("optimizer", "its parameter groups are not this model's")
    if any(set(mine) != set(theirs) for mine, theirs in zip(optimizer.param_groups, saved, strict=True)):
        raise SpecError("optimizer", "was saved by another kind of optimizer than this project's")
    # The project's own settings (its learning rate, betas) win; the file gives only the buffers.
    groups = [
        {**{k: v for k, v in mine.items() if k != "params"}, "params": theirs["params"]}
        for mine, theirs in zip(optimizer.param_groups, saved, strict=True)
    ]
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        index, name = key.split(".", 1)
        param = params[int(index)]
        if value.ndim and tuple(value.shape) != tuple(param.shape):
            raise SpecError("optimizer", f"buffer {key} has shape {value.shape}, needs {tuple(param.shape)}")
        state.setdefault(int(index), {})[name] = torch.from_numpy(np.array(value))
    for index, scalars in info["scalars"].items():
        state.setdefault(int(index), {}).update(scalars)
    return {"state": state, "param_groups": groups}


def _generator(values: np.ndarray):
    import torch

    generator = torch.Generator()
    generator.set_state(torch.from_numpy(np.array(values, dtype=np.uint8)))  # a bad state raises here
    return generator


def _queue(saved, name: str, n_train: int, where: str) -> list:
    import torch

    flat, lengths = saved.tensors[f"queue.{name}.indices"], saved.tensors[f"queue.{name}.lengths"]
    if int(lengths.sum()) != len(flat) or (lengths < 1).any():
        raise SpecError(where, "its pending batches do not add up (a damaged file?)")
    if len(flat) and (int(flat.min()) < 0 or int(flat.max()) >= n_train):
        raise SpecError(where, f"names training points outside the {n_train} this run has")
    bounds = np.cumsum(lengths)[:-1]
    return [torch.from_numpy(np.array(b)) for b in np.split(flat, bounds)] if len(lengths) else []
