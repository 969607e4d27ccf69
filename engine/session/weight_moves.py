"""Weights edited by hand in the running network: the session's `set_weight` and `swap_units`.

A mixin of engine.session.session.Session. Each edit writes into the main run's trainer
(engine/weight_edits.py) and is answered with a frame, so the window draws the edited network;
an edit that cannot be made is answered with `failed` and its reason, and changes nothing.
"""

from __future__ import annotations

from engine.errors import SpecError


class WeightMoves:
    """Session commands `set_weight` ((layer, out, in, value)), `swap_units` ((layer, i, j)) and
    `optimizer_step` ((generation, epoch, rows, lr))."""

    def optimizer_step(self, arg) -> None:
        """The step the main run's optimizer would take on training rows `rows` at rate `lr`, not
        taken (engine/optimizer_step.py); answered ("optimizer_step", (generation, epoch, rows,
        lr, deltas)) with the run's own generation and epoch, so the window can tell whether the
        weights it traced are the ones stepped."""
        from engine.optimizer_step import optimizer_step

        trainer = self.trainer
        if (
            trainer is None
            or self.comparing is not None
            or not isinstance(arg, (tuple, list))
            or len(arg) != 4
        ):
            self._send("failed", ("weights", "no single run to take an optimizer step on"))
            return
        _, _, rows, lr = arg
        try:
            deltas = optimizer_step(trainer, rows, lr)
        except SpecError as exc:
            self._send("failed", (exc.path, exc.reason))
            return
        self._send("optimizer_step", (self.generation, trainer.epoch, list(rows), lr, deltas))

    def set_weight(self, arg) -> None:
        """Weight (out, in) of weight matrix `layer` (the head last) becomes `value`; training,
        running or not, goes on from it."""
        from engine.weight_edits import set_weight

        self._edit_weights(lambda trainer: set_weight(trainer, *arg), arg, 4)

    def swap_units(self, arg) -> None:
        """Hidden units i and j of hidden layer `layer` trade places (pausing first, so the map
        drawn next shows the same weights, permuted)."""
        from engine.weight_edits import swap_units

        self.pause()
        self._edit_weights(lambda trainer: swap_units(trainer, *arg), arg, 3)

    def _edit_weights(self, edit, arg, count: int) -> None:
        if self.trainer is None:
            self._send("failed", ("weights", "there is no network to edit: the project did not build"))
            return
        if self.comparing is not None:
            self._send("failed", ("weights", "weights are edited outside compare mode"))
            return
        if not isinstance(arg, (tuple, list)) or len(arg) != count:
            self._send("failed", ("weights", f"a weight edit takes {count} values, not {arg!r}"))
            return
        try:
            edit(self.trainer)
        except SpecError as exc:
            self._send("failed", (exc.path, exc.reason))
            return
        # The edited weights replace the kept ones of this epoch: looking back at it, or branching
        # from it, shows the network as the learner left it, not as it was before the edit.
        from engine.session.frames import MAIN_RUN

        self.runs[MAIN_RUN].history.record(self.trainer.epoch, self.trainer.epoch_state)
        self._frame_in_flight = False  # a deliberate edit is always shown
        self.emit_frame()
