"""The plug-ins dialog: loaded plug-ins with their entries, failed ones with the reason."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


def plugin_status(info: dict[str, Any]) -> str:
    if not info.get("loaded"):
        return "failed"
    return "loaded with problems" if info.get("problems") else "loaded"


class PluginsDialog(QDialog):
    """Lists the plug-ins of a catalogue dict (``{"entries", "plugins"}``)."""

    def __init__(self, catalog: dict[str, Any] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("lamina plug-ins")
        self.resize(760, 520)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            ["Plug-in / entry", "Status / kind", "Version / category", "Source"]
        )
        self.tree.setColumnWidth(0, 230)
        self.tree.setColumnWidth(1, 150)
        self.tree.setColumnWidth(2, 150)
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.set_catalog(catalog)

    def set_catalog(self, catalog: dict[str, Any] | None) -> None:
        self.tree.clear()
        catalog = catalog or {}
        plugins = catalog.get("plugins", [])
        by_plugin: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in catalog.get("entries", []):
            by_plugin[entry.get("plugin", "")].append(entry)
        red = QBrush(QColor("#b00000"))
        amber = QBrush(QColor("#a06000"))
        failed = 0
        for info in plugins:
            status = plugin_status(info)
            failed += status != "loaded"
            row = QTreeWidgetItem(
                [
                    info.get("name", ""),
                    status,
                    info.get("version", "") or "",
                    info.get("source", ""),
                ]
            )
            row.setToolTip(3, info.get("source", ""))
            brush = red if status == "failed" else amber if info.get("problems") else None
            if brush is not None:
                for col in range(2):
                    row.setForeground(col, brush)
            for problem in info.get("problems", []):
                child = QTreeWidgetItem(row, [f"⚠ {problem}"])
                child.setForeground(0, red)
                child.setToolTip(0, problem)
                child.setFirstColumnSpanned(True)
            entries = sorted(
                by_plugin.get(info.get("name", ""), []), key=lambda e: (e["kind"], e["name"])
            )
            for entry in entries:
                child = QTreeWidgetItem(
                    row,
                    [
                        entry["name"],
                        entry.get("kind", ""),
                        entry.get("category", ""),
                        entry.get("summary", ""),
                    ],
                )
                child.setToolTip(3, entry.get("summary", ""))
            row.setText(0, f"{info.get('name', '')}  ({len(entries)} entries)")
            self.tree.addTopLevelItem(row)
            row.setExpanded(status != "loaded")
            for i in range(row.childCount()):
                if row.child(i).text(0).startswith("⚠"):
                    row.child(i).setFirstColumnSpanned(True)
        if not plugins:
            self.note.setText("The plug-in list appears when the engine has loaded the catalogue.")
        elif failed:
            self.note.setText(
                f"{len(plugins)} plug-ins; <b style='color:#b00'>{failed} with problems</b> "
                "(the reason is shown under each). All other entries loaded."
            )
        else:
            self.note.setText(f"{len(plugins)} plug-ins, all loaded.")
