"""What the training session sends the window: a run's facts once it is built, frames, checkpoints.

Plain data only (numbers, numpy arrays, Snapshots), so it crosses the process pipe and the relay
thread without pinning the model or racing the optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAIN_RUN = "main"  # the run id outside compare mode


@dataclass(frozen=True)
class RunInfo:
    """What the views need to know about a freshly built run."""

    generation: int
    dataset: Any
    head: Any
    layer_infos: tuple
    backend: str
    device: str
    epochs: int
    grid: Any = None  # engine.probes.GridInputs: the points every probe of this run is drawn over
    run_id: str = MAIN_RUN
    label: str = ""  # how compare mode names the run, e.g. "optimizer = adam"
    overrides: dict = field(default_factory=dict)  # key path -> value: how it differs from the project
    epoch: int = 0  # epochs trained already (a run kept from compare mode, a resumed one)
    metrics: Any = None  # engine.metrics.MetricsLog of the epochs trained so far, or None when none


@dataclass(frozen=True)
class Checkpoint:
    """The weights of run `generation` after `epoch` epochs: what a new session resumes from."""

    generation: int
    epoch: int
    state: dict


@dataclass(frozen=True)
class RunFrame:
    """One run's news in a frame."""

    run_id: str
    label: str
    snapshots: tuple  # every Snapshot finished since the previous frame, oldest first
    latest: Any  # the current Snapshot (status and message included)
    # GridProbe over the input plane; a DenseProbe (the network's parameters) for the receiver to
    # compute over RunInfo.grid; or None for data without a 2-D view
    probe: Any
    status: str
    message: str = ""
    histograms: Any = None  # engine.inspect.histograms.Histograms, when the window shows them


@dataclass(frozen=True)
class Frame:
    """One repaint's worth of news from the training session: the runs that changed."""

    generation: int
    runs: tuple[RunFrame, ...]
    epochs_per_second: float  # of the first run (all runs of a comparison step together)
    running: bool
    command_id: int = 0  # the last play/pause/step command applied: older frames cannot override newer clicks

    def run(self, run_id: str) -> RunFrame | None:
        return next((r for r in self.runs if r.run_id == run_id), None)

    @property
    def main(self) -> RunFrame | None:
        """The run outside compare mode (None in a frame of a comparison)."""
        return self.run(MAIN_RUN)


@dataclass(frozen=True)
class HistoryView:
    """What the views show of run `run_id` at a past epoch (answering `show_epoch`)."""

    generation: int
    run_id: str
    requested: int  # the epoch asked for
    epoch: int  # the epoch shown: the latest kept at or before the one asked for
    snapshot: Any  # its metrics, measured on its parameters
    probe: Any  # as RunFrame.probe
    latest_epoch: int  # how far the run has trained
