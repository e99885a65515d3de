"""Screenshots of spectra in the app: ``python scripts/screenshots_spectra.py [DIR]``.

Trains a small Conv1D classifier on the built-in ``spectra`` data set (into a temporary
project), starts the app with its engine, and saves the Data view previewing the spectra
(``data-spectra.png``) and the Visualize view showing the saliency of an emission
spectrum (``visualize-spectra.png``), both drawn as curves against wavelength with Hα,
Hβ and [O III] marked. Works offscreen (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


def _wait(app: QApplication, predicate, timeout: float = 300.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def train_run(project: Path) -> tuple[str, int]:
    """Trains the Conv1D spectra classifier of the docs and tests into `project`.

    Returns its run folder and the index of a spectrum with a strong Hα line.
    """
    import numpy as np
    from lamina_builtin.datasets.spectra_model import SPECTRA_DATA, train_spectra_classifier

    from lamina.data.sources import load_data

    run = train_spectra_classifier(project, seed=0)
    ds = load_data(SPECTRA_DATA)
    strong = int(np.flatnonzero((ds.y == 1) & (ds.extras["halpha_ew"] > 40))[0])
    return str(run.path), strong


def main(argv: Sequence[str] | None = None) -> int:
    """Saves the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/img/app", type=Path)
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    run_dir, strong = train_run(Path(tempfile.mkdtemp()) / "spectra-project")

    app = QApplication.instance() or QApplication([])
    from lamina_gui.main_window import MainWindow

    QSettings("lamina", "lamina").setValue("started_before", True)
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    _wait(app, lambda: window.bridge.state == "ready")
    _wait(app, lambda: window.catalog_request < 0 and window.state.catalog is not None, 60)

    window.tabs.setCurrentIndex(window._tab_index("Data"))
    data = window.view("Data")
    shown: list[dict] = []
    data.preview_shown.connect(shown.append)
    data.source_combo.setCurrentIndex(data.source_combo.findData("spectra"))
    _wait(app, lambda: bool(shown) and data.preview.kind() == "spectrum", 120)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / "data-spectra.png"))

    window.tabs.setCurrentIndex(window._tab_index("Visualize"))
    vis = window.view("Visualize")
    _wait(app, lambda: False, 3.0)  # the tab's own run list arrives first (no project here)
    vis.set_run_dir(run_dir)
    _wait(app, lambda: False, 0.5)
    if vis.run_dir != run_dir:
        raise SystemExit(f"the Visualize view did not take the run {run_dir}")
    vis.set_kind("saliency")
    vis.sample_box.setValue(strong)  # an emission spectrum
    vis.class_box.setValue(1)  # the evidence for "emission"
    results: list[dict] = []
    vis.shown.connect(results.append)
    vis.run()
    if not _wait(app, lambda: bool(results), 300):
        raise SystemExit(f"no saliency shown: {vis.status_label.text()}")
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / "visualize-spectra.png"))
    window.state.undo_stack.setClean()
    window.close()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
