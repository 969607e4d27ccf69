"""Layerlab's entry point: no arguments opens the window; sub-commands run headless.

python main.py [PROJECT.json]       open the window (on its start page without a project)
python main.py LESSON_ID            open the window on a lesson (`python main.py lessons` lists them)
python main.py EXAMPLE              open the window on an example (`python main.py examples` lists them)
python main.py screenshot ...       train in the window, save it as a PNG
python main.py train|export|examples|lessons   headless (see --help)
Exit codes: 0 ok, 2 bad input or a window that cannot start, 3 diverged, 130 interrupted.
"""

from __future__ import annotations

import sys

GUI_COMMANDS = ("screenshot",)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `python main.py LESSON_ID` or `python main.py EXAMPLE` (no sub-command is named like one)
    bundled = len(argv) == 1 and (_lesson_file(argv[0]) or _example_file(argv[0])) is not None
    if not argv or bundled or argv[0] in GUI_COMMANDS or argv[0].endswith(".json") and len(argv) == 1:
        from gui.platform_check import window_problem

        # Before any Qt import: a missing display or xcb library would otherwise abort the process.
        problem = window_problem(offscreen_fallback=bool(argv) and argv[0] == "screenshot")
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        try:
            from gui.app import main as gui_main
        except ImportError as exc:
            print(
                f"error: the window needs PySide6 and pyqtgraph ({exc}): `pip install -e .`; "
                "the headless commands (train, export, examples) work without them",
                file=sys.stderr,
            )
            return 2
        return gui_main(argv)
    from engine.cli import main as cli_main

    return cli_main(argv)


def _lesson_file(name: str) -> str | None:
    """The path of the bundled lesson called `name`, or None (a sub-command, a file, a typo)."""
    from engine.lessons import find_lesson

    path = find_lesson(name)
    return None if path is None else str(path)


def _example_file(name: str) -> str | None:
    """The path of the bundled example called `name`, or None."""
    from engine.examples import EXAMPLES_DIR

    path = EXAMPLES_DIR / f"{name}.json"
    return str(path) if name.isidentifier() and path.is_file() else None


if __name__ == "__main__":
    sys.exit(main())
