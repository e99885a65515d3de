"""The run table of the Runs view: one row per run, the columns of ``lamina runs``, sortable."""

from __future__ import annotations

import math

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from lamina.compare import COLUMNS, RunRow
from lamina_gui.widgets.run_lineage import continued_text

#: The column headers, as ``lamina runs`` prints them (same order as `COLUMNS`).
HEADERS = (
    "run",
    "date",
    "status",
    "spec",
    "changed",
    "best validation",
    "test",
    "epochs",
    "seconds",
    "device",
)

_SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _number(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}g}"


def cell_texts(row: RunRow) -> list[str]:
    """The row's cells, as ``lamina runs`` prints them."""
    name, best = row.headline_val()
    status = row.status + (f": {row.reason}" if row.reason and row.status != "finished" else "")
    return [
        row.run,
        row.date.replace("T", " ")[:19],
        status,
        row.spec_name or "-",
        ", ".join(f"{path}={value!r}" for path, value in row.changed.items()) or "-",
        "-" if best is None else f"{name} {_number(best)} (epoch {row.best_epoch.get(name, '?')})",
        ", ".join(f"{k} {_number(v)}" for k, v in row.test.items()) or "-",
        str(row.epochs),
        _number(row.seconds, 3),
        row.device or "-",
    ]


class _SortItem(QTableWidgetItem):
    """A cell that sorts by its column's `RunRow.sort_key`, not by its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(_SORT_ROLE), other.data(_SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return bool(mine < theirs)


class RunTable(QTableWidget):
    """The runs of a project; click a header to sort, select several rows to compare.

    Signals:
        runs_selected(list): The selected rows (`RunRow`), in the order they were selected.
    """

    runs_selected = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("run_table")
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # oldest first, as `lamina runs`
        self.rows: dict[str, RunRow] = {}
        self._order: list[str] = []  # the selected run ids, in selection order
        self.selectionModel().selectionChanged.connect(self._selection_changed)

    def set_rows(self, rows: list[RunRow]) -> None:
        """Shows `rows` (keeping the sort order and the selection of runs still there)."""
        keep = [r for r in self._order if any(row.run == r for row in rows)]
        self.setSortingEnabled(False)
        self.blockSignals(True)
        self.selectionModel().blockSignals(True)
        self.clearSelection()
        self.rows = {row.run: row for row in rows}
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (column, text) in enumerate(zip(COLUMNS, cell_texts(row), strict=True)):
                item = _SortItem(text)
                item.setData(_SORT_ROLE, row.sort_key(column))
                item.setData(Qt.ItemDataRole.UserRole, row.run)
                if column in ("epochs", "seconds"):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(row.reason if column == "status" and row.reason else text)
                if column == COLUMNS[0] and (lineage := continued_text(row.path)):
                    item.setToolTip(f"{text}: {lineage}")
                self.setItem(r, c, item)
        self.setSortingEnabled(True)
        self.resizeColumnsToContents()
        for c in range(self.columnCount()):
            self.setColumnWidth(c, min(self.columnWidth(c), 320))
        self.selectionModel().blockSignals(False)
        self.blockSignals(False)
        self.select_runs(keep)

    def select_runs(self, run_ids: list[str]) -> None:
        """Selects the runs `run_ids` (in this order), and only them."""
        model = self.selectionModel()
        model.blockSignals(True)
        self.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for run_id in run_ids:
            row = self.row_of(run_id)
            if row >= 0:
                model.select(self.model().index(row, 0), flags)
        model.blockSignals(False)
        self._order = [r for r in run_ids if r in self.rows]
        self.viewport().update()
        self.runs_selected.emit(self.selected_runs())

    def row_of(self, run_id: str) -> int:
        """The table row showing run `run_id` (after sorting), or -1."""
        for r in range(self.rowCount()):
            item = self.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == run_id:
                return r
        return -1

    def selected_runs(self) -> list[RunRow]:
        """The selected rows, in the order they were selected."""
        return [self.rows[r] for r in self._order if r in self.rows]

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        now = []
        for index in self.selectionModel().selectedRows():
            run_id = self.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
            now.append(run_id)
        self._order = [r for r in self._order if r in now] + [
            r for r in now if r not in self._order
        ]
        self.runs_selected.emit(self.selected_runs())
