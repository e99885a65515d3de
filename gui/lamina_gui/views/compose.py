"""The composer: the model's stack as a list of cards, edited with undoable commands.

Add items by double-clicking or dragging palette entries, reorder by dragging,
duplicate (Ctrl+D), delete (Delete), copy and paste (Ctrl+C / Ctrl+V). Each card
shows the output shape and parameter count of the latest ``check``; an item that
does not check is red with its error. Start from an architecture template (expanded
by the engine) or an empty stack.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lamina.engine.protocol import ExpandArchitectureRequest, ExpandedArchitecture
from lamina_gui.bridge import EngineBridge
from lamina_gui.state import AppState
from lamina_gui.widgets.editors import parse_int_or_tuple
from lamina_gui.widgets.stack_model import (
    CardDelegate,
    StackModel,
    format_count,
    format_shape,
)

#: clipboard text of copied items: ``{"lamina_items": [...]}`` (a bare item or list works too)
ITEMS_KEY = "lamina_items"

#: starting values of common required parameters when an item is added
_STARTING_VALUES: dict[str, Any] = {
    "units": 32,
    "filters": 16,
    "kernel_size": 3,
    "pool_size": 2,
    "rate": 0.25,
    "num_heads": 2,
    "key_dim": 16,
    "size": 2,
    "n_components": 2,
}


def initial_params(entry: dict[str, Any]) -> dict[str, Any]:
    """Values for the required parameters of a new item, so that it can be checked."""
    params: dict[str, Any] = {}
    for p in entry.get("params", []):
        if not p.get("required"):
            continue
        name, kind = p["name"], p.get("type")
        if name in _STARTING_VALUES and kind in ("int", "float", "int_or_tuple", "any"):
            params[name] = _STARTING_VALUES[name]
        elif kind == "int":
            params[name] = max(int(p.get("min") or 1), 1)
        elif kind == "float":
            params[name] = float(p.get("min") or 0.1)
        elif kind == "int_or_tuple":
            params[name] = 3
        elif kind == "bool":
            params[name] = False
        elif kind == "activation":
            params[name] = "relu"
        elif kind == "choice" and p.get("choices"):
            params[name] = p["choices"][0]
    return params


class StackView(QListView):
    """The list of cards (drops from the palette, reordering by drag)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(False)
        self.setSpacing(1)
        self.setItemDelegate(CardDelegate(self))
        self.setStyleSheet("QListView { background: #f3f4f6; }")


