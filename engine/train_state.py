"""A Trainer's whole state as two files, state.json + state.safetensors, so a run resumes bit for bit.

Everything a next step reads is kept: the weights (float64 on the fast path, not the float32 copy
in weights.safetensors), the optimizer's buffers, the schedule position, the batch-order RNG and
the batches still pending in an unfinished epoch (with the playground's carried remainder), the
input-noise and torch RNGs (dropout), early-stopping bookkeeping, the metrics log's raw rows and
the data split itself, so a resumed run trains on the same points even if generation changed.
Reading checks everything before it changes anything: a bad file is one SpecError line.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from engine.errors import SpecError

STATE_JSON, STATE_TENSORS = "state.json", "state.safetensors"
STATE_FILES = (STATE_JSON, STATE_TENSORS)
FORMAT, VERSION = "layerlab-train-state", 1
DATA_ARRAYS = ("x_train", "y_train", "x_test", "y_test", "x_val", "y_val")


def state_files(trainer) -> dict[str, bytes]:
    """{file name: bytes} of the trainer's state, for an atomic write (or a run folder's staging)."""
    from safetensors.numpy import save

    from engine.family_state import capture_family

    tensors, meta = _capture(trainer) if hasattr(trainer, "backend") else capture_family(trainer)
    # Not np.ascontiguousarray: it turns 0-d arrays (torch Adam's `step`) into shape (1,).
    arrays = {k: v if v.flags.c_contiguous else v.copy(order="C") for k, v in tensors.items()}
    return {STATE_JSON: json.dumps(meta, indent=1).encode(), STATE_TENSORS: save(arrays)}


def write_state(trainer, folder: str | os.PathLike) -> None:
    """Write state.json + state.safetensors into `folder` together: both or neither are replaced."""
    from engine.store import atomic_write_many

    atomic_write_many({Path(folder) / name: data for name, data in state_files(trainer).items()})


class SavedState:
    """A state read back from a folder: its JSON and its tensors, checked for format only."""

    def __init__(self, folder: str | os.PathLike):
        from safetensors.numpy import load

        from engine.store import MAX_PROJECT_BYTES, MAX_WEIGHTS_BYTES, read_file

        folder = Path(folder)
        json_path, tensor_path = folder / STATE_JSON, folder / STATE_TENSORS
        raw = read_file(json_path, MAX_PROJECT_BYTES, "training state")
        try:
            self.meta = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SpecError(str(json_path), "is not JSON (a Layerlab training state was expected)") from None
        if not isinstance(self.meta, dict) or self.meta.get("format") != FORMAT:
            raise SpecError(str(json_path), "is not a Layerlab training state")
        if self.meta.get("version") != VERSION:
            raise SpecError(
                str(json_path), f"has version {self.meta.get('version')!r}; this Layerlab reads {VERSION}"
            )
        try:
            self.tensors = dict(load(read_file(tensor_path, MAX_WEIGHTS_BYTES, "training state")))
        except SpecError:
            raise
        except Exception as exc:  # safetensors raises its own error types for corrupt headers
            raise SpecError(str(tensor_path), f"is not a valid safetensors file ({exc})") from None
        self.source = str(tensor_path)

    def group(self, prefix: str) -> dict[str, np.ndarray]:
        """Copies of the tensors named `<prefix>.<name>`, keyed by name."""
        cut = len(prefix) + 1
        return {k[cut:]: np.array(v) for k, v in self.tensors.items() if k.startswith(prefix + ".")}

    def dataset(self):
        """The data split the run trained on, as an engine.data.Dataset."""
        from engine.data import Dataset

        data, info = self.group("data"), self.meta.get("data")
        missing = [name for name in DATA_ARRAYS if name not in data]
        if missing or not isinstance(info, dict):
            raise SpecError(
                self.source, f"holds no data split ({', '.join(missing) or 'its description'} missing)"
            )
        try:
            domain = info["domain"]
            return Dataset(
                name=info["name"],
                kind=info["kind"],
                task=info["task"],
                raw_shape=tuple(info["raw_shape"]),
                input_names=tuple(info["input_names"]),
                n_classes=int(info["n_classes"]),
                class_names=tuple(info["class_names"]),
                domain=None if domain is None else tuple(domain),
                target_name=str(info.get("target_name", "")),  # files saved before it was kept: none
                **{name: np.array(data[name]) for name in DATA_ARRAYS},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SpecError(self.source, f"describes its data split incompletely ({exc})") from None


def load_state(trainer, folder: str | os.PathLike) -> None:
    """Put the state saved in `folder` into `trainer` (built from the same project and data split)."""
    apply_state(trainer, SavedState(folder))


def apply_state(trainer, saved: SavedState) -> None:
    """Check `saved` against the trainer, then adopt it; a SpecError leaves the trainer unchanged."""
    from engine.snapshot import STATUSES

    meta, where = saved.meta, saved.source
    if not hasattr(trainer, "backend") or "family" in meta:  # another family's, or kept by one
        from engine.family_state import apply_family

        return apply_family(trainer, saved)
    try:
        if meta["backend"] != trainer.backend_name:
            raise SpecError(
                where,
                f"was trained on the {meta['backend']} backend, this project builds {trainer.backend_name}",
            )
        weights, checkpoint = saved.group("weights"), saved.group("checkpoint")
        check_weights(trainer, weights, where)
        check_weights(trainer, checkpoint, where)
        best = saved.group("best") if meta["best"] is not None else None
        if best is not None:
            check_weights(trainer, best, where)
        order = _batch_order(trainer, saved, where)
        columns, rows = tuple(meta["metrics"]["columns"]), saved.tensors["metrics.rows"]
        extra = len(trainer.metrics.columns) - len(columns)
        if extra > 0 and columns == trainer.metrics.columns[: len(columns)] and rows.ndim == 2:
            rows = np.hstack([rows, np.full((len(rows), extra), np.nan)])  # saved before a column was added
            columns = trainer.metrics.columns
        if columns != trainer.metrics.columns or rows.ndim != 2 or rows.shape[1] != len(columns):
            raise SpecError(
                where,
                f"logs the metrics {', '.join(columns)}; this run logs {', '.join(trainer.metrics.columns)}",
            )
        if meta["status"] not in STATUSES:
            raise SpecError(where, f"has an unknown status {meta['status']!r}")
        snapshot = snapshot_from(meta["last_snapshot"])
        batch_rng = np.random.default_rng()
        batch_rng.bit_generator.state = meta["rng"]  # a foreign or damaged state raises here
        draws = _random_draws_from(trainer, meta["random"], saved, where)
        scalars = {name: int(meta[name]) for name in ("epoch", "step_count", "target", "batches_in_epoch")}
        bad_epochs, elapsed = int(meta["bad_epochs"]), float(meta["elapsed"])
        best_entry = None if best is None else (float(meta["best"]["loss"]), int(meta["best"]["epoch"]), best)
        log = metrics_rows(trainer.metrics, rows, meta["metrics"])
        # The last check, and the first change: the backend checks the buffers before it takes them.
        trainer.backend.load_optimizer_state(saved.group("optimizer"), meta["optimizer"])
    except SpecError as exc:  # a check's own message (SpecError is a ValueError: said before those)
        raise SpecError(where, exc.reason if exc.path == where else f"{exc.path}: {exc.reason}") from None
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        raise SpecError(where, f"is incomplete or damaged ({type(exc).__name__}: {exc})") from None
    # From here on nothing can fail: everything was checked above.
    trainer.backend.load_state_dict(weights)
    trainer._checkpoint = checkpoint
    trainer._best, trainer._bad_epochs = best_entry, bad_epochs
    trainer._rng = batch_rng
    trainer._fixed_order, trainer._carry, trainer._pending = order
    _adopt_random_draws(trainer, draws)
    trainer.epoch, trainer.step_count = scalars["epoch"], scalars["step_count"]
    trainer.target, trainer._batches_in_epoch = scalars["target"], scalars["batches_in_epoch"]
    trainer.elapsed, trainer.budget = elapsed, bool(meta["budget"])
    trainer.status, trainer.message = meta["status"], str(meta["message"])
    trainer.metrics._rows, trainer.metrics._count, trainer.metrics._stride, trainer.metrics.limit = log
    trainer.last_snapshot = snapshot


# -- capture -----------------------------------------------------------------------------------
def _capture(trainer) -> tuple[dict[str, np.ndarray], dict]:
    tensors = _prefixed("weights", trainer.backend.state_dict())
    tensors |= _prefixed("checkpoint", trainer._checkpoint)
    best = None
    if trainer._best is not None:
        loss, epoch, state = trainer._best
        tensors |= _prefixed("best", state)
        best = {"loss": loss, "epoch": epoch}
    buffers, optimizer = trainer.backend.optimizer_state()
    tensors |= _prefixed("optimizer", buffers)
    pending = trainer._pending
    tensors["batches.pending"] = (
        np.concatenate(pending).astype(np.int64) if pending else np.zeros(0, np.int64)
    )
    tensors["batches.lengths"] = np.array([len(b) for b in pending], dtype=np.int64)
    tensors["batches.carry"] = np.asarray(trainer._carry, dtype=np.int64)
    tensors["batches.fixed_order"] = np.asarray(trainer._fixed_order, dtype=np.int64)
    log_tensors, log_meta, snapshot = log_parts(trainer)
    tensors |= log_tensors
    random, random_tensors = _random_draws(trainer)
    tensors |= random_tensors
    dataset = trainer.dataset
    tensors |= data_tensors(dataset)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "backend": trainer.backend_name,
        "epoch": trainer.epoch,
        "step_count": trainer.step_count,
        "batches_in_epoch": trainer._batches_in_epoch,
        "target": trainer.target,
        "budget": trainer.budget,
        "elapsed": trainer.elapsed,
        "status": trainer.status,
        "message": trainer.message,
        "rng": trainer._rng.bit_generator.state,
        "random": random,
        "best": best,
        "bad_epochs": trainer._bad_epochs,
        "optimizer": optimizer,
        "metrics": log_meta,
        "last_snapshot": snapshot,
        "data": data_meta(dataset),
    }
    return tensors, meta


def log_parts(trainer) -> tuple[dict[str, np.ndarray], dict, dict | None]:
    """The metrics log's raw rows (float64: the CSV rounds to 8 digits), how it thins, and the last
    snapshot as JSON: what every family's state keeps of what was measured."""
    log = trainer.metrics
    info = {
        "columns": list(log.columns),
        "limit": log.limit,
        "stride": log._stride,
        "capacity": len(log._rows),
    }
    return {"metrics.rows": log._rows[: log._count].copy()}, info, _snapshot_json(trainer.last_snapshot)


