"""The app's window, palette, composer, forms and projects against a fake engine client.

No engine process and no TensorFlow: the fake client answers ``check`` and
``expand_architecture`` with canned replies through the real `EngineBridge`.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.qt_bridge import EngineBridge  # noqa: E402
from lamina_gui.qt_composer import initial_params  # noqa: E402
from lamina_gui.qt_main_window import MainWindow  # noqa: E402
from lamina_gui.qt_plugins_dialog import PluginsDialog  # noqa: E402
from lamina_gui.qt_stack_model import ERROR_ROLE, ROWS_MIME  # noqa: E402
from PySide6.QtCore import QMimeData, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from lamina.engine.protocol import (  # noqa: E402
    Catalog,
    CatalogRequest,
    CheckReport,
    CheckRequest,
    EngineStatus,
    ErrorReply,
    ExpandArchitectureRequest,
    ExpandedArchitecture,
    Request,
)


def _p(name: str, type_: str = "int", default: Any = None, **kw: Any) -> dict[str, Any]:
    required = default == "<required>"
    base = {
        "name": name,
        "type": type_,
        "default": default,
        "help": f"The {name}.",
        "choices": None,
        "min": None,
        "max": None,
        "nullable": False,
        "required": required,
    }
    base.update(kw)
    return base


def _e(kind: str, name: str, category: str, params: list, plugin: str = "builtin") -> dict:
    return {
        "kind": kind,
        "name": name,
        "plugin": plugin,
        "category": category,
        "summary": f"{name} summary.",
        "doc": f"{name} docs.",
        "params": params,
        "aliases": [],
        "meta": {},
    }


CATALOG = {
    "entries": [
        _e(
            "layer",
            "Dense",
            "core",
            [
                _p("units", "int", "<required>", min=1),
                _p("activation", "activation", None, nullable=True),
                _p("use_bias", "bool", True),
                _p("kernel_regularizer", "regularizer", None, nullable=True),
            ],
        ),
        _e(
            "layer",
            "Conv2D",
            "convolution",
            [
                _p("filters", "int", "<required>", min=1),
                _p("kernel_size", "int_or_tuple", "<required>"),
                _p("strides", "int_or_tuple", [1, 1]),
                _p("padding", "choice", "valid", choices=["valid", "same"]),
            ],
        ),
        _e("layer", "Flatten", "core", []),
        _e("layer", "Dropout", "regularization", [_p("rate", "float", "<required>", min=0, max=1)]),
        _e("layer", "Activation", "activation", [_p("activation", "activation", "<required>")]),
        _e("activation", "relu", "activation", []),
        _e("activation", "softmax", "activation", []),
        _e("loss", "mse", "regression", []),
        _e(
            "loss",
            "sparse_categorical_crossentropy",
            "classification",
            [_p("from_logits", "bool", False)],
        ),
        _e(
            "optimizer",
            "Adam",
            "gradient descent",
            [_p("learning_rate", "learning_rate", 0.001), _p("beta_1", "float", 0.9)],
        ),
        _e("optimizer", "SGD", "gradient descent", [_p("learning_rate", "learning_rate", 0.01)]),
        _e("architecture", "mlp", "dense", [_p("units", "int", 32)]),
        _e("dataset", "galaxies", "images", [_p("n", "int", 600)]),
        _e("layer", "StarletLayer", "astro", [_p("scales", "int", 3)], plugin="astro-extra"),
    ],
    "plugins": [
        {
            "name": "builtin",
            "source": "entry point",
            "version": "0.1",
            "loaded": True,
            "problems": [],
        },
        {
            "name": "astro-extra",
            "source": "entry point astro_extra",
            "version": "1.0",
            "loaded": True,
            "problems": [],
        },
        {
            "name": "broken",
            "source": "entry point broken_plugin",
            "version": "0.0",
            "loaded": False,
            "problems": ["ImportError: No module named 'scipy_missing'"],
        },
    ],
}

SPEC = {
    "spec_version": 1,
    "name": "demo",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Conv2D", "params": {"filters": 4, "kernel_size": 3}},
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": {"type": "sparse_categorical_crossentropy", "params": {}},
        "optimizer": {"type": "Adam", "params": {}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 2},
}


class FakeClient:
    """Answers like the engine: a check report marking `Dense` with units > 1000 invalid."""

    def __init__(self, on_event: Any) -> None:
        self.on_event = on_event
        self.ids = itertools.count(1)
        self.submitted: list[Request] = []
        self.alive = False
        self.pid = None

    def start(self) -> None:
        self.alive = True
        self.on_event(EngineStatus("ready", "fake engine ready"))

    def stop(self) -> None:
        self.alive = False

    def restart(self) -> None:
        self.on_event(EngineStatus("restarting", "restarting"))
        self.on_event(EngineStatus("ready", "ready"))

    def cancel(self, rid: int) -> None:
        pass

    def send(self, request: Request) -> int:
        request.id = rid = next(self.ids)
        self.submitted.append(request)
        if isinstance(request, CheckRequest):
            self.on_event(CheckReport(**self._report(request.spec), id=rid))
        elif isinstance(request, CatalogRequest):
            self.on_event(Catalog(**copy.deepcopy(CATALOG), id=rid))
        elif isinstance(request, ExpandArchitectureRequest):
            spec = copy.deepcopy(SPEC)
            spec["name"] = request.name
            spec["layers"] = [
                {"type": "Flatten", "params": {}},
                {"type": "Dense", "params": {"units": 32}},
            ]
            self.on_event(ExpandedArchitecture(spec, id=rid))
        else:
            self.on_event(ErrorReply(f"fake engine: no {request.TAG}", id=rid))
        return rid

    @staticmethod
    def _report(spec: dict) -> dict:
        items, problems = [], []
        for i, item in enumerate(spec["layers"]):
            error = None
            if item["type"] == "Dense" and item["params"].get("units", 1) > 1000:
                error = "units: too many units for the fake engine (got 5000)"
                problems.append({"path": f"layers[{i}].params.units", "message": error})
            items.append(
                {
                    "index": i,
                    "type": item["type"],
                    "name": f"x_{i}",
                    "output_shape": [None, 10],
                    "params": 7,
                    "error": error,
                    "checked": True,
                }
            )
        return {
            "ok": not problems,
            "items": items,
            "input_shape": [None, 8, 8, 1],
            "output_shape": [None, 10],
            "total_params": 7 * len(items),
            "trainable_params": 7 * len(items),
            "problems": problems,
        }


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from lamina.engine.catalog_cache import save_catalog

    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    save_catalog(copy.deepcopy(CATALOG))
    return tmp_path / "home"


@pytest.fixture
def make_window(qtbot: Any, cache_home: Path, monkeypatch: pytest.MonkeyPatch):
    """Makes windows over a fake engine; closes them (discarding changes) at the end."""
    windows: list[MainWindow] = []

    def make(spec: dict | None = None) -> MainWindow:
        bridge = EngineBridge(client_factory=FakeClient)
        window = MainWindow(bridge=bridge)  # closed below, not by qtbot (it would ask)
        window.show()
        qtbot.waitExposed(window)
        if spec is not None:
            window.state.reset(spec)
        windows.append(window)
        return window

    yield make
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    for window in windows:
        window.close()
        window.bridge.stop()
        window.deleteLater()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def _wait_report(qtbot: Any, window: MainWindow) -> dict:
    qtbot.waitUntil(lambda: not window.checker.pending, timeout=3000)
    return window.checker.report


# -- palette -----------------------------------------------------------------------------


def test_palette_fills_from_cache_with_third_party_entries(make_window: Any) -> None:
    window = make_window()
    names = window.palette.visible_entries()
    assert {"Dense", "Conv2D", "relu", "Adam", "mlp", "galaxies"} <= set(names)
    assert "StarletLayer" in names  # a third-party plug-in's entry, no app change
    item = window.palette.find_item("StarletLayer")
    assert item is not None and item.text(1) == "astro-extra"
    assert "astro-extra" in item.toolTip(0)


def test_palette_search_and_docs(make_window: Any) -> None:
    window = make_window()
    window.palette.search.setText("conv")
    assert window.palette.visible_entries() == ["Conv2D"]
    window.palette.search.setText("astro-extra")  # search by plug-in
    assert window.palette.visible_entries() == ["StarletLayer"]
    window.palette.search.clear()
    window.palette.tree.setCurrentItem(window.palette.find_item("Dense"))
    assert "Dense docs." in window.palette.docs.toPlainText()
    assert "units" in window.palette.docs.toPlainText()


# -- composer ----------------------------------------------------------------------------


def test_add_by_double_click_reorder_duplicate_delete_undo_redo(make_window: Any, qtbot: Any):
    window = make_window(SPEC)
    state, composer, tree = window.state, window.composer, window.palette.tree
    history = [state.spec]

    item = window.palette.find_item("Dropout")
    item.parent().setExpanded(True)
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [i["type"] for i in state.layers][-1] == "Dropout"
    assert state.layers[-1]["params"] == {"rate": 0.25}
    history.append(state.spec)

    # drop a palette entry at row 1
    data = tree.mimeData([window.palette.find_item("Dense")])
    assert composer.model.dropMimeData(
        data, Qt.DropAction.CopyAction, 1, 0, composer.model.index(-1)
    )
    assert [i["type"] for i in state.layers] == ["Conv2D", "Dense", "Flatten", "Dense", "Dropout"]
    history.append(state.spec)

    # reorder by drag: move row 0 (Conv2D) to the end
    rows = QMimeData()
    rows.setData(ROWS_MIME, json.dumps([0]).encode())
    composer.model.dropMimeData(rows, Qt.DropAction.MoveAction, 5, 0, composer.model.index(-1))
    assert [i["type"] for i in state.layers] == ["Dense", "Flatten", "Dense", "Dropout", "Conv2D"]
    history.append(state.spec)

    composer.select_row(2)
    composer.duplicate_selected()
    assert [i["type"] for i in state.layers][2:4] == ["Dense", "Dense"]
    assert state.layers[3] == state.layers[2]
    history.append(state.spec)

    composer.select_row(0)
    composer.view.setFocus()
    composer.delete_selected()
    assert [i["type"] for i in state.layers][0] == "Flatten"
    history.append(state.spec)

    for expected in reversed(history[:-1]):
        window.undo_action.trigger()
        assert state.spec == expected
    for expected in history[1:]:
        window.redo_action.trigger()
        assert state.spec == expected


def test_keyboard_shortcuts(make_window: Any, qtbot: Any) -> None:
    window = make_window(SPEC)
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # shortcuts go to the active window
    composer = window.composer
    composer.select_row(1)
    composer.view.setFocus()
    qtbot.waitUntil(composer.view.hasFocus, timeout=2000)
    before = window.state.spec
    qtbot.keyClick(composer.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [i["type"] for i in window.state.layers] == ["Conv2D", "Flatten", "Flatten", "Dense"]
    qtbot.keyClick(composer.view, Qt.Key.Key_Delete)
    qtbot.keyClick(composer.view, Qt.Key.Key_Delete)
    assert len(window.state.layers) == 2
    qtbot.keyClick(composer.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(composer.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(composer.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.spec == before
    qtbot.keyClick(
        composer.view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert len(window.state.layers) == 4


def test_copy_paste(make_window: Any) -> None:
    window = make_window(SPEC)
    composer = window.composer
    composer.select_row(2)
    composer.copy_selected()
    composer.select_row(0)
    composer.paste()
    layers = window.state.layers
    assert [i["type"] for i in layers] == ["Conv2D", "Dense", "Flatten", "Dense"]
    assert layers[1] == SPEC["layers"][2]


def test_cards_show_check_and_mark_invalid_item(make_window: Any, qtbot: Any) -> None:
    window = make_window(SPEC)
    report = _wait_report(qtbot, window)
    assert report["ok"]
    assert "21" in window.composer.totals.text()
    window.composer.select_row(2)
    editor = window.item_panel.form.editors["units"]
    editor.setValue(5000)
    assert window.state.layers[2]["params"]["units"] == 5000
    report = _wait_report(qtbot, window)
    assert not report["ok"]
    index = window.composer.model.index(2)
    assert "too many units" in index.data(ERROR_ROLE)
    assert window.composer.model.index(0).data(ERROR_ROLE) is None
    assert window.item_panel.error.isVisible()
    assert "too many units" in window.item_panel.error.text()
    assert "problem" in window.check_label.text()


def test_template_from_engine(make_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch):
    window = make_window(SPEC)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert window.composer.template.findData("mlp") > 0
    window.composer.start_from_template("mlp")
    qtbot.waitUntil(lambda: window.state.spec["name"] == "mlp", timeout=2000)
    assert [i["type"] for i in window.state.layers] == ["Flatten", "Dense"]
    window.undo_action.trigger()
    assert window.state.spec == SPEC | {"layers": SPEC["layers"]}


# -- parameter forms ---------------------------------------------------------------------


def test_param_form_writes_only_changed_values(make_window: Any) -> None:
    window = make_window(SPEC)
    window.composer.select_row(0)
    form = window.item_panel.form
    assert set(form.editors) == {"filters", "kernel_size", "strides", "padding"}
    assert form.labels["filters"].toolTip().count("The filters.") == 1
    form.editors["padding"].setCurrentText("same")
    assert window.state.layers[0]["params"] == {"filters": 4, "kernel_size": 3, "padding": "same"}
    form.editors["padding"].setCurrentText("valid")  # back to the default: removed
    assert window.state.layers[0]["params"] == {"filters": 4, "kernel_size": 3}
    ks = form.editors["kernel_size"]
    ks.setText("3,5")
    ks.textEdited.emit("3,5")
    assert window.state.layers[0]["params"]["kernel_size"] == [3, 5]
    ks.setText("3,q")
    ks.textEdited.emit("3,q")  # invalid: shown red, spec keeps the last valid value
    assert window.state.layers[0]["params"]["kernel_size"] == [3, 5]

    window.composer.select_row(2)
    form = window.item_panel.form
    assert form.editors["activation"].findText("relu") >= 0  # catalogue activations
    form.editors["activation"].setCurrentText("relu")
    reg = form.editors["kernel_regularizer"]
    reg.kind.setCurrentText("l2")
    assert window.state.layers[2]["params"]["kernel_regularizer"] == "l2"
    reg.l2.setValue(0.5)
    assert window.state.layers[2]["params"]["kernel_regularizer"] == {"l2": 0.5}
    form.editors["use_bias"].setChecked(False)
    assert window.state.layers[2]["params"] == {
        "units": 10,
        "activation": "relu",
        "kernel_regularizer": {"l2": 0.5},
        "use_bias": False,
    }


def test_compile_panel(make_window: Any) -> None:
    window = make_window(SPEC)
    panel = window.compile_panel
    panel.optimizer.setCurrentText("SGD")
    assert window.state.spec["compile"]["optimizer"] == {"type": "SGD", "params": {}}
    lr = panel.optimizer_form.editors["learning_rate"]
    lr.rate.setValue(0.05)
    assert window.state.spec["compile"]["optimizer"]["params"] == {"learning_rate": 0.05}
    lr.kind.setCurrentText("ExponentialDecay")
    value = window.state.spec["compile"]["optimizer"]["params"]["learning_rate"]
    assert value["type"] == "ExponentialDecay"
    panel.loss.setCurrentText("mse")
    assert window.state.spec["compile"]["loss"] == {"type": "mse", "params": {}}
    panel.metrics.setText("accuracy, mae")
    panel.metrics.editingFinished.emit()
    assert window.state.spec["compile"]["metrics"] == ["accuracy", "mae"]


# -- projects ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"{ not json",
        b'{"format": "someone-else", "spec": {}}',
        b"\x00\x01\x02binary",
        b'{"format": "lamina-project", "format_version": 1, "spec": {"layers": 3}}',
    ],
)
def test_corrupt_project_shows_message_and_is_untouched(
    make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    window = make_window(SPEC)
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "project.json").write_bytes(content)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    before = window.state.spec
    assert not window.projects.open_path(folder)
    assert shown and "project.json" in shown[0]
    assert (folder / "project.json").read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == ["project.json"]
    assert window.state.spec == before


def test_foreign_json_file_is_refused(make_window: Any, tmp_path: Path, monkeypatch) -> None:
    window = make_window(SPEC)
    path = tmp_path / "other.json"
    content = b'{"hello": "world"}\n'
    path.write_bytes(content)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    assert not window.projects.open_path(path)
    assert shown and path.read_bytes() == content


def test_save_and_open_round_trip(make_window: Any, tmp_path: Path) -> None:
    window = make_window(SPEC)
    window.composer.select_row(2)
    window.item_panel.form.editors["units"].setValue(12)
    assert window.state.dirty and window.isWindowModified()
    assert window.projects.save_project(tmp_path / "p")
    assert not window.state.dirty
    saved = json.loads((tmp_path / "p" / "project.json").read_text())
    assert saved["format"] == "lamina-project"
    assert saved["spec"]["layers"][2]["params"]["units"] == 12
    other = make_window()
    assert other.projects.open_path(tmp_path / "p")
    assert other.state.spec == window.state.spec
    assert str((tmp_path / "p").resolve()) in other.projects.recent()


def test_autosave_side_file(make_window: Any, tmp_path: Path) -> None:
    window = make_window(SPEC)
    assert window.projects.save_project(tmp_path / "p")
    assert window.projects.autosave() is None  # nothing unsaved
    window.composer.select_row(2)
    window.item_panel.form.editors["units"].setValue(13)
    side = window.projects.autosave()
    assert side == (tmp_path / "p").resolve() / ".autosave.spec.json" or side.name.endswith(
        ".autosave.spec.json"
    )
    assert json.loads(side.read_text())["layers"][2]["params"]["units"] == 13
    saved = json.loads((tmp_path / "p" / "project.json").read_text())
    assert saved["spec"]["layers"][2]["params"]["units"] == 10


def test_close_with_unsaved_changes_asks(make_window: Any, monkeypatch: pytest.MonkeyPatch):
    window = make_window(SPEC)
    window.composer.select_row(0)
    window.composer.delete_selected()
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton):
        def question(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
            asked.append(args[2])
            return button

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    window.close()
    assert asked and window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    window.close()
    assert len(asked) == 2 and not window.isVisible()


def test_clean_window_closes_without_asking(make_window: Any, monkeypatch) -> None:
    window = make_window(SPEC)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked"))
    window.close()
    assert not window.isVisible()


def test_demo_project_opens(make_window: Any, cache_home: Path) -> None:
    window = make_window()
    assert window.projects.open_demo()
    spec = window.state.spec
    assert spec["data"] == {"type": "galaxies", "params": {"n": 600}}
    assert [i["type"] for i in spec["layers"]][:2] == ["Conv2D", "MaxPooling2D"]
    assert window.state.project_path == (cache_home / "projects" / "demo").resolve()


# -- plug-ins dialog, engine status ----------------------------------------------------


def test_plugins_dialog_lists_failures(qtbot: Any) -> None:
    dialog = PluginsDialog(CATALOG)
    qtbot.addWidget(dialog)
    texts = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert texts[0].startswith("builtin") and "astro-extra  (1 entries)" in texts
    broken = dialog.tree.topLevelItem(2)
    assert broken.text(1) == "failed"
    assert "scipy_missing" in broken.child(0).text(0)
    assert "1 with problems" in dialog.note.text()


def test_engine_status_shown(make_window: Any) -> None:
    window = make_window(SPEC)
    window.bridge._dispatch(EngineStatus("died", "the engine was killed by signal 9 (SIGKILL)"))
    assert window.notice.isVisible() and "SIGKILL" in window.notice.text()
    assert "died" in window.engine_label.text()
    window.bridge._dispatch(EngineStatus("ready", "engine ready"))
    assert "ready" in window.engine_label.text()
    assert window.state.spec == window.state.spec | {"layers": SPEC["layers"]}


def test_initial_params_fill_required_values() -> None:
    conv = CATALOG["entries"][1]
    assert initial_params(conv) == {"filters": 16, "kernel_size": 3}
    assert initial_params(CATALOG["entries"][2]) == {}
