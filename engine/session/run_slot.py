"""One run the session trains: its Trainer, the grid its maps are drawn over, and its next frame's news."""

from __future__ import annotations

from typing import Any

from engine.history import ParameterHistory
from engine.session.frames import RunFrame, RunInfo


class RunSlot:
    """A Trainer with an id and a label, its parameters' history, and the snapshots finished since
    its last frame."""

    def __init__(
        self,
        run_id: str,
        trainer,
        grid: Any,
        label: str = "",
        overrides: dict | None = None,
        history: ParameterHistory | None = None,
    ):
        self.run_id = run_id
        self.trainer = trainer
        self.grid = grid  # engine.probes.GridInputs, or None for data without a 2-D view
        self.label = label
        self.overrides = dict(overrides or {})
        self.pending: list = []
        self.frame_step = -1  # the trainer's step count when its last frame was made
        self.history = history if history is not None else ParameterHistory()
        if not len(self.history) or self.history.epochs[-1] != trainer.epoch:
            self.history.record(trainer.epoch, trainer.epoch_state)

    @property
    def has_news(self) -> bool:
        """Finished epochs, or steps taken since the last frame (an epoch of a big set takes many frames)."""
        return bool(self.pending) or self.trainer.step_count != self.frame_step

    def collect(self) -> None:
        """Keep the epoch just finished for the next frame, and its parameters for the history."""
        snap = self.trainer.last_snapshot
        if snap is not None and (not self.pending or self.pending[-1].epoch != snap.epoch):
            self.pending.append(snap)
            self.history.record(snap.epoch, self.trainer.epoch_state)

    def info(self, generation: int, with_metrics: bool = False) -> RunInfo:
        trainer = self.trainer
        return RunInfo(
            generation=generation,
            dataset=trainer.dataset,
            head=trainer.head,
            layer_infos=tuple(trainer.layer_infos),
            backend=trainer.backend_name,
            device=str(trainer.device),
            epochs=trainer.training.epochs,
            grid=self.grid,
            run_id=self.run_id,
            label=self.label,
            overrides=dict(self.overrides),
            epoch=trainer.epoch,
            metrics=_copy(trainer.metrics) if with_metrics and len(trainer.metrics) else None,
        )

    def frame(self, probe: Any, histograms: Any = None) -> RunFrame:
        """This run's part of a frame; what it carried is then forgotten."""
        trainer = self.trainer
        snapshots, self.pending = tuple(self.pending), []
        self.frame_step = trainer.step_count
        return RunFrame(
            run_id=self.run_id,
            label=self.label,
            snapshots=snapshots,
            latest=trainer.snapshot(),
            probe=probe,
            status=trainer.status,
            message=trainer.message,
            histograms=histograms,
        )


def _copy(log):
    import copy

    return copy.deepcopy(log)


def advance(slots: list[RunSlot]) -> None:
    """Train the running slots a little, each keeping the epochs it finishes for its next frame.

    Runs on the compiled fast path take an epoch each (at most 64 batches) in one compiled call,
    as a lone run's run_epoch() does (the same numbers), ~2x the speed of taking their batches in
    turn; a round of 8 spirals is ~5 ms, so a click still applies within a few milliseconds.
    Otherwise each takes one batch in turn.
    """
    from engine.race.stepping import batchable, step_together

    epochs = [slot.trainer.epoch for slot in slots]
    if all(batchable(slot.trainer) for slot in slots):
        step_together([slot.trainer for slot in slots])
    else:
        for slot in slots:
            slot.trainer.step()
    for slot, epoch in zip(slots, epochs, strict=True):
        if slot.trainer.epoch != epoch:
            slot.collect()
