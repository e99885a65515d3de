"""The Search view's list of varied parameters: each one's path and range, to edit or remove.

The list shows the app's search space (`AppState.space`); parameters are added with the
"vary" toggles of the Compose tab. A path the spec no longer has (its item was deleted) is
marked, and refused by the engine when the search starts.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lamina_gui.widgets.trial_table import short_path
from lamina_gui.widgets.vary import RangeEditor, describe

NO_SPACE = (
    "No parameter varies yet: in the Compose tab, press “vary” beside a number or a choice "
    "(Item or Compile panel) and give its range."
)


class RangeDialog(QDialog):
    """Edits the range or choices of one varied parameter."""

    def __init__(self, path: str, definition: dict[str, Any], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Vary {path}")
        self.editor = RangeEditor()
        self.editor.set_value(definition)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(path))
        layout.addWidget(self.editor)
        layout.addWidget(buttons)


class SpacePanel(QGroupBox):
    """The varied parameters of the app's search space, with Edit… and Remove.

    Args:
        state: The app state (``space``, ``spec``, ``vary``, ``space_changed``).
        parent: The parent widget.

    Signals:
        problem(str): An edited range was refused (what is wrong with it).
    """

    problem = Signal(str)

    def __init__(self, state: QObject, parent: QWidget | None = None) -> None:
        super().__init__("Varied parameters", parent)
        self.state: Any = state
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("space_table")
        self.table.setHorizontalHeaderLabels(["parameter", "range / choices"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.cellDoubleClicked.connect(lambda r, _c: self.edit_parameter(r))
        self.hint = QLabel(NO_SPACE, wordWrap=True)
        self.hint.setStyleSheet("color: #666;")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("space_edit")
        self.edit_button.clicked.connect(lambda: self.edit_parameter(self.table.currentRow()))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("space_remove")
        self.remove_button.clicked.connect(lambda: self.remove_parameter(self.table.currentRow()))
        sb = QVBoxLayout(self)
        sb.addWidget(self.table)
        sb.addWidget(self.hint)
        row = QHBoxLayout()
        row.addWidget(self.edit_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        sb.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        """Lists the varied parameters (a path the spec no longer has is marked)."""
        space = self.state.space
        spec = self.state.spec.to_dict()
        self.table.setRowCount(len(space))
        for r, (path, definition) in enumerate(space.items()):
            name = QTableWidgetItem(short_path(path))
            name.setData(Qt.ItemDataRole.UserRole, path)
            name.setToolTip(path)
            text = QTableWidgetItem(describe(definition))
            if not _in_spec(spec, path):
                text.setText(describe(definition) + "  ⚠ not in the spec")
                text.setForeground(Qt.GlobalColor.darkRed)
            self.table.setItem(r, 0, name)
            self.table.setItem(r, 1, text)
        self.table.resizeColumnToContents(0)
        self.hint.setVisible(not space)
        has = bool(space)
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def _path_at(self, row: int) -> str | None:
        item = self.table.item(row, 0) if row >= 0 else None
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def edit_parameter(self, row: int) -> bool:
        """Opens the range dialog of the parameter in `row`; returns whether it changed."""
        path = self._path_at(row)
        if path is None:
            return False
        dialog = RangeDialog(path, self.state.space[path], self)
        self.range_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            return bool(self.state.vary(path, dialog.editor.value()))
        except ValueError as exc:
            self.problem.emit(f"{path}: {exc}")
            return False

    def remove_parameter(self, row: int) -> bool:
        """Stops varying the parameter in `row`."""
        path = self._path_at(row)
        return path is not None and bool(self.state.vary(path, None))


def _in_spec(spec: dict[str, Any], path: str) -> bool:
    """Whether the spec has the item or section `path` varies (the parameter may be unset)."""
    node: Any = spec
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
        elif isinstance(node, dict) and isinstance(node.get(part), (dict, list)):
            node = node[part]
        elif isinstance(node, dict) and part == "params":
            node = {}
        else:
            return False
    return True
