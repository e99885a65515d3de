"""The stack as a Qt list model, and the delegate that paints each item as a card."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from lamina_gui.state import AppState
from lamina_gui.widgets.palette import ENTRY_MIME

ROWS_MIME = "application/x-lamina-rows"
ITEM_ROLE = Qt.ItemDataRole.UserRole + 10
REPORT_ROLE = Qt.ItemDataRole.UserRole + 11
ERROR_ROLE = Qt.ItemDataRole.UserRole + 12

_ITEM_PATH = re.compile(r"^layers\[(\d+)\]")


def format_shape(shape: Any) -> str:
    """``[None, 60, 60, 6]`` or ``[60, 60, 6]`` -> ``(60, 60, 6)``."""
    if shape is None:
        return "?"
    if isinstance(shape, list) and shape and isinstance(shape[0], list):
        return " + ".join(format_shape(s) for s in shape)
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def format_count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def params_text(params: dict[str, Any]) -> str:
    """A one-line summary of an item's params: ``units=128, activation=relu``."""
    parts = []
    for key, value in params.items():
        if isinstance(value, (list, dict)):
            value = json.dumps(value, separators=(",", ":"))
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def params_label(report: dict[str, Any] | None) -> str:
    """The parameter count on an item's card: "–" where it is not known (the item, or
    one before it, does not build), never a misleading "0 params"."""
    if not report:
        return ""
    if report.get("error") or not report.get("checked", True):
        return "– params"
    return f"{format_count(int(report.get('params', 0)))} params"


def item_errors(report: dict[str, Any] | None) -> dict[int, str]:
    """Item index -> error message, from a check report (item errors and located problems)."""
    errors: dict[int, str] = {}
    if not report:
        return errors
    for item in report.get("items", []):
        if item.get("error"):
            errors[int(item["index"])] = str(item["error"])
    for problem in report.get("problems", []):
        match = _ITEM_PATH.match(str(problem.get("path", "")))
        if match and int(match.group(1)) not in errors:
            errors[int(match.group(1))] = f"{problem['path']}: {problem['message']}"
    return errors


