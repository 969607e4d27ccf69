"""One move of one player of a GAN at a time (GAN Lab's slow motion): the session's `update` command.

A mixin of engine.session.session.Session.
"""

from __future__ import annotations

PLAYERS = ("discriminator", "generator")


class PlayerMoves:
    """Session command `update`."""

    def update_player(self, player: str) -> None:
        """One update of one player of a GAN (pausing first), then show it."""
        if not self.runs:
            return
        self.pause()
        trainer = self.trainer
        if not hasattr(trainer, "update") or player not in PLAYERS:
            self._send("failed", ("", "one update at a time is for a GAN's discriminator or generator"))
            return
        trainer.update(player)
        self._frame_in_flight = False  # a deliberate update is always shown
        self.emit_frame()
