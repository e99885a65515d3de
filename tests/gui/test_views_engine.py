"""The Data, Train and Visualize views against the real engine child process (slow)."""

from __future__ import annotations

from typing import Any

import pytest

CNN = {
    "name": "digits-cnn",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 2, "batch_size": 64},
    "data": {"type": "digits", "params": {}},
}


@pytest.fixture(scope="module")
def engine(qapp: Any) -> Any:
    from lamina_gui.qt_bridge import EngineBridge

    bridge = EngineBridge()
    bridge.start()
    if not bridge.client.wait_ready(300):
        bridge.stop()
        pytest.fail("the engine did not start within 300 s")
    catalog = bridge.client.catalog(timeout=120).to_dict()
    yield bridge, catalog
    bridge.stop()


@pytest.fixture
def state(engine: Any, tmp_path: Any) -> Any:
    from lamina_gui.qt_state import AppState

    s = AppState()
    s.catalog = engine[1]
    s.reset(CNN, project_path=tmp_path / "proj")
    yield s
    s.undo_stack.cleanChanged.disconnect()


@pytest.fixture(scope="module")
def trained(engine: Any, tmp_path_factory: Any) -> dict[str, Any]:
    """A CNN trained for 2 epochs through the real TrainingView (shared by the tests)."""
    from lamina_gui.qt_state import AppState
    from lamina_gui.qt_training_view import TrainingView

    bridge, catalog = engine
    s = AppState()
    s.catalog = catalog
    s.reset(CNN, project_path=tmp_path_factory.mktemp("proj"))
    view = TrainingView(s, bridge)
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
    from lamina_gui.qt_data_view import DataView

    bridge, _ = engine
    data = DataView(state, bridge)
    qtbot.addWidget(data)
    with qtbot.waitSignal(data.preview_shown, timeout=60000) as got:
        data.refresh_preview()
    assert got.args[0]["n"] == 1797
    assert data.preview_kind() == "images" and data.image_grid.count() == 8
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
    from lamina_gui.qt_visualize_view import VisualizeView

    bridge, _ = engine
    vis = VisualizeView(state, bridge)
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

    from lamina_gui.qt_training_view import TrainingView

    bridge, _ = engine
    spec = state.spec
    spec["training"] = {"epochs": 500, "batch_size": 8}
    state.apply(spec, "a long run")
    view = TrainingView(state, bridge)
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