def data_tensors(dataset) -> dict[str, np.ndarray]:
    """The data split's arrays as `data.<name>` tensors (SavedState.dataset() reads them back)."""
    return {f"data.{name}": np.asarray(getattr(dataset, name)) for name in DATA_ARRAYS}


def data_meta(dataset) -> dict:
    """What a data split is, besides its arrays (SavedState.dataset() reads it back)."""
    return {
        "name": dataset.name,
        "kind": dataset.kind,
        "task": dataset.task,
        "raw_shape": list(dataset.raw_shape),
        "input_names": list(dataset.input_names),
        "n_classes": dataset.n_classes,
        "class_names": list(dataset.class_names),
        "domain": None if dataset.domain is None else list(dataset.domain),
        "target_name": dataset.target_name,
    }


def _prefixed(prefix: str, state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"{prefix}.{k}": np.asarray(v) for k, v in state.items()}


def _random_draws(trainer) -> tuple[dict, dict[str, np.ndarray]]:
    """Every RNG a step may draw from besides the batch order: input noise, and torch's for dropout."""
    noise = trainer.backend._noise
    if isinstance(noise, np.random.Generator):
        return {"noise": noise.bit_generator.state}, {}
    import torch

    tensors = {
        "random.noise": noise.get_state().numpy().copy(),
        "random.torch": torch.get_rng_state().numpy().copy(),
    }
    if trainer.device.startswith("cuda"):
        tensors["random.cuda"] = torch.cuda.get_rng_state().numpy().copy()
    return {"noise": "tensor"}, tensors


