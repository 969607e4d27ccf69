"""Hundreds of rapid play / pause / step / reset / architecture / dataset changes: no crash, no hang."""

from __future__ import annotations

import random

from tests.gui.helpers import make_window

DATASETS = ("spiral", "circle", "xor", "gauss")


def test_rapid_control_cycles_leave_a_consistent_window(qtbot):
    window = make_window(qtbot)
    rng = random.Random(7)

    def add_layer(doc):
        if len(doc["network"]["layers"]) < 4:
            doc["network"]["layers"].append(
                {"type": "dense", "units": rng.randint(1, 6), "activation": "relu"}
            )

    def remove_layer(doc):
        if len(doc["network"]["layers"]) > 1:
            doc["network"]["layers"].pop()

    actions = [
        window.play,
        window.pause,
        window.step,
        window.reset,
        window.toggle_play,
        lambda: window.model.edit("add", add_layer),
        lambda: window.model.edit("remove", remove_layer),
        lambda: window.model.edit("data", lambda d: d["data"].update(name=rng.choice(DATASETS))),
        lambda: window.trainingPanel.learningRateSpin.setValue(rng.choice([0.003, 0.01, 0.03, 0.1])),
        lambda: window.model.undo_stack.undo(),
        lambda: window.model.undo_stack.redo(),
    ]
    for _ in range(300):
        rng.choice(actions)()
        qtbot.wait(rng.choice([0, 1, 5]))
    window.pause()
    # The session still answers: after the queue drains, one step is exactly one epoch.
    qtbot.waitUntil(lambda: window.run_info is not None, timeout=20000)
    qtbot.wait(300)
    qtbot.waitUntil(lambda: window.last_frame.command_id == window.training.command_id, timeout=20000)
    qtbot.waitUntil(lambda: window.last_frame.generation == window.run_info.generation, timeout=20000)
    qtbot.wait(200)
    epoch = window.last_frame.main.latest.epoch
    assert window.epoch == epoch
    assert f"Epoch {epoch:,}" == window.epochLabel.text()
    assert not window.running
    window.step()
    qtbot.waitUntil(lambda: window.epoch == epoch + 1, timeout=20000)
    assert window.training.process.is_alive()
    assert window.close()
    assert not window.training.thread.isRunning()
    assert not window.training.process.is_alive()
