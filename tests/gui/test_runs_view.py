"""The Runs view driven by the mouse, on a project with three real tiny runs.

The runs are trained once per module with `lamina.train` (a small MLP on 200 digits,
2 epochs); every test works on its own copy of the project. The main path (compare,
delete, use a spec) runs on a window over the session's real engine; the view reads run
folders only, so the other tests run over the fake engine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.views.runs import NOT_SAVED, RunsView
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from lamina.project import Run


def _spec(units: int, learning_rate: float = 0.003) -> Any:
    import lamina

    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=units, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        optimizer={"type": "Adam", "params": {"learning_rate": learning_rate}},
        epochs=2,
        batch_size=32,
        name="tiny",
    )


@pytest.fixture(scope="module")
def trained_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with three finished runs: 16 units, 32 units, 16 units with another rate."""
    from sklearn.datasets import load_digits

    import lamina
    from lamina.data.dataset import Dataset

    d = load_digits()
    data = Dataset(
        x=(d.images[:200] / 16.0)[..., None],
        y=d.target[:200],
        name="digits",
        task="classification",
        class_names=[str(i) for i in range(10)],
    )
    project = tmp_path_factory.mktemp("runs") / "proj"
    for spec in (_spec(16), _spec(32), _spec(16, 0.01)):
        assert lamina.train(spec, data=data, project=project).status == "finished"
    return project


