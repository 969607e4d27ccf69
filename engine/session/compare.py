"""Compare mode: the session's runs become up to 8 variants of one project, trained side by side.

A mixin of engine.session.session.Session (its state lives there); the variants share their
initial weights where shapes allow and their batch order (engine/race/), so the only difference
between two runs is the setting that was varied.
"""

from __future__ import annotations

from engine.errors import SpecError
from engine.session.errors import describe
from engine.session.frames import MAIN_RUN


class CompareMode:
    """Session commands `compare` and `leave_compare`, and live settings while comparing."""

    def compare(self, variants) -> None:
        """Replace the runs with variants of the loaded project: `variants` is (label, overrides)
        pairs. They share the initial weights where shapes allow and the batch order
        (engine/race/). A bad variant changes nothing: the runs stay as they were."""
        from engine.race.variants import make_variants

        if self.project is None:
            self._send("failed", ("", "nothing to compare: the project could not be built"))
            return
        variants = tuple((str(label), dict(overrides)) for label, overrides in variants)
        try:
            trainers = make_variants(self.project, [overrides for _, overrides in variants])
        except SpecError as exc:
            self._send("failed", (exc.path, exc.reason))
            return
        except Exception as exc:  # noqa: BLE001
            self._send("failed", ("", describe(exc)))
            return
        self.running = False
        self.generation += 1
        self._frame_in_flight = False
        self.comparing = variants
        self.runs = {}
        for n, (trainer, (label, overrides)) in enumerate(zip(trainers, variants, strict=True), 1):
            run_id = f"run{n}"
            self.runs[run_id] = self._slot(run_id, trainer, label, overrides)
        for slot in self.runs.values():
            slot.trainer.set_budget(self.epoch_budget)
        self._started()
        self._send("compare_built", tuple(slot.info(self.generation) for slot in self.runs.values()))
        self.emit_frame()

    def leave_compare(self, run_id: str) -> None:
        """Keep run `run_id` (its weights, epoch and curves) as the one run; the others are dropped."""
        slot = self.runs.get(run_id)
        if self.comparing is None or slot is None:
            self._send("failed", ("", f"no run {run_id!r} to keep"))
            return
        self.running = False
        self.generation += 1
        self._frame_in_flight = False
        self.project, self.comparing = slot.trainer.project.copy(), None
        slot.run_id, slot.label, slot.overrides = MAIN_RUN, "", {}
        self.runs = {MAIN_RUN: slot}
        self._send("rebuilt", slot.info(self.generation, with_metrics=True))
        self.emit_frame()

    def apply_compare_training(self, project) -> None:
        """New training settings while comparing: every variant takes them live (its own override
        still applied), or the comparison is rebuilt from the new project."""
        from engine.race.variants import variant_project

        self.project = project
        slots = list(self.runs.values())
        try:
            live = all(
                slot.trainer.apply_live(variant_project(project, slot.overrides).training) for slot in slots
            )
        except SpecError:
            live = False  # a variant cannot take the new settings: the rebuild says why
        if live:
            self.emit_frame()
        else:
            self.compare(self.comparing)