class Composer(QWidget):
    """The stack editor.

    Signals:
        message(str): A short note for the status bar.
    """

    message = Signal(str)

    def __init__(self, bridge: EngineBridge, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.state = state
        self.model = StackModel(state, self._drop_entry, self.move_items, self)
        self.view = StackView()
        self.view.setModel(self.model)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        state.spec_changed.connect(self._after_spec_change)
        state.selection_changed.connect(self._show_selection)

        self.input_shape = QLineEdit()
        self.input_shape.setToolTip("Shape of one sample, without the batch axis, e.g. 64,64,1")
        self.input_shape.setMaximumWidth(140)
        self.input_shape.editingFinished.connect(self._input_edited)
        self.template = QComboBox()
        self.template.setMinimumWidth(150)
        self.template.setToolTip("Start from an architecture template or an empty stack")
        self.start_button = QPushButton("Start from…")
        self.start_button.clicked.connect(self._start_clicked)
        top = QHBoxLayout()
        top.addWidget(QLabel("Input shape"))
        top.addWidget(self.input_shape)
        top.addStretch(1)
        top.addWidget(self.template)
        top.addWidget(self.start_button)
        self.input_card = QLabel()
        self.input_card.setStyleSheet(
            "background: #eef3e8; border: 1px solid #b9cba6; border-radius: 6px; padding: 4px 8px;"
        )
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.input_card)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.totals)
        self._make_actions()
        self.fill_templates()
        self._after_spec_change()

    # -- actions --------------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text: str, keys: list[QKeySequence], slot: Any) -> QAction:
            act = QAction(text, self)
            act.setShortcuts(keys)
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.view.addAction(act)
            return act

        self.delete_action = action(
            "Delete item", [QKeySequence(QKeySequence.StandardKey.Delete)], self.delete_selected
        )
        self.duplicate_action = action(
            "Duplicate item", [QKeySequence("Ctrl+D")], self.duplicate_selected
        )
        self.copy_action = action(
            "Copy items", [QKeySequence(QKeySequence.StandardKey.Copy)], self.copy_selected
        )
        self.paste_action = action(
            "Paste items", [QKeySequence(QKeySequence.StandardKey.Paste)], self.paste
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _current_changed(self, current: Any, _previous: Any) -> None:
        self.state.select(current.row())

    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if not rows and self.state.selected >= 0:
            rows = [self.state.selected]
        return rows

    def select_row(self, row: int) -> None:
        self.state.select(row)
        self._show_selection(self.state.selected)

    def _show_selection(self, row: int) -> None:
        sel = self.view.selectionModel()
        if row < 0:
            sel.clearSelection()
            return
        index = self.model.index(row)
        if self.view.currentIndex() != index or not sel.isSelected(index):
            sel.setCurrentIndex(index, sel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(index)

    # -- edits (each one undoable) ---------------------------------------------------

    def insert_items(
        self, items: list[dict[str, Any]], row: int | None = None, text: str = ""
    ) -> None:
        layers = self.state.layers
        row = len(layers) if row is None or row < 0 or row > len(layers) else row
        layers[row:row] = items
        names = ", ".join(i["type"] for i in items)
        self.state.edit_layers(layers, text or f"Add {names}")
        self.select_row(row + len(items) - 1)

    def add_entry(self, entry: dict[str, Any], row: int | None = None) -> None:
        """Adds a palette entry where it belongs: a stack item, the loss, the data..."""
        kind, name = entry.get("kind"), entry.get("name", "")
        if kind in ("layer", "head"):
            self.insert_items([{"type": name, "params": initial_params(entry)}], row)
        elif kind == "activation":
            if self.state.entry("Activation", ("layer",)) is None:
                self.message.emit("no Activation layer in the catalogue")
                return
            self.insert_items([{"type": "Activation", "params": {"activation": name}}], row)
        elif kind == "architecture":
            self.start_from_template(name)
        elif kind in ("loss", "optimizer"):
            spec = self.state.spec.to_dict()
            spec["compile"][kind] = {"type": name, "params": {}}
            self.state.apply(spec, f"Set {kind} {name}")
        elif kind == "dataset":
            spec = self.state.spec.to_dict()
            spec["data"] = {"type": name, "params": {}}
            self.state.apply(spec, f"Use data set {name}")
        else:
            self.message.emit(f"{name}: {kind} entries are used from the Visualize tab")

    def _drop_entry(self, kind: str, name: str, row: int) -> None:
        entry = self.state.entry(name, (kind,)) or {"kind": kind, "name": name, "params": []}
        self.add_entry(entry, row)

    def move_items(self, rows: list[int], row: int) -> None:
        layers = self.state.layers
        rows = sorted(r for r in set(rows) if 0 <= r < len(layers))
        if not rows:
            return
        moving = [layers[r] for r in rows]
        before = sum(1 for r in rows if r < row)
        rest = [item for i, item in enumerate(layers) if i not in rows]
        target = max(0, min(row - before, len(rest)))
        new = rest[:target] + moving + rest[target:]
        if new == layers:
            return
        self.state.edit_layers(new, "Move " + ", ".join(i["type"] for i in moving))
        self.select_row(target + len(moving) - 1)

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        layers = self.state.layers
        if not rows or not layers:
            return
        names = ", ".join(layers[r]["type"] for r in rows if r < len(layers))
        new = [item for i, item in enumerate(layers) if i not in rows]
        self.state.edit_layers(new, f"Delete {names}")
        self.select_row(min(rows[0], len(new) - 1))

    def duplicate_selected(self) -> None:
        rows = self.selected_rows()
        layers = self.state.layers
        if not rows:
            return
        items = [layers[r] for r in rows if r < len(layers)]
        for item in items:
            item.pop("name", None)  # names must stay unique
        self.insert_items(items, rows[-1] + 1, "Duplicate " + ", ".join(i["type"] for i in items))

    def copy_selected(self) -> None:
        layers = self.state.layers
        items = [layers[r] for r in self.selected_rows() if r < len(layers)]
        if not items:
            return
        # plain JSON text: other apps (and scripts) can read it too
        QGuiApplication.clipboard().setText(json.dumps({ITEMS_KEY: items}, indent=2))
        self.message.emit(f"copied {len(items)} item(s)")

    def paste(self) -> None:
        try:
            items = json.loads(QGuiApplication.clipboard().text())
        except (json.JSONDecodeError, TypeError):
            self.message.emit("the clipboard holds no stack items")
            return
        if isinstance(items, dict):
            items = items.get(ITEMS_KEY, [items])
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("type"), str) for i in items
        ):
            self.message.emit("the clipboard holds no stack items")
            return
        rows = self.selected_rows()
        self.insert_items(items, rows[-1] + 1 if rows else None, f"Paste {len(items)} item(s)")

    def _input_edited(self) -> None:
        try:
            shape = parse_int_or_tuple(self.input_shape.text().replace("None", "0"))
        except ValueError as exc:
            self.message.emit(f"input shape: {exc}")
            self._show_input()
            return
        dims = shape if isinstance(shape, list) else [shape]
        spec = self.state.spec.to_dict()
        spec["input"]["shape"] = [None if d == 0 else d for d in dims]
        try:
            self.state.apply(spec, "Set input shape")
        except ValueError as exc:
            self.message.emit(str(exc))
            self._show_input()

    # -- templates ------------------------------------------------------------------

    def fill_templates(self) -> None:
        current = self.template.currentData()
        self.template.clear()
        self.template.addItem("Empty stack", "")
        for entry in sorted(self.state.entries("architecture"), key=lambda e: e["name"]):
            self.template.addItem(f"Template: {entry['name']}", entry["name"])
            self.template.setItemData(
                self.template.count() - 1, entry.get("summary", ""), Qt.ItemDataRole.ToolTipRole
            )
        index = self.template.findData(current)
        self.template.setCurrentIndex(max(index, 0))

    def _start_clicked(self) -> None:
        name = self.template.currentData()
        if name:
            self.start_from_template(name)
        else:
            self.start_empty()

    def _confirm_replace(self) -> bool:
        if not self.state.layers:
            return True
        answer = QMessageBox.question(
            self,
            "Replace the stack?",
            "Replace the current stack? (Undo brings it back.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def start_empty(self) -> None:
        if self._confirm_replace():
            self.state.edit_layers([], "Empty stack")
            self.select_row(-1)

    def start_from_template(self, name: str, params: dict[str, Any] | None = None) -> int:
        """Asks the engine to expand an architecture template, then replaces the spec."""
        if not self._confirm_replace():
            return -1
        self.message.emit(f"expanding template {name}…")

        def done(reply: Any) -> None:
            if not isinstance(reply, ExpandedArchitecture):  # an ErrorReply
                self.message.emit(f"template {name}: {reply}")
                return
            spec = dict(reply.spec)
            old = self.state.spec
            if spec.get("data") is None and old.data is not None:
                spec["data"] = old.data.model_dump(mode="json")
            self.state.apply(spec, f"Start from template {name}")
            self.select_row(-1)
            self.message.emit(f"stack from template {name}")

        return self.bridge.request(ExpandArchitectureRequest(name, dict(params or {})), done)

    # -- report ---------------------------------------------------------------------

    def set_report(self, report: dict[str, Any] | None, error: str = "") -> None:
        self.model.set_report(report)
        self._show_totals(report, error)

    def _show_totals(self, report: dict[str, Any] | None, error: str = "") -> None:
        if report is None:
            self.totals.setText(
                f"<span style='color:#a60'>{error}</span>" if error else "checking…"
            )
            return
        total = format_count(int(report.get("total_params", 0)))
        trainable = format_count(int(report.get("trainable_params", 0)))
        count = (  # not known while an item does not build: "–", not a misleading 0
            f"<b>{total}</b> parameters ({trainable} trainable)"
            if report.get("ok", True)
            else "<b>–</b> parameters"
        )
        text = (
            f"<b>{len(self.state.layers)} items</b> · output "
            f"{format_shape(report.get('output_shape'))} · {count}"
        )
        problems = report.get("problems", [])
        if problems:
            shown = "<br>".join(
                f"{p['path']}: {p['message']}" if p.get("path") else p["message"]
                for p in problems[:4]
            )
            text += f"<br><span style='color:#b00'>⚠ {shown}</span>"
        elif report.get("ok"):
            text += " · <span style='color:#287a28'>✓ checks</span>"
        self.totals.setText(text)

    def _show_input(self) -> None:
        shape = self.state.spec.input.shape
        text = ",".join("None" if d is None else str(d) for d in shape)
        if not self.input_shape.hasFocus():
            self.input_shape.setText(text)
        dtype = self.state.spec.input.dtype
        self.input_card.setText(
            f"<b>Input</b>  {format_shape(shape)}  <span style='color:#666'>{dtype}</span>"
        )

    def _after_spec_change(self) -> None:
        self._show_input()
        self._show_selection(self.state.selected)
        self.totals.setText(self.totals.text() if self.model.report else "checking…")