def _random_draws_from(trainer, random: dict, saved: SavedState, where: str) -> dict:
    """The saved RNGs, rebuilt and checked, ready to be swapped in."""
    noise = trainer.backend._noise
    if isinstance(noise, np.random.Generator):
        restored = np.random.default_rng()
        restored.bit_generator.state = random["noise"]
        return {"noise": restored}
    import torch

    restored = torch.Generator(device=noise.device)
    restored.set_state(torch.from_numpy(np.array(saved.tensors["random.noise"])))
    draws = {"noise": restored, "torch": torch.from_numpy(np.array(saved.tensors["random.torch"]))}
    if draws["torch"].dtype != torch.uint8 or draws["torch"].numel() != torch.get_rng_state().numel():
        raise SpecError(where, "holds a torch random state of another size")
    if trainer.device.startswith("cuda") and "random.cuda" in saved.tensors:
        draws["cuda"] = torch.from_numpy(np.array(saved.tensors["random.cuda"]))
    return draws


def _adopt_random_draws(trainer, draws: dict) -> None:
    trainer.backend._noise = draws["noise"]
    if "torch" in draws:
        import torch

        torch.set_rng_state(draws["torch"])
        if "cuda" in draws:
            torch.cuda.set_rng_state(draws["cuda"])


def _snapshot_json(snap) -> dict | None:
    if snap is None:
        return None
    return {
        "epoch": snap.epoch,
        "step": snap.step,
        "metrics": dict(snap.metrics),
        "lr": snap.lr,
        "elapsed": snap.elapsed,
        "layers": [asdict(layer) for layer in snap.layers],
        "status": snap.status,
        "message": snap.message,
    }


