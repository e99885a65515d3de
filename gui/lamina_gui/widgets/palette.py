"""The palette: every catalogue entry, grouped by kind and category, with a search box.

It fills from the cached catalogue at once (no engine needed) and refills when the
engine answers ``catalog``. Entries from third-party plug-ins appear like built-in
ones: the palette knows only the catalogue's metadata.
"""

from __future__ import annotations

import html
import json
from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: mime type of a dragged catalogue entry: JSON ``{"kind", "name"}``
ENTRY_MIME = "application/x-lamina-entry"

#: palette groups in order: (group title, entry kinds)
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Layers", ("layer",)),
    ("Activations", ("activation",)),
    ("Heads", ("head",)),
    ("Architectures & blocks", ("architecture", "block")),
    ("Losses", ("loss",)),
    ("Optimizers", ("optimizer",)),
    ("Datasets", ("dataset",)),
    ("Visualizations", ("visualization",)),
)

_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_BEST_ROLE = Qt.ItemDataRole.UserRole + 2


def group_of(entry: dict[str, Any]) -> str:
    """Returns the palette group of an entry (layer blocks go with architectures)."""
    kind = entry.get("kind", "")
    if kind == "layer" and entry.get("category") == "block":
        kind = "block"
    for title, kinds in GROUPS:
        if kind in kinds:
            return title
    return kind.capitalize() or "Other"


def entry_html(entry: dict[str, Any]) -> str:
    """Returns the full documentation of an entry as HTML for the side panel."""
    esc = html.escape
    parts = [
        f"<h3>{esc(entry.get('name', ''))}</h3>",
        f"<p><i>{esc(entry.get('kind', ''))}</i> · {esc(entry.get('category', '') or '-')}"
        f" · plug-in <b>{esc(entry.get('plugin', ''))}</b></p>",
        f"<p>{esc(entry.get('summary', ''))}</p>",
    ]
    if entry.get("aliases"):
        parts.append(f"<p>Aliases: {esc(', '.join(entry['aliases']))}</p>")
    params = entry.get("params", [])
    if params:
        items = "".join(
            f"<li><b>{esc(p['name'])}</b>{' (required)' if p.get('required') else ''} "
            f"<i>{esc(str(p.get('type', '')))}</i>"
            f"{'' if p.get('required') else ' = ' + esc(json.dumps(p.get('default')))}"
            f"<br>{esc(p.get('help', ''))}</li>"
            for p in params
        )
        parts.append(f"<p><b>Parameters</b></p><ul>{items}</ul>")
    doc = entry.get("doc", "")
    if doc:
        parts.append(f"<pre style='white-space: pre-wrap'>{esc(doc)}</pre>")
    return "".join(parts)


class _EntryTree(QTreeWidget):
    """The tree of entries; drags carry `ENTRY_MIME`."""

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt API
        return [ENTRY_MIME]

    def mimeData(self, items: Any) -> QMimeData:  # noqa: N802 - Qt API
        data = QMimeData()
        entries = [i.data(0, _ENTRY_ROLE) for i in items if i.data(0, _ENTRY_ROLE)]
        if entries:
            e = entries[0]
            payload = json.dumps({"kind": e["kind"], "name": e["name"]})
            data.setData(ENTRY_MIME, payload.encode("utf-8"))
            data.setText(e["name"])
        return data


