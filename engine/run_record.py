"""What a run folder keeps of a run's course: the weights before the first step and, with `train
--history N`, the parameters every N epochs; and the Trainer that `train --resume` goes on with.

Both files hold float32 tensors named as in weights.safetensors; the history's are prefixed
`epoch_<n>.`. A resumed run carries the folder's files on, so its record is the uninterrupted one's.
"""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path

import numpy as np

from engine.errors import SpecError
from engine.train_state import STATE_JSON, SavedState, apply_state, check_weights

INITIAL, HISTORY = "initial.safetensors", "history.safetensors"
HISTORY_PREFIX = "epoch_"
# Kept in memory until the folder is written, so bounded before training starts; a run that would
# need more can keep fewer epochs (a larger N).
MAX_HISTORY_BYTES = 1 << 30
_HISTORY_NAME = re.compile(rf"{HISTORY_PREFIX}(?P<epoch>\d+)\.(?P<name>.+)")


class RunRecord:
    """The initial weights of one run, and its parameters at every `every`-th epoch (None: none kept)."""

    def __init__(self, initial: dict[str, np.ndarray], every: int | None, history=None):
        self.initial = initial
        self.every = every
        self.history: dict[int, dict[str, np.ndarray]] = dict(history or {})

    @classmethod
    def start(cls, trainer, every: int | None) -> RunRecord:
        """The record of a run about to start: its weights now, and epoch 0 in the history."""
        _check_history_size(trainer, every, 0)
        record = cls(trainer.state_dict(), every)
        record.on_epoch(trainer)
        return record

    def on_epoch(self, trainer) -> None:
        """Keep the trainer's last finished epoch if the history wants it (an epoch-end callback)."""
        if self.every and trainer.epoch % self.every == 0:
            self.history[trainer.epoch] = _compact(trainer.epoch_state)

    def files(self) -> dict[str, bytes]:
        """{file name: bytes} for the run folder: the initial weights, and the history if one is kept."""
        from engine.store import weights_bytes

        files = {INITIAL: weights_bytes(self.initial, {"format": "layerlab", "epoch": "0"})}
        if self.every:
            epochs = sorted(self.history)
            tensors = {
                f"{HISTORY_PREFIX}{epoch}.{name}": value
                for epoch in epochs
                for name, value in self.history[epoch].items()
            }
            meta = {"format": "layerlab-history", "every": str(self.every), "epochs": json.dumps(epochs)}
            files[HISTORY] = weights_bytes(tensors, meta)
        return files


def resume_run(run_dir: str | os.PathLike, project, every: int | None):
    """(Trainer, RunRecord) of the run saved in `run_dir`, to be trained on to project.training.epochs.

    `project` is the folder's project.json (its epochs the new total). Everything the folder holds
    is checked against the network first; a SpecError means nothing was changed.
    """
    from engine.store import load_weights
    from engine.train import build_trainer

    folder = check_resumable(run_dir)
    saved = SavedState(folder)
    trainer = build_trainer(project, dataset=saved.dataset())
    built = trainer.state_dict()  # the project's own start: the record of a folder that kept none
    check_weights(trainer, load_weights(folder / "weights.safetensors"), str(folder / "weights.safetensors"))
    initial = _read_initial(trainer, folder / INITIAL)
    saved_every, history = _read_history(trainer, folder / HISTORY)
    apply_state(trainer, saved)
    if trainer.status == "diverged":
        raise SpecError(str(folder), f"holds a run that diverged at epoch {trainer.epoch}; it cannot go on")
    if trainer.training.epochs < trainer.epoch:
        raise SpecError(
            "--epochs",
            f"is the total to train to, and the run in {folder} is at epoch {trainer.epoch} already",
        )
    every = every or saved_every
    _check_history_size(trainer, every, len(history))
    return trainer, RunRecord(built if initial is None else initial, every, history)


def check_resumable(run_dir: str | os.PathLike) -> Path:
    """The run folder, or a SpecError saying why it is not one that can go on."""
    folder = Path(run_dir)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such run folder"
        raise SpecError(str(folder), f"{what} (train --out writes one, and --resume continues it)")
    if not (folder / STATE_JSON).is_file():
        raise SpecError(
            str(folder), f"holds no trained state ({STATE_JSON}): it is not a run folder that can go on"
        )
    return folder


def _read_initial(trainer, path: Path) -> dict[str, np.ndarray] | None:
    from engine.store import load_weights

    if not path.exists():
        return None
    initial = load_weights(path)
    check_weights(trainer, initial, str(path))
    return initial


def _read_history(trainer, path: Path) -> tuple[int | None, dict[int, dict[str, np.ndarray]]]:
    """(its N, {epoch: parameters}) of a history file; (None, {}) where the folder has none."""
    from engine.store import MAX_WEIGHTS_BYTES, load_weights, read_file

    if not path.exists():
        return None, {}
    every = _metadata(read_file(path, MAX_WEIGHTS_BYTES, "history"), str(path)).get("every", "")
    if not every.isdigit() or int(every) < 1:
        raise SpecError(str(path), "does not say every how many epochs it keeps the parameters")
    history: dict[int, dict[str, np.ndarray]] = {}
    for key, value in load_weights(path).items():
        match = _HISTORY_NAME.fullmatch(key)
        if match is None:
            raise SpecError(str(path), f"holds tensor {key!r}, not named {HISTORY_PREFIX}<epoch>.<name>")
        history.setdefault(int(match["epoch"]), {})[match["name"]] = value
    for epoch, state in history.items():
        check_weights(trainer, state, f"{path} (epoch {epoch})")
    return int(every), history


def _metadata(data: bytes, where: str) -> dict[str, str]:
    """A safetensors file's `__metadata__`: the header is 8 bytes of length, then JSON."""
    try:
        (length,) = struct.unpack("<Q", data[:8])
        meta = json.loads(data[8 : 8 + length]).get("__metadata__") or {}
    except (struct.error, ValueError, AttributeError):
        raise SpecError(where, "is not a valid safetensors file") from None
    return meta if isinstance(meta, dict) else {}


def _compact(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """float64 as float32, as the file stores it: half the memory, the same bytes written."""
    return {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in state.items()}


def _check_history_size(trainer, every: int | None, kept: int) -> None:
    """Refuse, before training, a history that would not fit its memory bound."""
    if not every:
        return
    per_epoch = sum(4 * v.size if v.dtype == np.float64 else v.nbytes for v in trainer.state_dict().values())
    count = kept + (trainer.training.epochs - trainer.epoch) // every + 1
    if per_epoch * count > MAX_HISTORY_BYTES:
        raise SpecError(
            "--history",
            f"keeping the parameters every {every} epochs takes {count} copies of "
            f"{per_epoch:,} bytes, more than the {MAX_HISTORY_BYTES >> 20} MB a history may hold: "
            "choose a larger N",
        )
