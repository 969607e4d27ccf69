"""The table views' probe: iris's confusion matrix and a CSV regressor's predicted against actual,
both against the exported model's own predictions on the test split."""

import numpy as np
import pytest
import torch

from engine.export.models import export_torchscript
from engine.inspect import inspect_probe
from engine.inspect.tables import TableProbe
from engine.spec.project import Project
from engine.train import Trainer


def train(data: dict, epochs: int = 20) -> Trainer:
    project = Project.from_dict(
        {
            "seed": 3,
            "data": data,
            "network": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}]},
            "training": {"epochs": epochs, "optimizer": {"name": "adam", "lr": 0.03}},
        }
    )
    trainer = Trainer(project)
    trainer.run()
    return trainer


def exported_outputs(trainer: Trainer, folder) -> np.ndarray:
    model = torch.jit.load(str(export_torchscript(trainer, folder / "model.pt")))
    with torch.no_grad():
        return model(torch.as_tensor(np.asarray(trainer.dataset.x_test, dtype=np.float32))).numpy()


def test_iris_confusion_matrix_counts_the_exported_models_predictions(tmp_path):
    trainer = train({"name": "iris", "train_fraction": 0.6})
    probe = inspect_probe(trainer, {"sample": 5})
    assert isinstance(probe, TableProbe) and probe.classification
    predicted = exported_outputs(trainer, tmp_path).argmax(axis=1)
    expected = np.zeros((3, 3), dtype=np.int64)
    for true, said in zip(trainer.dataset.y_test, predicted, strict=True):
        expected[true, said] += 1
    np.testing.assert_array_equal(probe.confusion, expected)
    assert probe.class_names == ("setosa", "versicolor", "virginica")
    assert probe.n_test == 60 and probe.accuracy == pytest.approx(np.trace(expected) / 60)
    assert probe.accuracy == pytest.approx(trainer.evaluate().test_accuracy)
    assert probe.target == "" and probe.actual is None


def write_regression_csv(path, rows: int = 120) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2))
    price = 2.0 * x[:, 0] - x[:, 1] + 0.05 * rng.normal(size=rows)
    lines = ["price,a,b"] + [f"{p:.5f},{a:.5f},{b:.5f}" for p, (a, b) in zip(price, x, strict=True)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("target", ["price", None])
def test_csv_regression_plots_predicted_against_actual(tmp_path, target):
    path = tmp_path / "houses.csv"
    write_regression_csv(path)
    # No target chosen: the last column, "b" (named only where the dataset says its target's name).
    trainer = train({"name": "csv", "path": str(path), "train_fraction": 0.5, "target": target}, epochs=30)
    probe = inspect_probe(trainer, {})
    assert not probe.classification and probe.confusion is None
    outputs = exported_outputs(trainer, tmp_path)[:, 0]
    actual = np.asarray(trainer.dataset.y_test, dtype=np.float64)
    np.testing.assert_allclose(probe.actual, actual, rtol=1e-6)
    np.testing.assert_allclose(probe.predicted, outputs, rtol=1e-5, atol=1e-5)
    errors = outputs - actual
    assert probe.rmse == pytest.approx(float(np.sqrt(np.mean(errors**2))), rel=1e-4)
    assert probe.r2 == pytest.approx(1 - np.sum(errors**2) / np.sum((actual - actual.mean()) ** 2), rel=1e-4)
    assert probe.target == (target or getattr(trainer.dataset, "target_name", "") or "")
    assert probe.n_test == 60
