"""Headless sub-commands of main.py: train, export, list examples.

Exit 0 ok, 2 bad input (an OSError too), 3 diverged, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

from engine.errors import SpecError
from engine.run_folder import write_run

EXIT_OK, EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_INTERRUPTED = 0, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2 like any other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SpecError(self.prog, message)


USAGE = "main.py [PROJECT] | main.py COMMAND ..."

DESCRIPTION = """Layerlab: a neural-network playground.

  main.py [PROJECT]      open the window, on the spiral example or on PROJECT.json
  main.py screenshot PROJECT --epochs N --png FILE
                         train N epochs in the window and save it as a PNG (offscreen works)
  main.py train PROJECT [--epochs N] [--set PATH=VALUE] [--out DIR] [--history N] [--device D]
                         train headless; print the final metrics as one JSON line
  main.py train --resume RUN_DIR [--epochs N] [--out DIR]
                         continue a `train --out` folder to N epochs in all, exactly as if never stopped
  main.py race PROJECT --vary KEY=V1,V2,... [--epochs N] [--set PATH=VALUE] [--out DIR]
                         train up to 8 variants side by side; print one JSON line per run
  main.py export RUN_DIR --format FORMAT --out PATH
                         export a `train --out` folder as onnx, torchscript, torch_export,
                         safetensors or a standalone script
  main.py examples       list the bundled example projects and what each reaches

PROJECT is a project file (*.json) or the name of a bundled example.
`main.py COMMAND --help` describes a command's options."""

EPILOG = "exit codes: 0 success, 2 bad input (one line on stderr), 3 diverged, 130 interrupted (Ctrl-C)."


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="main.py",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND", help=argparse.SUPPRESS
    )
    train = sub.add_parser(
        "train", prog="main.py train", help="train a project headless and print its final metrics as JSON"
    )
    train.add_argument("project", nargs="?", help="a project file (*.json) or the name of a bundled example")
    train.add_argument("--epochs", type=int, help="train this many epochs instead of training.epochs")
    train.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="override a key path")
    train.add_argument(
        "--out", help="write the run folder here (project, weights, metrics, models and trained state)"
    )
    train.add_argument(
        "--resume", metavar="RUN_DIR", help="continue this run folder (into itself, or into --out)"
    )
    train.add_argument(
        "--history", type=int, metavar="N", help="keep the parameters every N epochs (history.safetensors)"
    )
    train.add_argument("--device", choices=("auto", "cpu", "cuda"), help="override training.device")
    sub.add_parser("examples", prog="main.py examples", help="list the bundled example projects")
    lessons = sub.add_parser(
        "lessons", prog="main.py lessons", help="list the lessons (`main.py ID` opens one)"
    )
    lessons.add_argument(
        "--json", action="store_true", help="one JSON object per lesson: id, title, concepts, path"
    )
    from engine.race.command import add_arguments as add_race_arguments

    add_race_arguments(sub.add_parser("race", prog="main.py race", help="train variants side by side"))
    export = sub.add_parser(
        "export", prog="main.py export", help="export a trained run (a train --out folder) as a model file"
    )
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
    export.add_argument(
        "--part",
        help="one part of the model (onnx, torchscript, torch_export): encoder or decoder of an "
        "autoencoder or VAE, generator or discriminator of a GAN",
    )
    # main.py hands `screenshot` to the window (gui/screenshot.py) before this parser runs; it is
    # listed here so that --help names every command.
    shot = sub.add_parser(
        "screenshot",
        prog="main.py screenshot",
        help="train N epochs in the window, save it as a PNG",
        add_help=False,
    )
    shot.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str]) -> int:
    from engine.os_errors import describe_os_error

    try:
        args = build_parser().parse_args(argv)
        if args.command == "screenshot":
            raise SpecError("screenshot", "needs the window: run it as `python main.py screenshot ...`")
        if args.command == "examples":
            return _examples()
        if args.command == "lessons":
            return _lessons(args.json)
        if args.command == "export":
            return _export(args)
        # Headless commands train on one torch thread (unless OMP_NUM_THREADS says otherwise; the
        # window's training process sets its own), set here because torch is not imported yet:
        # small models train 6-25x faster on one thread of a busy 2-core machine than on two
        # that fight over the cores (the autoencoder_digits example: 0.27 s an epoch against 5.5 s).
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        if args.command == "race":
            from engine.race.command import race

            return race(args)
        return _train(args)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a full disk, a read-only folder, a name too long: bad input, not a bug
        print(f"error: {describe_os_error(exc, '')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: nothing was saved", file=sys.stderr)
        return EXIT_INTERRUPTED