def snapshot_from(data: dict | None):
    from engine.snapshot import LayerStat, Snapshot

    if data is None:
        return None
    layers = tuple(LayerStat(**layer) for layer in data["layers"])
    return Snapshot(**{**data, "layers": layers})


# -- checks --------------------------------------------------------------------------------------
def check_weights(trainer, state: dict[str, np.ndarray], where: str) -> None:
    """The saved weights must be this network's: the same tensor names and shapes, finite."""
    expected = trainer.state_dict()
    missing = sorted(set(expected) - set(state))
    if missing:
        raise SpecError(where, f"holds no tensor {missing[0]!r}: its weights are not this project's network")
    extra = sorted(set(state) - set(expected))
    if extra:
        raise SpecError(where, f"holds tensor {extra[0]!r}, which this project's network does not have")
    for name, value in expected.items():
        if state[name].shape != value.shape:
            raise SpecError(
                where, f"{name} has shape {state[name].shape}, this project's network needs {value.shape}"
            )


def _batch_order(trainer, saved: SavedState, where: str):
    """(fixed order, carried remainder, pending batches), each index checked to be a training row."""
    t = saved.tensors
    fixed, carry, flat, lengths = (
        t["batches.fixed_order"],
        t["batches.carry"],
        t["batches.pending"],
        t["batches.lengths"],
    )
    n = trainer.n_train
    if len(fixed) != n or int(lengths.sum()) != len(flat) or (lengths < 1).any():
        raise SpecError(where, f"its batch order is not one of {n} training points (a different data split?)")
    for indices in (fixed, carry, flat):
        if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= n):
            raise SpecError(where, f"names training points outside the {n} this run has")
    bounds = np.cumsum(lengths)[:-1] if len(lengths) else []
    pending = [np.array(b) for b in np.split(flat, bounds)] if len(lengths) else []
    return np.array(fixed), np.array(carry), pending


def metrics_rows(log, rows: np.ndarray, info: dict) -> tuple[np.ndarray, int, int, int]:
    """The metrics log's buffer as it was (its capacity too, so it grows and thins as it would have)."""
    capacity = max(int(info["capacity"]), len(rows), 1)
    buffer = np.full((capacity, len(log.columns)), np.nan)
    buffer[: len(rows)] = rows
    return buffer, len(rows), int(info["stride"]), int(info["limit"])
