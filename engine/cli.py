"""Headless sub-commands of main.py: train a project, list examples. Exit 0 ok, 2 bad input, 3 diverged."""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

from engine.errors import SpecError

EXIT_OK, EXIT_BAD_INPUT, EXIT_DIVERGED = 0, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2 like any other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SpecError(self.prog, message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="main.py", description="Layerlab: a neural-network playground.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = sub.add_parser("train", help="train a project headless and print its final metrics as JSON")
    train.add_argument("project", help="a project file (*.json) or the name of a bundled example")
    train.add_argument("--epochs", type=int, help="train this many epochs instead of training.epochs")
    train.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a key path")
    train.add_argument("--out", help="write project.json, weights.safetensors and metrics.csv here")
    train.add_argument("--device", choices=("auto", "cpu", "cuda"), help="override training.device")
    sub.add_parser("examples", help="list the bundled example projects")
    export = sub.add_parser("export", help="export a trained run (a train --out folder) as a model file")
    export.add_argument(
        "run_dir", help="a folder written by train --out (project.json + weights.safetensors)"
    )
    export.add_argument(
        "--format",
        required=True,
        choices=("onnx", "torchscript", "torch_export", "safetensors", "script"),
        help="onnx, torchscript (.pt), torch_export (.pt2): one file; safetensors, script: a folder",
    )
    export.add_argument(
        "--out", required=True, help="the file (or folder, for safetensors and script) to write"
    )
    return parser


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "examples":
            return _examples()
        if args.command == "export":
            return _export(args)
        return _train(args)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def load_project_arg(name: str, overrides: list[str]):
    """A project from a path or an example name, with --set overrides applied before validation."""
    from engine.examples import example_path
    from engine.overrides import apply_override, parse_assignment
    from engine.spec import Project
    from engine.store import MAX_PROJECT_BYTES, read_file

    path = Path(name)
    if not path.exists() and "/" not in name and not name.endswith(".json"):
        path = example_path(name)
    raw = read_file(path, MAX_PROJECT_BYTES, "project")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = (
            f"at line {exc.lineno} column {exc.colno}: {exc.msg}" if hasattr(exc, "lineno") else "not UTF-8"
        )
        raise SpecError(str(path), f"is not valid JSON ({reason})") from None
    for assignment in overrides:
        if not isinstance(doc, dict):
            break
        key_path, value = parse_assignment(assignment)
        trial = copy.deepcopy(doc)  # a failed override must not leave half-created keys behind
        try:
            apply_override(trial, key_path, value)
            doc = trial
        except SpecError:
            # The path may name a default the file leaves out (e.g. network.layers[0] of "{}"):
            # fill every default in, then set it; a file that is itself invalid reports that first.
            doc = Project.from_dict(doc).to_dict()
            apply_override(doc, key_path, value)
    return Project.from_dict(doc)


def _train(args: argparse.Namespace) -> int:
    from engine.train import Trainer

    overrides = list(args.set)
    if args.device:
        overrides.append(f"training.device={json.dumps(args.device)}")
    if args.epochs is not None:
        if args.epochs < 1:
            raise SpecError("--epochs", f"must be a positive integer, got {args.epochs}")
        overrides.append(f"training.epochs={args.epochs}")
    project = load_project_arg(args.project, overrides)
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise SpecError("--out", f"{out} exists and is not a directory")
    trainer = Trainer(project)
    progress = _Progress(project.training.epochs)
    start = time.perf_counter()
    final = trainer.run(on_snapshot=progress.update)
    progress.close()
    seconds = time.perf_counter() - start  # training only: the exports below are not part of it
    if trainer.status == "diverged":
        print(f"diverged: {trainer.message}", file=sys.stderr)
    elif trainer.status == "early_stopping":
        print(trainer.message, file=sys.stderr)
    if out is not None:
        write_run(trainer, out)
    summary = {
        "epochs": trainer.epoch,
        "steps": trainer.step_count,
        "train_loss": _num(final.train_loss),
        "test_loss": _num(final.test_loss),
        "train_accuracy": final.train_accuracy,
        "test_accuracy": final.test_accuracy,
        "seconds": round(seconds, 3),
        "stopped": trainer.status if trainer.status != "paused" else "completed",
    }
    print(json.dumps(summary))
    return EXIT_DIVERGED if trainer.status == "diverged" else EXIT_OK


def write_run(trainer, out: Path) -> None:
    """The effective project, its weights and its metrics, each written atomically."""
    from engine.store import atomic_write, save_project, save_weights

    out.mkdir(parents=True, exist_ok=True)
    save_project(trainer.project, out / "project.json")
    save_weights(
        trainer.state_dict(), out / "weights.safetensors", {"format": "layerlab", "epoch": str(trainer.epoch)}
    )
    atomic_write(out / "metrics.csv", trainer.metrics.to_csv().encode())
    try:
        from engine.export import export_run_models
    except ImportError:
        return
    export_run_models(trainer, out)


def _export(args: argparse.Namespace) -> int:
    """Export a run folder; bad input raises SpecError before anything is written."""
    from engine.export import export_run

    written = export_run(args.run_dir, args.format, args.out)
    print(json.dumps({"format": args.format, "out": str(written)}))
    return EXIT_OK


def _examples() -> int:
    from engine.examples import example_expectation, example_names, example_path
    from engine.store import load_project

    for name in example_names():
        project = load_project(example_path(name))
        expect = ", ".join(
            f"{k} {'>=' if 'accuracy' in k else '<='} {v:g}" for k, v in example_expectation(name).items()
        )
        print(f"{name:16} {project.description}  [{expect} in {project.training.epochs} epochs]")
    return EXIT_OK


def _num(value: float | None) -> float | None:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return value


class _Progress:
    """A progress bar on a terminal, a plain line now and then otherwise; both on stderr."""

    def __init__(self, total: int):
        self.total = max(total, 1)
        self.tty = sys.stderr.isatty()
        self._last = 0.0

    def update(self, snap) -> None:
        now = time.perf_counter()
        done = snap.epoch >= self.total
        if not done and now - self._last < (0.1 if self.tty else 2.0):
            return
        self._last = now
        loss = f"train {snap.train_loss:.4f}" + (
            f" test {snap.test_loss:.4f}" if snap.test_loss is not None else ""
        )
        acc = f" acc {snap.test_accuracy:.3f}" if snap.test_accuracy is not None else ""
        if self.tty:
            filled = int(30 * snap.epoch / self.total)
            bar = "#" * filled + "." * (30 - filled)
            sys.stderr.write(f"\r[{bar}] epoch {snap.epoch}/{self.total} {loss}{acc}  ")
        else:
            sys.stderr.write(f"epoch {snap.epoch}/{self.total} {loss}{acc}\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
