"""`main.py race PROJECT --vary KEY=V1,V2,...`: train up to 8 variants side by side, one JSON line each.

Every variant is checked and built before the first step, so a bad key or value exits 2 with one
line and nothing written. Each run's line has the meaning of `train`'s, plus its name ("run1", ...,
in the order of the --vary product) and its overrides as key paths: `train PROJECT --set
PATH=VALUE` with those reproduces that run exactly. "seconds" is the time from the race's start to
that run's end (the runs train together). With --out DIR each run is written to DIR/<run>/ as
`train --out` writes a run. Exit 0, 2 bad input, 3 when every run diverged, 130 on Ctrl-C (the
runs so far are saved when --out is given).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from engine.errors import SpecError

EXIT_OK, EXIT_DIVERGED, EXIT_INTERRUPTED = 0, 3, 130


def add_arguments(race: argparse.ArgumentParser) -> None:
    race.add_argument("project", help="a project file (*.json) or the name of a bundled example")
    race.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help="a key path or short name (optimizer, lr, init, batch_size, activation, l1, l2, dropout,"
        " schedule, seed) and its values; several --vary race their product (at most 8 runs)",
    )
    race.add_argument("--epochs", type=int, help="train this many epochs instead of training.epochs")
    race.add_argument(
        "--set", action="append", default=[], metavar="PATH=VALUE", help="override a key path in every run"
    )
    race.add_argument("--out", help="write each run to DIR/<run>/ as train --out writes it")


class _Everyone:
    """The race as EpochEndInterrupt sees one trainer: a stop request reaches every run."""

    def __init__(self, trainers):
        self.trainers = trainers

    def request_stop(self) -> None:
        for trainer in self.trainers:
            trainer.request_stop()


def race(args: argparse.Namespace) -> int:
    """The `race` sub-command; SpecError / OSError for bad input, raised before anything is trained."""
    from engine.cli import load_project_arg
    from engine.interrupt import EpochEndInterrupt
    from engine.os_errors import check_writable, describe_os_error, out_label
    from engine.race.short_keys import expand
    from engine.race.stepping import step_together
    from engine.race.variants import make_variants, parse_vary
    from engine.run_folder import write_run
    from engine.run_record import RunRecord

    overrides = list(args.set)
    if args.epochs is not None:
        if args.epochs < 1:
            raise SpecError("--epochs", f"must be a positive integer, got {args.epochs}")
        overrides.append(f"training.epochs={args.epochs}")
    choices = parse_vary(args.vary)  # before the project: a malformed --vary is named first
    project = load_project_arg(args.project, overrides)
    doc = project.to_dict()
    variants = [expand(doc, choice) for choice in choices]
    trainers = make_variants(project, variants)  # every variant validated and built, or SpecError
    names = [f"run{n}" for n in range(1, len(trainers) + 1)]
    outs = [Path(args.out) / name for name in names] if args.out else []  # none: nothing to write
    for out in outs:
        check_writable(out, out_label(str(out)))
    records = [RunRecord.start(t, None) for t in trainers] if outs else []  # weights before step one
    for trainer in trainers:
        trainer.play()
    progress = _Progress(trainers)
    ended: dict[int, float] = {}
    with EpochEndInterrupt(_Everyone(trainers)) as interrupt:
        start = time.perf_counter()
        while any(t.status == "running" for t in trainers) and not interrupt.requested:
            step_together(trainers)  # one round: an epoch of every running run
            now = time.perf_counter() - start
            for k, trainer in enumerate(trainers):
                if trainer.status != "running" and k not in ended:
                    ended[k] = now
            progress.update()
            interrupt.on_epoch_end()
        progress.close()
        seconds = time.perf_counter() - start
        cut = {k for k, t in enumerate(trainers) if t.status == "running"}
        for trainer in trainers:
            trainer.pause()  # an interrupted run is paused where it stopped, as train leaves it
        for name, trainer in zip(names, trainers, strict=True):
            if trainer.status in ("diverged", "early_stopping"):
                print(f"{name}: {trainer.message}", file=sys.stderr)
        for out, trainer, record in zip(outs, trainers, records, strict=False):  # a Ctrl-C waits for it
            try:
                write_run(trainer, out, record)
            except OSError as exc:
                raise describe_os_error(exc, out_label(str(out))) from None
    if interrupt.requested:
        saved = f"; saved the runs so far to {args.out}" if args.out else ""
        print(f"interrupted{saved}", file=sys.stderr)
    for k, (name, trainer, paths) in enumerate(zip(names, trainers, variants, strict=True)):
        stopped = "interrupted" if k in cut else _stopped(trainer.status)
        print(json.dumps(summary(name, paths, trainer, ended.get(k, seconds), stopped)))
    if interrupt.requested:
        return EXIT_INTERRUPTED
    return EXIT_DIVERGED if all(t.status == "diverged" for t in trainers) else EXIT_OK


def summary(name: str, overrides: dict, trainer, seconds: float, stopped: str) -> dict:
    """One run's JSON line: `train`'s fields, with the run's name and overrides first."""
    final = trainer.snapshot()
    return {
        "run": name,
        "overrides": overrides,
        "epochs": trainer.epoch,
        "steps": trainer.step_count,
        "train_loss": _num(final.train_loss),
        "test_loss": _num(final.test_loss),
        "train_accuracy": final.train_accuracy,
        "test_accuracy": final.test_accuracy,
        "val_loss": _num(final.val_loss),
        "val_accuracy": final.val_accuracy,
        "seconds": round(seconds, 3),
        "stopped": stopped,
        "family": trainer.family.name,
        "metrics": {name: _num(final.metric(name)) for name in trainer.family.metric_names()},
    }


def _stopped(status: str) -> str:
    return status if status != "paused" else "completed"


def _num(value: float | None) -> float | None:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return value


class _Progress:
    """The race's progress on stderr: a line rewritten on a terminal, a plain line every 2 s otherwise."""

    def __init__(self, trainers):
        self.trainers = trainers
        self.total = max(max(t.target for t in trainers), 1)
        self.tty = sys.stderr.isatty()
        self._last = 0.0

    def update(self) -> None:
        now = time.perf_counter()
        if now - self._last < (0.1 if self.tty else 2.0):
            return
        self._last = now
        running = [t for t in self.trainers if t.status == "running"]
        epoch = min((t.epoch for t in running), default=self.total)
        line = f"epoch {epoch}/{self.total}, {len(running)} of {len(self.trainers)} runs training"
        sys.stderr.write(f"\r{line}  " if self.tty else line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
