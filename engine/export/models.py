"""Model exports: ONNX, TorchScript, torch.export (.pt2), safetensors + project, and a standalone script.

Every exported model takes RAW inputs (the dataset's own columns, points, pixels or sequence) with the
Preprocessor inside, and returns class probabilities (N, k) for classification (two columns [1-p, p]
for a single-output two-class head) or values (N, 1) for regression, in float32.
Bad input (a missing run folder, missing or mismatched weights, an unsafe torch file) raises SpecError.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from engine.errors import SpecError
from engine.export.output_head import ExportModel, output_mode
from engine.store import atomic_write, new_folder

FORMATS = ("onnx", "torchscript", "torch_export", "safetensors", "script")
EXAMPLE_BATCH = 3  # the batch size traced into exports; the batch dimension stays dynamic


def export_model(trainer) -> ExportModel:
    """A CPU, float32, eval-mode copy of the trainer's model with preprocessing and the output head."""
    network = copy.deepcopy(trainer.torch_network()).cpu().float().eval()
    preprocessor = copy.deepcopy(trainer.preprocessor).cpu().float().eval()
    model = ExportModel(preprocessor, network, output_mode(trainer.head)).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def example_input(trainer, batch: int = EXAMPLE_BATCH) -> torch.Tensor:
    """`batch` raw training rows (repeated if the split is smaller) as a float32 tensor."""
    x = np.asarray(trainer.dataset.x_train, dtype=np.float32)
    if len(x) == 0:
        x = np.zeros((1, *trainer.dataset.raw_shape), dtype=np.float32)
    idx = np.arange(batch) % len(x)
    return torch.from_numpy(np.ascontiguousarray(x[idx]))


# -- loading a run ---------------------------------------------------------------------------
def load_run(run_dir: str | os.PathLike):
    """A Trainer rebuilt from a `train --out` folder (project.json + weights.safetensors), on the CPU."""
    from engine.store import load_project, load_weights
    from engine.train import build_trainer

    folder = Path(run_dir)
    if not folder.exists():
        raise SpecError(str(folder), "no such run folder (train --out writes one)")
    if not folder.is_dir():
        raise SpecError(str(folder), "is not a folder (a run folder written by train --out was expected)")
    project = load_project(folder / "project.json")
    weights = load_weights(folder / "weights.safetensors")
    project.training.device = "cpu"
    trainer = build_trainer(project)
    trainer.load_state_dict(weights)
    return trainer


def load_torch_state(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A state dict from a torch file, loaded with weights_only=True: a pickle that would run code is refused."""
    p = Path(path)
    if not p.is_file():
        raise SpecError(str(p), "no such torch weights file")
    try:
        state = torch.load(p, weights_only=True, map_location="cpu")
    except Exception as exc:  # UnpicklingError for unsafe globals, RuntimeError for corrupt archives
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(str(p), f"is not a safe torch state dict ({first})") from None
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise SpecError(str(p), "does not hold a state dict (names mapped to tensors)")
    return {k: v.detach().cpu().numpy() for k, v in state.items()}


# -- writers ---------------------------------------------------------------------------------
# Each format is serialised to bytes in memory first and then written by store.atomic_write: torch's
# own file writers abort the whole process (c10::Error, SIGABRT) when a write fails on a full disk,
# while a failed write of ready bytes is an ordinary OSError that leaves the old file and no temp.
def _save_to_bytes(save: Callable[[io.BytesIO], None]) -> bytes:
    buffer = io.BytesIO()
    save(buffer)
    return buffer.getvalue()


def _write_file(path: Path, data: bytes) -> Path:
    """`data` to `path` atomically, creating its folder; OSError (ENOSPC, EROFS, ...) on failure."""
    with new_folder(path.parent):
        atomic_write(path, data)
    return path


@contextlib.contextmanager
def _quiet():
    """The exporters chat on stdout; the CLI's stdout is one JSON line, so send it to a buffer."""
    torch_log = logging.getLogger("torch")
    level = torch_log.level
    torch_log.setLevel(logging.ERROR)  # the exporters log harmless warnings (e.g. torchvision missing)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        torch_log.setLevel(level)


def model_and_input(trainer, part: str | None = None) -> tuple[torch.nn.Module, torch.Tensor]:
    """The module an export writes and an example batch for it: the whole model taking raw inputs,
    or one part a family names (an autoencoder's encoder or decoder, a GAN's generator or
    discriminator), which the family builds (its `export_part`)."""
    if part is None:
        if not getattr(trainer, "exports_models", True):
            parts = ", ".join(getattr(trainer, "EXPORT_PARTS", ()))
            raise SpecError(
                "--part", f"the {trainer.family.name} family exports its parts: give --part ({parts})"
            )
        return export_model(trainer), example_input(trainer)
    names = getattr(trainer, "EXPORT_PARTS", ())
    if part not in names:
        valid = ", ".join(names) if names else "none: export the whole model without --part"
        raise SpecError(
            "--part", f"the {trainer.family.name} family has no part {part!r}; its parts: {valid}"
        )
    module, example = trainer.export_part(part)
    module = module.cpu().float().eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module, example


def export_onnx(trainer, path: str | os.PathLike, part: str | None = None) -> Path:
    """ONNX at the current opset: input "input", output "output", dynamic batch dimension."""
    target = Path(path)
    model, x = model_and_input(trainer, part)
    common = dict(input_names=["input"], output_names=["output"])

    def dynamo() -> bytes:
        program = torch.onnx.export(
            model,
            (x,),
            dynamo=True,
            dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1)}},
            external_data=False,
            verbose=False,
            **common,
        )
        return program.model_proto.SerializeToString()

    def legacy() -> bytes:
        return _save_to_bytes(
            lambda buffer: torch.onnx.export(
                model,
                (x,),
                buffer,
                dynamo=False,
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                **common,
            )
        )

    with _quiet(), torch.no_grad():
        try:
            data = dynamo()
        except Exception:  # the dynamo exporter refuses some networks the TorchScript-based one takes
            data = legacy()
    return _write_file(target, data)


