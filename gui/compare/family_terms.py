"""What compare mode plots, tabulates and ranks for a model family, read from its engine entry.

Qt-free. The metrics, their words and which way is better come from the family's Metric list
(engine/families/catalog.py); the window only chooses which of them a comparison is ranked by
(RANKED_BY) and which go on the curves (by kind: the losses, else the counts, above, unless
CURVED says; the accuracies, else the scores, below). The mlp keeps its own page: train/test loss and accuracy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# The metric a comparison is ranked by, in order of preference: the first one the runs report
# (a GAN off the ring of 8 has no modes to count). The mlp's is its target metric (stats.py).
RANKED_BY = {
    "perceptron": ("test_accuracy", "train_accuracy", "errors"),
    "autoencoder": ("reconstruction", "train_reconstruction"),
    "vae": ("reconstruction", "train_reconstruction"),
    "gan": ("modes_covered", "nearest_real"),
}
# The curves above, where the kinds' rule would not do: the perceptron's mistakes so far grow into
# the tens of thousands on data it cannot separate, and flatten its misclassified points to a line.
CURVED = {"perceptron": ("errors",)}
MAX_HEADER = 28  # longer labels go in a column's tooltip, its header says the metric's name
MLP_COLUMNS = (  # (header, metric, "final" | "best"); the accuracies only for classification
    ("Train loss", "train_loss", "final"),
    ("best", "train_loss", "best"),
    ("Test loss", "test_loss", "final"),
    ("best", "test_loss", "best"),
    ("Train acc.", "train_accuracy", "final"),
    ("best", "train_accuracy", "best"),
    ("Test acc.", "test_accuracy", "final"),
    ("best", "test_accuracy", "best"),
)


@dataclass(frozen=True)
class Plot:
    """One plot of the curves: its y-axis title and metrics (the first solid, the second dashed)."""

    title: str
    metrics: tuple[str, ...]
    unit_range: bool = False  # accuracies: the axis spans 0 to 1
    key: str = ""  # what solid and dashed mean, e.g. "solid: train · dashed: test"


@dataclass(frozen=True)
class Column:
    header: str
    metric: str
    which: str  # "final" | "best"
    tip: str = ""


@dataclass(frozen=True)
class CompareTerms:
    """A comparison's words and numbers: plots, table columns, the metric it is ranked by."""

    family: str
    plots: tuple[Plot, ...]
    columns: tuple[Column, ...]
    higher: dict  # metric -> whether higher is better, for every metric the table keeps
    kinds: dict  # metric -> the Metric's kind (how its numbers are written)
    labels: dict  # metric -> the Metric's label
    candidates: tuple[str, ...]  # what it may be ranked by, best first
    ranked_by: str  # the candidate the runs report (the first until they say)

    def resolved(self, metrics: dict) -> CompareTerms:
        """Ranked by the first candidate `metrics` (a Snapshot's) has a value for."""
        found = next((name for name in self.candidates if metrics.get(name) is not None), self.ranked_by)
        return replace(self, ranked_by=found)

    def ranking(self) -> list[tuple[str, bool]]:
        """(metric, higher is better): the one ranked by, then the other candidates (tie-breaks)."""
        names = [self.ranked_by, *(n for n in self.candidates if n != self.ranked_by)]
        return [(name, self.higher.get(name, False)) for name in names]

    @property
    def ranked_title(self) -> str:
        return short_label(self.labels.get(self.ranked_by, self.ranked_by))

    def target_default(self) -> float:
        kind = self.kinds.get(self.ranked_by)
        if kind == "accuracy":
            return 0.9
        if kind == "score":
            return 8.0  # the GAN's score is the ring's modes covered, of 8
        return 0.1

    def ranking_text(self) -> str:
        direction = "higher" if self.higher.get(self.ranked_by) else "lower"
        return f"Ranked by {self.ranked_title} ({direction} is better)"


def short_label(label: str) -> str:
    """'test reconstruction (MSE)' -> 'test reconstruction': the parenthesis is for tooltips."""
    return re.sub(r"\s*\(.*\)\S*$", "", label).strip()


def terms_for(family_name: str, classification: bool, has_test: bool) -> CompareTerms:
    from engine.families import FAMILIES
    from gui.compare.stats import target_metric

    family = FAMILIES[family_name]
    higher = {m.name: m.higher_is_better for m in family.metrics}
    kinds = {m.name: m.kind for m in family.metrics}
    labels = {m.name: m.label for m in family.metrics}
    if family.name == "mlp":
        key = "solid: train   ·   dashed: test"
        plots = [Plot("loss", ("train_loss", "test_loss"), key=key)]
        if classification:
            plots.append(Plot("accuracy", ("train_accuracy", "test_accuracy"), True, key))
        shown = [c for c in MLP_COLUMNS if classification or not c[1].endswith("accuracy")]
        columns = tuple(Column(h, m, w, labels.get(m, "")) for h, m, w in shown)
        ranked = target_metric(classification, has_test)
        return CompareTerms(
            "mlp",
            tuple(plots),
            columns,
            higher,
            kinds,
            labels,
            (ranked,),
            ranked,
        )
    metrics = family.metrics
    if family.name in CURVED:
        top = [family.metric(name) for name in CURVED[family.name]]
    else:
        top = _of_kind(metrics, "loss") or _of_kind(metrics, "count")
    below = _of_kind(metrics, "accuracy") or _of_kind(metrics, "score")
    plots = [Plot(_axis_title(top), tuple(m.name for m in top), key=_line_key(top))]
    if below:
        unit = below[0].kind == "accuracy"
        plots.append(Plot(_axis_title(below), tuple(m.name for m in below), unit, _line_key(below)))
    candidates = tuple(n for n in RANKED_BY.get(family.name, ()) if n in higher) or (metrics[0].name,)
    columns = []
    for metric in metrics:
        columns.append(Column(_header(metric), metric.name, "final", metric.label))
        if metric.name == candidates[0]:
            columns.append(Column("best", metric.name, "best", f"best {metric.label} so far"))
    return CompareTerms(
        family.name,
        tuple(plots),
        tuple(columns),
        higher,
        kinds,
        labels,
        candidates,
        candidates[0],
    )


def _of_kind(metrics, kind: str) -> list:
    return [m for m in metrics if m.kind == kind][:2]  # two line styles: solid and dashed


def _axis_title(metrics) -> str:
    labels = [short_label(m.label) for m in metrics]
    if all(label.endswith(" loss") for label in labels):
        return "loss"
    if metrics[0].kind == "accuracy":
        return "accuracy"
    return re.sub(r"^(test|train|training) ", "", metrics[0].label)


def _line_key(metrics) -> str:
    styles = ("solid", "dashed")
    return "   ·   ".join(f"{s}: {short_label(m.label)}" for s, m in zip(styles, metrics, strict=False))


def _header(metric) -> str:
    label = short_label(metric.label)
    if len(label) > MAX_HEADER:
        label = metric.name.replace("_", " ")
    return label[0].upper() + label[1:]
