"""The whole path of a new user on the real window, with the real engine, by mouse clicks:
open the demo project, press Train, watch the curves, stop, change the stack, train again,
open the Visualize view and see filters, a deconvnet map and a deep-dream image, save.

Where a real user would type a number (the epoch count, the deep-dream steps) the test
sets the spin box, which is what typing does; everything else is a click on a widget.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lamina_gui.main_window import LAZY_VIEWS, MainWindow
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTabBar


def _click_tab(qtbot: Any, window: MainWindow, title: str) -> Any:
    bar: QTabBar = window.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == index, timeout=5_000)
    return window.view(title) if title in LAZY_VIEWS else window.tabs.currentWidget()


def _double_click_palette(qtbot: Any, window: MainWindow, name: str) -> None:
    tree = window.palette.tree
    matches = tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)
    assert matches, f"{name} is not in the palette"
    item = matches[0]
    parent = item.parent()
    while parent is not None:
        parent.setExpanded(True)
        parent = parent.parent()
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def window(make_window: Any, engine: Any) -> MainWindow:
    """The main window over the session's real engine, at the size of the screenshots."""
    win = make_window(engine, start_engine=False)
    win.resize(1400, 860)
    return win


def test_new_user_path_with_the_mouse(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    qtbot.waitUntil(lambda: window.bridge.state == "ready", timeout=300_000)

    # open the demo project (File menu)
    window.demo_action.trigger()
    qtbot.waitUntil(lambda: window.state.project_path is not None, timeout=10_000)
    project = Path(window.state.project_path)
    n_items = len(window.state.spec.layers)
    assert window.state.spec.data.type == "galaxies"

    # Train: press Start, watch the curves, press Stop
    train = _click_tab(qtbot, window, "Train")
    train.settings.epochs_box.setValue(20)
    with qtbot.waitSignal(train.finished, timeout=300_000) as stopped:
        qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(train.history.get("loss", [])) >= 1, timeout=300_000)
        qtbot.mouseClick(train.stop_button, Qt.MouseButton.LeftButton)
    assert stopped.args[0]["status"] == "cancelled"
    assert 1 <= len(train.history["loss"]) < 20

    # change the stack: double-click Dropout in the palette, then train again
    _click_tab(qtbot, window, "Compose")
    _double_click_palette(qtbot, window, "Dropout")
    qtbot.waitUntil(lambda: len(window.state.spec.layers) == n_items + 1, timeout=5_000)
    assert "Dropout" in [item.type for item in window.state.spec.layers]
    qtbot.waitUntil(
        lambda: bool(window.checker.report and window.checker.report["ok"]), timeout=60_000
    )
    train = _click_tab(qtbot, window, "Train")
    train.settings.epochs_box.setValue(2)
    with qtbot.waitSignal(train.finished, timeout=300_000) as done:
        qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    assert done.args[0]["status"] == "finished"
    assert len(train.history["loss"]) == 2

    # Visualize: filters, a deconvnet map and a deep-dream image of the new run
    viz = _click_tab(qtbot, window, "Visualize")
    qtbot.waitUntil(lambda: viz.run_combo.count() >= 2, timeout=30_000)
    shown: dict[str, Any] = {}
    for kind in ("filters", "deconvnet", "deep_dream"):
        viz.kind_combo.setCurrentIndex(viz.kind_combo.findData(kind))
        if kind == "deep_dream":
            viz.steps_box.setValue(8)
        with qtbot.waitSignal(viz.shown, timeout=300_000) as result:
            qtbot.mouseClick(viz.run_button, Qt.MouseButton.LeftButton)
        shown[kind] = result.args[0]
    assert shown["filters"]["kind"] == "filters"
    assert shown["deconvnet"]["kind"] == "deconvnet"
    assert shown["deep_dream"]["kind"] == "deep_dream"
    picture = viz.grid.grab()
    image = picture.toImage()
    pixels = np.array(
        [
            image.pixelColor(QPoint(x, y)).value()
            for x in range(0, image.width(), 17)
            for y in range(0, image.height(), 17)
        ]
    )
    assert pixels.std() > 5, "the image grid shows nothing"

    # save the project (toolbar Save)
    window.save_action.trigger()
    qtbot.waitUntil(lambda: not window.state.dirty, timeout=10_000)
    saved = json.loads((project / "project.json").read_text())
    assert "Dropout" in [item["type"] for item in saved["spec"]["layers"]]
    runs = sorted((project / "runs").iterdir())
    statuses = [json.loads((r / "run.json").read_text())["status"] for r in runs]
    assert statuses == ["cancelled", "finished"]


def test_engine_killed_during_training(qtbot: Any, window: MainWindow) -> None:
    import os
    import signal

    qtbot.waitUntil(lambda: window.bridge.state == "ready", timeout=300_000)
    window.demo_action.trigger()
    qtbot.waitUntil(lambda: window.state.project_path is not None, timeout=10_000)
    train = _click_tab(qtbot, window, "Train")
    train.settings.epochs_box.setValue(50)
    old_pid = window.bridge.client.pid
    with qtbot.waitSignal(train.failed, timeout=300_000) as failed:
        qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(train.history.get("loss", [])) >= 1, timeout=300_000)
        spec_before = window.state.spec.to_json()  # with the run's settings
        os.kill(old_pid, signal.SIGKILL)
    assert "SIGKILL" in failed.args[0] or "signal 9" in failed.args[0]
    qtbot.waitUntil(
        lambda: window.notice.isVisible() and "signal 9" in window.notice.text(), timeout=30_000
    )
    qtbot.waitUntil(
        lambda: window.bridge.state == "ready" and window.bridge.client.pid != old_pid,
        timeout=300_000,
    )
    assert train.start_button.isEnabled()
    assert window.state.spec.to_json() == spec_before
    assert window.bridge.client.ping().pid == window.bridge.client.pid
