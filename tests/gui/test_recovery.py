"""Crash recovery belongs to one window: a running window's autosave is never offered or deleted by
another window; the work of a window whose process died is offered once, then restored or removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui import files, recovery
from tests.gui.helpers import make_window

# A window in another process: it autosaves a project called "from-child", then waits (alive) until
# its stdin closes or it is killed.
CHILD = """
import sys
from pathlib import Path
from engine.spec.project import Project
from gui.recovery import RecoverySlot
slot = RecoverySlot(Path(sys.argv[1]))
slot.write(Project(name="from-child"), None)
print(slot.path, flush=True)
sys.stdin.read()
"""


def _recovery_files() -> list[Path]:
    return sorted(files.state_dir().glob(recovery.PATTERN))


def _clear_state() -> None:
    for path in files.state_dir().glob("recovery*"):
        path.unlink()


def _asker(answer: bool, asked: list):
    return lambda source: asked.append(source) or answer


def test_a_second_window_never_offers_or_deletes_a_running_window_autosave(qtbot, window):
    _clear_state()
    window.model.edit("change", lambda doc: doc["training"].update(epochs=11))
    assert window.autosave()
    mine = window._recovery.path
    assert mine.is_file()
    second = make_window(qtbot)
    asked: list = []
    second.ask_restore = _asker(False, asked)
    second.offer_recovery()
    assert asked == []  # the bug: "did not close cleanly?" for a window that is running
    assert mine.is_file()
    assert second.model.project.training.epochs != 11
    second.close()
    assert mine.is_file()  # closing the second window leaves the first one's file alone
    # The first window closes on purpose: its file goes, and nothing is offered later.
    window.close()
    assert _recovery_files() == []


def test_a_killed_window_work_is_offered_only_once_it_is_dead(qtbot, window):
    _clear_state()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(files.state_dir())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        child_file = Path(child.stdout.readline().strip())
        assert child_file.is_file()
        asked: list = []
        window.ask_restore = _asker(True, asked)
        window.offer_recovery()
        assert asked == [] and child_file.is_file()  # alive in another process: not ours to touch
    finally:
        child.kill()
        child.wait()
        child.stdin.close()
        child.stdout.close()
    window.offer_recovery()
    assert asked == ["an unsaved project"]
    assert window.model.project.name == "from-child"
    assert window.model.dirty  # restored work is not on disk yet
    assert not child_file.exists()
    # The restored work is this window's own autosave now, locked by this window.
    assert _recovery_files() == [window._recovery.path]
    other: list = []
    window.ask_restore = _asker(True, other)
    window.offer_recovery()
    assert other == []


def test_declining_removes_only_the_dead_file(qtbot, window, tmp_path):
    _clear_state()
    window.model.edit("change", lambda doc: doc["training"].update(epochs=12))
    assert window.autosave()
    mine = window._recovery.path
    # The single recovery.json of the version before this one: nobody holds it.
    legacy = files.state_dir() / "recovery.json"
    legacy.write_text('{"source": "/somewhere/old.json", "project": {"name": "old"}}')
    asked: list = []
    window.ask_restore = _asker(False, asked)
    window.offer_recovery()
    assert asked == ["/somewhere/old.json"]
    assert not legacy.exists()
    assert mine.is_file()
    assert window.model.project.training.epochs == 12


def test_where_files_cannot_be_locked_the_pid_decides(monkeypatch, tmp_path):
    monkeypatch.setattr(recovery, "_try_lock", lambda fd: None)  # e.g. a network share without locks
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = int(dead.stdout)
    doc = '{"source": null, "project": {"name": "p"}}'
    (tmp_path / f"recovery-{os.getpid()}-1.json").write_text(doc)  # this very process: alive
    (tmp_path / f"recovery-{dead_pid}-1.json").write_text(doc)
    found = list(recovery.orphans(tmp_path))
    assert [o.path.name for o in found] == [f"recovery-{dead_pid}-1.json"]
    found[0].discard()
    assert sorted(p.name for p in tmp_path.glob("*.json")) == [f"recovery-{os.getpid()}-1.json"]


def test_a_new_window_never_overwrites_a_dead_process_file_with_its_pid(tmp_path):
    """pids are reused: a file left by a dead process that had our pid must survive our autosave."""
    from engine.spec.project import Project

    left = tmp_path / f"recovery-{os.getpid()}-1.json"
    left.write_text('{"source": null, "project": {"name": "left"}}')
    slot = recovery.RecoverySlot(tmp_path)
    slot.write(Project(name="mine"), None)
    try:
        assert slot.path != left
        assert '"left"' in left.read_text()
        assert [o.path for o in _claim_all(tmp_path)] == [left]
    finally:
        slot.release()
    assert slot.path is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [left.name, left.with_suffix(".lock").name]


def _claim_all(folder: Path) -> list:
    found = list(recovery.orphans(folder))
    for orphan in found:
        orphan.release()
    return found
