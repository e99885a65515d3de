"""Does the first opening of the Data tab block the window? The real main window (over a
stand-in engine that never answers, so only the app's own work counts) is shown
offscreen; a 10 ms QTimer records the longest gap between ticks while idle, and then
around the first switch to the Data tab.

By default the bench runs itself twice, side by side: with the window's background
preload of the views' modules (what the app does) and without it (``--no-preload``,
the tab imports pyqtgraph and its modules itself, as before). Target: the switch's
longest gap close to the idle baseline (no more than ~60 ms on a quiet machine).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_data_tab.py [--wait 6]
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class SilentEngine:
    """An engine client that is ready at once and never answers (no engine work)."""

    def __init__(self, on_event: object) -> None:
        self.on_event = on_event
        self.ids = itertools.count(1)
        self.alive = False
        self.pid = None

    def start(self) -> None:
        from lamina.engine.protocol import EngineStatus

        self.alive = True
        self.on_event(EngineStatus("ready", "ready"))  # type: ignore[operator]

    def stop(self) -> None:
        self.alive = False

    def send(self, request: object) -> int:
        return next(self.ids)

    def cancel(self, request_id: int) -> None:
        pass


def measure(wait: float, preload: bool) -> tuple[float, float, float]:
    """Returns (idle longest gap, switch longest gap, switch call) in ms."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from lamina_gui.bridge import EngineBridge
    from lamina_gui.main_window import MainWindow

    if not preload and hasattr(MainWindow, "preload_views"):
        MainWindow.preload_views = lambda self: None  # type: ignore[method-assign]
    bridge = EngineBridge(client_factory=SilentEngine)
    bridge.start()
    window = MainWindow(bridge=bridge, start_engine=False)
    window.show()
    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)

    def tick() -> None:
        if clock.isValid():
            gaps.append(clock.nsecsElapsed() / 1e6)
        clock.restart()

    ticker.timeout.connect(tick)
    idle: list[float] = []
    call: list[float] = []

    def switch() -> None:
        idle.extend(gaps)
        gaps.clear()
        t = time.perf_counter()
        window.tabs.setCurrentIndex(window._tab_index("Data"))
        call.append((time.perf_counter() - t) * 1000)

    QTimer.singleShot(0, ticker.start)
    QTimer.singleShot(int(wait * 1000), switch)
    QTimer.singleShot(int(wait * 1000) + 1500, app.quit)
    app.exec()
    ticker.stop()
    window.state.undo_stack.setClean()
    bridge.stop()
    return max(idle[5:] or [0.0]), max(gaps or [0.0]), call[0] if call else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wait", type=float, default=6.0, help="idle seconds before the switch")
    parser.add_argument("--no-preload", dest="preload", action="store_false")
    parser.add_argument("--once", action="store_true", help="one measurement (no comparison)")
    args = parser.parse_args()
    if args.once:
        idle, switch, call = measure(args.wait, args.preload)
        print(f"RESULT {idle:.1f} {switch:.1f} {call:.1f}")
        return 0
    rows = {}
    for preload in (False, True):
        cmd = [sys.executable, __file__, "--once", "--wait", str(args.wait)]
        out = subprocess.run(
            cmd + ([] if preload else ["--no-preload"]), capture_output=True, text=True
        ).stdout
        line = [x for x in out.splitlines() if x.startswith("RESULT")]
        if not line:
            print(f"no result (preload={preload}):\n{out}")
            return 1
        rows[preload] = [float(v) for v in line[0].split()[1:]]
    for preload, (idle, switch, call) in rows.items():
        what = "with the background preload" if preload else "without it (before)"
        print(
            f"{what:28s}: first Data tab switch {call:6.1f} ms; longest gap {switch:6.1f} ms "
            f"(idle {idle:.1f} ms)"
        )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
