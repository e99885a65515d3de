"""Screenshots of the Data, Train, Visualize and Runs views for the user guide.

``python scripts/screenshots_views.py [DIR] [--prefix NAME-]`` starts the engine, opens
the demo project (a CNN on the galaxies), shows its Data preview, trains it for a few
epochs, trains on from that run (Continue) and overlays both runs in the Compare runs
tab, shows Grad-CAM of a galaxy in the Visualize view and the Runs view, then trains a
small network on the 2-D moons and shows its decision boundary. Works offscreen
(``QT_QPA_PLATFORM=offscreen``); writes into a fresh ``LAMINA_HOME`` if you set one.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

MOONS = {
    "name": "moons",
    "input": {"shape": [2]},
    "layers": [
        {"type": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 2, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {"learning_rate": 0.01}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 60, "batch_size": 32},
    "data": {"type": "moons", "params": {}},
}


def _wait(app: QApplication, predicate: Callable[[], bool], timeout: float = 300.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Reads the command line (``--help`` prints the usage)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/img/app", type=Path)
    parser.add_argument("--prefix", default="", help="prepended to every file name")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of the galaxy CNN")
    return parser.parse_args(argv)


def _tab(app: QApplication, window: Any, title: str) -> Any:
    view = window.view(title)
    window.tabs.setCurrentIndex(window._tab_index(title))
    _wait(app, lambda: False, 0.3)
    return view


def _train(app: QApplication, window: Any, epochs: int) -> None:
    train = _tab(app, window, "Train")
    train.settings.epochs_box.setValue(epochs)
    done: list[Any] = []
    train.finished.connect(done.append)
    train.failed.connect(done.append)
    train.start()
    _wait(app, lambda: bool(done), 900)
    _wait(app, lambda: False, 0.5)


def main(argv: Sequence[str] | None = None) -> int:
    """Saves the screenshots; returns the exit status."""
    args = parse_args(argv)
    out, prefix = args.out, args.prefix
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    from lamina_gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    _wait(app, lambda: window.bridge.state == "ready")
    _wait(app, lambda: window.catalog_request < 0 and window.state.catalog is not None, 60)
    window.projects.open_demo()

    data = _tab(app, window, "Data")
    _wait(app, lambda: data.counts_table.rowCount() > 0, 300)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"{prefix}data-view.png"))

    _train(app, window, args.epochs)
    window.grab().save(str(out / f"{prefix}train-view.png"))

    # train on from the last weights, then overlay both runs in the Compare runs tab
    train = window.view("Train")
    done: list[Any] = []
    train.finished.connect(done.append)
    train.failed.connect(done.append)
    train.settings.epochs_box.setValue(2)
    train.continue_training()
    _wait(app, lambda: bool(done), 900)
    train.compare.set_checked([train.compare.list.item(i).text() for i in range(2)])
    train.tabs.setCurrentIndex(train.compare_tab)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"{prefix}train-compare.png"))
    train.tabs.setCurrentIndex(0)

    viz = _tab(app, window, "Visualize")
    _wait(app, lambda: viz.run_combo.count() > 0, 60)
    viz.set_kind("gradcam")
    shown: list[Any] = []
    viz.shown.connect(shown.append)
    viz.failed.connect(shown.append)
    viz.sample_box.setValue(3)
    viz.run()
    _wait(app, lambda: bool(shown), 300)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"{prefix}visualize-gradcam.png"))

    runs = _tab(app, window, "Runs")
    runs.table.select_runs(list(runs.table.rows))  # both: the curves, the diff, the lineage
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(out / f"{prefix}runs-view.png"))

    window.state.reset(MOONS)
    data = _tab(app, window, "Data")
    _wait(app, lambda: data.counts_table.rowCount() == 2, 120)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"{prefix}data-moons.png"))
    _train(app, window, 60)
    train = window.view("Train")
    train.tabs.setCurrentIndex(train.boundary_tab)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"{prefix}train-boundary.png"))

    window.state.undo_stack.setClean()
    if hasattr(window.state, "scratch_path"):
        window.state.scratch_path = None  # do not ask about the moons runs
    window.close()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
