"""The Train view's "Compare runs" tab: tick runs of the project to overlay their curves.

Each ticked run is drawn in its own colour (`RunCurves`: solid training, dashed
validation, a legend naming the run); its name in the list takes the same colour. A run
that continued from another is drawn from the epoch after that run's last one.
Histories are read from the run folders (no engine needed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget

from lamina_gui.widgets.run_curves import RUN_COLOURS, RunCurves
from lamina_gui.widgets.run_lineage import continued_text, epoch_offset

_PATH_ROLE = Qt.ItemDataRole.UserRole


def project_runs(folder: str | Path | None) -> list[tuple[str, Path]]:
    """The complete runs of the project in `folder`, oldest first: ``(run id, folder)``."""
    if not folder:
        return []
    from lamina.project import ProjectError, load_project

    try:
        return [(run.id, run.path) for run in load_project(folder).runs()]
    except (ProjectError, OSError):
        return []


def run_history(path: Path) -> Mapping[str, Sequence[float]]:
    """The per-epoch history saved in a run folder (empty if it cannot be read)."""
    from lamina.project import ProjectError, Run

    try:
        return Run(path).history
    except (ProjectError, OSError, ValueError):
        return {}


class RunOverlay(QWidget):
    """A checkable list of the project's runs and their curves overlaid.

    Signals:
        shown(list): The run ids drawn, in their colour order.
    """

    shown = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder: Path | None = None
        self.list = QListWidget()
        self.list.setObjectName("compare_runs_list")
        self.list.itemChanged.connect(self._redraw)
        self.note = QLabel(
            "Tick runs to overlay their curves (solid: training, dashed: validation)."
        )
        self.note.setWordWrap(True)
        self.curves = RunCurves()
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.note)
        column.addWidget(self.list, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.curves)
        split.setSizes([220, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.drawn: list[str] = []
        self._stale = False

    def set_project(self, folder: str | Path | None, tick_latest: bool = False) -> None:
        """Lists the runs of `folder` (keeping the ticks of runs still there).

        Args:
            folder: The project folder (the open project or the scratch project).
            tick_latest: Also tick the newest run.
        """
        ticked = set(self.checked_runs())
        runs = project_runs(folder)
        self.folder = Path(folder) if folder else None
        self.list.blockSignals(True)
        self.list.clear()
        for n, (run_id, path) in enumerate(runs):
            item = QListWidgetItem(run_id)
            item.setData(_PATH_ROLE, str(path))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            latest = tick_latest and n == len(runs) - 1
            item.setCheckState(
                Qt.CheckState.Checked if run_id in ticked or latest else Qt.CheckState.Unchecked
            )
            lineage = continued_text(path)
            item.setToolTip(f"{path}\n{lineage}" if lineage else str(path))
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._redraw()

    def checked_runs(self) -> list[str]:
        """The ticked run ids, in list order (oldest first)."""
        return [
            self.list.item(i).text()
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, run_ids: Sequence[str]) -> None:
        """Ticks exactly the runs `run_ids`."""
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = item.text() in run_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._redraw()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if self._stale:
            self._redraw()
        super().showEvent(event)

    def _redraw(self, *_args: Any) -> None:
        """Draws the ticked runs now if the tab is shown, else when it is (a run that
        ends while another tab is in front costs no plotting)."""
        self._stale = not self.isVisible()
        if self._stale:
            return
        runs, offsets = [], {}
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                colour = RUN_COLOURS[len(runs) % len(RUN_COLOURS)]
                item.setForeground(QBrush(QColor(colour)))
                path = Path(item.data(_PATH_ROLE))
                runs.append((item.text(), run_history(path)))
                offsets[item.text()] = epoch_offset(path)  # a continued run goes on
            else:
                item.setForeground(QBrush(QColor("#333")))
        self.list.blockSignals(False)
        self.curves.show_runs(runs, offsets)
        self.drawn = [run_id for run_id, _ in runs]
        self.shown.emit(self.drawn)
