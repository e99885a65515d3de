"""The Data, Train and Visualize views against a fake engine bridge (canned replies/events)."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest
from lamina_gui.qt_bridge import _alive
from PySide6.QtCore import QObject, QTimer, Signal  # noqa: E402

from lamina.engine import protocol as p  # noqa: E402
from lamina.engine.protocol import EngineStatus  # noqa: E402


def _p(name: str, type_: str = "int", default: Any = 0, **kw: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "default": default, "required": False, **kw}


CATALOG = {
    "entries": [
        {
            "kind": "dataset",
            "name": "digits",
            "category": "images",
            "summary": "8x8 digits.",
            "params": [_p("n", default=200), _p("seed")],
        },
        {
            "kind": "dataset",
            "name": "spirals",
            "category": "toy 2-D",
            "summary": "Spirals.",
            "params": [_p("n", default=300), _p("noise", "float", 0.05), _p("seed")],
        },
        {
            "kind": "dataset",
            "name": "csv",
            "category": "files",
            "summary": "A CSV table.",
            "params": [
                {"name": "path", "type": "str", "default": "<required>", "required": True},
                _p("target", "str", ""),
            ],
        },
        {
            "kind": "visualization",
            "name": "filters",
            "category": "weights",
            "summary": "Kernels.",
            "params": [_p("layer", "any", None), _p("mode", "choice", "auto", choices=["auto"])],
        },
        {
            "kind": "visualization",
            "name": "deconvnet",
            "category": "projection",
            "summary": "Deconvnet.",
            "params": [
                _p("input", "any", None),
                _p("layer", "any", None),
                _p("filter", "int", None),
            ],
        },
        {
            "kind": "visualization",
            "name": "deep_dream",
            "category": "synthesis",
            "summary": "Dream.",
            "params": [_p("input", "any", None), _p("layer", "any", None), _p("steps", default=50)],
        },
    ]
}


class FakeBridge(QObject):
    """Answers requests like the engine would, on the event loop, with canned data."""

    reply = Signal(object)
    event = Signal(object)
    status = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[p.Request] = []
        self.cancelled: list[int] = []
        self.callbacks: dict[int, tuple[Any, Any]] = {}
        self.train_script = "ok"
        self._next = 0
        self._timers: dict[int, QTimer] = {}

    def request(self, request: p.Request, callback: Any = None, on_event: Any = None) -> int:
        self._next += 1
        request.id = rid = self._next
        self.requests.append(request)
        self.callbacks[rid] = (callback, on_event)
        handler = {
            p.PingRequest: self._h_ping,
            p.DatasetSummaryRequest: self._h_dataset_summary,
            p.TrainRequest: self._h_train,
            p.VisualizeRequest: self._h_visualize,
        }.get(type(request))
        # bound to this bridge: a reply never outlives it into a later test
        QTimer.singleShot(
            5,
            self,
            lambda: (
                handler(rid, request)
                if handler
                else self._reply(rid, p.ErrorReply(f"fake engine: no {request.TAG}"))
            ),
        )
        return rid

    def cancel(self, rid: int) -> None:
        self.cancelled.append(rid)

    def kinds(self) -> list[str]:
        return [r.TAG for r in self.requests]

    def _reply(self, rid: int, reply: p.Reply) -> None:
        reply.id = rid
        self.reply.emit(reply)
        callback, _ = self.callbacks.pop(rid, (None, None))
        if _alive(callback):  # as the real bridge: a deleted view gets nothing
            callback(reply)

    def _event(self, rid: int, event: p.Event) -> None:
        event.id = rid
        self.event.emit(event)
        _, on_event = self.callbacks.get(rid, (None, None))
        if _alive(on_event):
            on_event(event)

    # -- canned handlers ---------------------------------------------------------------
    def _h_ping(self, rid: int, request: p.PingRequest) -> None:
        devices = [
            {"name": "cpu", "kind": "cpu", "description": "CPU"},
            {"name": "gpu:0", "kind": "gpu", "description": "Fake GPU"},
        ]
        self._reply(rid, p.EngineInfo(0, {}, "python", devices))

    def _h_dataset_summary(self, rid: int, request: p.DatasetSummaryRequest) -> None:
        data = request.data
        if data["type"] == "csv":
            message = f"{data['params']['path']}: row 3 column 'flux' is not a number"
            self._reply(rid, p.ErrorReply(message, "data"))
            return
        if data["type"] == "spirals":
            x = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
            y = (x[:, 0] > 0).astype(np.int64)
            summary = {
                "name": "spirals",
                "task": "classification",
                "n": 300,
                "x_shape": [300, 2],
                "y_shape": [300],
                "class_names": ["A", "B"],
                "class_counts": {"A": 150, "B": 150},
                "feature_names": ["x1", "x2"],
            }
            kind = "points"
        else:
            x = np.random.default_rng(0).random((8, 8, 8, 1)).astype(np.float32)
            y = np.arange(8)
            summary = {
                "name": "digits",
                "task": "classification",
                "n": 200,
                "x_shape": [200, 8, 8, 1],
                "y_shape": [200],
                "class_names": [str(i) for i in range(10)],
                "class_counts": {str(i): 20 for i in range(10)},
            }
            kind = "images"
        self._reply(rid, p.DatasetSummary(summary, {"kind": kind, "x": x, "y": y}))

    def _h_train(self, rid: int, request: p.TrainRequest) -> None:
        epochs = int(request.spec["training"]["epochs"])
        if self.train_script == "fail":
            self._event(rid, p.Failed(reason="the loss became NaN at epoch 1"))
            self._reply(rid, p.TrainResult("failed", "the loss became NaN at epoch 1"))
            return
        self._event(rid, p.RunStarted(epochs=epochs, steps_per_epoch=10, device="cpu"))
        state = {"epoch": 0, "batch": 0}
        timer = QTimer(self)
        timer.setInterval(2)

        def tick() -> None:
            if rid in self.cancelled:
                timer.stop()
                self._event(rid, p.Cancelled(last_epoch=state["epoch"] - 1))
                result = p.TrainResult(
                    "cancelled", "cancelled by the user", None, None, state["epoch"]
                )
                self._reply(rid, result)
                return
            if state["batch"] == 0:
                self._event(rid, p.EpochStarted(state["epoch"]))
            self._event(rid, p.BatchEnd(state["epoch"], state["batch"]))
            state["batch"] += 1
            if state["batch"] < 10:
                return
            e = state["epoch"]
            metrics = {
                "loss": 1 / (e + 1),
                "accuracy": 0.5 + e / 100,
                "val_loss": 1.2 / (e + 1),
                "val_accuracy": 0.45 + e / 100,
                "lr": 0.001,
            }
            self._event(rid, p.EpochEnd(e, metrics, 0.02))
            grid = np.random.default_rng(e).random((48, 48, 2)).astype(np.float16)
            self._event(rid, p.Boundary(grid, [-1, 1, -1, 1], e))
            state["epoch"] += 1
            state["batch"] = 0
            if state["epoch"] == epochs:
                timer.stop()
                metrics = {
                    "n": 30,
                    "loss": 0.3,
                    "accuracy": 0.9,
                    "confusion_matrix": [[14, 1], [2, 13]],
                    "class_names": ["A", "B"],
                }
                self._event(rid, p.Finished(epochs_run=epochs, metrics=metrics))
                self._reply(
                    rid,
                    p.TrainResult(
                        "finished", epochs_run=epochs, metrics=metrics, run_dir="/tmp/run"
                    ),
                )

        timer.timeout.connect(tick)
        timer.start()
        self._timers[rid] = timer

    def _h_visualize(self, rid: int, request: p.VisualizeRequest) -> None:
        kind = request.visualization
        if kind == "deep_dream":
            steps = request.params.get("steps", 5)
            for s in range(steps):
                img = np.full((16, 16, 3), 40 * s, dtype=np.uint8)
                self._event(rid, p.Image(s, steps, img))
            images = np.full((1, 16, 16, 3), 1.0, dtype=np.float32)
            self._reply(rid, p.VisualizeResult(kind, images, ["dream"], {"layer": "conv2d_0"}))
            return
        n = 8 if kind == "filters" else 1
        images = np.random.default_rng(0).normal(size=(n, 3, 3)).astype(np.float32)
        titles = [f"filter {i}" for i in range(n)]
        meta = {"cmap": "RdBu_r", "symmetric": True, "layer": "conv2d_0"}
        self._reply(rid, p.VisualizeResult(kind, images, titles, meta))


@pytest.fixture
def bridge() -> FakeBridge:
    return FakeBridge()


@pytest.fixture
def state(qtbot: Any) -> Any:
    from lamina_gui.qt_state import AppState

    s = AppState()
    s.catalog = CATALOG
    yield s
    s.undo_stack.cleanChanged.disconnect()


# -- Data view ---------------------------------------------------------------------------


def test_data_view_builtin_set_shows_preview_and_counts(
    qtbot: Any, state: Any, bridge: FakeBridge
) -> None:
    from lamina_gui.qt_data_view import DataView

    view = DataView(state, bridge)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        view.source_combo.setCurrentIndex(view.source_combo.findData("digits"))
    assert state.spec["data"]["type"] == "digits"
    assert state.spec["data"] == {"type": "digits", "params": {}}  # defaults are not written
    view.param_form.editors["n"].set_value(100)
    view.param_form._edited("n")
    assert state.spec["data"]["params"] == {"n": 100}
    assert view.preview_kind() == "images"
    assert view.image_grid.count() == 8
    assert view.counts_table.rowCount() == 10
    assert "200 samples" in view.info_label.text()
    # a 2-D toy set previews as a scatter
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        view.source_combo.setCurrentIndex(view.source_combo.findData("spirals"))
    assert view.preview_kind() == "scatter"
    state.undo_stack.undo()
    assert state.spec["data"]["type"] == "digits"


def test_data_view_a_split_given_by_the_data_switches_its_fraction_off(
    qtbot: Any, state: Any, bridge: FakeBridge
) -> None:
    from lamina_gui.qt_data_view import DataView

    view = DataView(state, bridge)
    qtbot.addWidget(view)
    summary = {"name": "survey", "task": "regression", "n": 300, "x_shape": [300, 4]}
    view.show_summary({"summary": {**summary, "split_counts": None}})
    assert view.val_split.isEnabled() and view.test_split.isEnabled()
    assert "split given" not in view.info_label.text()
    counts = {"train": 250, "validation": 0, "test": 50}
    view.show_summary({"summary": {**summary, "split_counts": counts}})
    assert "split given by the data: train 250, validation 0, test 50" in view.info_label.text()
    assert not view.test_split.isEnabled() and "(50)" in view.test_split.toolTip()
    assert view.val_split.isEnabled() and "250 training samples" in view.val_split.toolTip()
    view.show_summary({"summary": summary})  # another dataset: both fractions count again
    assert view.test_split.isEnabled()


def test_data_view_bad_file_shows_data_error(
    qtbot: Any, state: Any, bridge: FakeBridge, tmp_path: Any
) -> None:
    from lamina_gui.qt_data_view import DataView

    bad = tmp_path / "stars.csv"
    bad.write_text("a,flux\n1,x\n")
    view = DataView(state, bridge)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.error_shown, timeout=3000) as blocker:
        view.use_path(str(bad))
    assert state.spec["data"] == {"type": "csv", "params": {"path": str(bad)}}
    assert "column 'flux'" in blocker.args[0]
    assert "Traceback" not in view.error_label.text()
    assert not view.error_label.isHidden()


def test_data_view_splits_and_augmentation_are_undoable(
    qtbot: Any, state: Any, bridge: FakeBridge
) -> None:
    from lamina_gui.qt_data_view import DataView

    view = DataView(state, bridge)
    qtbot.addWidget(view)
    view.val_split.setValue(0.3)
    view.standardize.setChecked(True)
    view.augment_group.setChecked(True)
    view.aug_widgets["flip_horizontal"].setChecked(True)
    view.aug_widgets["rotate"].setValue(0.1)
    training = state.spec["training"]
    assert training["validation_split"] == 0.3
    assert training["standardize"] is True
    assert training["augmentation"] == {"flip_horizontal": True, "rotate": 0.1}
    state.undo_stack.undo()
    assert not state.spec["training"].get("augmentation")
    assert view.augment_group.isChecked() is False


# -- Train view --------------------------------------------------------------------------


def _train_view(qtbot: Any, state: Any, bridge: FakeBridge, epochs: int = 4) -> Any:
    from lamina_gui.qt_training_view import TrainingView

    spec = state.spec
    spec["data"] = {"type": "spirals", "params": {}}
    spec["training"]["epochs"] = epochs
    state.apply(spec, "test set-up")
    view = TrainingView(state, bridge)
    qtbot.addWidget(view)
    return view


def test_train_view_curves_grow_on_every_epoch(qtbot: Any, state: Any, bridge: FakeBridge) -> None:
    view = _train_view(qtbot, state, bridge, epochs=4)
    qtbot.waitUntil(lambda: view.device_combo.findData("gpu:0") >= 0, timeout=2000)
    counts: list[int] = []
    draw = view.event_handlers[p.EpochEnd]

    def spy(event: p.EpochEnd) -> None:
        draw(event)
        counts.append(view.loss_plot.points())

    view.event_handlers[p.EpochEnd] = spy
    with qtbot.waitSignal(view.finished, timeout=5000) as blocker:
        view.start_button.click()
        assert view.running and not view.start_button.isEnabled()
    assert counts == [1, 2, 3, 4]  # a point per epoch, drawn as the event arrived
    # the metric plot is painted one short timer later, so the two paints never add up
    qtbot.waitUntil(lambda: view.metric_plot.points() == 4, timeout=2000)
    assert view.overall_bar.value() == 4
    assert blocker.args[0]["status"] == "finished"
    assert "accuracy" in view.results_label.text()
    assert view.confusion.rowCount() == 2 and view.confusion.item(0, 0).text() == "14"
    assert view.boundary_updates == 4 and view.boundary_points.points().size == 300
    assert view.start_button.isEnabled() and not view.running
    assert "epoch 4" in view.log.toPlainText()


def test_train_view_stop_cancels_within_a_batch(qtbot: Any, state: Any, bridge: FakeBridge) -> None:
    view = _train_view(qtbot, state, bridge, epochs=50)
    batches: list[int] = []
    bridge.event.connect(lambda ev: batches.append(1) if isinstance(ev, p.BatchEnd) else None)
    view.start()
    rid = view.request_id
    qtbot.waitUntil(lambda: view.epoch_events >= 1, timeout=3000)
    with qtbot.waitSignal(view.finished, timeout=3000) as blocker:
        view.stop_button.click()
        at_stop = len(batches)
    assert bridge.cancelled == [rid]
    assert len(batches) - at_stop <= 1
    assert blocker.args[0]["status"] == "cancelled"
    assert view.start_button.isEnabled() and not view.stop_button.isEnabled()
    assert not view.running
    assert "Stopped" in view.status_label.text()


def test_train_view_failure_shows_reason(qtbot: Any, state: Any, bridge: FakeBridge) -> None:
    view = _train_view(qtbot, state, bridge)
    bridge.train_script = "fail"
    with qtbot.waitSignal(view.failed, timeout=3000) as blocker:
        view.start()
    assert "NaN" in blocker.args[0]
    assert "NaN" in view.status_label.text()
    assert view.start_button.isEnabled()


def test_train_view_settings_write_the_spec(qtbot: Any, state: Any, bridge: FakeBridge) -> None:
    view = _train_view(qtbot, state, bridge)
    view.epochs_box.setValue(7)
    view.early_check.setChecked(True)
    view.patience_box.setValue(3)
    training = state.spec["training"]
    assert training["epochs"] == 7
    assert training["early_stopping"]["patience"] == 3


def test_train_view_mixed_precision_only_for_a_gpu(
    qtbot: Any, state: Any, bridge: FakeBridge
) -> None:
    view = _train_view(qtbot, state, bridge)
    qtbot.waitUntil(lambda: view.device_combo.findData("gpu:0") >= 0)  # the engine's ping
    assert view.mixed_check.isEnabled()  # auto, and the engine has a GPU
    view.mixed_check.setChecked(True)
    assert state.spec["training"]["mixed_precision"] is True
    view.device_combo.setCurrentIndex(view.device_combo.findData("cpu"))
    assert state.spec["training"]["mixed_precision"] is False
    assert not view.mixed_check.isChecked() and not view.mixed_check.isEnabled()
    assert "needs a GPU" in view.mixed_check.toolTip()
    view.device_combo.setCurrentIndex(view.device_combo.findData("gpu:0"))
    assert view.mixed_check.isEnabled()
    view.mixed_check.setChecked(True)
    assert state.spec["training"]["device"] == "gpu:0"
    assert state.spec["training"]["mixed_precision"] is True
    state.undo_stack.undo()
    assert not state.spec["training"].get("mixed_precision")  # merged settings edits undone
    assert not view.mixed_check.isChecked()


def test_train_view_uncertainty_results(qtbot: Any, state: Any, bridge: FakeBridge) -> None:
    view = _train_view(qtbot, state, bridge)
    x = np.linspace(0, 1, 20)
    view.show_results(
        {
            "metrics": {
                "loss": 1.0,
                "predictions": {
                    "x": x.tolist(),
                    "mean": x.tolist(),
                    "lower": (x - 0.1).tolist(),
                    "upper": (x + 0.1).tolist(),
                },
                "calibration": {"levels": [0.1, 0.5, 0.9], "observed": [0.12, 0.48, 0.91]},
            }
        }
    )
    assert view.tabs.isTabVisible(view.prob_tab)


# -- Visualize view ----------------------------------------------------------------------


def _vis_view(qtbot: Any, state: Any, bridge: FakeBridge, tmp_path: Any) -> Any:
    import json

    from lamina_gui.qt_visualize_view import VisualizeView

    run = tmp_path / "run1"
    run.mkdir()
    (run / "spec.json").write_text(
        json.dumps(
            {
                "layers": [
                    {"type": "Conv2D"},
                    {"type": "MaxPooling2D"},
                    {"type": "Dense", "name": "out"},
                ]
            }
        )
    )
    view = VisualizeView(state, bridge)
    qtbot.addWidget(view)
    view.set_run_dir(str(run))
    return view


def test_visualize_filters_and_deconvnet(
    qtbot: Any, state: Any, bridge: FakeBridge, tmp_path: Any
) -> None:
    view = _vis_view(qtbot, state, bridge, tmp_path)
    assert view.layer_combo.findData("conv2d_0") >= 0 and view.layer_combo.findData("out") >= 0
    view.set_kind("filters")
    view.set_layer("conv2d_0")
    with qtbot.waitSignal(view.shown, timeout=3000):
        view.run_button.click()
    assert view.grid.count() == 8
    request = bridge.requests[-1]
    assert isinstance(request, p.VisualizeRequest) and request.params == {"layer": "conv2d_0"}
    view.set_kind("deconvnet")
    view.sample_box.setValue(5)
    with qtbot.waitSignal(view.shown, timeout=3000):
        view.run()
    assert bridge.requests[-1].sample == 5
    assert view.grid.count() == 1
    out = tmp_path / "vis.png"
    assert view.export_png(str(out)) and out.stat().st_size > 100


def test_visualize_deep_dream_updates_live(
    qtbot: Any, state: Any, bridge: FakeBridge, tmp_path: Any
) -> None:
    view = _vis_view(qtbot, state, bridge, tmp_path)
    view.set_kind("deep_dream")
    view.steps_box.setValue(6)
    seen: list[float] = []
    show = view._on_event

    def spy(ev: Any) -> None:
        show(ev)
        seen.append(float(view.grid.image(0).mean()))

    view._on_event = spy
    with qtbot.waitSignal(view.shown, timeout=3000):
        view.run()
    assert view.live_updates == 6
    assert seen == [0.0, 40.0, 80.0, 120.0, 160.0, 200.0]  # the grid followed every step
    assert view.grid.count() == 1


def test_image_grid_zoom_and_update(qtbot: Any) -> None:
    from lamina_gui.qt_image_grid import ImageGrid

    grid = ImageGrid()
    qtbot.addWidget(grid)
    grid.set_images(np.zeros((3, 5, 5)), ["a", "b", "c"])
    assert grid.count() == 3 and grid.titles() == ["a", "b", "c"]
    z = grid.zoom()
    grid.zoom_by(2.0)
    assert grid.zoom() == pytest.approx(2 * z)
    grid.update_image(1, np.ones((5, 5, 3), dtype=np.uint8) * 200)
    assert grid.image(1)[0, 0, 0] == 200


def test_views_never_import_tensorflow(qtbot: Any, state: Any, bridge: FakeBridge) -> None:
    from lamina_gui.qt_data_view import DataView
    from lamina_gui.qt_training_view import TrainingView
    from lamina_gui.qt_visualize_view import VisualizeView

    for cls in (DataView, TrainingView, VisualizeView):
        qtbot.addWidget(cls(state, bridge))
    bridge.status.emit(EngineStatus("ready"))
    heavy = {
        "tensorflow",
        "tf_keras",
        "lamina.keras",
        "lamina.build",
        "lamina.training.trainer",
        "lamina.visualize",
    }
    import subprocess

    code = (
        "import sys, os; os.environ['QT_QPA_PLATFORM']='offscreen';"
        "from PySide6.QtWidgets import QApplication; app=QApplication([]);"
        "import lamina_gui.qt_data_view, lamina_gui.qt_training_view, lamina_gui.qt_visualize_view;"
        f"bad=[m for m in {sorted(heavy)!r} if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_parameter_help_reads_without_code_quotes() -> None:
    from lamina_gui.qt_param_form import short_help

    help_text = '``"grayscale"``, ``"rgb"`` or ``"auto"``. Defaults to `"auto"`.'
    assert short_help(help_text) == '"grayscale", "rgb" or "auto".'
    text = "Pixels (`0` = keep) of the image. More."
    assert short_help(text, 64) == "Pixels (0 = keep) of the image."
