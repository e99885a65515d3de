"""The Data, Train and Visualize views against a fake engine bridge (canned replies/events)."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest
from lamina_gui.bridge import EngineBridge
from lamina_gui.state import AppState

from lamina.engine import protocol as p
from lamina.engine.protocol import EngineStatus


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


@pytest.fixture
def bridge(make_bridge: Any) -> EngineBridge:
    """A bridge over the fake engine (``bridge.client``)."""
    return make_bridge(CATALOG)


@pytest.fixture
def state(make_state: Any) -> AppState:
    return make_state(CATALOG)


# -- Data view ---------------------------------------------------------------------------


def test_data_view_builtin_set_shows_preview_and_counts(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    from lamina_gui.views.data import DataView

    view = DataView(state, bridge)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        view.source_combo.setCurrentIndex(view.source_combo.findData("digits"))
    assert state.spec.to_dict()["data"]["type"] == "digits"
    data = state.spec.to_dict()["data"]
    assert data == {"type": "digits", "params": {}}  # defaults are not written
    view.param_form.editors["n"].set_value(100)
    view.param_form._edited("n")
    assert state.spec.to_dict()["data"]["params"] == {"n": 100}
    assert view.preview.kind() == "images"
    assert view.preview.image_grid.count() == 8
    assert view.counts_table.rowCount() == 10
    assert "200 samples" in view.info_label.text()
    # a 2-D toy set previews as a scatter
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        view.source_combo.setCurrentIndex(view.source_combo.findData("spirals"))
    assert view.preview.kind() == "scatter"
    state.undo_stack.undo()
    assert state.spec.to_dict()["data"]["type"] == "digits"


def test_data_view_a_split_given_by_the_data_switches_its_fraction_off(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    from lamina_gui.views.data import DataView

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
    qtbot: Any, state: Any, bridge: EngineBridge, tmp_path: Any
) -> None:
    from lamina_gui.views.data import DataView

    bad = tmp_path / "stars.csv"
    bad.write_text("a,flux\n1,x\n")
    view = DataView(state, bridge)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.error_shown, timeout=3000) as blocker:
        view.use_path(str(bad))
    assert state.spec.to_dict()["data"] == {"type": "csv", "params": {"path": str(bad)}}
    assert "column 'flux'" in blocker.args[0]
    assert "Traceback" not in view.error_label.text()
    assert not view.error_label.isHidden()


def test_data_view_splits_and_augmentation_are_undoable(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    from lamina_gui.views.data import DataView

    view = DataView(state, bridge)
    qtbot.addWidget(view)
    view.val_split.setValue(0.3)
    view.standardize.setChecked(True)
    view.augment_group.setChecked(True)
    view.aug_widgets["flip_horizontal"].setChecked(True)
    view.aug_widgets["rotate"].setValue(0.1)
    training = state.spec.to_dict()["training"]
    assert training["validation_split"] == 0.3
    assert training["standardize"] is True
    assert training["augmentation"] == {"flip_horizontal": True, "rotate": 0.1}
    state.undo_stack.undo()
    assert not state.spec.to_dict()["training"].get("augmentation")
    assert view.augment_group.isChecked() is False


# -- Train view --------------------------------------------------------------------------


def _train_view(qtbot: Any, state: Any, bridge: EngineBridge, epochs: int = 4) -> Any:
    from lamina_gui.views.train import TrainingView

    spec = state.spec.to_dict()
    spec["data"] = {"type": "spirals", "params": {}}
    spec["training"]["epochs"] = epochs
    state.apply(spec, "test set-up")
    view = TrainingView(state, bridge)
    qtbot.addWidget(view)
    return view


def test_train_view_curves_grow_on_every_epoch(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    view = _train_view(qtbot, state, bridge, epochs=4)
    qtbot.waitUntil(lambda: view.settings.device_combo.findData("gpu:0") >= 0, timeout=2000)
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


def test_train_view_stop_cancels_within_a_batch(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    view = _train_view(qtbot, state, bridge, epochs=50)
    batches: list[int] = []
    bridge.event.connect(lambda ev: batches.append(1) if isinstance(ev, p.BatchEnd) else None)
    view.start()
    rid = view.request_id
    qtbot.waitUntil(lambda: view.epoch_events >= 1, timeout=3000)
    with qtbot.waitSignal(view.finished, timeout=3000) as blocker:
        view.stop_button.click()
        at_stop = len(batches)
    assert bridge.client.cancelled == [rid]
    assert len(batches) - at_stop <= 1
    assert blocker.args[0]["status"] == "cancelled"
    assert view.start_button.isEnabled() and not view.stop_button.isEnabled()
    assert not view.running
    assert "Stopped" in view.status_label.text()


def test_train_view_failure_shows_reason(qtbot: Any, state: Any, bridge: EngineBridge) -> None:
    view = _train_view(qtbot, state, bridge)
    bridge.client.train_script = "fail"
    with qtbot.waitSignal(view.failed, timeout=3000) as blocker:
        view.start()
    assert "NaN" in blocker.args[0]
    assert "NaN" in view.status_label.text()
    assert view.start_button.isEnabled()


def _points_reply(qtbot: Any, bridge: EngineBridge, rid: int) -> None:
    """Runs the event loop until the bridge has dispatched the reply to request `rid`."""
    with qtbot.waitSignal(bridge.reply, check_params_cb=lambda r: r.id == rid, timeout=3000):
        pass


def test_a_points_reply_after_its_view_was_deleted_is_dropped(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    """The flaky failure, made deterministic: a run's boundary asks for the data points;
    the view (and its ScatterPlotItem) is deleted before the reply arrives (a test ends,
    a window closes). The reply reaches the bridge and must not call into the deleted view
    (it raised "Internal C++ object (ScatterPlotItem) already deleted")."""
    import shiboken6
    from lamina_gui.views.train import TrainingView

    state.apply(state.spec.to_dict() | {"data": {"type": "spirals", "params": {}}}, "set-up")
    view = TrainingView(state, bridge)  # deleted below, not by qtbot
    view._request_points()
    request = bridge.client.requests[-1]
    assert isinstance(request, p.DatasetSummaryRequest)
    rid = request.id
    shiboken6.delete(view)
    _points_reply(qtbot, bridge, rid)  # an exception in the callback would fail the test


def test_a_points_reply_of_an_earlier_run_does_not_draw(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    """A new run clears the boundary plot: the points asked for by the previous run are
    forgotten, so their reply draws nothing into the new run's plot."""
    view = _train_view(qtbot, state, bridge)
    view._request_points()
    first = bridge.client.requests[-1].id
    view._reset_run()  # what Start does
    _points_reply(qtbot, bridge, first)
    assert view.boundary_points.points().size == 0
    view._request_points()
    second = bridge.client.requests[-1].id
    _points_reply(qtbot, bridge, second)
    assert view.boundary_points.points().size == 300  # the current request draws


