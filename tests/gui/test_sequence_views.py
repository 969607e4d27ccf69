"""The window on the LSTM example: the sample over time, the hidden state and gates as heat maps
and the gradient through time are drawn from the session's probe, and picking another test sample
makes the session probe that sample. No slot may raise."""

from __future__ import annotations

import numpy as np

from engine.inspect.sequences import SequenceProbe
from gui.views.sequence_plots import HIDDEN
from tests.gui.helpers import open_example


def probe(window) -> SequenceProbe | None:
    shown = window.last_frame.main.probe if window.last_frame is not None else None
    return shown if isinstance(shown, SequenceProbe) else None


def test_the_lstm_example_shows_its_sequence_gates_and_gradient(qtbot, window, tracebacks):
    open_example(qtbot, window, "sequence_lstm")
    window.step()
    qtbot.waitUntil(lambda: probe(window) is not None and probe(window).epoch >= 1, timeout=30000)
    views = window.outputPanel.dataViews.page
    qtbot.waitUntil(lambda: views.probe is probe(window), timeout=10000)
    shown = probe(window)
    for name in ("sequenceView", "gateView", "bpttView"):
        assert views.findChild(object, name) is not None and getattr(views, name).isVisible(), name
    # The sample over time, its target and prediction after the last step.
    xs, ys = views.sequenceView.input_curves[0].getData()
    assert np.allclose(xs, np.arange(1, 21)) and np.allclose(ys, shown.inputs[:, 0])
    assert np.allclose(views.sequenceView.target_item.getData()[1], shown.target)
    assert np.allclose(views.sequenceView.prediction_item.getData()[1], shown.prediction)
    # The hidden state as units x steps, then a gate chosen from the LSTM's five.
    gate = views.gateView
    assert gate.shown == HIDDEN and np.array_equal(gate.values, shown.hidden.T)
    choices = [views.gateChoice.itemText(i) for i in range(views.gateChoice.count())]
    assert choices == [
        HIDDEN,
        "input gate i",
        "forget gate f",
        "cell candidate g",
        "output gate o",
        "cell state c",
    ]
    views.gateChoice.setCurrentText("forget gate f")
    assert gate.shown == "forget gate f" and np.array_equal(gate.values, dict(shown.gates)["forget gate f"].T)
    assert "LSTM (layer 1)" in gate.caption.text
    # The gradient through time, one point per step, on the log axis.
    assert np.allclose(views.bpttView.curve.getData()[0], np.arange(1, 21))
    assert np.allclose(views.bpttView.norms, shown.hidden_grad)
    assert views.bpttView.getPlotItem().getAxis("left").logMode
    assert views.summary.text().startswith(f"test sample {shown.sample}:")
    # Another sample: the session probes it, and every view follows.
    before = shown.inputs.copy()
    views.sampleSpin.setValue(7)
    qtbot.waitUntil(lambda: probe(window) is not None and probe(window).sample == 7, timeout=10000)
    qtbot.waitUntil(lambda: views.probe is probe(window), timeout=10000)
    picked = probe(window)
    assert not np.array_equal(picked.inputs, before)
    assert np.allclose(views.sequenceView.input_curves[0].getData()[1], picked.inputs[:, 0])
    assert np.array_equal(gate.values, dict(picked.gates)["forget gate f"].T)
    assert np.allclose(views.bpttView.norms, picked.hidden_grad)
    assert views.summary.text().startswith("test sample 7:")
    assert tracebacks == []


def made_probe(layer_kind: str, gates: tuple, classification: bool = True) -> SequenceProbe:
    steps, units = 6, 3
    rng = np.random.default_rng(0)
    return SequenceProbe(
        epoch=1,
        sample=2,
        n_samples=10,
        split="test",
        inputs=rng.integers(0, 2, (steps, 1)).astype(np.float32),
        input_names=("bit",),
        classification=classification,
        class_names=("even", "odd"),
        target=np.array([1.0], np.float32),
        prediction=np.array([0.3, 0.7], np.float32),
        loss=0.36,
        layer=0 if layer_kind else None,
        layer_kind=layer_kind,
        units=units if layer_kind else 0,
        hidden=rng.uniform(-1, 1, (steps, units)).astype(np.float32)
        if layer_kind
        else np.zeros((0, 0), np.float32),
        gates=tuple((name, rng.uniform(0, 1, (steps, units)).astype(np.float32)) for name in gates),
        hidden_grad=np.geomspace(1e-4, 1e-1, steps) if layer_kind else np.zeros(0),
    )


def test_a_gru_and_a_stack_without_recurrence_are_drawn(qtbot, tracebacks):
    from gui.views.sequence_views import SequenceViews

    views = SequenceViews()
    qtbot.addWidget(views)
    views.resize(520, 480)
    views.show()
    gru = made_probe("gru", ("reset gate r", "update gate z", "candidate n"))
    views.show_probe(gru)
    assert [views.gateChoice.itemText(i) for i in range(views.gateChoice.count())] == [
        HIDDEN,
        "reset gate r",
        "update gate z",
        "candidate n",
    ]
    views.gateChoice.setCurrentText("update gate z")
    assert np.array_equal(views.gateView.values, dict(gru.gates)["update gate z"].T)
    assert "step 1 gets 0.001×" in views.bpttView.getPlotItem().titleLabel.text
    assert "target <b>odd</b> · prediction <b>odd</b> (70%)" in views.summary.text()
    assert views.sampleSpin.value() == 2  # the session's sample, until the user picks one
    plain = made_probe("", ())
    views.show_probe(plain)
    assert views.gateChoice.count() == 0 and not views.gateChoice.isEnabled()
    assert views.gateView.shown == "" and "no recurrent layer" in views.gateView.caption.text
    assert "no recurrent layer" in views.bpttView.getPlotItem().titleLabel.text
    drawn = views.bpttView.curve.getData()[0]
    assert drawn is None or len(drawn) == 0
    assert tracebacks == []