def _lessons(as_json: bool) -> int:
    from engine.lesson_concepts import concepts_line
    from engine.lessons import all_lessons

    topic = None
    for lesson in all_lessons():
        if as_json:
            print(json.dumps(lesson.summary()))
            continue
        if lesson.topic != topic:
            topic = lesson.topic
            print(f"{topic}:")
        noun = "concept" if len(lesson.concepts) == 1 else "concepts"
        print(f"  {lesson.id:<24} {lesson.title}")
        print(f"  {'':<24} {noun} {concepts_line(lesson.concepts)}")
    return EXIT_OK


def load_project_arg(name: str, overrides: list[str]):
    """A project from a path or an example name, with --set overrides applied before validation."""
    from engine.data.csv_data import resolve_document_data_path
    from engine.examples import example_path
    from engine.spec.overrides import apply_override, parse_assignment
    from engine.spec.project import Project, read_project_json
    from engine.store import MAX_PROJECT_BYTES, read_file

    path = Path(name)
    if not path.exists() and "/" not in name and not name.endswith(".json"):
        path = example_path(name)
    raw = read_file(path, MAX_PROJECT_BYTES, "project")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as Windows editors write, is fine
    except UnicodeDecodeError:
        raise SpecError(str(path), "is not a UTF-8 text file (a JSON project was expected)") from None
    # A relative data.path belongs to the project file's folder, not to wherever this runs.
    doc = resolve_document_data_path(read_project_json(text, str(path)), path.resolve().parent)
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
    from engine.interrupt import EpochEndInterrupt
    from engine.os_errors import check_writable, describe_os_error, out_label

    trainer, record = _trainer_for(args)
    out_arg = args.out or args.resume  # a resumed run goes back into its folder unless told otherwise
    out = Path(out_arg) if out_arg else None
    if out is not None:  # before training: an unwritable --out must not cost the whole run
        check_writable(out, out_label(out_arg))
    progress = _Progress(trainer.training.epochs)

    def on_epoch(snap) -> None:
        progress.update(snap)
        record.on_epoch(trainer)
        interrupt.on_epoch_end()

    with EpochEndInterrupt(trainer) as interrupt:
        start = time.perf_counter()
        final = trainer.run(on_snapshot=on_epoch)
        progress.close()
        seconds = time.perf_counter() - start  # training only: the exports below are not part of it
        if trainer.status == "diverged":
            print(f"diverged: {trainer.message}", file=sys.stderr)
        elif trainer.message:  # early stopping; a perceptron that converged
            print(trainer.message, file=sys.stderr)
        if out is not None:  # a Ctrl-C while saving waits for the save: the folder is one whole run
            try:
                write_run(trainer, out, record)
            except OSError as exc:
                raise describe_os_error(exc, out_label(out_arg)) from None
    if interrupt.requested:
        saved = f"; saved the run so far to {out_arg}" if out is not None else ""
        print(f"interrupted after epoch {trainer.epoch}{saved}", file=sys.stderr)
    summary = {
        "epochs": trainer.epoch,
        "steps": trainer.step_count,
        "train_loss": _num(final.train_loss),
        "test_loss": _num(final.test_loss),
        "train_accuracy": final.train_accuracy,
        "test_accuracy": final.test_accuracy,
        "val_loss": _num(final.val_loss),  # the split early stopping watches; null without one
        "val_accuracy": final.val_accuracy,
        "seconds": round(seconds, 3),
        "stopped": "interrupted" if interrupt.requested else _stopped(trainer.status),
        "family": trainer.family.name,
        # Every named metric of the family (for mlp the keys above, the penalty and validation too).
        "metrics": {name: _num(final.metric(name)) for name in trainer.family.metric_names()},
    }
    print(json.dumps(summary))
    if interrupt.requested:
        return EXIT_INTERRUPTED
    return EXIT_DIVERGED if trainer.status == "diverged" else EXIT_OK


