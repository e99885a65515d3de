"""Screenshots of hyperparameter search in the app: ``python scripts/screenshots_search.py [DIR]``.

Starts the engine, makes a small digits project in a temporary folder, varies three
parameters with their "vary" toggles, runs a 10-trial search in the Search view, opens the
project again (the view reads its past searches) and saves ``search-vary.png`` (a toggle
open in the Item panel), ``search.png`` (the reopened project's search, best marked) and
``search-storage.png`` (an unreachable storage URL: the located error on its field, the
password hidden). Works offscreen (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

SPEC = {
    "name": "digits-mlp",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 32, "activation": "relu"}},
        {"type": "Dropout", "params": {"rate": 0.2}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 4, "batch_size": 64},
    "data": {"type": "digits", "params": {}},
}


def _wait(app: QApplication, predicate, timeout: float = 300.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Saves the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/img/app", type=Path)
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    from lamina_gui.main_window import MainWindow

    QSettings("lamina", "lamina").setValue("started_before", True)
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    _wait(app, lambda: window.bridge.state == "ready")
    _wait(app, lambda: window.catalog_request < 0 and window.state.catalog is not None, 60)
    project = Path(tempfile.mkdtemp(prefix="lamina-search-shots-")) / "digits"
    window.state.reset(SPEC)
    window.projects.save_project(project)

    # vary the units and the dropout rate (Item panel), the learning rate (Compile panel)
    window.composer.select_row(2)
    _wait(app, lambda: "rate" in window.item_panel.form.vary_toggles, 10)
    window.item_panel.form.vary_toggles["rate"].click()
    window.composer.select_row(1)
    _wait(app, lambda: "units" in window.item_panel.form.vary_toggles, 10)
    window.item_panel.form.vary_toggles["units"].click()
    window.compile_panel.optimizer_form.vary_toggles["learning_rate"].click()
    window.side.setCurrentWidget(window.item_panel)
    _wait(app, lambda: window.item_panel.form.ranges["units"].isVisible(), 10)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / "search-vary.png"))

    # the Search view: 10 TPE trials with the median pruner
    window.tabs.setCurrentIndex(window._tab_index("Search"))
    view = window.view("Search")
    view.trials_box.setValue(10)
    view.pruner_combo.setCurrentText("median")
    view.seed_box.setValue(1)
    done: list[object] = []
    view.finished.connect(done.append)
    view.failed.connect(done.append)
    view.start()
    _wait(app, lambda: bool(done), 1200)
    window.projects.save_project(project)  # search.json: the varied parameters, settings
    window.state.undo_stack.setClean()
    # the project opened again: the Search view shows its past search, best marked
    window.projects.open_path(project)
    _wait(app, lambda: view.study_combo.count() > 0 and view.table.rowCount() > 0, 120)
    view.table.select_trial(view.best[0] if view.best else 0)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / "search.png"))

    # a storage URL the engine cannot reach: located at the field, the password hidden
    view.name_edit.setText("shared")
    view.pruner_combo.setCurrentText("none")  # Optuna prunes only single-objective searches
    view.objective_edit.setText("val_loss, val_accuracy")
    view.objective_edit.editingFinished.emit()
    view.storage_edit.setText("postgresql://ana:s3cret@127.0.0.1:1/lamina")
    view.storage_edit.editingFinished.emit()
    done.clear()
    view.start()
    _wait(app, lambda: bool(done), 120)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / "search-storage.png"))
    print(f"saved search-vary.png, search.png, search-storage.png in {out} ({done[0]!s:.200})")
    window.state.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
