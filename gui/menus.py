"""The window's menus and keyboard shortcuts (File, Edit, Train, View, Help)."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from engine.examples import example_names
from gui import files
from gui.start_page import show_start_page

SHORTCUTS_HELP = """<table cellpadding=3>
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>→</b> or <b>S</b></td><td>train one epoch</td></tr>
<tr><td><b>R</b></td><td>reset (re-initialise the weights)</td></tr>
<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>undo / redo any edit</td></tr>
<tr><td><b>Ctrl+N</b>, <b>Ctrl+O</b></td><td>new project, open a project</td></tr>
<tr><td><b>Ctrl+S</b> / <b>Ctrl+Shift+S</b></td><td>save / save as</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>quit</td></tr>
</table>"""

ABOUT = """<b>Layerlab</b> — build a neural network by clicking and watch it learn.<br>
Real PyTorch underneath; models export to ONNX, TorchScript, safetensors and a plain PyTorch script."""


class MenuState:
    """The parts of the menus that change: File ▸ Recent (projects, CSV files and examples opened
    or saved, newest first)."""

    def __init__(self, window, recent_menu: QMenu):
        self._window = window
        self._menu = recent_menu
        self._menu.setToolTipsVisible(True)
        self.refresh(files.recent_files())

    def add_recent(self, target: str | Path, kind: str = "project") -> None:
        self.refresh(files.remember_recent(target, kind))

    def refresh(self, entries: list[files.Recent]) -> None:
        self._menu.clear()
        for entry in entries:
            label, tip, available = recent_label(entry)
            action = self._menu.addAction(label)
            action.setEnabled(available)
            action.setToolTip(tip)
            action.triggered.connect(lambda _=False, e=entry: open_recent_entry(self._window, e))
        self._menu.setEnabled(bool(entries))


def recent_label(entry: files.Recent) -> tuple[str, str, bool]:
    """A File ▸ Recent entry's text, tooltip, and whether it can still be opened (the start page
    lists the same entries the same way)."""
    if entry.kind == "lesson":
        from engine.lessons import find_lesson, read_lesson

        path = find_lesson(entry.target)
        try:
            title = read_lesson(path).title if path is not None else ""
        except ValueError:  # a broken lesson file: opening it says why
            title = entry.target
        if not title:
            return f"{entry.target} (lesson)", f"{entry.target} (no longer there)", False
        return f"{title} (lesson)", f"The lesson {entry.target}", True
    available = entry.available()
    if entry.kind == "example":  # its title, as the start page's Examples name it, not its file's id
        where = EXAMPLE_TIPS.get(entry.target, "")
        return f"{example_title(entry.target)} (example)", where or entry.target, available
    return entry.label, (entry.target if available else f"{entry.target} (no longer there)"), available


@functools.cache
def example_title(name: str) -> str:
    """A bundled example's title ("Three-arm spiral" for spiral3); the id when it cannot be read
    (opening it then says why). Cached: File ▸ Recent and the start page ask on every refresh."""
    from engine.errors import SpecError
    from engine.examples import example_path
    from engine.store import load_project

    try:
        return load_project(example_path(name)).name or name
    except (SpecError, OSError, KeyError, ValueError):
        return name


def open_recent_entry(window, entry: files.Recent) -> bool:
    """Open what a Recent entry names: a lesson opens as File ▸ Lessons… opens it."""
    if entry.kind == "lesson":
        return window.open_lesson(entry.target)
    return window.open_recent(entry)


EXAMPLE_TIPS: dict[str, str] = {}  # example name -> its full description and promise (filled below)


def example_label(name: str, width: int = 64) -> tuple[str, str]:
    """The menu text ("xor — Not linearly separable: one hidden layer…") and the full text, as
    `python main.py examples` prints them."""
    from engine.examples import example_path, promises
    from engine.store import load_project

    project = load_project(example_path(name))
    text = project.description
    short = text if len(text) <= width else text[:width].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    symbol = {">=": "≥", "<=": "≤"}
    promise = ", ".join(f"{k.replace('_', ' ')} {symbol[op]} {v:g}" for k, op, v in promises(project))
    tip = text + (f"\nReaches {promise} within {project.training.epochs} epochs." if promise else "")
    return (f"{name} — {short}" if short else name), tip


def _action(window, menu: QMenu, text: str, slot, shortcuts=(), name: str = "") -> QAction:
    action = QAction(text, window)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda _=False: slot())
    if name:
        action.setObjectName(name)
    menu.addAction(action)
    return action


def build_menus(window) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    _action(window, file_menu, "&New", window.new_project, [QKeySequence.StandardKey.New], "newAction")
    _action(
        window,
        file_menu,
        "&Open…",
        lambda: open_project_dialog(window),
        [QKeySequence.StandardKey.Open],
        "openAction",
    )
    examples = file_menu.addMenu("Open &example")
    examples.setObjectName("examplesMenu")
    examples.setToolTipsVisible(True)
    for name in example_names():
        label, EXAMPLE_TIPS[name] = example_label(name)
        action = examples.addAction(label)
        action.setToolTip(EXAMPLE_TIPS[name])
        action.triggered.connect(lambda _=False, n=name: window.open_example(n))
    _action(window, file_menu, "&Lessons…", window.show_lessons, name="lessonsAction")
    _action(window, file_menu, "Start &page", lambda: show_start_page(window), name="startPageAction")
    recent = file_menu.addMenu("&Recent")
    recent.setObjectName("recentMenu")
    window.menu_state = MenuState(window, recent)
    if window.model.path is not None:  # opened from the command line
        window.menu_state.add_recent(window.model.path)
    window.dataPanel.csvOpened.connect(lambda path: window.menu_state.add_recent(path, "csv"))
    file_menu.addSeparator()
    _action(window, file_menu, "&Save", window.save, ["Ctrl+S"], "saveAction")
    _action(window, file_menu, "Save &as…", window.save_as, ["Ctrl+Shift+S"], "saveAsAction")
    export = file_menu.addMenu("E&xport")
    _export_menu(window, export)
    file_menu.addSeparator()
    _action(window, file_menu, "&Quit", window.close, ["Ctrl+Q"], "quitAction")

    edit = bar.addMenu("&Edit")
    undo = window.model.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    redo = window.model.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    undo.setObjectName("undoAction")
    redo.setObjectName("redoAction")
    edit.addAction(undo)
    edit.addAction(redo)

    train = bar.addMenu("&Train")
    window.playAction = _action(window, train, "Play / pause", window.toggle_play, ["Space"], "playAction")
    window.stepAction = _action(window, train, "Step one epoch", window.step, ["Right", "S"], "stepAction")
    window.resetAction = _action(window, train, "Reset", window.reset, ["R"], "resetAction")

    view = bar.addMenu("&View")
    log = QAction("Log-scale loss", window, checkable=True)
    log.toggled.connect(window.curvesView.set_log_scale)
    view.addAction(log)
    show_test = QAction("Show test data", window, checkable=True, checked=True)
    show_test.toggled.connect(window.showTestCheck.setChecked)
    view.addAction(show_test)
    discretize = QAction("Discretize output", window, checkable=True)
    discretize.toggled.connect(window.discretizeCheck.setChecked)
    view.addAction(discretize)
    view.addSeparator()
    for i, title in enumerate(("Data panel", "Network panel", "Training panel")):
        _action(window, view, title, lambda i=i: window.panelTabs.setCurrentIndex(i), [f"Ctrl+{i + 1}"])

    help_menu = bar.addMenu("&Help")
    _action(window, help_menu, "&Start page", lambda: show_start_page(window), name="helpStartPageAction")
    _action(
        window,
        help_menu,
        "&Keyboard shortcuts",
        lambda: QMessageBox.information(window, "Keyboard shortcuts", SHORTCUTS_HELP),
        [QKeySequence.StandardKey.HelpContents],
    )
    _action(window, help_menu, "&About Layerlab", lambda: QMessageBox.about(window, "About Layerlab", ABOUT))


def open_project_dialog(window) -> None:
    from gui.project_files import PROJECT_FILTER

    start = files.dialog_folder(window.model.path)
    path, _ = QFileDialog.getOpenFileName(window, "Open project", start, PROJECT_FILTER)
    if path:
        files.remember_folder(Path(path).parent)
        window.open_project(path)


def _export_menu(window, menu: QMenu) -> None:
    from gui.exports import EXPORT_CHOICES, export_dialog

    for key, title in EXPORT_CHOICES:
        menu.addAction(title).triggered.connect(lambda _=False, k=key: export_dialog(window, k))