class StackModel(QAbstractListModel):
    """The stack items of `state`, with the latest check report.

    Drops do not change rows themselves: they call `on_drop_entry(kind, name, row)`
    or `on_move(rows, row)`, which push undoable edits.
    """

    def __init__(
        self,
        state: AppState,
        on_drop_entry: Callable[[str, str, int], None],
        on_move: Callable[[list[int], int], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.layers: list[dict[str, Any]] = state.layers
        self.report: dict[str, Any] | None = None
        self.errors: dict[int, str] = {}
        self._on_drop_entry = on_drop_entry
        self._on_move = on_move
        state.spec_changed.connect(self.reload)

    def reload(self) -> None:
        layers = self.state.layers
        if len(layers) == len(self.layers) and layers:
            self.layers = layers  # same rows: repaint, keep the selection
            self.dataChanged.emit(self.index(0), self.index(len(layers) - 1))
            self.layoutAboutToBeChanged.emit()
            self.layoutChanged.emit()
            return
        self.beginResetModel()
        self.layers = layers
        self.endResetModel()

    def set_report(self, report: dict[str, Any] | None) -> None:
        self.report = report
        self.errors = item_errors(report)
        if self.layers:
            self.dataChanged.emit(self.index(0), self.index(len(self.layers) - 1))
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()  # card heights depend on errors

    def item_report(self, row: int) -> dict[str, Any] | None:
        for item in (self.report or {}).get("items", []):
            if int(item.get("index", -1)) == row:
                return item
        return None

    # -- Qt model API ---------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.layers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.layers):
            return None
        item = self.layers[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item["type"]
        if role == ITEM_ROLE:
            return item
        if role == REPORT_ROLE:
            return self.item_report(index.row())
        if role == ERROR_ROLE:
            return self.errors.get(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            error = self.errors.get(index.row())
            text = f"{item['type']}({params_text(item.get('params', {}))})"
            return f"{text}\n\nError: {error}" if error else text
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
        )

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [ROWS_MIME, ENTRY_MIME]

    def mimeData(self, indexes: Any) -> QMimeData:  # noqa: N802
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setData(ROWS_MIME, json.dumps(rows).encode("utf-8"))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Any, row: int, column: int, parent: Any
    ) -> bool:  # noqa: N802
        return data.hasFormat(ROWS_MIME) or data.hasFormat(ENTRY_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Any, row: int, column: int, parent: Any
    ) -> bool:  # noqa: N802
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.layers)
        if data.hasFormat(ENTRY_MIME):
            entry = json.loads(bytes(data.data(ENTRY_MIME).data()).decode("utf-8"))
            self._on_drop_entry(entry["kind"], entry["name"], row)
            return True
        if data.hasFormat(ROWS_MIME):
            rows = json.loads(bytes(data.data(ROWS_MIME).data()).decode("utf-8"))
            self._on_move([int(r) for r in rows], row)
            # the edit already moved the items: tell the view not to remove the sources
            return False
        return False


class CardDelegate(QStyledItemDelegate):
    """Paints a stack item as a card: number, type, params, output shape, params, error."""

    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:  # noqa: N802
        fm = QFontMetrics(option.font)
        lines = 3 if index.data(ERROR_ROLE) else 2
        return QSize(240, lines * (fm.height() + 2) + 2 * self.PAD + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        item = index.data(ITEM_ROLE) or {}
        report = index.data(REPORT_ROLE) or {}
        error = index.data(ERROR_ROLE)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        fill = QColor("#fdecec") if error else QColor("#ffffff")
        if selected:
            fill = QColor("#e2ecfb") if not error else QColor("#f9d7d7")
        border = QColor("#d33") if error else (QColor("#3b74d6") if selected else QColor("#c8ccd2"))
        painter.setPen(QPen(border, 2 if (error or selected) else 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 6, 6)
        inner = rect.adjusted(self.PAD + 4, self.PAD, -self.PAD - 4, -self.PAD)
        fm = QFontMetrics(option.font)
        line_h = fm.height() + 2
        bold = QFont(option.font)
        bold.setBold(True)
        # line 1: number + type (+ name) ...... output shape
        shape = format_shape(report.get("output_shape")) if report else "…"
        painter.setPen(QColor("#555"))
        right_w = fm.horizontalAdvance(shape) + 8
        painter.drawText(
            QRect(inner.right() - right_w, inner.top(), right_w, line_h),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            shape,
        )
        # numbered as everywhere else: layers[0], conv2d_0, "0: conv2d_0"
        title = f"{index.row()}.  {item.get('type', '')}"
        if item.get("name"):
            title += f"  “{item['name']}”"
        if item.get("trainable") is False:
            title += "  (frozen)"
        painter.setFont(bold)
        painter.setPen(QColor("#a00") if error else QColor("#111"))
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width() - right_w - 4, line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        painter.setFont(option.font)
        # line 2: params ...... parameter count
        count = params_label(report)
        count_w = fm.horizontalAdvance(count) + 8
        painter.setPen(QColor("#555"))
        y2 = inner.top() + line_h
        painter.drawText(
            QRect(inner.right() - count_w, y2, count_w, line_h),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            count,
        )
        text = params_text(item.get("params", {})) or "defaults"
        painter.setPen(QColor("#333"))
        avail = inner.width() - count_w - 4
        painter.drawText(
            QRect(inner.left(), y2, avail, line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(text, Qt.TextElideMode.ElideRight, avail),
        )
        if error:
            painter.setPen(QColor("#b00"))
            y3 = y2 + line_h
            painter.drawText(
                QRect(inner.left(), y3, inner.width(), line_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText("⚠ " + error, Qt.TextElideMode.ElideRight, inner.width()),
            )
        painter.restore()