class Palette(QWidget):
    """The catalogue palette.

    Signals:
        entry_activated(dict): An entry was double-clicked (or Enter was pressed).
        entry_selected(dict): An entry was selected (its docs are shown).
    """

    entry_activated = Signal(dict)
    entry_selected = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog: dict[str, Any] | None = None
        self.search = QLineEdit(placeholderText="Search layers, losses, plug-ins…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = _EntryTree()
        self.tree.setHeaderLabels(["Entry", "Plug-in"])
        self.tree.setColumnWidth(0, 190)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(self._selected)
        self.docs = QTextBrowser()
        self.docs.setOpenExternalLinks(True)
        self.docs.setPlaceholderText(
            "Select an entry to read its documentation; double-click or drag it to add it."
        )
        self.empty = QLabel("The catalogue loads when the engine is ready…")
        self.empty.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.docs)
        split.setSizes([420, 220])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(split)

    # -- filling --------------------------------------------------------------------

    def set_catalog(self, catalog: dict[str, Any] | None) -> None:
        """Fills the palette from a catalogue dict (``{"entries", "plugins"}``)."""
        self.catalog = catalog
        self.tree.clear()
        entries = (catalog or {}).get("entries", [])
        self.empty.setVisible(not entries)
        groups: dict[str, QTreeWidgetItem] = {}
        subgroups: dict[tuple[str, str], QTreeWidgetItem] = {}
        order = [title for title, _ in GROUPS]
        for entry in sorted(entries, key=lambda e: str(e.get("name", "")).lower()):
            title = group_of(entry)
            if title not in groups:
                groups[title] = QTreeWidgetItem([title])
                groups[title].setFlags(Qt.ItemFlag.ItemIsEnabled)
            parent = groups[title]
            if title == "Layers":
                cat = entry.get("category") or "other"
                key = (title, cat)
                if key not in subgroups:
                    subgroups[key] = QTreeWidgetItem(parent, [cat])
                    subgroups[key].setFlags(Qt.ItemFlag.ItemIsEnabled)
                parent = subgroups[key]
            item = QTreeWidgetItem(parent, [entry.get("name", ""), entry.get("plugin", "")])
            item.setData(0, _ENTRY_ROLE, entry)
            tip = f"<b>{html.escape(entry.get('name', ''))}</b> ({entry.get('kind', '')})"
            tip += f"<br>{html.escape(entry.get('summary', ''))}"
            tip += f"<br><i>plug-in: {html.escape(entry.get('plugin', ''))}</i>"
            item.setToolTip(0, tip)
            item.setToolTip(1, tip)
            item.setStatusTip(0, entry.get("summary", ""))
        for title in sorted(groups, key=lambda t: (order.index(t) if t in order else 99, t)):
            self.tree.addTopLevelItem(groups[title])
        for key in sorted(subgroups):
            subgroups[key].sortChildren(0, Qt.SortOrder.AscendingOrder)
        for group in groups.values():
            group.sortChildren(0, Qt.SortOrder.AscendingOrder)
        self.tree.expandToDepth(0)
        self._filter(self.search.text())

    # -- search ---------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        self._show_best_match(needle)

        def visit(item: QTreeWidgetItem) -> bool:
            entry = item.data(0, _ENTRY_ROLE)
            if entry is not None:
                hay = " ".join(
                    str(entry.get(k, "")) for k in ("name", "summary", "plugin", "category", "kind")
                )
                hay += " " + " ".join(entry.get("aliases", []))
                shown = not needle or needle in hay.lower()
            else:
                shown = False
                for i in range(item.childCount()):
                    shown = visit(item.child(i)) or shown
                if needle and shown:
                    item.setExpanded(True)
            item.setHidden(not shown)
            return shown

        for i in range(self.tree.topLevelItemCount()):
            visit(self.tree.topLevelItem(i))

    BEST_MATCH = "Best match"

    def _show_best_match(self, needle: str) -> None:
        """Puts the entries whose name is the search text first, in a group of their own
        ("dense" shows Dense at the top, then everything that mentions dense)."""
        top = self.tree.topLevelItem(0)
        if top is not None and top.text(0) == self.BEST_MATCH:
            self.tree.takeTopLevelItem(0)
        if not needle:
            return
        exact = [
            e
            for e in (self.catalog or {}).get("entries", [])
            if needle
            in (str(e.get("name", "")).lower(), *(a.lower() for a in e.get("aliases", [])))
        ]
        if not exact:
            return
        group = QTreeWidgetItem([self.BEST_MATCH])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        group.setData(0, _BEST_ROLE, True)
        for entry in exact:
            item = QTreeWidgetItem(group, [entry.get("name", ""), entry.get("plugin", "")])
            item.setData(0, _ENTRY_ROLE, entry)
            item.setToolTip(0, entry.get("summary", ""))
        self.tree.insertTopLevelItem(0, group)
        group.setExpanded(True)
        self.tree.setCurrentItem(group.child(0))

    def visible_entries(self) -> list[str]:
        """The names of the entries the search leaves visible."""
        names: list[str] = []

        def visit(item: QTreeWidgetItem) -> None:
            if item.isHidden():
                return
            if item.data(0, _ENTRY_ROLE) is not None:
                names.append(item.text(0))
            for i in range(item.childCount()):
                visit(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            visit(self.tree.topLevelItem(i))
        return names

    def find_item(self, name: str, kind: str | None = None) -> QTreeWidgetItem | None:
        """Returns the tree item of an entry."""
        for item in self.tree.findItems(
            name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
        ):
            parent = item.parent()
            if parent is not None and parent.data(0, _BEST_ROLE):
                continue  # the copy in "Best match": the catalogue's own item is found
            entry = item.data(0, _ENTRY_ROLE)
            if entry is not None and (kind is None or entry.get("kind") == kind):
                return item
        return None

    # -- signals --------------------------------------------------------------------

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        entry = item.data(0, _ENTRY_ROLE)
        if entry is not None:
            self.entry_activated.emit(entry)

    def _selected(self, item: QTreeWidgetItem | None, _prev: Any = None) -> None:
        entry = item.data(0, _ENTRY_ROLE) if item is not None else None
        if entry is None:
            return
        self.docs.setHtml(entry_html(entry))
        self.entry_selected.emit(entry)
