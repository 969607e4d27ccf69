"""What the table views draw: the confusion matrix of a classifier on the test split, or a
regressor's predictions against the actual values, from one evaluation of that split by the
trainer's own backend (torch or the numpy fast path)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.inspect import InspectProbe
from engine.inspect.images import confusion_matrix, test_outputs

MAX_POINTS = 5000  # test rows a regression probe carries at most (~40 KB): a plot cannot show more


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class TableProbe(InspectProbe):
    """A classifier's confusion matrix, or a regressor's predicted and actual test values."""

    classification: bool
    target: str  # the target column's name, "" when the data does not say
    n_test: int
    class_names: tuple[str, ...] = ()
    confusion: np.ndarray | None = None  # (K, K) int64: rows true class, columns predicted
    accuracy: float | None = None
    actual: np.ndarray | None = None  # (n,) float32: the test targets (a spread subset past MAX_POINTS)
    predicted: np.ndarray | None = None  # (n,) float32: the network's values for them
    rmse: float | None = None  # over the whole test split
    r2: float | None = None


def probe(trainer, options: dict) -> TableProbe:
    """The table views' probe of `trainer` (`options` pick nothing here: every row is shown)."""
    from engine.families.mlp.task import probabilities

    data, head = trainer.dataset, trainer.head
    n_test = len(data.x_test)
    target = target_name(trainer)
    if n_test == 0:
        return TableProbe(classification=head.classification, target=target, n_test=0)
    outputs = test_outputs(trainer)
    if head.classification:
        predicted = probabilities(head, outputs).argmax(axis=1)
        confusion = confusion_matrix(data.y_test, predicted, head.n_classes)
        return TableProbe(
            classification=True,
            target=target,
            n_test=n_test,
            class_names=tuple(data.class_names),
            confusion=confusion,
            accuracy=float(np.trace(confusion)) / n_test,
        )
    actual = np.asarray(data.y_test, dtype=np.float64)
    values = np.asarray(outputs, dtype=np.float64)[:, 0]
    error = values - actual
    spread = float(np.sum((actual - actual.mean()) ** 2))
    rows = np.linspace(0, n_test - 1, min(n_test, MAX_POINTS)).round().astype(np.int64)
    return TableProbe(
        classification=False,
        target=target,
        n_test=n_test,
        actual=actual[rows].astype(np.float32),
        predicted=values[rows].astype(np.float32),
        rmse=float(np.sqrt(np.mean(error**2))),
        r2=None if spread == 0.0 else 1.0 - float(np.sum(error**2)) / spread,
    )


def target_name(trainer) -> str:
    """The column the network predicts, when the data says: a CSV's chosen target (the dataset's
    own name for it first, then the project's setting); "" otherwise."""
    named = trainer.dataset.target_name or getattr(trainer.project.data, "target", None)
    return str(named or "")
