"""Start the window: `python main.py [PROJECT.json | LESSON_ID | EXAMPLE]` (nothing named: the start
page), or `python main.py screenshot ...`."""

from __future__ import annotations

from gui.qt_app import calm_garbage_collector, make_app, warm_up


def main(argv: list[str]) -> int:
    if argv and argv[0] == "screenshot":
        from gui.screenshot import main as screenshot_main

        return screenshot_main(argv[1:])
    app = make_app()
    from gui.session_client import start_session_early
    from gui.splash import show_splash

    start_session_early()
    splash = show_splash(app)  # the window needs ~5 s of imports (torch) before it can show
    warm_up()
    from gui.main_window import MainWindow

    target = bundled_target(argv)
    window = MainWindow(argv[0] if argv and target is None else None)
    open_first(window, argv, target)
    window.show()
    splash.finish(window)
    window.offer_recovery()  # after the card is gone: a modal question must not sit under it
    calm_garbage_collector()
    return app.exec()


def bundled_target(argv: list[str]) -> tuple[str, str] | None:
    """("lesson", id) or ("example", name) when the one argument names a bundled one (a lesson
    first: `python main.py LESSON_ID`), else None (no argument, or a project file)."""
    from engine.examples import EXAMPLES_DIR
    from engine.lessons import find_lesson

    if len(argv) != 1:
        return None
    if find_lesson(argv[0]) is not None:
        return "lesson", argv[0]
    if argv[0].isidentifier() and (EXAMPLES_DIR / f"{argv[0]}.json").is_file():
        return "example", argv[0]
    return None


def open_first(window, argv: list[str], target: tuple[str, str] | None) -> None:
    """What the window shows first: the lesson or example named on the command line (as File ▸
    Lessons… and Open example open them: unsaved, so Save never overwrites a bundled file), the
    project file it was built on, or, with nothing named, the start page."""
    if target is not None:
        kind, name = target
        window.open_lesson(name) if kind == "lesson" else window.open_example(name)
    elif not argv:
        from gui.start_page import show_start_page

        show_start_page(window)