def export_torchscript(trainer, path: str | os.PathLike, part: str | None = None) -> Path:
    """TorchScript (torch.jit.script, or a trace when scripting fails), loadable with torch.jit.load."""
    target = Path(path)
    model, x = model_and_input(trainer, part)
    with _quiet(), torch.no_grad():
        try:
            scripted = torch.jit.script(model)
        except Exception:
            scripted = torch.jit.trace(model, (x,))
        data = _save_to_bytes(lambda buffer: torch.jit.save(scripted, buffer))
    return _write_file(target, data)


def export_pt2(trainer, path: str | os.PathLike, part: str | None = None) -> Path:
    """A torch.export program (.pt2) with a dynamic batch dimension, loadable with torch.export.load."""
    target = Path(path)
    model, x = model_and_input(trainer, part)
    with _quiet(), torch.no_grad():
        program = torch.export.export(
            model, (x,), dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1)}}
        )
        data = _save_to_bytes(lambda buffer: torch.export.save(program, buffer))
    return _write_file(target, data)


def export_safetensors(trainer, folder: str | os.PathLike) -> Path:
    """weights.safetensors and project.json side by side in `folder`: the recipe travels with the weights.

    Both files are staged before either replaces its old version, so a failed write changes neither.
    """
    from engine.store import atomic_write_many, weights_bytes

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise SpecError(str(out), "exists and is not a folder (safetensors exports write a folder)")
    project = trainer.project.to_json().encode("utf-8")
    weights = weights_bytes(trainer.state_dict(), {"format": "layerlab", "epoch": str(trainer.epoch)})
    with new_folder(out):
        atomic_write_many({out / "project.json": project, out / "weights.safetensors": weights})
    return out


def export_script(trainer, folder: str | os.PathLike) -> Path:
    """train.py (plain torch + numpy) and data.npz in `folder`; see engine.export.script."""
    from engine.export.script import write_script

    return write_script(trainer, Path(folder))


PART_WRITERS = ("onnx", "torchscript", "torch_export")  # the formats that take --part
WRITERS: dict[str, Callable] = {
    "onnx": export_onnx,
    "torchscript": export_torchscript,
    "torch_export": export_pt2,
    "safetensors": export_safetensors,
    "script": export_script,
}


def export_run(run_dir: str | os.PathLike, fmt: str, out: str | os.PathLike, part: str | None = None) -> Path:
    """Export a `train --out` folder in format `fmt` to `out` (one `part` of the model, or all of it);
    everything is checked before writing."""
    if fmt not in WRITERS:
        raise SpecError("--format", f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if part is not None and fmt not in PART_WRITERS:
        raise SpecError("--part", f"applies to {', '.join(PART_WRITERS)} exports, not {fmt}")
    target = Path(out)
    folder_formats = ("safetensors", "script")
    if fmt in folder_formats and target.exists() and not target.is_dir():
        raise SpecError(str(target), f"exists and is not a folder ({fmt} exports write a folder)")
    if fmt not in folder_formats and target.is_dir():
        raise SpecError(
            str(target),
            f"is a folder; an {fmt} export writes one file"
            if fmt == "onnx"
            else f"is a folder; a {fmt} export writes one file",
        )
    trainer = load_run(run_dir)
    if fmt == "script":
        from engine.export.script import check_supported

        check_supported(trainer)
    if fmt in PART_WRITERS:
        model_and_input(trainer, part)  # a wrong part is refused before anything is written
        return WRITERS[fmt](trainer, target, part)
    return WRITERS[fmt](trainer, target)


def export_run_models(trainer, out: str | os.PathLike) -> list[Path]:
    """model.onnx and model.pt in a run folder; a format the network cannot take prints one warning.

    An OSError (a full disk, a read-only folder) is raised: it is the folder, not the network, that failed.
    """
    folder = Path(out)
    written = []
    # A family with no one model of the data's inputs (the GAN) gets each part: generator.onnx, ...
    parts = [None] if getattr(trainer, "exports_models", True) else list(trainer.EXPORT_PARTS)
    jobs = [
        (f"{p or 'model'}{ext}", w, p)
        for p in parts
        for ext, w in ((".onnx", export_onnx), (".pt", export_torchscript))
    ]
    for name, writer, part in jobs:
        try:
            written.append(
                writer(trainer, folder / name) if part is None else writer(trainer, folder / name, part)
            )
        except OSError:
            raise
        except Exception as exc:  # an exotic network must not fail the train command
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"warning: could not export {name}: {reason[:300]}", file=sys.stderr)
    return written
