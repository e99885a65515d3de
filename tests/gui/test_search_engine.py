"""The Search view on the real window with the real engine, driven by the mouse (slow).

Vary two parameters with their "vary" toggles in the Compose tab, run 4 trials of a tiny
model on the digits (1 epoch each), watch the table fill, open a trial in Visualize, put the
best trial in the composer and undo it. Where a user would type a number (the trial count)
the test sets the spin box, which is what typing does; everything else is a click.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.main_window import MainWindow
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTabBar, QTabWidget, QToolBar
from search_spec import LR, SPEC, UNITS


def on_screen(widget: Any) -> bool:
    """Whether `widget` is laid out where a click on its centre reaches it."""
    if not widget.isVisible():
        return False
    top = widget.window()
    hit = top.childAt(widget.mapTo(top, widget.rect().center()))
    return hit is not None and (hit is widget or widget.isAncestorOf(hit))


def click(qtbot: Any, widget: Any, pos: QPoint | None = None) -> None:
    """Clicks `widget` (at `pos`) once it is on screen, as a user would."""
    qtbot.waitUntil(lambda: on_screen(widget), timeout=10_000)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def click_tab(qtbot: Any, tabs: QTabWidget, title: str) -> None:
    bar: QTabBar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    click(qtbot, bar, bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index, timeout=5_000)


@pytest.fixture
def window(make_window: Any, engine: Any, tmp_path: Path) -> MainWindow:
    win = make_window(engine, SPEC, start_engine=False)
    win.resize(1400, 860)
    assert win.projects.save_project(tmp_path / "proj")  # File ▸ Save As: trials are its runs
    return win


def test_search_view_with_the_mouse_and_the_real_engine(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: window.bridge.state == "ready", timeout=300_000)
    qtbot.waitUntil(lambda: window.state.entry("Dense") is not None, timeout=60_000)
    state = window.state

    # Compose: select the hidden Dense, vary its units; vary Adam's learning rate
    stack = window.composer.view
    rect = stack.visualRect(stack.model().index(1, 0))
    click(qtbot, stack.viewport(), rect.center())
    qtbot.waitUntil(lambda: state.selected == 1, timeout=5_000)
    click_tab(qtbot, window.side, "Item")
    click(qtbot, window.item_panel.form.vary_toggles["units"])
    click_tab(qtbot, window.side, "Compile")
    click(qtbot, window.compile_panel.optimizer_form.vary_toggles["learning_rate"])
    assert state.space == {
        UNITS: {"type": "int", "low": 4, "high": 16, "log": False},
        LR: pytest.approx({"type": "float", "low": 1e-4, "high": 1e-2, "log": True}),
    }

    # Search: 4 random trials; Start, Stop during the first trial
    click_tab(qtbot, window.tabs, "Search")
    view = window.view("Search")
    assert view.space_table.rowCount() == 2
    view.trials_box.setValue(4)
    view.sampler_combo.setCurrentText("random")
    view.seed_box.setValue(7)
    with qtbot.waitSignal(view.finished, timeout=600_000) as done:
        click(qtbot, view.start_button)
        qtbot.waitUntil(lambda: view.table.rowCount() >= 1, timeout=300_000)
        assert not view.start_button.isEnabled() and view.stop_button.isEnabled()
        click(qtbot, view.stop_button)
    assert done.args[0].status == "stopped"
    assert "Start resumes the study" in view.status_label.text()
    assert view.start_button.isEnabled()

    # Start again: the study resumes, the table fills with the 4 trials
    with qtbot.waitSignal(view.finished, timeout=600_000) as done:
        click(qtbot, view.start_button)
    report = done.args[0]
    assert report.status == "finished"
    states = [r["state"] for r in report.trials]
    assert states.count("complete") == 4 and len(states) - 4 == states.count("interrupted") <= 1
    table = view.table
    assert table.rowCount() == len(states)
    shown = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert sorted(shown) == sorted(states)
    complete = [r for r in report.trials if r["state"] == "complete"]
    values = {r["trial"]: r["values"][0] for r in complete}
    best = min(values, key=values.get)
    assert report.best == [best] and table.item(table.row_of(best), 0).text() == f"{best} ★"
    assert view.curve.best_values[-1] == pytest.approx(values[best])
    assert "Best: trial" in view.status_label.text()
    project = Path(window.state.project_path)
    for row in complete:  # every trial is a run of the project
        run = json.loads((project / "runs" / row["run_id"] / "run.json").read_text())
        assert run["status"] == "finished"

    # double-click a trial: its run opens in Visualize
    row = table.row_of(best)
    cell = table.visualItemRect(table.item(row, 1)).center()
    click(qtbot, table.viewport(), cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    visualize = window.view("Visualize")
    qtbot.waitUntil(lambda: window.tabs.tabText(window.tabs.currentIndex()) == "Visualize")
    assert Path(visualize.run_dir) == view.run_dir(best)

    # use the best trial in the composer, then undo it: one undo step
    click_tab(qtbot, window.tabs, "Search")
    before = state.spec
    table.select_trial(best)
    click(qtbot, view.use_button)
    params = next(r["params"] for r in complete if r["trial"] == best)
    assert state.spec.layers[1].params["units"] == params[UNITS]
    assert state.spec.compile.optimizer.params["learning_rate"] == pytest.approx(params[LR])
    toolbar = window.findChild(QToolBar, "main-toolbar")
    click(qtbot, toolbar.widgetForAction(window.undo_tool))  # the toolbar's Undo
    assert state.spec is before
    assert state.space == {UNITS: pytest.approx(state.space[UNITS]), LR: state.space[LR]}
