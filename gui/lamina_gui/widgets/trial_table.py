"""The trials of a search: a sortable table (one row per trial) and the best-so-far curve."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

_SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_NUMBER_ROLE = Qt.ItemDataRole.UserRole

#: Row colours by trial state.
STATE_COLOURS = {
    "pruned": "#fff4d6",
    "failed": "#fde0e0",
    "running": "#e3eeff",
    "interrupted": "#ececec",
}


def short_path(path: str) -> str:
    """``layers[2].params.units`` -> ``layers[2].units``; ``compile.x.params.y`` -> ``y``."""
    if path.startswith("compile."):
        return path.rsplit(".", 1)[-1]
    return path.replace(".params.", ".")


def number_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class _Item(QTableWidgetItem):
    """A cell that sorts by its sort key (numbers as numbers; empty cells last)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(_SORT_ROLE), other.data(_SORT_ROLE)
        if mine is None or theirs is None:
            return mine is not None
        try:
            return bool(mine < theirs)
        except TypeError:
            return str(mine) < str(theirs)


class TrialTable(QTableWidget):
    """One row per trial: number, state, objective values, parameters, epochs, time, reason.

    Click a header to sort; pruned and failed trials stay, coloured, with their reason.

    Signals:
        trial_activated(int): A trial's row was double-clicked (its number).
    """

    trial_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 0, parent)
        self.setObjectName("trial_table")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.objectives: list[str] = []
        self.params: list[str] = []
        self.best: set[int] = set()
        self.cellDoubleClicked.connect(self._double_clicked)

    def columns(self) -> list[str]:
        return [
            "trial",
            "state",
            *self.objectives,
            *(short_path(p) for p in self.params),
            "epochs",
            "seconds",
            "reason",
        ]

    def show_trials(
        self,
        trials: list[dict[str, Any]],
        objectives: list[str],
        params: list[str],
        best: set[int] | None = None,
    ) -> None:
        """Shows `trials` (``number``, ``state``, ``values``, ``params``, ``epochs``,
        ``seconds``, ``reason``), keeping the sort order and the selected trial."""
        selected = self.selected_trial()
        self.objectives, self.params, self.best = list(objectives), list(params), set(best or ())
        header = self.horizontalHeader()
        column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        self.setSortingEnabled(False)
        self.setColumnCount(len(self.columns()))
        self.setHorizontalHeaderLabels(self.columns())
        for c, path in enumerate(self.params, start=2 + len(self.objectives)):
            self.horizontalHeaderItem(c).setToolTip(path)
        self.setRowCount(len(trials))
        for r, trial in enumerate(trials):
            for c, (text, key) in enumerate(self._cells(trial)):
                item = _Item(text)
                item.setData(_SORT_ROLE, key)
                item.setData(_NUMBER_ROLE, int(trial["number"]))
                item.setToolTip(str(trial.get("reason") or text))
                colour = STATE_COLOURS.get(str(trial.get("state")))
                if colour:
                    item.setBackground(QColor(colour))
                if int(trial["number"]) in self.best:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.setItem(r, c, item)
        self.setSortingEnabled(True)
        self.sortByColumn(column, order)
        self.resizeColumnsToContents()
        for c in range(self.columnCount()):
            self.setColumnWidth(c, min(self.columnWidth(c), 260))
        if selected is not None:
            self.select_trial(selected)

    def _cells(self, trial: dict[str, Any]) -> list[tuple[str, Any]]:
        number = int(trial["number"])
        values = list(trial.get("values") or [])
        values += [None] * (len(self.objectives) - len(values))
        mark = " ★" if number in self.best else ""
        cells: list[tuple[str, Any]] = [
            (f"{number}{mark}", number),
            (str(trial.get("state", "")), str(trial.get("state", ""))),
        ]
        cells += [(number_text(v), v) for v in values[: len(self.objectives)]]
        params = trial.get("params") or {}
        cells += [(number_text(params.get(p)), params.get(p)) for p in self.params]
        epochs, seconds = trial.get("epochs"), trial.get("seconds")
        cells += [
            (number_text(epochs), epochs),
            ("-" if seconds is None else f"{float(seconds):.1f}", seconds),
            (str(trial.get("reason") or ""), str(trial.get("reason") or "")),
        ]
        return cells

    def row_of(self, number: int) -> int:
        """The table row of trial `number` (after sorting), or -1."""
        for r in range(self.rowCount()):
            item = self.item(r, 0)
            if item is not None and item.data(_NUMBER_ROLE) == number:
                return r
        return -1

    def select_trial(self, number: int) -> None:
        row = self.row_of(number)
        if row >= 0:
            self.selectRow(row)

    def selected_trial(self) -> int | None:
        """The number of the selected trial, or None."""
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.item(rows[0].row(), 0)
        return None if item is None else int(item.data(_NUMBER_ROLE))

    def _double_clicked(self, row: int, _column: int) -> None:
        item = self.item(row, 0)
        if item is not None:
            self.trial_activated.emit(int(item.data(_NUMBER_ROLE)))


