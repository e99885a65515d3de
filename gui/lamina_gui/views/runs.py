"""The Runs view: the open project's runs side by side.

The table has the columns of ``lamina runs`` (click a header to sort). Select several
runs to overlay their curves and to read their spec diff (the first selected against
each other one). Delete or rename one run, open it in the Visualize view, or put its
spec in the composer (one undo step). Everything is read from the run folders
(`lamina.compare`); no engine is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lamina.compare import RunRow, run_table, spec_diff
from lamina.project import ProjectError, Run
from lamina.run_admin import delete_run, rename_run
from lamina_gui.widgets.run_curves import RunCurves
from lamina_gui.widgets.run_lineage import continued_text, epoch_offset
from lamina_gui.widgets.run_table import RunTable

NOT_SAVED = (
    "This model is not saved in a project yet, so it has no runs to list. Save it as a "
    "project (File ▸ Save As…), train it in the Train tab, and its runs appear here."
)
NO_RUNS = "No runs yet: train the model in the Train tab and its runs appear here."
PICK_TWO = "Select two or more runs (Ctrl+click, Shift+click) to see what changed between them."


def diff_text(rows: list[RunRow]) -> str:
    """The spec diff of the first run against each other one, as ``lamina compare`` prints it."""
    if len(rows) < 2:
        return PICK_TWO
    first, lines = rows[0], []
    for row in rows[1:]:
        lines.append(f"spec: {first.run} -> {row.run}")
        if first.spec is None or row.spec is None:
            missing = first if first.spec is None else row
            lines.append(f"  {missing.path}: the run has no spec.json to compare")
            continue
        changes = spec_diff(first.spec, row.spec)
        lines += [f"  {change}" for change in changes] or ["  (same spec)"]
    return "\n".join(lines)


def lineage_text(rows: list[RunRow]) -> str:
    """One line per selected run that continued from another: ``<run>: continued from run …``."""
    lines = [f"{row.run}: {text}" for row in rows if (text := continued_text(row.path))]
    return "\n".join(lines)


def history_of(row: RunRow) -> dict[str, list[float]]:
    """The run's per-epoch history (empty if it saved none)."""
    try:
        return Run(row.path).history
    except ProjectError:
        return {}


class RunsView(QWidget):
    """Lists the open project's runs; compares, deletes, renames and reuses them.

    Args:
        state: The app state (``project_path``, ``spec``, ``apply``, ``project_changed``).
        bridge: The engine bridge (unused: runs are read from their folders).
        parent: The parent widget.

    Signals:
        open_run(str): Open this run folder in the Visualize view.
        runs_changed: A run was deleted or renamed.
    """

    open_run = Signal(str)
    runs_changed = Signal()

    def __init__(self, state: QObject, bridge: QObject | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.state: Any = state
        self._build()
        signal = getattr(state, "project_changed", None)
        if signal is not None:
            signal.connect(self.refresh)
        self.refresh()

    def _build(self) -> None:
        self.message = QLabel(wordWrap=True)
        self.message.setObjectName("runs_message")
        self.table = RunTable()
        self.table.runs_selected.connect(self._show_selection)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (
            ("refresh", "Refresh", self.refresh),
            ("rename", "Rename…", self.rename_selected),
            ("delete", "Delete…", self.delete_selected),
            ("visualize", "Open in Visualize", self.open_selected),
            ("use_spec", "Use this run's spec", self.use_selected_spec),
        ):
            button = QPushButton(text)
            button.setObjectName(f"runs_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.curves = RunCurves()
        self.diff = QPlainTextEdit(readOnly=True)
        self.diff.setObjectName("runs_diff")
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.curves)
        bottom.addWidget(self.diff)
        bottom.setSizes([760, 420])
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table)
        top_layout.addLayout(row)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([300, 420])
        self.body = split
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.refresh()  # a run may have finished since the view was last shown
        super().showEvent(event)

    # -- the table ------------------------------------------------------------------

    @property
    def project(self) -> Path | None:
        runs_project = getattr(self.state, "runs_project", None)
        path = runs_project() if callable(runs_project) else None
        path = path or getattr(self.state, "project_path", None)
        return Path(path) if path else None

    def refresh(self) -> None:
        """Reads the project's runs again."""
        if self.project is None:
            self.message.setText(NOT_SAVED)
            self.body.hide()
            self.table.set_rows([])
            return
        self.body.show()
        try:
            rows = run_table(self.project)
        except ProjectError as exc:
            self.message.setText(f"Cannot read the runs: {exc}")
            rows = []
        else:
            self.message.setText(f"{len(rows)} run(s) of {self.project}" if rows else NO_RUNS)
        self.table.set_rows(rows)

    def _show_selection(self, rows: list[RunRow]) -> None:
        offsets = {row.run: epoch_offset(row.path) for row in rows}
        self.curves.show_runs([(row.run, history_of(row)) for row in rows], offsets)
        lineage = lineage_text(rows)
        text = diff_text(rows) if rows else PICK_TWO
        self.diff.setPlainText(f"{lineage}\n\n{text}" if lineage else text)
        one = len(rows) == 1
        for key in ("rename", "delete", "visualize"):
            self.buttons[key].setEnabled(one)
        self.buttons["use_spec"].setEnabled(one and rows[0].spec is not None)

    def _selected_one(self) -> RunRow | None:
        rows = self.table.selected_runs()
        return rows[0] if len(rows) == 1 else None

    # -- commands -------------------------------------------------------------------

    def delete_selected(self) -> bool:
        """Deletes the selected run's folder, after asking; returns whether it did."""
        row = self._selected_one()
        if row is None or self.project is None:
            return False
        answer = QMessageBox.question(
            self,
            "Delete run",
            f"Delete the run {row.run}?\n\nIts folder {row.path} and everything in it are "
            "removed for good. Other runs are not touched.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_run(self.project, row.run)
        except ProjectError as exc:
            QMessageBox.warning(self, "Delete run", str(exc))
            return False
        self.refresh()
        self.runs_changed.emit()
        return True

    def rename_selected(self) -> bool:
        """Asks for a new name of the selected run and renames it; returns whether it did."""
        row = self._selected_one()
        if row is None or self.project is None:
            return False
        new_id, ok = QInputDialog.getText(
            self, "Rename run", f"New name for {row.run} (letters, digits, - and _):", text=row.run
        )
        new_id = new_id.strip()
        if not ok or new_id == row.run:
            return False
        try:
            rename_run(self.project, row.run, new_id)
        except ProjectError as exc:
            QMessageBox.warning(self, "Rename run", str(exc))
            return False
        self.refresh()
        self.table.select_runs([new_id])
        self.runs_changed.emit()
        return True

    def open_selected(self) -> None:
        """Asks the window to show the selected run in the Visualize view."""
        row = self._selected_one()
        if row is not None:
            self.open_run.emit(str(row.path))

    def use_selected_spec(self) -> bool:
        """Puts the selected run's spec in the composer (one undo step)."""
        row = self._selected_one()
        if row is None or row.spec is None:
            return False
        changed = self.state.apply(row.spec, f"use the spec of run {row.run}")
        self.message.setText(
            f"The composer now holds the spec of run {row.run} (Edit ▸ Undo puts yours back)."
            if changed
            else f"The composer already holds the spec of run {row.run}."
        )
        return bool(changed)
