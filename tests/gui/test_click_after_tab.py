"""A view made when its tab is clicked takes a click on its buttons at once (the views sit
in scroll areas: their layout must be in place before the first click)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from lamina.engine import protocol as p

CATALOG = {
    "entries": [{"kind": "dataset", "name": "spirals", "category": "toy", "params": []}],
    "plugins": [],
}
SPEC = {
    "name": "m",
    "input": {"shape": [2]},
    "layers": [{"type": "Dense", "params": {"units": 2}}],
    "data": {"type": "spirals", "params": {}},
    "training": {"epochs": 2},
}


def test_start_takes_a_mouse_click_right_after_the_tab_opens(
    qtbot: Any, make_window: Any, make_bridge: Any
) -> None:
    bridge = make_bridge(CATALOG)
    window = make_window(bridge, spec=SPEC)
    window.resize(1400, 860)
    bar: QTabBar = window.tabs.tabBar()
    index = window._tab_index("Train")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    train = window.view("Train")
    with qtbot.waitSignal(train.finished, timeout=10_000):
        qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    (request,) = [r for r in bridge.client.requests if isinstance(r, p.TrainRequest)]
    assert request.continue_from is None  # not the button's `checked` flag