def _trainer_for(args: argparse.Namespace):
    """(Trainer, RunRecord): a new run of PROJECT, or the run saved in --resume RUN_DIR, continued."""
    from engine.run_record import RunRecord, check_resumable, resume_run
    from engine.train import build_trainer

    if args.epochs is not None and args.epochs < 1:
        raise SpecError("--epochs", f"must be a positive integer, got {args.epochs}")
    if args.history is not None and args.history < 1:
        raise SpecError("--history", f"must be a positive number of epochs, got {args.history}")
    epochs = [] if args.epochs is None else [f"training.epochs={args.epochs}"]
    if args.resume is not None:
        if args.project is not None:
            raise SpecError(
                "--resume", "continues the run folder's own project: give PROJECT or --resume, not both"
            )
        if args.set or args.device:
            raise SpecError(
                "--resume", "goes on with the run's own settings: --set and --device do not apply"
            )
        project = load_project_arg(str(check_resumable(args.resume) / "project.json"), epochs)
        return resume_run(args.resume, project, args.history)
    if args.project is None:
        raise SpecError(
            "main.py train", "needs a PROJECT (a *.json file or an example name), or --resume RUN_DIR"
        )
    if args.history is not None and args.out is None:
        raise SpecError("--history", "needs --out: the history is written into the run folder")
    overrides = list(args.set) + epochs
    if args.device:
        overrides.append(f"training.device={json.dumps(args.device)}")
    trainer = build_trainer(load_project_arg(args.project, overrides))
    return trainer, RunRecord.start(trainer, args.history)


def _stopped(status: str) -> str:
    return status if status != "paused" else "completed"


def _export(args: argparse.Namespace) -> int:
    """Export a run folder; bad input raises SpecError before anything is written."""
    from engine.export.models import export_run
    from engine.os_errors import describe_os_error, out_label

    try:
        written = export_run(args.run_dir, args.format, args.out, args.part)
    except OSError as exc:
        label = args.run_dir if _inside(exc.filename, args.run_dir) else out_label(args.out)
        raise describe_os_error(exc, label) from None
    print(json.dumps({"format": args.format, "out": str(written)}))
    return EXIT_OK


def _inside(filename: object, folder: str) -> bool:
    """Whether an OSError's file lies in `folder` (reading the run) rather than at --out (writing)."""
    if not isinstance(filename, str):
        return False
    try:
        return Path(filename).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, ValueError):
        return False


def _examples() -> int:
    from engine.examples import example_names, example_path, promises
    from engine.store import load_project

    for name in example_names():
        project = load_project(example_path(name))
        expect = ", ".join(f"{k} {op} {v:g}" for k, op, v in promises(project))
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
        done = snap.epoch >= self.total or snap.status != "running"
        if not done and now - self._last < (0.1 if self.tty else 2.0):
            return
        self._last = now
        if snap.train_loss is not None:
            loss = f"train {snap.train_loss:.4f}" + (
                f" test {snap.test_loss:.4f}" if snap.test_loss is not None else ""
            )
        else:  # another family: its first named metrics (mistakes, errors; reconstruction, ...)
            shown = [(k, v) for k, v in snap.metrics.items() if v is not None][:2]
            loss = " ".join(f"{k} {v:.4g}" for k, v in shown)
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
