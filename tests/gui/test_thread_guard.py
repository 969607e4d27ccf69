"""The teardown guard sees every thread and child process the window starts, parented or not."""

import multiprocessing
import time

from gui.session_client import SessionClient
from gui.threads import new_thread, running_threads, stop_leftovers


def _sleep_forever() -> None:
    time.sleep(600)


def test_a_parentless_thread_left_running_is_found_and_stopped(qtbot):
    thread = new_thread("leftOver")
    thread.start()  # a QThread's default run() is an event loop: it runs until told to quit
    qtbot.waitUntil(thread.isRunning, timeout=5000)
    assert thread.parent() is None  # invisible to app.findChildren(QThread), the old guard
    assert thread in running_threads()
    assert stop_leftovers() == ["thread leftOver"]
    assert not thread.isRunning()
    assert stop_leftovers() == []


def test_the_relay_thread_and_session_of_a_training_thread_are_seen(qtbot):
    training = SessionClient()
    try:
        assert training.thread in running_threads()
        assert training.process in multiprocessing.active_children()
    finally:
        assert training.stop()
    assert training.thread not in running_threads()


def test_a_child_process_left_alive_is_found_and_killed(qtbot):
    process = multiprocessing.get_context("spawn").Process(target=_sleep_forever, name="leftOverProcess")
    process.start()
    stopped = stop_leftovers()
    assert stopped == [f"process leftOverProcess (pid {process.pid})"]
    assert not process.is_alive()
