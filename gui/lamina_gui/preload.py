"""Imports the modules of the views made on first use, in a background thread.

The window paints first and makes its Data, Train, Visualize... views only when their tab
opens. Importing a view's modules (pyqtgraph alone takes 0.3-5 s, more on a loaded
machine) on the GUI thread blocked the window for that long when a tab first opened;
imported ahead in a thread, the tab only builds its widgets. Imports release the GIL
between bytecodes, so the window keeps painting meanwhile. No widget is made here.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable

#: Slow imports the lazy views share (imported before the views themselves).
SHARED = ("numpy", "pyqtgraph", "lamina.data.loaders", "lamina.data.report")


def preload(modules: Iterable[str]) -> list[str]:
    """Imports `modules` in order; returns those that failed (their view says why when
    its tab opens and imports them again)."""
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the tab reports it when opened
            failed.append(name)
    return failed


def start_preload(modules: Iterable[str]) -> threading.Thread:
    """Starts importing `SHARED` and then `modules` in a daemon thread; returns it."""
    names = [*SHARED, *modules]
    thread = threading.Thread(target=preload, args=(names,), name="lamina-preload", daemon=True)
    thread.start()
    return thread
