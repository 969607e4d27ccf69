"""Step through backpropagation on the network view, set a weight by hand, swap two hidden units.

The numbers come from engine/backprop_trace.py, computed here from the weights the session last
sent (its Checkpoint, sent at every pause and every step), the run's training data and the
project: exactly what the trainer computes on that point (tests/engine/test_backprop_trace.py).
Edits go to the session as commands (`set_weight`, `swap_units`, engine/session/weight_moves.py)
and come back as frames, so training continues from them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.data.base import PM1_NAMES
from engine.errors import SpecError
from gui.views.backprop_marker import TRACED_COLOR, TracedPointMarker
from gui.views.backprop_stages import build_stages, number
from gui.views.legend import class_text
from gui.widgets.param_form import tag

STEP_TIP = (
    "Pause and follow one training point through the forward pass, the loss, the backward pass "
    "and the update, stage by stage"
)
POLL_MS = 100  # how often the step-through looks for weights newer than those it traced


class BackpropPanel(QWidget):
    """The network view, with the step-through's bar (backpropButton, Back, Next) above it.

    `window` is the MainWindow: its run (run_info), last weights (_checkpoint), project, Play
    state and session are what the step-through reads and commands.
    """

    def __init__(self, network_view, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.view, self.main = network_view, window
        self.ask_weight = self._ask_weight  # tests replace it: (prompt, current) -> text or None
        self.stages: list = []
        self.index = 0
        self.trace = None
        self.last_message = ""
        self._traced = None  # (checkpoint, point, lr) the stages were built from
        self._swap: tuple[int, int, int] | None = None  # a swap sent, until its frame is drawn
        self._last_probe = None
        self._net, self._point_text = None, ""
        self._asked: tuple | None = None  # the optimizer_step asked of the session, until answered
        self.button = tag(
            QPushButton("Step through backprop"),
            "backpropButton",
            "Step through backprop",
            STEP_TIP,
        )
        self.button.setCheckable(True)
        self.button.setEnabled(False)
        self.pointSpin = tag(QSpinBox(), "backpropPoint", "Training point")
        self.pointSpin.setPrefix("point ")
        self.backButton = tag(QPushButton("◀ Back"), "backpropBack", "Previous stage")
        self.nextButton = tag(QPushButton("Next ▶"), "backpropNext", "Next stage")
        self.stageLabel = QLabel()
        self.stageLabel.setObjectName("backpropStage")
        self.stageLabel.setWordWrap(True)
        self.stageLabel.setStyleSheet("QLabel { background: #e8f0fe; color: #202124; padding: 4px; }")
        # Said once, above every stage: the step shown is one point's, not the optimizer's batch step.
        self.scopeLabel = QLabel()
        self.scopeLabel.setObjectName("backpropScope")
        self.scopeLabel.setWordWrap(True)
        self.scopeLabel.setTextFormat(Qt.TextFormat.RichText)
        self.scopeLabel.setStyleSheet("QLabel { color: #3c4043; padding: 0 4px; }")
        self._marker = None  # the ring on the decision map, made on first use (backprop_marker.py)
        # Two rows: in one, the four buttons set the column's width past what a 1024 px window has.
        bar, steps = QHBoxLayout(), QHBoxLayout()
        bar.addWidget(self.button)
        bar.addStretch(1)
        for widget in (self.pointSpin, self.backButton, self.nextButton):
            steps.addWidget(widget)
        steps.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(bar)
        column.addLayout(steps)
        column.addWidget(self.scopeLabel)
        column.addWidget(self.stageLabel)
        column.addWidget(network_view, 1)
        self._show_controls(False)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_poll)
        self.button.toggled.connect(self._on_button_toggled)
        self.backButton.clicked.connect(lambda: self.go(self.index - 1))
        self.nextButton.clicked.connect(lambda: self.go(self.index + 1))
        self.pointSpin.valueChanged.connect(lambda _: self._on_poll())
        network_view.probeShown.connect(self._on_probe_shown)
        network_view.edgeClicked.connect(self._on_edge_clicked)
        network_view.swapRequested.connect(self._on_swap_requested)

    # -- the step-through -------------------------------------------------------------------
    def _on_button_toggled(self, on: bool) -> None:
        self._show_controls(on)
        if not on:
            self._timer.stop()
            self.stages, self._traced, self.trace = [], None, None
            self.view.clear_stage()
            self.marker().hide()
            return
        if self.main.running:
            self.main.pause()  # the weights must hold still to be followed through a step
        self.index = 0
        self._timer.start()
        self._on_poll()

    def _show_controls(self, on: bool) -> None:
        for widget in (self.pointSpin, self.backButton, self.nextButton, self.scopeLabel, self.stageLabel):
            widget.setVisible(on)

    def go(self, index: int) -> None:
        """Show stage `index` (clamped to the stages there are)."""
        if not self.stages:
            return
        self.index = max(0, min(index, len(self.stages) - 1))
        stage = self.stages[self.index]
        hover = " (Wide layers: hover a unit for its numbers.)" if self.view.show_stage(stage) else ""
        self.stageLabel.setText(f"Stage {self.index + 1} of {len(self.stages)}. {stage.sentence}{hover}")
        self.backButton.setEnabled(self.index > 0)
        self.nextButton.setEnabled(self.index < len(self.stages) - 1)

    def _on_poll(self) -> None:
        """Trace again when newer weights, another point or another learning rate are there."""
        if not self.button.isChecked():
            return
        if self.main.running:  # Play pressed: the weights move on, and the stages would be stale
            self.button.setChecked(False)
            self._say("Step-through closed: training goes on. Pause and press it again to follow a step.")
            return
        checkpoint, info = self.main._checkpoint, self.main.run_info
        if checkpoint is None or info is None or checkpoint.generation != info.generation:
            return
        point, lr = self.pointSpin.value(), self._learning_rate()
        traced = self._traced  # the checkpoint by identity: its == would compare the weight arrays
        if (
            traced is not None and traced[0] is checkpoint and traced[1:] == (point, lr)
        ) or not self.view.draws_units:
            return
        self._traced = (checkpoint, point, lr)
        try:
            self.stages = self._build(checkpoint.state, info, point, lr)
        except (SpecError, KeyError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, SpecError) else str(exc)
            self.stages = []
            self.view.clear_stage()
            self.marker().hide()
            self.scopeLabel.setText("")
            self.stageLabel.setText(f"Cannot step through this network: {reason}")
            return
        self._show_scope(info, point)
        self.go(self.index)

    def _build(self, state, info, point: int, lr: float) -> list:
        from engine.backprop_trace import sgd_update, trace_training_rows

        project = self.main.model.project
        net, self.trace = trace_training_rows(state, project, info.dataset, info.head, [point])
        update = sgd_update(net, self.trace, lr, project.training)
        self._net, self._point_text = (
            net,
            self._describe(info, point, self.trace.inputs[0], self.trace.targets[0]),
        )
        self._asked = None
        if not update.exact:  # the optimizer's own step reads averages only the session holds
            checkpoint = self.main._checkpoint
            self._asked = (checkpoint.generation, checkpoint.epoch, [point], lr)
            self.main.training.send("optimizer_step", self._asked)
        return build_stages(net, self.trace, update, lr, self._point_text)

    def marker(self):
        """The traced point's ring on the decision map (gui/views/backprop_marker.py)."""
        if self._marker is None:
            self._marker = TracedPointMarker(self.main.boundaryView.getPlotItem())
        return self._marker

    def _show_scope(self, info, point: int) -> None:
        """Ring the point on the map and say plainly that the step shown is this point's alone."""
        data = info.dataset
        name = class_text(data.class_names, int(data.y_train[point])) if info.head.classification else ""
        on_map = data.kind == "points2d"
        if on_map:
            x, y = data.x_train[point][:2]
            self.marker().show(x, y, f"traced: #{point}" + (f" ({name})" if name else ""))
        else:
            self.marker().hide()
        batch = self.main.model.project.training.batch_size
        n = len(data.x_train)
        size = n if batch == "all" else min(int(batch), n)
        where = (
            f" — ringed in <span style='color:{TRACED_COLOR}'><b>magenta</b></span> on the map"
            if on_map
            else ""
        )
        batch_text = "the whole training set" if size >= n else f"a batch of {size:,} points"
        self.scopeLabel.setText(
            f"This follows <b>one</b> training point, #{point}{where}. Training itself averages "
            f"∂L/∂w over {batch_text} before each step, so the update shown is the step this one "
            "point alone would make, not the optimizer's step."
            if size > 1
            else f"This follows one training point, #{point}{where}. With batch size 1 each step "
            "of training is exactly this one point's step."
        )

    def show_optimizer_step(self, payload) -> None:
        """The session's answer to optimizer_step: the exact update, shown in place of the plain
        gradient step when it is the step of the weights traced."""
        generation, epoch, rows, lr, deltas = payload
        if self._asked is None or (generation, epoch, list(rows), lr) != tuple(self._asked):
            return  # the weights moved on (or another point was picked) since it was asked
        from engine.backprop_trace import WeightUpdate, layer_keys

        keys = layer_keys(len(self._net.weights) - 1)
        name = self.main.model.project.training.optimizer["name"]
        update = WeightUpdate(
            tuple(deltas[f"{key}.weight"] for key in keys),
            tuple(deltas[f"{key}.bias"] for key in keys),
            True,
            f"{name}: the optimizer's own step on this point (lr = {lr:g}), taken by the training "
            "process on a copy of its running averages and then undone",
        )
        self.stages = build_stages(self._net, self.trace, update, lr, self._point_text)
        self.go(self.index)

    def _learning_rate(self) -> float:
        """The rate of the last step (the schedule's, from the latest snapshot), else the setting."""
        frame = self.main.last_frame
        latest = None if frame is None or frame.main is None else frame.main.latest
        if latest is not None and latest.lr is not None and latest.epoch > 0:
            return float(latest.lr)
        return float(self.main.model.project.training.optimizer["lr"])

    @staticmethod
    def _describe(info, point: int, seen, target) -> str:
        """The point as the data has it and, when preprocessing changes it, as the network sees it
        (the diagram's inputs): a learner redoing the sums by hand must find the same numbers. Its
        class is named as the map's key names it; the number the loss compares with is `target`."""
        data = info.dataset
        raw = data.x_train[point][:4]
        coords = ", ".join(f"x{k + 1} = {number(v)}" for k, v in enumerate(raw))
        label = data.y_train[point]
        if info.head.classification:
            label = f"{class_text(data.class_names, int(label))}{_target_note(info.head, target, data.class_names)}"
        else:
            label = f"target {number(label)}"
        if len(seen) != len(raw) or not np.allclose(seen, raw):
            inputs = ", ".join(number(v) for v in seen[:8])
            return f"#{point} at {coords}, {label}, which the network sees preprocessed as {inputs},"
        return f"#{point} at {coords}, {label},"

    # -- frames drawn -------------------------------------------------------------------------
    def _on_probe_shown(self, probe) -> None:
        info = self.main.run_info
        usable = self.view.draws_units and info is not None and self.main.family == "mlp"
        self.button.setEnabled(usable)
        self.button.setToolTip(
            STEP_TIP if usable else "Step-through needs a dense network drawn unit by unit (2-D data)"
        )
        if usable:
            self.pointSpin.setMaximum(max(len(info.dataset.x_train) - 1, 0))
        elif self.button.isChecked():
            self.button.setChecked(False)
        if self._swap is not None and _is_swap_of(self._last_probe, probe, *self._swap):
            change = float(np.max(np.abs(np.asarray(probe.output) - np.asarray(self._last_probe.output))))
            layer, i, j = self._swap
            self._swap = None
            self._say(
                f"Swapped hidden units {i + 1} and {j + 1} of layer {layer + 1}: the decision map changed by "
                f"at most {change:.2g}. The same function, with its units in another order."
            )
        if getattr(probe, "weights", ()):
            self._last_probe = probe

    # -- edits --------------------------------------------------------------------------------
    def _on_edge_clicked(self, matrix: int, out: int, inp: int) -> None:
        state = None if self.main._checkpoint is None else self.main._checkpoint.state
        weights = self.view._weights
        if matrix >= len(weights):
            return
        if weights[matrix].shape[0] > 1 and self.view.edges[matrix].shape[0] == 1:
            out = int(np.abs(weights[matrix][:, inp]).argmax())  # the head's strongest, as drawn
        key = f"{'head' if matrix == len(weights) - 1 else f'layers.{matrix}'}.linear.weight"
        current = (
            float(state[key][out, inp])
            if state is not None and key in state
            else float(weights[matrix][out, inp])
        )
        text = self.ask_weight(
            f"Weight from unit {inp + 1} into unit {out + 1} of layer {matrix + 1}:", current
        )
        if text is None:
            return
        try:
            value = float(str(text).strip().replace("−", "-"))
        except ValueError:
            self._say(f"A weight must be a number; {text!r} is not one. Nothing was changed.")
            return
        if not np.isfinite(value):
            self._say(f"A weight must be a finite number, not {value}. Nothing was changed.")
            return
        self.main.training.send("set_weight", (matrix, out, inp, value))
        self._say(f"Weight from unit {inp + 1} into unit {out + 1} of layer {matrix + 1} set to {value:g}.")

    def _on_swap_requested(self, layer: int, i: int, j: int) -> None:
        if self.main.running:
            self.main.pause()
        self._swap = (layer, i, j)
        self.main.training.send("swap_units", (layer, i, j))

    def _ask_weight(self, prompt: str, current: float) -> str | None:
        text, ok = QInputDialog.getText(self, "Set a weight", prompt, text=f"{current:.6g}")
        return text if ok else None

    def _say(self, text: str) -> None:
        self.last_message = text
        self.main.show_message(text, 15000)


