"""The app's window, palette, composer, forms and projects against the fake engine.

No engine process and no TensorFlow: `FakeEngine` (conftest) answers ``check`` and
``expand_architecture`` with canned replies through the real `EngineBridge`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.main_window import MainWindow  # noqa: E402
from lamina_gui.views.compose import initial_params  # noqa: E402
from lamina_gui.views.plugins_dialog import PluginsDialog  # noqa: E402
from lamina_gui.widgets.stack_model import ERROR_ROLE, ROWS_MIME  # noqa: E402
from PySide6.QtCore import QMimeData, Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from lamina.engine.protocol import CheckRequest, EngineStatus  # noqa: E402
from lamina.spec import parse_spec


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


@pytest.fixture
def cache_home(app_home: Path) -> Path:
    """lamina's home with the catalogue cache the window fills its palette from."""
    from lamina.engine.catalog_cache import save_catalog

    save_catalog(copy.deepcopy(CATALOG))
    return app_home


@pytest.fixture
def fake_window(make_window: Any, make_bridge: Any, cache_home: Path) -> Any:
    """Makes main windows over the fake engine, showing `spec` if given."""

    def make(spec: dict | None = None) -> MainWindow:
        return make_window(make_bridge(CATALOG, start=False), spec)

    return make


def _wait_report(qtbot: Any, window: MainWindow) -> dict:
    qtbot.waitUntil(lambda: not window.checker.pending, timeout=3000)
    return window.checker.report


# -- palette -----------------------------------------------------------------------------


def test_palette_fills_from_cache_with_third_party_entries(fake_window: Any) -> None:
    window = fake_window()
    names = window.palette.visible_entries()
    assert {"Dense", "Conv2D", "relu", "Adam", "mlp", "galaxies"} <= set(names)
    assert "StarletLayer" in names  # a third-party plug-in's entry, no app change
    item = window.palette.find_item("StarletLayer")
    assert item is not None and item.text(1) == "astro-extra"
    assert "astro-extra" in item.toolTip(0)


def test_palette_search_and_docs(fake_window: Any) -> None:
    window = fake_window()
    window.palette.search.setText("conv")
    assert window.palette.visible_entries() == ["Conv2D"]
    window.palette.search.setText("astro-extra")  # search by plug-in
    assert window.palette.visible_entries() == ["StarletLayer"]
    window.palette.search.clear()
    window.palette.tree.setCurrentItem(window.palette.find_item("Dense"))
    assert "Dense docs." in window.palette.docs.toPlainText()
    assert "units" in window.palette.docs.toPlainText()


# -- composer ----------------------------------------------------------------------------


def test_add_by_double_click_reorder_duplicate_delete_undo_redo(fake_window: Any, qtbot: Any):
    window = fake_window(SPEC)
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
        assert state.spec is expected
    for expected in history[1:]:
        window.redo_action.trigger()
        assert state.spec is expected


