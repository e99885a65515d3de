"""Screenshots of the app for the user guide: ``python scripts/screenshots.py [DIR]``.

Starts the engine, opens the demo project, waits for its check, and saves the
composer, a palette search, a parameter form and the plug-ins dialog as PNGs.
Works offscreen (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication


def _wait(app: QApplication, predicate, timeout: float = 300.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Reads the command line (``--help`` prints the usage)."""
    parser = argparse.ArgumentParser(
        description="Save screenshots of the lamina app (composer, palette, parameter form, "
        "compile panel, plug-ins dialog) for the user guide. Starts the engine and opens the "
        "demo project; works offscreen (QT_QPA_PLATFORM=offscreen).",
    )
    parser.add_argument(
        "out",
        nargs="?",
        default="docs/img/app",
        type=Path,
        help="the folder to write the PNG files to (default: docs/img/app)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Saves the screenshots; returns the exit status."""
    out = parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    from lamina_gui.main_window import MainWindow
    from lamina_gui.settings import app_settings
    from lamina_gui.views.plugins_dialog import PluginsDialog

    app_settings().setValue("started_before", True)
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    _wait(app, lambda: window.bridge.state == "ready")
    _wait(app, lambda: window.catalog_request < 0 and window.state.catalog is not None, 60)
    window.projects.open_demo()
    _wait(app, lambda: bool(not window.checker.pending and window.checker.report))
    window.composer.select_row(0)
    _wait(app, lambda: False, 0.3)
    window.grab().save(str(out / "composer.png"))

    window.palette.search.setText("conv")
    item = window.palette.find_item("Conv2D")
    if item is not None:
        window.palette.tree.setCurrentItem(item)
    _wait(app, lambda: False, 0.3)
    window.palette.grab().save(str(out / "palette-search.png"))
    window.palette.search.clear()

    # an invalid parameter: the item turns red with the engine's message
    window.composer.select_row(0)
    editor = window.item_panel.form.editors["kernel_size"]
    editor.setText("80")
    editor.textEdited.emit("80")
    _wait(app, lambda: bool(window.composer.model.errors), 120)
    _wait(app, lambda: False, 0.3)
    window.grab().save(str(out / "composer-error.png"))
    window.undo_action.trigger()
    _wait(app, lambda: bool(window.checker.report and window.checker.report.get("ok")), 120)

    window.composer.select_row(6)
    _wait(app, lambda: False, 0.3)
    window.side.grab().save(str(out / "param-form.png"))
    window.side.setCurrentIndex(1)
    _wait(app, lambda: False, 0.3)
    window.side.grab().save(str(out / "compile-panel.png"))
    window.side.setCurrentIndex(0)

    dialog = PluginsDialog(window.state.catalog, window)
    dialog.show()
    _wait(app, lambda: False, 0.3)
    dialog.grab().save(str(out / "plugins-dialog.png"))
    dialog.close()

    window.state.undo_stack.setClean()
    window.close()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
