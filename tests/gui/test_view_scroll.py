"""Each view fills the window and scrolls only below its minimum size."""

from __future__ import annotations

from lamina_gui.widgets.view_scroll import ViewScrollArea
from PySide6.QtCore import QPoint


def test_the_train_view_fits_a_laptop_window_and_scrolls_only_when_smaller(
    make_bridge, make_window, qtbot
):
    window = make_window(make_bridge())
    window.tabs.setCurrentIndex(window._tab_index("Train"))
    view = window.view("Train")
    # word-wrapped texts made the old scroll area keep the view at its preferred height
    # (two 480-pixel plots), so the lower plot was cut off in a 1400 x 860 window
    view.status_label.setText("Finished: 2 epochs in 22.6 s, continued from run " + "x" * 60)
    scroll = view.parentWidget().parentWidget().parentWidget()
    assert isinstance(scroll, ViewScrollArea) and scroll.view is view
    window.resize(1400, 860)
    qtbot.waitUntil(lambda: window.height() == 860)
    qtbot.waitUntil(lambda: view.height() == scroll.viewport().height())
    assert scroll.verticalScrollBar().maximum() == 0
    plot_bottom = view.metric_plot.mapTo(view, QPoint(0, view.metric_plot.height())).y()
    assert plot_bottom <= view.height()  # the lower plot is on screen whole
    # a window lower than the view's minimum size scrolls instead of squeezing it
    window.resize(1000, 300)
    qtbot.waitUntil(lambda: window.height() == 300)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    assert view.height() >= view.minimumSizeHint().height()
