"""A run chooser whose closed box never cuts a run's name at the end.

Run names are long (``20261201-143005-lr0.01 · finished · accuracy 0.912``). The closed
box elides the middle of the chosen name (so its start, the run id, and its end, the
metric, both show) and its tooltip holds the whole name; the open list is as wide as the
widest name.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

#: Room for the list's scroll bar and frame, in pixels.
_POPUP_MARGIN = 40


class RunCombo(QComboBox):
    """A combo box of runs: middle-elided text when closed, full names in the tooltip
    and in a popup wide enough for them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(16)
        self.currentIndexChanged.connect(self._update_tooltip)
        self.model().rowsInserted.connect(self._fit_popup)
        self.model().modelReset.connect(self._fit_popup)

    def full_text(self) -> str:
        """The whole name of the chosen run."""
        return self.currentText()

    def shown_text(self) -> str:
        """The chosen name as the closed box draws it (elided in the middle if too long)."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            self,
        )
        return self.fontMetrics().elidedText(
            self.currentText(), Qt.TextElideMode.ElideMiddle, max(field.width() - 4, 10)
        )

    def popup_width(self) -> int:
        """The width the open list needs for the widest name."""
        metrics = self.view().fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(self.itemText(i)) for i in range(self.count())), default=0
        )
        return widest + _POPUP_MARGIN

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.currentText = self.shown_text()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def _update_tooltip(self, *_args: Any) -> None:
        self.setToolTip(self.currentText())

    def _fit_popup(self, *_args: Any) -> None:
        self.view().setMinimumWidth(max(self.popup_width(), self.width()))
        self._update_tooltip()
