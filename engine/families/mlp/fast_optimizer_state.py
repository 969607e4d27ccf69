"""The fast path's optimizer state in a run folder: the update rule's buffers and counters out, and back in."""

from __future__ import annotations

import numpy as np


class SavedUpdateRule:
    """Mixin for NumpyBackend: optimizer_state() and load_optimizer_state(), as the torch backend has."""

    def optimizer_state(self) -> tuple[dict[str, np.ndarray], dict]:
        """The update rule's state beyond the weights, as copies: the moment buffers and the
        playground's dead-weight masks (arrays), and the step counters (JSON-able)."""
        rule = self._rule
        tensors = {f"m.{k}": m.copy() for k, m in enumerate(rule.m)}
        tensors |= {f"v.{k}": v.copy() for k, v in enumerate(rule.v)}
        tensors |= {f"dead.{k}": d.copy() for k, d in enumerate(self._dead)}
        info = {
            "name": self.optimizer_name,
            "momentum_started": rule.momentum_started,
            "t": rule.t,
            "any_dead": self._any_dead,
        }
        return tensors, info

    def load_optimizer_state(self, tensors: dict[str, np.ndarray], info: dict) -> None:
        """Adopt what optimizer_state() returned; SpecError (and nothing changed) if it does not fit."""
        from engine.errors import SpecError

        if info.get("name") != self.optimizer_name:
            raise SpecError(
                "optimizer",
                f"the state is {info.get('name')!r}'s, this run trains with {self.optimizer_name!r}",
            )
        own = {
            f"{kind}.{k}": a
            for kind, arrays in (("m", self._rule.m), ("v", self._rule.v), ("dead", self._dead))
            for k, a in enumerate(arrays)
        }
        if set(tensors) != set(own):
            raise SpecError(
                "optimizer", f"the state holds {len(tensors)} buffers, this network needs {len(own)}"
            )
        for key, array in own.items():
            if tensors[key].shape != array.shape:
                raise SpecError(
                    "optimizer",
                    f"buffer {key} has shape {tensors[key].shape}, the network needs {array.shape}",
                )
        for key, array in own.items():  # in place: the lists stay the arrays the update rule walks
            array[...] = tensors[key]
        self._rule.momentum_started = bool(info["momentum_started"])
        self._rule.t = int(info["t"])
        self._any_dead = bool(info["any_dead"])