def _target_note(head, target, names) -> str:
    """What the loss compares the output with, where that number is not the class's name: BCE and a
    sigmoid read the two classes as 0 and 1 (the key's −1 and +1), several outputs as one-hot."""
    values = np.atleast_1d(np.asarray(target, dtype=float))
    first, second = class_text(names, 0), class_text(names, 1)
    if head.target_kind == "pm1":
        if tuple(names) == PM1_NAMES:
            return ""  # a tanh output's target is the class's own −1 or +1
        return f" (the loss's target {number(values[0])}: it counts {first} as −1, {second} as +1)"
    if head.target_kind == "binary":
        return f" (the loss's target {number(values[0])}: it counts {first} as 0, {second} as 1)"
    if head.target_kind == "onehot":
        return f" (the loss's target {', '.join(number(v) for v in values)}, one-hot)"
    return ""


def _is_swap_of(before, after, layer: int, i: int, j: int) -> bool:
    """Whether `after`'s weights are `before`'s with hidden units i and j of `layer` traded."""
    if (
        before is None
        or after is None
        or len(before.weights) != len(after.weights)
        or layer + 1 >= len(after.weights)
    ):
        return False
    incoming, outgoing = np.array(before.weights[layer]), np.array(before.weights[layer + 1])
    incoming[[i, j]] = incoming[[j, i]]
    outgoing[:, [i, j]] = outgoing[:, [j, i]]
    return np.array_equal(incoming, after.weights[layer]) and np.array_equal(
        outgoing, after.weights[layer + 1]
    )
