"""Layerlab's entry point: no arguments opens the window; sub-commands run headless.

python main.py                      open the window on the spiral example
python main.py train PROJECT.json   train headless (see --help)
python main.py examples             list the bundled examples
"""

from __future__ import annotations

import sys

GUI_COMMANDS = ("screenshot",)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in GUI_COMMANDS or argv[0].endswith(".json") and len(argv) == 1:
        try:
            from gui.app import main as gui_main
        except ImportError as exc:
            print(f"The Layerlab window is not available ({exc}); use `python main.py train ...`.")
            return 0
        return gui_main(argv)
    from engine.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
