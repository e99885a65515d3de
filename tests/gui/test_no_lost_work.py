"""No lost work, over the real window and the real engine: the runs of a model trained
before its first Save are kept (in a scratch project, moved into the project on Save),
and a reopened project shows its Data preview, its last run's curves and metrics, and
its runs in the Visualize view.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.main_window import MainWindow


@pytest.fixture
def window(make_window: Any, engine: Any, qtbot: Any, digits_cnn: Any) -> MainWindow:
    win = make_window(engine, spec=digits_cnn(), start_engine=False)
    qtbot.waitUntil(lambda: win.bridge.state == "ready", timeout=300_000)
    return win


def _train(qtbot: Any, window: MainWindow, epochs: int) -> dict[str, Any]:
    train = window.view("Train")
    train.settings.epochs_box.setValue(epochs)
    with qtbot.waitSignal(train.finished, timeout=300_000) as done:
        train.start()
    return done.args[0]


def test_runs_before_the_first_save_are_kept_and_shown_on_reopen(
    qtbot: Any, window: MainWindow, make_window: Any, engine: Any, tmp_path: Path
) -> None:
    first = _train(qtbot, window, 2)
    second = _train(qtbot, window, 3)
    assert first["status"] == second["status"] == "finished"
    scratch = window.state.scratch_path
    assert scratch is not None and len(window.state.scratch_runs()) == 2

    # the Visualize view lists them before any save (no stale "Choose a run")
    viz = window.view("Visualize")
    viz.run()  # no run chosen yet? then the red message; it must clear when runs appear
    viz.refresh_runs()
    qtbot.waitUntil(lambda: viz.run_combo.count() == 2, timeout=30_000)
    assert not viz.status_label.text().startswith("Choose a run")

    folder = tmp_path / "saved"
    assert window.projects.save_project(folder)
    runs = sorted(p.name for p in (folder / "runs").iterdir())
    assert runs == sorted([Path(first["run_dir"]).name, Path(second["run_dir"]).name])
    assert not scratch.exists()
    last_loss = json.loads((folder / "runs" / runs[-1] / "history.json").read_text())["loss"]

    # reopen in a fresh window
    window.close()
    again = make_window(engine, start_engine=False)
    assert again.projects.open_path(folder)
    data = again.view("Data")
    again.tabs.setCurrentIndex(again._tab_index("Data"))
    with qtbot.waitSignal(data.preview_shown, timeout=120_000) as shown:
        pass
    assert shown.args[0]["n"] > 0 and data.counts_table.rowCount() == 10

    train = again.view("Train")
    assert train.history["loss"] == pytest.approx(last_loss)
    assert len(train.history["loss"]) == 3
    assert "accuracy" in train.results_label.text()
    assert train.confusion.isVisible() or not train.confusion.isHidden()

    viz = again.view("Visualize")
    again.tabs.setCurrentIndex(again._tab_index("Visualize"))
    qtbot.waitUntil(lambda: viz.run_combo.count() == 2, timeout=30_000)
    listed = {Path(viz.run_combo.itemData(i)).name for i in range(viz.run_combo.count())}
    assert listed == set(runs)
    for i in range(2):
        viz.run_combo.setCurrentIndex(i)
        viz.set_kind("filters")
        with qtbot.waitSignal(viz.shown, timeout=120_000) as result:
            viz.run()
        assert result.args[0]["kind"] == "filters"
        assert Path(result.args[0]["run_dir"] or viz.run_dir).parent == folder / "runs"


def test_a_run_still_training_at_the_save_lands_in_the_saved_project(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    train = window.view("Train")
    train.settings.epochs_box.setValue(2)
    train.start()  # the real engine trains while the model is saved
    scratch = window.state.runs_project()
    folder = tmp_path / "saved-while-training"
    assert window.projects.save_project(folder)
    with qtbot.waitSignal(train.finished, timeout=300_000) as done:
        pass
    assert done.args[0]["status"] == "finished"
    run = Path(done.args[0]["run_dir"]).name
    assert (folder / "runs" / run / "run.json").is_file()
    assert train.last_run_dir == str(folder / "runs" / run)
    history = json.loads((folder / "runs" / run / "history.json").read_text())
    assert train.history["loss"] == pytest.approx(history["loss"])
    assert not scratch.exists()