@pytest.fixture
def project(trained_project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "proj"
    shutil.copytree(trained_project, copy)
    return copy


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _open_runs_tab(qtbot: Any, window: Any) -> RunsView:
    bar = window.tabs.tabBar()
    index = window._tab_index("Runs")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index
    view = window.views["Runs"]
    assert isinstance(view, RunsView)
    qtbot.waitUntil(view.isVisible)
    return view


def _click_row(qtbot: Any, view: RunsView, run_id: str, ctrl: bool = False) -> None:
    table = view.table
    rect = table.visualRect(table.model().index(table.row_of(run_id), 0))
    modifier = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _click(qtbot: Any, view: RunsView, key: str) -> None:
    button = view.buttons[key]
    assert button.isEnabled(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def window(qtbot: Any, make_window: Any, make_bridge: Any, project: Path) -> Any:
    w = make_window(make_bridge(start=False))
    w.resize(1400, 860)
    assert w.projects.open_path(project)
    qtbot.waitUntil(lambda: w.bridge.state == "ready")
    return w


@pytest.fixture
def real_window(qtbot: Any, make_window: Any, engine: Any, project: Path) -> Any:
    """The main window over the session's real engine, with the project open."""
    w = make_window(engine, start_engine=False)
    w.resize(1400, 860)
    qtbot.waitUntil(lambda: w.bridge.state == "ready", timeout=300_000)
    assert w.projects.open_path(project)
    return w


def test_runs_view_compare_delete_and_use_a_spec(
    qtbot: Any, real_window: Any, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = real_window
    assert window.bridge.client.pid  # the real engine child process, not the fake one
    view = _open_runs_tab(qtbot, window)
    ids = sorted(p.name for p in (project / "runs").iterdir())
    assert view.table.rowCount() == 3
    assert [view.table.item(r, 0).text() for r in range(3)] == ids
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(10)]
    assert headers[:6] == ["run", "date", "status", "spec", "changed", "best validation"]
    assert view.table.item(0, 2).text() == "finished"
    assert "layers[1].params.units=16" in view.table.item(0, 4).text()
    assert view.table.item(1, 5).text().startswith("val_accuracy ")

    # select two runs: their curves overlaid, their spec diff shown
    first, second, third = ids
    _click_row(qtbot, view, first)
    _click_row(qtbot, view, second, ctrl=True)
    assert [r.run for r in view.table.selected_runs()] == [first, second]
    assert {run for run, _ in view.curves.curves} == {first, second}
    assert view.curves.titles() == ["loss", "accuracy"]
    for run_id in (first, second):
        history = json.loads((project / "runs" / run_id / "history.json").read_text())
        for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
            x, y = view.curves.curves[(run_id, key)].getData()
            assert list(x) == [1, 2] and list(y) == history[key], (run_id, key)
    assert f"spec: {first} -> {second}" in view.diff.toPlainText()
    assert "~ layers[1].params.units: 16 -> 32" in view.diff.toPlainText()
    assert not view.buttons["delete"].isEnabled()  # one run at a time
    picture = window.grab()
    assert picture.save(str(tmp_path / "runs.png"))

    # delete the second run, after a confirmation that names it
    asked: list[str] = []

    def yes(_parent: Any, _title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    others = {r: _files(project / "runs" / r) for r in (first, third)}
    _click_row(qtbot, view, second)
    _click(qtbot, view, "delete")
    assert len(asked) == 1 and second in asked[0]
    assert not (project / "runs" / second).exists()
    assert {r: _files(project / "runs" / r) for r in (first, third)} == others
    assert view.table.rowCount() == 2 and view.table.row_of(second) < 0

    # use the first run's spec in the composer: one undo step
    before = window.state.spec
    _click_row(qtbot, view, third)
    _click(qtbot, view, "use_spec")
    assert window.state.spec == Run(project / "runs" / third).spec
    assert window.state.spec != before
    window.undo_action.trigger()
    assert window.state.spec == before


def test_runs_view_rename_sort_and_open_in_visualize(
    qtbot: Any, window: Any, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _open_runs_tab(qtbot, window)
    ids = sorted(p.name for p in (project / "runs").iterdir())

    # sort by run id, descending, with two clicks on its header
    header = view.table.horizontalHeader()
    centre = QPoint(header.sectionViewportPosition(0) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    shown = [view.table.item(r, 0).text() for r in range(3)]
    assert shown in (ids, ids[::-1]) and sorted(shown) == ids

    # rename: a bad name and an existing one are refused, a good one renames the folder
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warnings.append(text))
    before = _files(project / "runs" / ids[0])
    for name in ("bad name", ids[1], "wide_16-a"):
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, n=name, **k: (n, True))
        _click_row(qtbot, view, ids[0])
        _click(qtbot, view, "rename")
    assert "not a valid run name" in warnings[0]
    assert f"a run called '{ids[1]}' already exists" in warnings[1]
    assert len(warnings) == 2
    assert _files(project / "runs" / "wide_16-a") == before
    assert not (project / "runs" / ids[0]).exists()
    assert [r.run for r in view.table.selected_runs()] == ["wide_16-a"]

    # open it in the Visualize view
    _click(qtbot, view, "visualize")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Visualize"
    visualize = window.views["Visualize"]
    run_dir = str(project / "runs" / "wide_16-a")
    assert visualize.run_dir == run_dir
    assert visualize.run_combo.currentData() == run_dir


def test_runs_view_refuses_to_delete_a_run_still_training(
    qtbot: Any, window: Any, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = sorted((project / "runs").iterdir())
    live = project / "runs" / "live-run"
    shutil.copytree(runs[0], live)
    (live / "run.json").unlink()  # written last: a run in progress has none yet
    (live / "checkpoint.json").write_text('{"epoch": 0}')
    view = _open_runs_tab(qtbot, window)
    view.refresh()
    assert view.table.row_of("live-run") >= 0
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warnings.append(text))
    before = _files(live)
    _click_row(qtbot, view, "live-run")
    _click(qtbot, view, "delete")
    assert len(warnings) == 1 and "still training" in warnings[0], warnings
    assert "stop the training first" in warnings[0]
    assert _files(live) == before and view.table.row_of("live-run") >= 0


def test_runs_view_without_a_project(qtbot: Any, make_window: Any, make_bridge: Any) -> None:
    window = make_window(make_bridge(start=False))
    view = _open_runs_tab(qtbot, window)
    assert view.message.text() == NOT_SAVED
    assert not view.body.isVisible() and view.table.rowCount() == 0


def test_runs_view_refreshes_after_a_training_run(qtbot: Any, window: Any, project: Path) -> None:
    view = _open_runs_tab(qtbot, window)
    runs = sorted((project / "runs").iterdir())
    shutil.copytree(runs[0], project / "runs" / "a-new-run")
    assert view.table.rowCount() == 3
    window.view("Train").finished.emit({"status": "finished"})
    assert view.table.rowCount() == 4 and view.table.row_of("a-new-run") >= 0