def test_train_view_settings_write_the_spec(qtbot: Any, state: Any, bridge: EngineBridge) -> None:
    view = _train_view(qtbot, state, bridge)
    view.settings.epochs_box.setValue(7)
    view.settings.early_check.setChecked(True)
    view.settings.patience_box.setValue(3)
    training = state.spec.to_dict()["training"]
    assert training["epochs"] == 7
    assert training["early_stopping"]["patience"] == 3


def test_train_view_mixed_precision_only_for_a_gpu(
    qtbot: Any, state: Any, bridge: EngineBridge
) -> None:
    view = _train_view(qtbot, state, bridge)
    qtbot.waitUntil(lambda: view.settings.device_combo.findData("gpu:0") >= 0)  # the engine's ping
    assert view.settings.mixed_check.isEnabled()  # auto, and the engine has a GPU
    view.settings.mixed_check.setChecked(True)
    assert state.spec.to_dict()["training"]["mixed_precision"] is True
    view.settings.device_combo.setCurrentIndex(view.settings.device_combo.findData("cpu"))
    assert state.spec.to_dict()["training"]["mixed_precision"] is False
    assert not view.settings.mixed_check.isChecked() and not view.settings.mixed_check.isEnabled()
    assert "needs a GPU" in view.settings.mixed_check.toolTip()
    view.settings.device_combo.setCurrentIndex(view.settings.device_combo.findData("gpu:0"))
    assert view.settings.mixed_check.isEnabled()
    view.settings.mixed_check.setChecked(True)
    assert state.spec.to_dict()["training"]["device"] == "gpu:0"
    assert state.spec.to_dict()["training"]["mixed_precision"] is True
    state.undo_stack.undo()
    assert not state.spec.to_dict()["training"].get(
        "mixed_precision"
    )  # merged settings edits undone
    assert not view.settings.mixed_check.isChecked()


