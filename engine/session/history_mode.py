"""Scrubbing back through a run's past and branching from it (issue 9 §3).

A mixin of engine.session.session.Session. `show_epoch` answers with what the views show of a
past epoch: the parameters kept for it (engine/history.py) are swapped into the run's network
for a moment, measured and probed like a live frame, and swapped back, so the run itself does
not change. `branch` starts a new run from a past epoch with some settings changed; the run it
came from is kept, and both train side by side in compare mode.
"""

from __future__ import annotations

import copy
import dataclasses
from contextlib import contextmanager
from dataclasses import replace

from engine.errors import SpecError
from engine.session.frames import MAIN_RUN, HistoryView

MAX_RUNS = 8  # compare mode's limit, branches included


class HistoryMode:
    """Session commands `show_epoch` and `branch`."""

    def show_epoch(self, arg) -> None:
        """(run id, epoch): send a HistoryView of that run at the latest kept epoch at or before it."""
        from engine.probes import run_probe

        run_id, epoch = arg
        slot = self.runs.get(run_id)
        if slot is None:
            self._send("failed", ("", f"no run {run_id!r} to look back at"))
            return
        kept = slot.history.at(int(epoch))
        if kept is None:
            self._send("failed", ("", f"run {run_id!r} has no epoch {epoch} in its history"))
            return
        shown, state = kept
        trainer = slot.trainer
        with _weights(trainer, state):
            snapshot = replace(trainer.evaluate(), epoch=shown, status="history")
            probe = run_probe(trainer, slot.grid, units=True, data=self.view_options)
        if dataclasses.is_dataclass(probe) and hasattr(probe, "epoch"):
            probe = replace(probe, epoch=shown)  # a family's probe reads the live run's epoch
        self._send(
            "history_shown",
            HistoryView(self.generation, run_id, int(epoch), shown, snapshot, probe, trainer.epoch),
        )

    def branch(self, arg) -> None:
        """(run id, epoch, label, overrides): a new run from that run's parameters at `epoch`, with
        the overrides applied to its project; the runs then train side by side in compare mode.
        A branch whose network does not fit those parameters changes nothing."""
        from engine.race.variants import variant_project
        from engine.train import build_trainer

        run_id, epoch, label, overrides = arg
        parent = self.runs.get(run_id)
        if parent is None or self.running:
            self._send("failed", ("", "pause first, then branch from a past epoch of a run"))
            return
        if len(self.runs) >= MAX_RUNS:
            self._send("failed", ("", f"at most {MAX_RUNS} runs side by side; keep one to branch again"))
            return
        kept = parent.history.at(int(epoch))
        if kept is None:
            self._send("failed", ("", f"run {run_id!r} has no epoch {epoch} in its history"))
            return
        start, state = kept
        try:
            project = variant_project(parent.trainer.project, dict(overrides))
            trainer = build_trainer(project, dataset=parent.trainer.dataset)
            trainer.load_state_dict(state)
        except SpecError as exc:
            self._send("failed", (exc.path, f"cannot branch: {exc.reason}"))
            return
        _set_back(trainer, parent.trainer, start)
        self.generation += 1
        self._frame_in_flight = False
        if self.comparing is None:  # the run so far becomes the comparison's first
            parent.run_id, parent.label = "run1", parent.label or "original"
            self.runs = {"run1": parent}
        new_id = _free_id(self.runs)
        branch_label = label or f"branch at epoch {start}"
        history = parent.history.copy_until(start)
        self.runs[new_id] = self._slot(new_id, trainer, branch_label, dict(overrides), history)
        self.comparing = tuple((slot.label, slot.overrides) for slot in self.runs.values())
        self._started()
        self._send(
            "compare_built", tuple(s.info(self.generation, with_metrics=True) for s in self.runs.values())
        )
        self.emit_frame()


@contextmanager
def _weights(trainer, state):
    """The trainer's network holds `state` inside the block, its own weights again after it."""
    holder = getattr(trainer, "backend", None)  # the mlp family swaps its backend's weights only
    put = holder.load_state_dict if holder is not None else trainer.swap_in
    own = (holder or trainer).state_dict()
    put(state)
    try:
        yield
    finally:
        put(own)


def _set_back(trainer, parent, epoch: int) -> None:
    """A fresh Trainer made to look as if it had trained `epoch` epochs of its parent's run."""
    trainer.epoch = epoch
    trainer.metrics = copy.deepcopy(parent.metrics)
    trainer.metrics.truncate(epoch)
    rows = trainer.metrics
    if len(rows):
        trainer.step_count = int(rows.column("step")[-1])
        trainer.elapsed = float(rows.column("seconds")[-1])
    trainer.last_snapshot = None  # measured afresh on the loaded weights
    trainer.target = epoch + trainer.training.epochs


def _free_id(runs) -> str:
    n = 1
    while f"run{n}" in runs or f"run{n}" == MAIN_RUN:
        n += 1
    return f"run{n}"
