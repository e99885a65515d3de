"""The scroll area around each view: the view fills the window and scrolls only when the
window is smaller than the view's minimum size.

A plain `QScrollArea` with ``widgetResizable`` asks a layout that has height-for-width
(any word-wrapped label) for its *preferred* height and never makes the view lower than
that, so plots sized to their preferred 480 pixels pushed the Train view's lower plot
below the window. Here the view sits in a layout that reports no height-for-width, so
the view's minimum size is the bound.
"""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget


class _NoHeightForWidth(QVBoxLayout):
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False


class ViewScrollArea(QScrollArea):
    """Holds `view`, resized to the window down to its minimum size, scrolling below it."""

    def __init__(self, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        layout = _NoHeightForWidth(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(view)
        self.setWidget(holder)
        self.view = view
