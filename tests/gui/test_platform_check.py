"""Before Qt starts: a missing display or xcb library is one line and exit 2, not Qt's abort."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.platform_check import missing_libraries, packages_for, run_ldd, window_problem, xcb_plugin

ROOT = Path(__file__).resolve().parents[2]

FAKE_LDD = """\
\tlinux-vdso.so.1 (0x00007ffc2d7f1000)
\tlibQt6XcbQpa.so.6 => /site-packages/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibfoo-bar2.so.7 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f5)
"""
ALL_FOUND = "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)\n"


def fake_ldd(output):
    return lambda path: output


def test_missing_sonames_are_read_from_ldd_and_named_as_debian_packages():
    assert missing_libraries(FAKE_LDD) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-bar2.so.7"]
    # a soname the table does not know gets Debian's naming rule (libfoo2.so.7 -> libfoo2-7)
    assert packages_for(missing_libraries(FAKE_LDD)) == ["libxcb-icccm4", "libxcb-keysyms1", "libfoo-bar2-7"]
    assert packages_for(["libX11.so.6", "libxkbcommon-x11.so.0", "libglib-2.0.so.0", "libEGL.so.1"]) == [
        "libx11-6",
        "libxkbcommon-x11-0",
        "libglib2.0-0",
        "libegl1",
    ]


def test_a_display_with_missing_libraries_names_them_and_the_install_line():
    problem = window_problem({"DISPLAY": ":0"}, "linux", fake_ldd(FAKE_LDD))
    assert problem is not None and "\n" not in problem
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in problem
    assert "apt-get install libxcb-icccm4 libxcb-keysyms1 libfoo-bar2-7" in problem
    assert window_problem({"DISPLAY": ":0"}, "linux", fake_ldd(ALL_FOUND)) is None


def test_no_display_says_to_use_xvfb_or_offscreen_with_the_packages_xvfb_needs():
    problem = window_problem({}, "linux", fake_ldd(FAKE_LDD))
    assert "xvfb-run" in problem and "QT_QPA_PLATFORM=offscreen" in problem
    assert "apt-get install xvfb libxcb-icccm4 libxcb-keysyms1" in problem
    assert "apt-get install xvfb`" in window_problem({}, "linux", fake_ldd(ALL_FOUND))
    # screenshot switches to offscreen by itself when there is no display
    assert window_problem({}, "linux", fake_ldd(FAKE_LDD), offscreen_fallback=True) is None


@pytest.mark.parametrize(
    ("env", "platform"),
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux"),
        ({}, "darwin"),
        ({}, "win32"),
    ],
)
def test_nothing_is_checked_where_xcb_is_not_used(env, platform):
    def ldd(path):
        raise AssertionError("ldd must not run where xcb is not used")

    assert window_problem(env, platform, ldd) is None


def test_an_explicit_xcb_platform_is_checked():
    assert window_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"}, "linux", fake_ldd(FAKE_LDD))


def _env_without_display(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _main(env, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux only")
def test_main_without_a_display_prints_one_line_and_exits_2():
    result = _main(_env_without_display())
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: the window needs a display")
    assert "xvfb-run" in result.stderr and "Aborted" not in result.stderr and "qt.qpa" not in result.stderr


def _missing_here() -> list[str]:
    plugin = xcb_plugin() if sys.platform.startswith("linux") else None
    output = run_ldd(plugin) if plugin is not None else None
    return missing_libraries(output or "")


@pytest.mark.skipif(not _missing_here(), reason="every library Qt's xcb plugin needs is installed here")
def test_main_with_a_display_but_missing_xcb_libraries_names_them_and_exits_2():
    """On a machine that lacks them (this project's own: libxcb-icccm4, libxcb-keysyms1), for real."""
    missing = _missing_here()
    result = _main(_env_without_display(DISPLAY=":93"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and ", ".join(missing) in result.stderr
    assert "apt-get install " + " ".join(packages_for(missing)) in result.stderr
