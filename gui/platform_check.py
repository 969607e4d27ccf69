"""Before Qt starts: can the window open? One line saying what is missing, instead of Qt's abort.

On Linux, Qt's xcb platform plugin aborts the process ("could not load the Qt platform plugin")
when a library it links against is missing or there is no display. This asks `ldd` which of the
plugin's libraries are not found (~20 ms, only when xcb will be used) and names the Debian/Ubuntu
packages that provide them. No Qt import here: it must run before QApplication exists.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# soname -> Debian/Ubuntu package, for what libqxcb.so links against (Qt 6.5+)
PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

XVFB_HINT = 'xvfb-run -s "-screen 0 1600x1000x24" python main.py'


def window_problem(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    ldd: Callable[[Path], str | None] | None = None,
    offscreen_fallback: bool = False,
) -> str | None:
    """One line saying why the window cannot start here, or None when it can (or we cannot tell).

    `offscreen_fallback`: the caller switches to QT_QPA_PLATFORM=offscreen without a display (the
    screenshot command), so only missing libraries are a problem.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or not _uses_xcb(env):
        return None
    no_display = not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY")
    if env.get("WAYLAND_DISPLAY") and not env.get("QT_QPA_PLATFORM"):
        return None  # Qt may pick its wayland plugin there (and falls back to xcb itself)
    if no_display and offscreen_fallback:
        return None
    plugin = xcb_plugin()
    output = (ldd or run_ldd)(plugin) if plugin is not None else None
    missing = missing_libraries(output or "")
    packages = packages_for(missing)
    if no_display:
        install = " ".join(["xvfb", *packages])
        return (
            "the window needs a display and none is set (DISPLAY is empty): run it under Xvfb, "
            f"`{XVFB_HINT}` (Debian/Ubuntu: `apt-get install {install}`), or run it unseen with "
            "QT_QPA_PLATFORM=offscreen"
        )
    if missing:
        return (
            f"the window cannot start: Qt's xcb platform plugin needs {', '.join(missing)}, "
            f"not installed here; on Debian/Ubuntu: `apt-get install {' '.join(packages)}` "
            "(or run it unseen with QT_QPA_PLATFORM=offscreen)"
        )
    return None


def _uses_xcb(env: Mapping[str, str]) -> bool:
    """Unset means Qt's default (xcb on Linux); "xcb", "xcb:opts" or a list like "wayland;xcb"."""
    wanted = env.get("QT_QPA_PLATFORM", "").strip()
    if not wanted:
        return True
    first = wanted.split(";")[0].split(":")[0].strip()
    return first == "xcb"


def xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so, found without importing PySide6 (the check must stay cheap)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if path.is_file():
            return path
    return None


def run_ldd(path: Path) -> str | None:
    """`ldd path` (it lists every library the plugin needs, recursively), or None without ldd."""
    exe = shutil.which("ldd")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, str(path)], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ldd reports as `not found`, each once, in its order."""
    missing: list[str] = []
    for line in ldd_output.splitlines():
        name, arrow, where = line.strip().partition("=>")
        if arrow and where.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def packages_for(sonames: list[str]) -> list[str]:
    """The Debian/Ubuntu packages providing `sonames`, each once, in their order."""
    packages: list[str] = []
    for soname in sonames:
        package = PACKAGES.get(soname) or _debian_name(soname)
        if package not in packages:
            packages.append(package)
    return packages


def _debian_name(soname: str) -> str:
    """Debian's naming rule for a library package: libfoo.so.3 -> libfoo3, libfoo2.so.1 -> libfoo2-1."""
    name, sep, version = soname.partition(".so.")
    if not sep:
        return soname
    name = name.lower()
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"