def test_train_view_uncertainty_results(qtbot: Any, state: Any, bridge: EngineBridge) -> None:
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


def _vis_view(qtbot: Any, state: Any, bridge: EngineBridge, tmp_path: Any) -> Any:
    import json

    from lamina_gui.views.visualize import VisualizeView

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
    qtbot: Any, state: Any, bridge: EngineBridge, tmp_path: Any
) -> None:
    view = _vis_view(qtbot, state, bridge, tmp_path)
    assert view.layer_combo.findData("conv2d_0") >= 0 and view.layer_combo.findData("out") >= 0
    view.set_kind("filters")
    view.set_layer("conv2d_0")
    with qtbot.waitSignal(view.shown, timeout=3000):
        view.run_button.click()
    assert view.grid.count() == 8
    request = bridge.client.requests[-1]
    assert isinstance(request, p.VisualizeRequest) and request.params == {"layer": "conv2d_0"}
    view.set_kind("deconvnet")
    view.sample_box.setValue(5)
    with qtbot.waitSignal(view.shown, timeout=3000):
        view.run()
    assert bridge.client.requests[-1].sample == 5
    assert view.grid.count() == 1
    out = tmp_path / "vis.png"
    assert view.export_png(str(out)) and out.stat().st_size > 100


def test_visualize_deep_dream_updates_live(
    qtbot: Any, state: Any, bridge: EngineBridge, tmp_path: Any
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
    from lamina_gui.widgets.image_grid import ImageGrid

    grid = ImageGrid()
    qtbot.addWidget(grid)
    grid.set_images(np.zeros((3, 5, 5)), ["a", "b", "c"])
    assert grid.count() == 3 and grid.titles() == ["a", "b", "c"]
    z = grid.zoom()
    grid.zoom_by(2.0)
    assert grid.zoom() == pytest.approx(2 * z)
    grid.update_image(1, np.ones((5, 5, 3), dtype=np.uint8) * 200)
    assert grid.image(1)[0, 0, 0] == 200


def test_views_never_import_tensorflow(qtbot: Any, state: Any, bridge: EngineBridge) -> None:
    from lamina_gui.views.data import DataView
    from lamina_gui.views.train import TrainingView
    from lamina_gui.views.visualize import VisualizeView

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
        "import lamina_gui.views.data, lamina_gui.views.train, lamina_gui.views.visualize;"
        f"bad=[m for m in {sorted(heavy)!r} if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_parameter_help_reads_without_code_quotes() -> None:
    from lamina_gui.widgets.param_form import short_help

    help_text = '``"grayscale"``, ``"rgb"`` or ``"auto"``. Defaults to `"auto"`.'
    assert short_help(help_text) == '"grayscale", "rgb" or "auto".'
    text = "Pixels (`0` = keep) of the image. More."
    assert short_help(text, 64) == "Pixels (0 = keep) of the image."


def test_data_files_are_matched_as_the_core_loads_them(tmp_path: Any) -> None:
    """The Data view asks the core's loader table, so app and `load_file` agree."""
    from pathlib import Path

    from lamina_gui.views.data import file_filter, file_source

    expected = {"a.txt": "csv", "b.TSV": "csv", "c.he5": "hdf5", "d.npz": "numpy"}
    expected |= {"e.fits.gz": "fits", "f.fts": "fits"}
    for name, source in expected.items():
        assert file_source(Path(name)) == source, name
    assert file_source(tmp_path) == "image_folder"
    for pattern in ("*.txt", "*.he5", "*.h5", "*.fits.gz", "*.npy"):
        assert pattern in file_filter()
