"""Start the window: `python main.py [PROJECT.json]`, or `python main.py screenshot ...`."""

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
    from engine.lessons import find_lesson
    from gui.main_window import MainWindow

    lesson = argv[0] if argv and find_lesson(argv[0]) is not None else None
    # A lesson opens as an example does: unsaved, so Save never overwrites the bundled file.
    window = MainWindow(argv[0] if argv and lesson is None else None)
    if lesson is not None:
        window.open_lesson(lesson)
    window.show()
    splash.finish(window)
    window.offer_recovery()  # after the card is gone: a modal question must not sit under it
    calm_garbage_collector()
    return app.exec()
