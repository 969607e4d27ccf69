"""The validation split in the window: the Data panel's field edits data.validation_fraction, and the
loss/accuracy plot draws the validation curve beside train and test (listed only when there is one)."""

from engine.metrics import MetricsLog
from engine.spec.project import Project
from engine.train import Trainer
from gui.panels.data_panel import DataPanel
from gui.project_model import ProjectModel
from gui.views.curves import CurvesView


def panel(qtbot, doc=None):
    model = ProjectModel(Project.from_dict(doc or {"data": {"name": "xor"}}))
    widget = DataPanel(model)
    qtbot.addWidget(widget)
    return model, widget


def test_the_validation_field_edits_the_key_and_undoes(qtbot):
    model, widget = panel(qtbot)
    spin = widget.validationSpin
    assert spin.value() == 0 and spin.text() == "auto (none)"
    assert "early stopping" in spin.toolTip().lower() and "honest" in spin.toolTip()
    spin.setValue(20)
    assert model.project.data.validation_fraction == 0.2
    spin.setValue(0)
    assert model.project.data.validation_fraction == "auto"
    model.undo_stack.undo()
    assert model.project.data.validation_fraction == 0.2 and spin.value() == 20


def test_auto_says_what_it_holds_out_while_early_stopping_is_on(qtbot):
    model, widget = panel(qtbot)
    model.edit("Early stopping on", lambda doc: doc["training"]["early_stopping"].update(enabled=True))
    assert widget.validationSpin.text() == "auto (10%)"  # a fifth of the 50 % training share


def test_a_validation_share_the_training_share_cannot_hold_is_refused(qtbot):
    model, widget = panel(qtbot)
    rejected = []
    model.editRejected.connect(lambda path, reason: rejected.append(path))
    widget.validationSpin.setValue(60)  # the training share is 50 %
    assert rejected == ["data.validation_fraction"]
    assert model.project.data.validation_fraction == "auto" and widget.validationSpin.value() == 0


def curves_of(doc) -> MetricsLog:
    trainer = Trainer(Project.from_dict(doc))
    trainer.run()
    return trainer.metrics


def test_the_curves_show_validation_beside_train_and_test(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    legend = view.loss_plot.getPlotItem().legend

    def names():
        return [label.text for _, label in legend.items]

    with_split = {
        "data": {"name": "xor", "samples": 100, "validation_fraction": 0.2},
        "training": {"epochs": 3},
    }
    view.set_metrics(curves_of(with_split))
    assert "validation" in names() and view._val_loss.isVisible()
    assert len(view._val_loss.xData) == 3 and len(view._val_accuracy.xData) == 3  # epochs 1..3
    view.set_metrics(curves_of({"data": {"name": "xor", "samples": 100}, "training": {"epochs": 3}}))
    assert "validation" not in names() and names()[:2] == ["train", "test"]