class IntegerAxis(pg.AxisItem):
    """An axis with ticks at whole numbers only (trial numbers)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803
        levels = super().tickValues(minVal, maxVal, size)
        out = []
        for spacing, values in levels:
            if spacing < 1:
                continue
            out.append((spacing, [v for v in values if float(v).is_integer()]))
        if not out:
            out = [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]
        return out


def _points(trials: list[dict[str, Any]], states: tuple[str, ...]) -> list[tuple[int, float]]:
    """(number, first objective value) of the trials in `states` that have one, in order."""
    out = []
    for t in trials:
        values = t.get("values") or [None]
        if str(t.get("state")) in states and values[0] is not None:
            out.append((int(t["number"]), float(values[0])))
    return sorted(out)


def best_so_far(trials: list[dict[str, Any]], direction: str) -> list[tuple[int, float]]:
    """(number, best value so far) after each completed trial (`direction` of the objective)."""
    best: list[tuple[int, float]] = []
    for number, value in _points(trials, ("complete",)):
        if best:
            keep = max if direction == "maximize" else min
            value = keep(best[-1][1], value)
        best.append((number, value))
    return best


class BestCurve(pg.PlotWidget):
    """The best objective so far (a step line), every completed trial (dots) and the last
    value of every pruned trial (orange crosses), against the trial number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"bottom": IntegerAxis("bottom")})
        self.setObjectName("best_curve")
        self.setLabel("bottom", "trial")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.addLegend(offset=(10, -10))  # bottom left: clear of a falling best-so-far
        self.line = self.plot([], [], pen=pg.mkPen("#1f5fbf", width=2), name="best so far")
        self.dots = self.plot(
            [], [], pen=None, symbol="o", symbolSize=7, symbolBrush="#7f8c9a", name="complete"
        )
        self.pruned = self.plot(
            [], [], pen=None, symbol="x", symbolSize=8, symbolBrush="#d08000", name="pruned"
        )
        self.best_values: list[float] = []

    def show_trials(self, trials: list[dict[str, Any]], objective: str, direction: str) -> None:
        """Redraws from the trials (the first objective, in `direction`)."""
        best = best_so_far(trials, direction)
        self.best_values = [v for _, v in best]
        self.setLabel("left", objective)
        done = _points(trials, ("complete",))
        pruned = _points(trials, ("pruned",))
        self.dots.setData([n for n, _ in done], [v for _, v in done])
        self.pruned.setData([n for n, _ in pruned], [v for _, v in pruned])
        last = max([int(t["number"]) for t in trials], default=0)
        xs: list[float] = []
        ys: list[float] = []
        for i, (number, value) in enumerate(best):  # a step: flat until the next improvement
            if i:
                xs.append(number)
                ys.append(ys[-1])
            xs.append(number)
            ys.append(value)
        if best and last > best[-1][0]:
            xs.append(last)
            ys.append(best[-1][1])
        self.line.setData(xs, ys)
