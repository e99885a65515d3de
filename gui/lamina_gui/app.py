"""``lamina gui``: start the desktop app.

Usage::

    lamina gui [--demo] [PROJECT_OR_SPEC]

``--demo`` opens the bundled demo project (galaxies + a LeNet CNN); the demo also
opens on the very first start. ``QT_QPA_PLATFORM`` is honoured (e.g. ``offscreen``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lamina gui", description="the lamina desktop app")
    parser.add_argument("path", nargs="?", help="a project folder or a spec .json file to open")
    parser.add_argument("--demo", action="store_true", help="open the bundled demo project")
    parser.add_argument(
        "--no-engine", action="store_true", help="do not start the engine (editing only)"
    )
    return parser.parse_args(list(argv) if argv is not None else None)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the app until its window closes; returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "lamina"])
    app.setApplicationName("lamina")
    app.setOrganizationName("lamina")

    from lamina_gui.main_window import MainWindow

    window = MainWindow(start_engine=not args.no_engine)
    from lamina_gui.settings import app_settings

    settings = app_settings()
    geometry = settings.value("geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    window.show()

    def open_first() -> None:
        if args.path:
            window.projects.open_path(args.path)
        elif args.demo or not settings.value("started_before", False, type=bool):
            window.projects.open_demo()
        settings.setValue("started_before", True)

    QTimer.singleShot(0, open_first)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
