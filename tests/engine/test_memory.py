"""Memory bounds: a project's peak is estimated before allocating, too-big ones are refused in one
line, and evaluation works in chunks so its memory does not grow with samples × width × depth."""

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from engine.data import make_dataset
from engine.errors import SpecError
from engine.examples import example_path
from engine.families.mlp.build import check_network
from engine.memory import EVAL_CHUNK, GB, check_memory, memory_limit
from engine.spec.project import Project
from engine.store import load_project

ROOT = Path(__file__).resolve().parents[2]


def spiral(samples, layers, units, batch, **training):
    doc = load_project(example_path("spiral")).to_dict()
    doc["data"]["samples"] = samples
    doc["training"].update(preset="standard", batch_size=batch, **training)
    doc["network"]["layers"] = [{"type": "dense", "units": units, "activation": "tanh"}] * layers
    return doc


def estimate_of(project):
    dataset = make_dataset(vars(project.data), project.seed)
    _head, pre, infos = check_network(project, dataset)
    return check_memory(project, dataset, pre.out_shape, infos)


def test_a_huge_project_is_refused_in_one_line_before_allocating(tmp_path):
    """200,000 samples through 64 layers of 256 units in whole-set batches: refused at once, with
    the child's peak resident memory far from what training would take (tens of GB)."""
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(spiral(200_000, 64, 256, "all")))
    code = (
        "import sys\n"
        "from engine.cli import main\n"
        f"rc = main(['train', {str(path)!r}])\n"
        # VmHWM, not ru_maxrss: a forked child inherits its parent's ru_maxrss (pytest's, ~1 GB
        # after the export tests), while a new program after exec starts a new memory map.
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: training.batch_size: this project needs about ")
    assert "200,000 samples × 64 layers of 256 units" in lines[0]
    assert "the limit is" in lines[0] and "use a smaller batch size" in lines[0]
    max_rss_kb = int(done.stdout.strip().splitlines()[-1])  # /proc reports kilobytes
    assert max_rss_kb < 1024 * 1024 * 0.8


def test_the_same_network_in_small_batches_fits():
    """With chunked evaluation only a batch's activations grow with depth and width."""
    est = estimate_of(Project.from_dict(spiral(200_000, 64, 256, 10)))
    assert est.total < 2 * GB


@pytest.mark.parametrize("name", ["spiral", "xor", "digits_cnn", "sequence_lstm", "sine"])
def test_bundled_examples_are_accepted(name):
    est = estimate_of(load_project(example_path(name)))
    assert 0 < est.total < 200 * 2**20


def test_the_limit_can_be_set_and_names_what_to_shrink(monkeypatch):
    monkeypatch.setenv("LAYERLAB_MEMORY_LIMIT_GB", "0.01")
    assert memory_limit() == int(0.01 * GB)
    with pytest.raises(SpecError, match=r"^data\.samples: .*the limit is 10 MB — use fewer samples"):
        estimate_of(Project.from_dict(spiral(100_000, 2, 64, 10)))
    monkeypatch.setenv("LAYERLAB_MEMORY_LIMIT_GB", "lots")
    with pytest.raises(SpecError, match="LAYERLAB_MEMORY_LIMIT_GB: must be a number"):
        memory_limit()


def test_default_limit_is_half_the_machine_at_most_8_gb(monkeypatch):
    monkeypatch.delenv("LAYERLAB_MEMORY_LIMIT_GB", raising=False)
    assert GB <= memory_limit() <= 8 * GB


def test_estimate_is_within_a_factor_of_two_of_the_measured_peak():
    """The fast path's arrays are NumPy's, which tracemalloc sees: build, train two epochs in
    whole-set batches (training dominates) and draw the window's grid probe once."""
    from engine.probes import grid_inputs, probe_grid
    from engine.train import Trainer

    project = Project.from_dict(spiral(20_000, 4, 128, "all", backend="numpy"))
    est = estimate_of(project)
    tracemalloc.start()
    try:
        trainer = Trainer(project)
        trainer.run_epoch()
        trainer.run_epoch()
        probe_grid(trainer, grid_inputs(trainer, 100))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert trainer.backend_name == "numpy"
    assert est.total / 2 <= peak <= est.total * 2, (est, peak)


def test_fast_path_evaluation_is_chunked_and_equal_to_one_pass():
    from engine.train import Trainer

    project = Project.from_dict(spiral(3 * EVAL_CHUNK, 6, 128, 10, backend="numpy"))
    backend = Trainer(project).backend
    x, t = backend._splits["train"]
    zs, acts = backend._forward(x)  # the whole split at once, every layer kept
    whole, _ = backend._loss(acts[-1], zs[-1], t)
    tracemalloc.start()
    try:
        loss, out = backend.evaluate("train")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(out, acts[-1], rtol=1e-12)
    assert loss == pytest.approx(whole, rel=1e-12)
    one_pass = sum(a.nbytes for a in zs + acts[1:])  # what evaluation held before it was chunked
    assert peak < one_pass / 4, (peak, one_pass)


def test_the_window_session_reports_the_refusal_as_a_build_failure():
    """The window's training process refuses it the same way: no run, the line for the run panel."""
    from engine.session.session import Session

    sent = []
    session = Session(lambda kind, arg: sent.append((kind, arg)))
    session.load(Project.from_dict(spiral(200_000, 64, 256, "all")))
    assert session.trainer is None
    failures = [arg for kind, arg in sent if kind == "build_failed"]
    assert len(failures) == 1 and failures[0][0] == "training.batch_size"
    assert failures[0][1].startswith("this project needs about ")


def test_a_network_too_big_to_draw_is_told_to_shrink_its_layers(monkeypatch):
    """Few samples, but every unit's map over the window's 100 × 100 grid: the layers are at fault."""
    monkeypatch.setenv("LAYERLAB_MEMORY_LIMIT_GB", "0.5")
    project = Project.from_dict(spiral(500, 30, 512, 10, backend="torch"))
    with pytest.raises(SpecError) as info:
        estimate_of(project)
    assert info.value.path == "network.layers" and info.value.reason.endswith("use fewer or smaller layers")
