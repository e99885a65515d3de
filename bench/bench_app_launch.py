"""Launch-to-first-paint of the lamina window vs a bare QApplication + QMainWindow.

Each run is a fresh Python process (offscreen Qt unless QT_QPA_PLATFORM is set); the
parent measures from spawning the process to the child's report of its window's first
paint event. The lamina window starts its engine right after it is shown, so the
engine is not ready at first paint. Prints the medians and their ratio.

    python bench/bench_app_launch.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHILD = """
import sys, time
t0 = time.perf_counter()
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
if sys.argv[1] == "lamina":
    from lamina_gui.main_window import MainWindow
    w = MainWindow()
else:
    w = QMainWindow()
    w.resize(1280, 800)

class Spy(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and obj is w:
            print(f"PAINTED {time.perf_counter() - t0:.4f}", flush=True)
            w.removeEventFilter(self)
            QTimer.singleShot(0, app.quit)
        return False

spy = Spy()
w.installEventFilter(spy)
w.show()
app.exec()
tf = "tensorflow" in sys.modules
if sys.argv[1] == "lamina":
    w.state.undo_stack.setClean()
    w.close()
print(f"TF {tf}", flush=True)
"""


def one_run(which: str) -> tuple[float, float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, which],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    wall = inner = float("nan")
    for line in proc.stdout:
        if line.startswith("PAINTED"):
            wall = time.perf_counter() - start
            inner = float(line.split()[1])
        if line.startswith("TF") and line.strip() != "TF False":
            print(f"  warning: TensorFlow was imported by the {which} window process")
    proc.wait(timeout=120)
    return wall, inner


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "lamina": []}
    for _ in range(args.runs):
        for which in ("bare", "lamina"):  # interleaved, so load affects both alike
            results[which].append(one_run(which))
    med = {k: statistics.median(w for w, _ in v) for k, v in results.items()}
    med_inner = {k: statistics.median(i for _, i in v) for k, v in results.items()}
    for k in ("bare", "lamina"):
        runs = ", ".join(f"{w:.2f}" for w, _ in results[k])
        print(
            f"{k:7s} spawn-to-first-paint median {med[k]:.3f} s "
            f"(in-process {med_inner[k]:.3f} s); runs: {runs}"
        )
    ratio = med["lamina"] / med["bare"]
    print(f"ratio lamina / bare: {ratio:.2f}  (target: lamina window shown within 1.0 s)")
    print("lamina within 1.0 s:", "yes" if med["lamina"] <= 1.0 else "NO")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
