"""``lamina gui``: the desktop app (needs the ``gui`` extra: PySide6 and pyqtgraph).

Qt is imported only when the command runs, never by ``import lamina``.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(sub: Any) -> None:
    """Adds ``gui`` to the command line."""
    p = sub.add_parser("gui", help="open the desktop app (compose, train and look inside)")
    p.add_argument("path", nargs="?", help="a project folder or a spec .json to open")
    p.add_argument("--demo", action="store_true", help="open the bundled demo project")
    p.add_argument("--no-engine", action="store_true", help="do not start the engine process")
    p.set_defaults(func=run_gui)


def gui_argv(args: argparse.Namespace) -> list[str]:
    """Translates the parsed ``lamina gui`` arguments for `lamina_gui.app.main`."""
    argv = [args.path] if args.path else []
    if args.demo:
        argv.append("--demo")
    if args.no_engine:
        argv.append("--no-engine")
    return argv


def run_gui(args: argparse.Namespace) -> int:
    """Starts the desktop app on a project, a spec or the demo (``lamina gui``)."""
    from lamina.cli import CommandError

    try:
        from lamina_gui.app import main as app_main
    except ImportError as exc:
        raise CommandError(
            f"the desktop app needs PySide6 and pyqtgraph ({exc}); "
            "install them with `pip install lamina[gui]`"
        ) from None
    return app_main(gui_argv(args))
