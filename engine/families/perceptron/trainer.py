"""The perceptron family's trainer: Rosenblatt's rule (rule.py) driven like any run.

A step is one training point, an epoch one pass (engine/run_control.py gives play, pause, step
and the epoch budget). The inputs are the project's features, preprocessed as the supervised
family's are (so `x1², x2²` lets a line in feature space draw a circle). Each epoch reports the
family's metrics: `mistakes` (updates so far), `bound` ((R/γ)², computed once: the data does not
change; None when no hyperplane separates it), `converged`, `errors` (training points the moving
θ misclassifies now) and the accuracy of the θ the run answers with (the pocket's, with `pocket`).
A run that converged stops: another pass could not change θ.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from engine.errors import SpecError
from engine.families import FAMILIES
from engine.families.mlp.task import TaskHead
from engine.families.perceptron.margin import mistake_bound
from engine.families.perceptron.rule import PerceptronRule, augment, errors, signed_labels
from engine.family_state import ResumeParts
from engine.metrics import MetricsLog
from engine.run_control import TERMINAL, RunControl, check_fits
from engine.snapshot import Snapshot
from engine.spec.project import Project, TrainingSpec

# The sign unit as the views see a task: two classes, one output, labels -1/+1.
SIGN_HEAD = TaskHead("classification", 2, "perceptron", "sign", 1, "pm1")
STATE_KEYS = ("theta", "pocket_theta", "counters")
# counters: steps, mistakes, mistakes in the pass under way, pocket's errors, converged (0/1)


class PerceptronTrainer(RunControl):
    """One run of the perceptron learning algorithm on a project's two-class data."""

    backend_name = "numpy"
    device = "cpu"
    layer_infos = ()
    head = SIGN_HEAD
    resume_parts = ResumeParts()  # θ and the rule's counters are its weights (state_dict)

    def __init__(self, project: Project, dataset=None):
        from engine.data import make_dataset
        from engine.nn.preprocess import build_preprocessor

        self.project = project.copy()
        self.family = FAMILIES["perceptron"]
        data = dataset if dataset is not None else make_dataset(vars(self.project.data), self.project.seed)
        _check_data(data)
        self.dataset = data
        self.preprocessor = build_preprocessor(data, vars(self.project.data))
        if len(self.preprocessor.out_shape) != 1:
            raise SpecError("data.name", f"the perceptron takes flat inputs; {data.name} is {data.kind} data")
        settings = self.project.model.settings
        self.rule = PerceptronRule(self._inputs(data.x_train), data.y_train, self.project.seed, **settings)
        self.x_test = augment(self._inputs(data.x_test)) if len(data.x_test) else None
        self.y_test = signed_labels(data.y_test) if len(data.x_test) else None
        self.bound = mistake_bound(self.rule.x, self.rule.y)
        self.n_train = len(self.rule.x)
        self._init_control(self.project.training.epochs)
        self.metrics = MetricsLog(self.family.log_columns)
        self.last_snapshot: Snapshot | None = None
        self.looking_at = -1  # the training point the last step looked at
        self.moved = False  # whether that step was a mistake (θ moved)
        self._checkpoint = self.state_dict()

    def _inputs(self, x: np.ndarray) -> np.ndarray:
        return self.preprocessor.apply_numpy(x).astype(np.float64)

    @property
    def training(self) -> TrainingSpec:
        return self.project.training

    def apply_live(self, training: TrainingSpec) -> bool:
        """Only the epoch budget is a training setting here; it applies at once."""
        converged = self.status == "completed" and self.rule.converged
        self._take_training(training)
        if converged:  # more epochs cannot move a θ that made no mistake in a whole pass
            self.status = "completed"
        return True

    def learning_rate(self) -> float:
        return self.rule.lr

    # -- the loop ------------------------------------------------------------------------------
    def step(self) -> float:
        """Look at one point; 1.0 if it was a mistake (θ moved), else 0.0."""
        if self.status in TERMINAL:
            return float("nan")
        start = time.perf_counter()
        result = self.rule.step()
        self.step_count += 1
        self.looking_at, self.moved = result.index, result.mistake
        self.elapsed += time.perf_counter() - start
        if self.rule.position == 0:
            self._finish_epoch()
        return float(result.mistake)

    def _finish_epoch(self) -> None:
        self.epoch = self.rule.epoch
        self._close_epoch(self._evaluate())
        if self.rule.converged:
            self.status = "completed"
            bound = "" if self.bound is None else f" (the bound (R/γ)² is {self.bound:.1f})"
            self.message = (
                f"converged at epoch {self.epoch}: a whole pass without a mistake, "
                f"after {self.rule.mistakes} mistakes{bound}"
            )

    def _evaluate(self) -> Snapshot:
        rule = self.rule
        kept = rule.kept
        test_accuracy = None
        if self.x_test is not None:
            test_accuracy = 1.0 - errors(kept, self.x_test, self.y_test) / len(self.x_test)
        metrics = {
            "mistakes": float(rule.mistakes),
            "bound": self.bound,
            "converged": float(rule.converged),
            "errors": float(errors(rule.theta, rule.x, rule.y)),
            "train_accuracy": 1.0 - errors(kept, rule.x, rule.y) / self.n_train,
            "test_accuracy": test_accuracy,
        }
        return Snapshot(self.epoch, self.step_count, metrics, rule.lr, self.elapsed, status=self.status)

    def snapshot(self) -> Snapshot:
        base = self.last_snapshot or self._evaluate()
        return replace(base, status=self.status, message=self.message, elapsed=self.elapsed)

    def evaluate(self) -> Snapshot:
        """The metrics of θ as it is now (e.g. a past epoch's, swapped in)."""
        return self._evaluate()

    def view_probe(self, grid):
        """What the perceptron's views draw now (engine/families/perceptron/view.py)."""
        from engine.families.perceptron.view import perceptron_probe

        return perceptron_probe(self, grid)

    def torch_network(self):
        """The kept θ as a torch module (Linear, then the sign): what the exports take away."""
        from engine.families.perceptron.export import linear_model

        return linear_model(self.rule.kept)

    # -- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """θ, the pocket's θ and the rule's counters: everything a run resumes or rewinds from."""
        rule = self.rule
        counters = [rule.steps, rule.mistakes, rule._mistakes_this_pass, rule.pocket_errors, rule.converged]
        return {
            "theta": rule.theta.copy(),
            "pocket_theta": rule.pocket_theta.copy(),
            "counters": np.array(counters, dtype=np.float64),
        }

    @property
    def epoch_state(self) -> dict[str, np.ndarray]:
        return self._checkpoint

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Go on from `state`: θ and the counters, so the epoch too (the next point is the one after)."""
        self.swap_in(state)
        self.epoch = self.rule.epoch
        self.step_count = self.rule.steps
        self._checkpoint = self.state_dict()

    def swap_in(self, state: dict[str, np.ndarray]) -> None:
        """Put `state` in place (checked first: a SpecError changes nothing)."""
        check_fits(self.state_dict(), state, "this perceptron")
        rule = self.rule
        rule.theta = np.array(state["theta"], dtype=np.float64)
        rule.pocket_theta = np.array(state["pocket_theta"], dtype=np.float64)
        steps, mistakes, in_pass, pocket_errors, converged = (int(v) for v in np.asarray(state["counters"]))
        rule.steps, rule.mistakes, rule._mistakes_this_pass = steps, mistakes, in_pass
        rule.pocket_errors, rule.converged = pocket_errors, bool(converged)
        rule.epoch = steps // len(rule.order)


def _check_data(data) -> None:
    if data.task != "classification":
        raise SpecError("data.name", f"the perceptron learns two classes; {data.name} is a regression set")
    if data.n_classes != 2:
        raise SpecError("data.name", f"the perceptron learns two classes; {data.name} has {data.n_classes}")