def test_an_edit_and_its_check_validate_once_and_copy_nothing(
    fake_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One spec in memory: an edit in the composer followed by its check validates the
    spec once and deep-copies nothing (the undo stack keeps the specs themselves)."""
    import lamina.spec
    from lamina.spec import ModelSpec

    window = fake_window(SPEC)
    _wait_report(qtbot, window)
    window.composer.select_row(2)
    before = window.state.spec
    validations: list[str] = []
    parses: list[object] = []
    copies: list[str] = []
    validate, parse, deepcopy = ModelSpec.model_validate, lamina.spec.parse_spec, copy.deepcopy

    def counting_validate(data: Any, *args: Any, **kwargs: Any) -> ModelSpec:
        validations.append(type(data).__name__)
        return validate(data, *args, **kwargs)

    def counting_parse(data: Any, *args: Any, **kwargs: Any) -> ModelSpec:
        parses.append(data)
        return parse(data, *args, **kwargs)

    def counting_deepcopy(value: Any, *args: Any) -> Any:
        if isinstance(value, (dict, list, ModelSpec)):  # leaves (str, int) are not copies
            copies.append(type(value).__name__)
        return deepcopy(value, *args)

    monkeypatch.setattr(ModelSpec, "model_validate", counting_validate)
    monkeypatch.setattr(lamina.spec, "parse_spec", counting_parse)
    monkeypatch.setattr(copy, "deepcopy", counting_deepcopy)
    window.checker.report = None
    window.item_panel.form.editors["units"].setValue(12)
    report = _wait_report(qtbot, window)
    monkeypatch.undo()

    assert report is not None and report["ok"]
    assert window.state.spec.layers[2].params["units"] == 12
    sent = window.bridge.client.requests[-1]
    assert isinstance(sent, CheckRequest) and sent.spec["layers"][2]["params"]["units"] == 12
    assert validations == ["dict"] and parses == []  # the edited spec, validated once
    assert copies == []
    command = window.state.undo_stack.command(window.state.undo_stack.index() - 1)
    assert command.before is before and command.after is window.state.spec
    window.undo_action.trigger()
    assert window.state.spec is before


def test_keyboard_shortcuts(fake_window: Any, qtbot: Any) -> None:
    window = fake_window(SPEC)
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


def test_copy_paste(fake_window: Any) -> None:
    window = fake_window(SPEC)
    composer = window.composer
    composer.select_row(2)
    composer.copy_selected()
    composer.select_row(0)
    composer.paste()
    layers = window.state.layers
    assert [i["type"] for i in layers] == ["Conv2D", "Dense", "Flatten", "Dense"]
    assert layers[1] == SPEC["layers"][2]


def test_cards_show_check_and_mark_invalid_item(fake_window: Any, qtbot: Any) -> None:
    window = fake_window(SPEC)
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


def test_template_from_engine(fake_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch):
    window = fake_window(SPEC)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert window.composer.template.findData("mlp") > 0
    window.composer.start_from_template("mlp")
    qtbot.waitUntil(lambda: window.state.spec.to_dict()["name"] == "mlp", timeout=2000)
    assert [i["type"] for i in window.state.layers] == ["Flatten", "Dense"]
    window.undo_action.trigger()
    assert window.state.spec == parse_spec(SPEC)


# -- parameter forms ---------------------------------------------------------------------


def test_param_form_writes_only_changed_values(fake_window: Any) -> None:
    window = fake_window(SPEC)
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


def test_compile_panel(fake_window: Any) -> None:
    window = fake_window(SPEC)
    panel = window.compile_panel
    panel.optimizer.setCurrentText("SGD")
    assert window.state.spec.to_dict()["compile"]["optimizer"] == {"type": "SGD", "params": {}}
    lr = panel.optimizer_form.editors["learning_rate"]
    lr.rate.setValue(0.05)
    assert window.state.spec.to_dict()["compile"]["optimizer"]["params"] == {"learning_rate": 0.05}
    lr.kind.setCurrentText("ExponentialDecay")
    value = window.state.spec.to_dict()["compile"]["optimizer"]["params"]["learning_rate"]
    assert value == {
        "type": "ExponentialDecay",
        "params": {"initial_learning_rate": 0.05, "decay_steps": 1000, "decay_rate": 0.9},
    }
    from lamina.schedules import schedule_problem

    for kind in ("PiecewiseConstantDecay", "CosineDecayRestarts", "InverseTimeDecay"):
        # every schedule the editor offers starts from parameters that pass `check`
        lr.kind.setCurrentText(kind)
        value = window.state.spec.to_dict()["compile"]["optimizer"]["params"]["learning_rate"]
        assert value["type"] == kind and schedule_problem(value) is None, value
    panel.loss.setCurrentText("mse")
    assert window.state.spec.to_dict()["compile"]["loss"] == {"type": "mse", "params": {}}
    panel.metrics.setText("accuracy, mae")
    panel.metrics.editingFinished.emit()
    assert window.state.spec.to_dict()["compile"]["metrics"] == ["accuracy", "mae"]


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
    fake_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    window = fake_window(SPEC)
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


def test_foreign_json_file_is_refused(fake_window: Any, tmp_path: Path, monkeypatch) -> None:
    window = fake_window(SPEC)
    path = tmp_path / "other.json"
    content = b'{"hello": "world"}\n'
    path.write_bytes(content)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    assert not window.projects.open_path(path)
    assert shown and path.read_bytes() == content


def test_save_and_open_round_trip(fake_window: Any, tmp_path: Path) -> None:
    window = fake_window(SPEC)
    window.composer.select_row(2)
    window.item_panel.form.editors["units"].setValue(12)
    assert window.state.dirty and window.isWindowModified()
    assert window.projects.save_project(tmp_path / "p")
    assert not window.state.dirty
    saved = json.loads((tmp_path / "p" / "project.json").read_text())
    assert saved["format"] == "lamina-project"
    assert saved["spec"]["layers"][2]["params"]["units"] == 12
    assert saved["spec"] == window.state.spec.to_dict()  # written by lamina.project
    other = fake_window()
    assert other.projects.open_path(tmp_path / "p")
    assert other.state.spec == window.state.spec
    assert str((tmp_path / "p").resolve()) in other.projects.recent()


def test_autosave_side_file(fake_window: Any, tmp_path: Path) -> None:
    window = fake_window(SPEC)
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


def test_close_with_unsaved_changes_asks(fake_window: Any, monkeypatch: pytest.MonkeyPatch):
    window = fake_window(SPEC)
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


def test_clean_window_closes_without_asking(fake_window: Any, monkeypatch) -> None:
    window = fake_window(SPEC)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked"))
    window.close()
    assert not window.isVisible()


def test_demo_project_opens(fake_window: Any, cache_home: Path) -> None:
    window = fake_window()
    assert window.projects.open_demo()
    spec = window.state.spec.to_dict()
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


def test_engine_status_shown(fake_window: Any) -> None:
    window = fake_window(SPEC)
    window.bridge._dispatch(EngineStatus("died", "the engine was killed by signal 9 (SIGKILL)"))
    assert window.notice.isVisible() and "SIGKILL" in window.notice.text()
    assert "died" in window.engine_label.text()
    window.bridge._dispatch(EngineStatus("ready", "engine ready"))
    assert "ready" in window.engine_label.text()
    assert window.state.spec == parse_spec(SPEC)


def test_initial_params_fill_required_values() -> None:
    conv = CATALOG["entries"][1]
    assert initial_params(conv) == {"filters": 16, "kernel_size": 3}
    assert initial_params(CATALOG["entries"][2]) == {}


def test_every_parameter_type_of_the_core_has_an_editor() -> None:
    from lamina_gui.widgets.param_editors import EDITORS

    from lamina.params import PARAM_TYPES

    assert set(EDITORS) == set(PARAM_TYPES)
