"""The "vary" toggle, the Search view and the project's search.json against the fake engine.

No engine process: `FakeEngine` (conftest) answers a ``search`` request with four canned
trials (one pruned, one failed) through the real `EngineBridge`, and refuses a space that
names item 9 with a located error, as the engine does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.main_window import MainWindow
from lamina_gui.views.search import SearchView
from lamina_gui.widgets.param_form import ItemPanel
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog
from test_app_offline import CATALOG, SPEC

from lamina.engine.protocol import SearchRequest, SearchStudiesRequest
from lamina.spec import parse_spec, save_spec

DATA_SPEC = {**copy.deepcopy(SPEC), "data": {"type": "digits", "params": {}}}
UNITS = "layers[2].params.units"
LR = "compile.optimizer.params.learning_rate"


@pytest.fixture
def state(make_state: Any, tmp_path: Path) -> Any:
    return make_state(copy.deepcopy(CATALOG), DATA_SPEC, project_path=tmp_path / "proj")


def on_screen(widget: Any) -> bool:
    """Whether `widget` is laid out where a click on its centre reaches it."""
    if not widget.isVisible():
        return False
    top = widget.window()
    hit = top.childAt(widget.mapTo(top, widget.rect().center()))
    return hit is not None and (hit is widget or widget.isAncestorOf(hit))


def _click(qtbot: Any, widget: Any) -> None:
    """Clicks `widget` once it is on screen (laid out), as a user would."""
    qtbot.waitUntil(lambda: on_screen(widget), timeout=5000)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- the vary toggle ---------------------------------------------------------------------


def test_vary_toggle_opens_a_range_and_is_one_undo_step(qtbot: Any, state: Any) -> None:
    panel = ItemPanel(state)
    qtbot.addWidget(panel)
    panel.resize(520, 800)
    panel.show()
    state.select(2)  # the Dense(10)
    form = panel.form
    # numbers and choices (a flag is a choice of true/false); not a regularizer
    assert set(form.vary_toggles) == {"units", "activation", "use_bias"}
    assert "kernel_regularizer" in form.editors

    _click(qtbot, form.vary_toggles["units"])
    assert state.space == {UNITS: {"type": "int", "low": 5, "high": 20, "log": False}}
    ranges = form.ranges["units"]
    qtbot.waitUntil(ranges.isVisible, timeout=5000)
    assert not form.editors["units"].isEnabled()

    ranges.high_int.setValue(64)  # what typing in the "high" box does
    assert state.space[UNITS]["high"] == 64
    _click(qtbot, form.vary_toggles["activation"])
    assert state.space["layers[2].params.activation"]["type"] == "categorical"
    assert "softmax" in state.space["layers[2].params.activation"]["choices"]

    state.undo_stack.undo()  # the activation
    state.undo_stack.undo()  # high 20 -> 64
    assert state.space == {UNITS: {"type": "int", "low": 5, "high": 20, "log": False}}
    assert form.vary_toggles["units"].isChecked() and ranges.high_int.value() == 20
    _click(qtbot, form.vary_toggles["units"])  # off again
    assert state.space == {}
    assert not ranges.isVisible() and form.editors["units"].isEnabled()
    assert state.spec.layers[2].params["units"] == 10  # the spec itself never changed


def test_vary_toggle_on_the_learning_rate_is_a_log_range(fake_window_search: Any, qtbot: Any):
    window = fake_window_search()
    window.side.setCurrentWidget(window.compile_panel)
    form = window.compile_panel.optimizer_form
    _click(qtbot, form.vary_toggles["learning_rate"])
    assert window.state.space[LR] == pytest.approx(
        {"type": "float", "low": 0.0001, "high": 0.01, "log": True}
    )
    assert form.ranges["learning_rate"].log.isChecked()


# -- the Search view ---------------------------------------------------------------------


@pytest.fixture
def view(qtbot: Any, state: Any, make_bridge: Any) -> SearchView:
    view = SearchView(state, make_bridge(CATALOG))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    return view


def _vary_two(state: Any) -> None:
    state.vary(UNITS, {"type": "int", "low": 16, "high": 64, "log": False})
    state.vary(LR, {"type": "float", "low": 1e-4, "high": 1e-2, "log": True})


def test_search_view_lists_edits_and_removes_varied_parameters(
    qtbot: Any, view: SearchView, state: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert view.space_hint.isVisible() and view.space_table.rowCount() == 0
    _vary_two(state)
    assert view.space_table.rowCount() == 2 and not view.space_hint.isVisible()
    assert view.space_table.item(0, 1).text() == "int 16…64"
    assert view.space_table.item(1, 1).text() == "float 0.0001…0.01 (log)"

    def accept(dialog: QDialog) -> QDialog.DialogCode:
        dialog.editor.high_int.setValue(128)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr("lamina_gui.views.search_space.RangeDialog.exec", accept)
    view.space_table.selectRow(0)
    _click(qtbot, view.edit_button)
    assert state.space[UNITS]["high"] == 128
    assert view.space_table.item(0, 1).text() == "int 16…128"
    view.space_table.selectRow(1)
    _click(qtbot, view.remove_button)
    assert list(state.space) == [UNITS]
    state.undo_stack.undo()
    assert list(state.space) == [UNITS, LR]

    state.edit_layers(state.layers[:2], "drop the Dense")  # the path now points nowhere
    assert "not in the spec" in view.space_table.item(0, 1).text()


def test_search_view_runs_shows_trials_and_uses_one(
    qtbot: Any, view: SearchView, state: Any, tmp_path: Path
) -> None:
    _vary_two(state)
    view.trials_box.setValue(4)
    view.pruner_combo.setCurrentText("median")
    with qtbot.waitSignal(view.finished, timeout=5000):
        _click(qtbot, view.start_button)
    request = [r for r in view.bridge.client.requests if isinstance(r, SearchRequest)][-1]
    assert request.space == state.space and request.project_dir == str(tmp_path / "proj")
    assert request.settings["trials"] == 4 and request.settings["pruner"] == "median"
    assert request.settings["objectives"] == ["val_loss"]

    table = view.table
    assert table.rowCount() == 4
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:4] == ["trial", "state", "val_loss", "layers[2].units"]
    states = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(4)}
    assert states == {"0": "complete", "1": "pruned", "2": "failed", "3 ★": "complete"}
    reasons = [table.item(table.row_of(n), headers.index("reason")).text() for n in (1, 2)]
    assert reasons == ["pruned after epoch 1 (median)", "the loss became NaN"]
    assert view.curve.best_values == [1.0, 0.25]
    assert list(view.curve.line.getData()[1]) == [1.0, 1.0, 0.25]  # a step at trial 3
    assert list(view.curve.pruned.getData()[0]) == [1]  # the pruned trial, as a cross
    assert "Best: trial 3" in view.status_label.text()

    # sort by the objective: the best complete trial first, the failed one last
    header = table.horizontalHeader()
    column = headers.index("val_loss")
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(column) + 5, 5),
    )
    assert [table.item(r, 0).text() for r in range(4)] == ["3 ★", "1", "0", "2"]

    # double-click a trial: its run opens in Visualize
    with qtbot.waitSignal(view.open_run) as opened:
        rect = table.visualItemRect(table.item(table.row_of(3), 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args[0] == str(tmp_path / "proj" / "runs" / "trial-3")

    # use trial 3: its spec (saved in its run) replaces the composer's, one undo step
    trial_spec = copy.deepcopy(DATA_SPEC)
    trial_spec["layers"][2]["params"]["units"] = 19
    run = tmp_path / "proj" / "runs" / "trial-3"
    run.mkdir(parents=True)
    save_spec(parse_spec(trial_spec), run / "spec.json")
    before = state.spec
    table.select_trial(3)
    _click(qtbot, view.use_button)
    assert state.spec.layers[2].params["units"] == 19
    assert state.undo_stack.undoText().startswith("Use trial 3")
    state.undo_stack.undo()
    assert state.spec is before


def test_bad_space_shows_the_located_error_and_keeps_everything(
    qtbot: Any, view: SearchView, state: Any
) -> None:
    state.vary("layers[9].params.units", {"type": "int", "low": 1, "high": 4, "log": False})
    spec, space = state.spec, state.space
    with qtbot.waitSignal(view.failed, timeout=5000) as failed:
        _click(qtbot, view.start_button)
    assert failed.args[0] == 'space["layers[9].params.units"]: the spec has 3 items'
    assert view.status_label.text() == failed.args[0]
    assert "b00020" in view.status_label.styleSheet()  # shown in red
    assert view.start_button.isEnabled() and not view.stop_button.isEnabled()
    assert state.spec is spec and state.space == space


def test_a_reopened_view_shows_the_past_searches_best_marked(
    qtbot: Any, view: SearchView, state: Any, make_bridge: Any
) -> None:
    _vary_two(state)
    view.trials_box.setValue(4)
    with qtbot.waitSignal(view.finished, timeout=5000):
        _click(qtbot, view.start_button)
    view.name_edit.setText("second")
    view.trials_box.setValue(5)
    with qtbot.waitSignal(view.finished, timeout=5000):
        _click(qtbot, view.start_button)
    qtbot.waitUntil(lambda: view.study_combo.count() == 2, timeout=5000)

    # the same project opened again: a new view asks the engine for its searches
    again = SearchView(state, view.bridge)
    qtbot.addWidget(again)
    again.resize(1200, 700)
    again.show()
    assert isinstance(view.bridge.client.requests[-1], SearchStudiesRequest)
    qtbot.waitUntil(lambda: again.table.rowCount() == 5, timeout=5000)
    assert [again.study_combo.itemText(i) for i in range(2)] == ["search", "second"]
    assert again.study == "second"  # the name in the settings
    rows = {again.table.item(r, 0).text(): again.table.item(r, 1).text() for r in range(5)}
    assert rows == {"0": "complete", "1": "pruned", "2": "failed", "3": "complete",
                    "4 ★": "complete"}  # fmt: skip
    assert "Best: trial 4" in again.status_label.text()
    # pick the other search: its 4 trials, its best
    again.study_combo.setCurrentIndex(0)
    again.study_combo.activated.emit(0)
    assert again.table.rowCount() == 4 and again.table.item(again.table.row_of(3), 0).text() == (
        "3 ★"
    )
    assert again.open_button.isEnabled() is False  # nothing selected yet
    again.table.select_trial(3)
    assert again.run_dir(3) == Path(state.project_path) / "runs" / "trial-3"


def test_past_searches_are_asked_for_once_the_engine_is_ready(
    qtbot: Any, state: Any, make_bridge: Any
) -> None:
    bridge = make_bridge(CATALOG, start=False)
    view = SearchView(state, bridge)  # the window makes its views before the engine starts
    qtbot.addWidget(view)
    assert view.past_wanted and not bridge.client.requests
    bridge.start()
    qtbot.waitUntil(lambda: bool(bridge.client.requests), timeout=5000)
    assert [type(r) for r in bridge.client.requests] == [SearchStudiesRequest]
    assert bridge.client.requests[0].project_dir == str(state.project_path)
    assert not view.past_wanted


def test_directions_and_storage_reach_the_engine_without_saving_the_password(
    qtbot: Any, view: SearchView, state: Any
) -> None:
    _vary_two(state)
    assert [c.currentText() for c in view.form.direction_combos] == ["auto"]
    view.objective_edit.setText("val_loss, val_accuracy")
    view.objective_edit.editingFinished.emit()
    combos = view.form.direction_combos
    assert len(combos) == 2 and all(c.currentText() == "auto" for c in combos)
    combos[0].setCurrentText("maximize")
    secret = "postgresql://ana:hunter2@db.example.org:5432/lamina"
    view.storage_edit.setText(secret)
    view.storage_edit.editingFinished.emit()
    assert view.storage_edit.text() == "postgresql://ana:***@db.example.org:5432/lamina"
    assert "hunter2" not in json.dumps(state.search_settings)
    assert state.search_settings["storage"] == view.storage_edit.text()

    with qtbot.waitSignal(view.failed, timeout=5000) as failed:
        _click(qtbot, view.start_button)
    request = [r for r in view.bridge.client.requests if isinstance(r, SearchRequest)][-1]
    assert request.settings["directions"] == ["maximize", "auto"]
    assert request.settings["storage"] == secret  # only the engine gets the password
    assert failed.args[0].startswith("search.storage: cannot open the storage")
    assert "hunter2" not in view.status_label.text()
    assert view.form.problem_fields() == ["search.storage"]
    assert "b00020" in view.storage_edit.styleSheet()

    # an objective the runs do not log: located at the objective field
    view.storage_edit.setText("")
    view.storage_edit.editingFinished.emit()
    assert view.form.problem_fields() == []  # an edit clears the mark
    view.objective_edit.setText("val_nope")
    view.objective_edit.editingFinished.emit()
    with qtbot.waitSignal(view.failed, timeout=5000) as failed:
        _click(qtbot, view.start_button)
    assert failed.args[0] == "search.objectives: the runs of this spec do not log 'val_nope'"
    assert view.form.problem_fields() == ["search.objectives"]
    assert "Traceback" not in view.status_label.text()


def test_a_saved_storage_url_asks_for_its_password_again(
    qtbot: Any, make_state: Any, make_bridge: Any, tmp_path: Path
) -> None:
    state = make_state(copy.deepcopy(CATALOG), DATA_SPEC, project_path=tmp_path / "proj")
    state.search_settings = {"storage": "postgresql://ana:***@db.example.org/lamina"}
    view = SearchView(state, make_bridge(CATALOG))
    qtbot.addWidget(view)
    view.show()
    _vary_two(state)
    with qtbot.waitSignal(view.failed) as failed:
        _click(qtbot, view.start_button)
    assert failed.args[0].startswith("search.storage: type the storage URL's password again")
    assert view.form.problem_fields() == ["search.storage"]
    assert not any(isinstance(r, SearchRequest) for r in view.bridge.client.requests)


def test_search_needs_a_project_and_a_space(qtbot: Any, make_state: Any, make_bridge: Any):
    state = make_state(copy.deepcopy(CATALOG), DATA_SPEC)
    view = SearchView(state, make_bridge(CATALOG))
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.failed) as failed:
        _click(qtbot, view.start_button)
    assert "Save the model as a project first" in failed.args[0]
    assert not any(isinstance(r, SearchRequest) for r in view.bridge.client.requests)


# -- the window and the project ------------------------------------------------------------


@pytest.fixture
def fake_window_search(make_window: Any, make_bridge: Any, app_home: Path) -> Any:
    from lamina.engine.catalog_cache import save_catalog

    save_catalog(copy.deepcopy(CATALOG))

    def make() -> MainWindow:
        return make_window(make_bridge(CATALOG, start=False), DATA_SPEC)

    return make


def test_space_is_saved_with_the_project(
    fake_window_search: Any, qtbot: Any, tmp_path: Path
) -> None:
    window = fake_window_search()
    _vary_two(window.state)
    search = window.view("Search")
    search.trials_box.setValue(7)
    folder = tmp_path / "saved"
    assert window.projects.save_project(folder)
    saved = json.loads((folder / "search.json").read_text())
    assert saved["format"] == "lamina-search"
    assert saved["space"] == window.state.space and saved["settings"]["trials"] == 7

    window.projects.new()
    assert window.state.space == {} and search.space_table.rowCount() == 0
    assert window.projects.open_path(folder)
    assert list(window.state.space) == [UNITS, LR]
    assert search.trials_box.value() == 7 and search.space_table.rowCount() == 2


def test_corrupt_search_file_is_refused_and_left_alone(
    fake_window_search: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = fake_window_search()
    folder = tmp_path / "p"
    assert window.projects.save_project(folder)
    (folder / "search.json").write_text('{"format": "lamina-search", "space": {"units": 3}}')
    shown: list[str] = []
    monkeypatch.setattr(
        "lamina_gui.project.QMessageBox.critical", lambda _w, _t, text: shown.append(text)
    )
    assert not window.projects.open_path(folder)
    assert 'space["units"] must be a list of choices or a range object' in shown[0]
    assert (folder / "search.json").read_text().endswith('{"units": 3}}')


def test_vary_the_optimizer_and_the_batch_size(fake_window_search: Any, qtbot: Any) -> None:
    window = fake_window_search()
    window.side.setCurrentWidget(window.compile_panel)
    control = window.compile_panel.optimizer_vary
    _click(qtbot, control.toggle)
    assert window.state.space["compile.optimizer.type"] == {
        "type": "categorical",
        "choices": ["Adam", "SGD"],  # the catalogue has no RMSprop
    }
    assert not window.compile_panel.optimizer.isEnabled()
    control.ranges.choices.setText("SGD, Adam")
    control.ranges.choices.textEdited.emit("SGD, Adam")
    assert window.state.space["compile.optimizer.type"]["choices"] == ["SGD", "Adam"]

    window.tabs.setCurrentIndex(window._tab_index("Train"))
    settings = window.view("Train").settings
    _click(qtbot, settings.batch_vary.toggle)
    batch = window.state.space["training.batch_size"]
    assert batch == {"type": "int", "low": 16, "high": 64, "log": True}
    search = window.view("Search")
    paths = [search.space_table.item(r, 0).toolTip() for r in range(2)]
    assert paths == ["compile.optimizer.type", "training.batch_size"]
    window.state.undo_stack.undo()
    assert not settings.batch_vary.toggle.isChecked() and not settings.batch_vary.ranges.isVisible()
