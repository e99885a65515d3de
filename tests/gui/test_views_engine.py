"""The Data, Train and Visualize views against the real engine child process (slow).

The engine is the session's one real engine (conftest).
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def state(make_state: Any, engine_catalog: dict, tmp_path: Any, digits_cnn: Any) -> Any:
    return make_state(engine_catalog, digits_cnn(), project_path=tmp_path / "proj")


@pytest.fixture(scope="module")
def trained(
    engine: Any, engine_catalog: dict, tmp_path_factory: Any, digits_cnn: Any
) -> dict[str, Any]:
    """A CNN trained for 2 epochs through the real TrainingView (shared by the tests)."""
    from lamina_gui.state import AppState
    from lamina_gui.views.train import TrainingView

    s = AppState()
    s.catalog = engine_catalog
    s.reset(digits_cnn(), project_path=tmp_path_factory.mktemp("proj"))
    view = TrainingView(s, engine)
    done: list[dict] = []
    view.finished.connect(done.append)
    view.failed.connect(lambda reason: done.append({"status": "failed", "reason": reason}))
    view.start()
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer

    deadline = QDeadlineTimer(240000)
    while not done and not deadline.hasExpired():
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents()
        import time

        time.sleep(0.01)
    out = {
        "result": done[0] if done else {},
        "epoch_events": view.epoch_events,
        "points": view.loss_plot.points(),
        "confusion_rows": view.confusion.rowCount(),
        "log": view.log.toPlainText(),
    }
    view.deleteLater()
    s.undo_stack.cleanChanged.disconnect()
    return out


def test_real_engine_data_view(qtbot: Any, engine: Any, state: Any, tmp_path: Any) -> None:
    from lamina_gui.views.data import DataView

    data = DataView(state, engine)
    qtbot.addWidget(data)
    with qtbot.waitSignal(data.preview_shown, timeout=60000) as got:
        data.refresh_preview()
    assert got.args[0]["n"] == 1797
    assert data.preview.kind() == "images" and data.preview.image_grid.count() == 8
    assert data.counts_table.rowCount() == 10

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with qtbot.waitSignal(data.error_shown, timeout=60000) as err:
        data.use_path(str(bad))
    assert "bad.csv" in err.args[0] and "Traceback" not in err.args[0]


def test_real_engine_training_view(trained: dict[str, Any]) -> None:
    assert trained["result"].get("status") == "finished", trained["result"]
    assert trained["epoch_events"] == 2 and trained["points"] == 2
    assert trained["confusion_rows"] == 10
    # the engine's RunStarted carries the data report the CLI prints
    assert "data: digits: 1797 samples, x (1797, 8, 8, 1) float32" in trained["log"]
    assert "split: train 1258, validation 359, test 180 (drawn by fractions)" in trained["log"]


def test_real_engine_visualize_view(qtbot: Any, engine: Any, state: Any, trained: dict) -> None:
    from lamina_gui.views.visualize import VisualizeView

    vis = VisualizeView(state, engine)
    qtbot.addWidget(vis)
    assert vis.kind_combo.findData("filters") >= 0, "no visualizations in the catalogue"
    vis.set_run_dir(trained["result"]["run_dir"])
    vis.set_kind("filters")
    vis.set_layer("conv2d_0")
    with qtbot.waitSignals([vis.shown], timeout=120000, raising=False):
        vis.run()
    assert vis.grid.count() == 4, vis.status_label.text()
    vis.set_kind("deep_dream")
    vis.steps_box.setValue(6)
    with qtbot.waitSignal(vis.shown, timeout=120000):
        vis.run()
    assert vis.live_updates >= 2 and vis.grid.count() >= 1  # the dream (and its start)


def test_real_engine_stop_cancels_quickly(qtbot: Any, engine: Any, state: Any) -> None:
    import time

    from lamina_gui.views.train import TrainingView

    spec = state.spec.to_dict()
    spec["training"] = {"epochs": 500, "batch_size": 8}
    state.apply(spec, "a long run")
    view = TrainingView(state, engine)
    qtbot.addWidget(view)
    view.start()
    qtbot.waitUntil(lambda: view.epoch_events >= 1, timeout=120000)
    with qtbot.waitSignal(view.finished, timeout=30000) as done:
        t0 = time.monotonic()
        view.stop_button.click()
    seconds = time.monotonic() - t0
    assert done.args[0]["status"] == "cancelled"
    assert seconds < 5, seconds  # a batch takes milliseconds; allow for a loaded machine
    assert view.epoch_events < 500 and not view.running
    assert view.start_button.isEnabled() and "Stopped" in view.status_label.text()


def test_real_engine_wait_note_names_what_a_visualization_waits_for(
    qtbot: Any, engine: Any, state: Any, trained: dict
) -> None:
    """A filters request queued behind a long deep dream (both long requests, one lane)
    says so in its view, in the engine's words, and the note goes with the answer."""
    from lamina_gui.views.visualize import VisualizeView

    run_dir = trained["result"]["run_dir"]
    dream, filters = VisualizeView(state, engine), VisualizeView(state, engine)
    for view in (dream, filters):
        qtbot.addWidget(view)
        view.show()
        view.set_run_dir(run_dir)
    dream.set_kind("deep_dream")
    dream.steps_box.setValue(10000)  # runs until stopped
    dream.run()
    qtbot.waitUntil(lambda: dream.live_updates >= 1, timeout=120000)  # it is running
    filters.set_kind("filters")
    filters.set_layer("conv2d_0")
    rid = filters.run()
    qtbot.waitUntil(filters.wait_note.isVisible, timeout=30000)
    assert filters.wait_note.request_id == rid
    assert filters.wait_note.text() == (
        "Drawing a visualization waits for drawing a visualization to end… "
        "The answer comes as soon as it can."
    )
    assert dream.wait_note.isHidden()  # the running request has nothing to wait for
    with qtbot.waitSignal(filters.shown, timeout=120000):
        dream.stop()
    assert filters.wait_note.isHidden() and filters.grid.count() == 4
