"""Forms generated from a catalogue entry's parameter schema.

:class:`ParamForm` shows one editor per parameter (see :mod:`lamina_gui.widgets.editors`)
and reports edits as a new ``params`` dict holding only values that differ from the
defaults (required parameters are always written). Beside each numeric and choice
parameter a "vary" toggle opens its range or choices for a hyperparameter search
(`vary_edited`). :class:`ItemPanel` puts a form for the selected stack item next to its
name, trainable flag and check error.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from lamina_gui.state import AppState
from lamina_gui.widgets.param_editors import make_editor
from lamina_gui.widgets.vary import RangeEditor, VaryToggle, default_definition, vary_kind


def plain_help(text: str) -> str:
    """A docstring's help text without its code quotes (``"rgb"`` and `x` read "rgb", x)."""
    return re.sub(r"``(.+?)``|`([^`]+)`", lambda m: m.group(1) or m.group(2), text)


#: Abbreviations whose dot does not end a sentence.
_ABBREV = ("e.g", "i.e", "etc", "cf", "vs")


def short_help(text: str, limit: int = 64) -> str:
    """The first sentence of a help text, at most `limit` characters."""
    text = " ".join(plain_help(text).split())
    end = next(
        (m.start() for m in re.finditer(r"\. ", text) if not text[: m.start()].endswith(_ABBREV)),
        -1,
    )
    first = text if end < 0 else text[: end + 1]
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:") + "…"  # whole words


def _default(param: dict[str, Any]) -> Any:
    return None if param.get("required") else param.get("default")


class ParamForm(QWidget):
    """A form for the parameters of one catalogue entry.

    Signals:
        params_edited(str, dict): A parameter (named) was edited by the user; the dict
            is the new params (only values differing from defaults).
        vary_edited(str, object): The user set a parameter (named) to vary over a range
            or choices (the dict), changed them, or stopped varying it (None).
    """

    params_edited = Signal(str, dict)
    vary_edited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: dict[str, Any] | None = None
        self.params: dict[str, Any] = {}
        self.editors: dict[str, Any] = {}
        self.labels: dict[str, QLabel] = {}
        self.vary_toggles: dict[str, VaryToggle] = {}
        self.ranges: dict[str, RangeEditor] = {}
        self.activations: list[str] = []
        self._layout = QFormLayout(self)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

    def set_entry(
        self,
        entry: dict[str, Any] | None,
        params: dict[str, Any],
        activations: list[str] | None = None,
    ) -> None:
        """Rebuilds the form for `entry` showing `params`."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self.editors.clear()
        self.labels.clear()
        self.vary_toggles.clear()
        self.ranges.clear()
        self.activations = list(activations or [])
        self.entry = entry
        self.params = dict(params)
        if entry is None:
            return
        schema = entry.get("params", [])
        if not schema:
            self._layout.addRow(QLabel("<i>No parameters.</i>"))
        for param in schema:
            name = param["name"]
            value = self.params.get(name, _default(param))
            editor = make_editor(param, value, activations or [])
            tip = f"<b>{html.escape(name)}</b> ({param.get('type')})<br>" + html.escape(
                plain_help(param.get("help", ""))
            )
            if not param.get("required"):
                tip += f"<br><i>default: {html.escape(repr(param.get('default')))}</i>"
            label = QLabel(name + (" *" if param.get("required") else ""))
            label.setToolTip(tip)
            editor.setToolTip(tip)
            editor.setObjectName(f"param_{name}")
            editor.edited.connect(lambda n=name: self._edited(n))
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 2)
            box.setSpacing(0)
            if vary_kind(param) is None:
                box.addWidget(editor)
            else:
                box.addLayout(self._vary_row(name, editor))
                box.addWidget(self.ranges[name])
            if param.get("help"):
                hint = QLabel(short_help(param["help"], 96))
                hint.setWordWrap(True)  # wrapped, not cut at the form's edge
                hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.MinimumExpanding)
                hint.setStyleSheet("color: #777; font-size: 11px;")
                hint.setToolTip(tip)
                box.addWidget(hint)
            self._layout.addRow(label, cell)
            self.editors[name] = editor
            self.labels[name] = label
        extra = [k for k in self.params if k not in {p["name"] for p in schema}]
        for name in extra:  # parameters the schema does not know: plain JSON
            editor = make_editor(
                {"name": name, "type": "any", "nullable": True}, self.params[name], []
            )
            editor.edited.connect(lambda n=name: self._edited(n))
            label = QLabel(f"{name} (?)")
            label.setToolTip("not in this entry's schema")
            self._layout.addRow(label, editor)
            self.editors[name] = editor
            self.labels[name] = label

    def _vary_row(self, name: str, editor: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        toggle = VaryToggle()
        toggle.setObjectName(f"vary_{name}")
        toggle.toggled.connect(lambda on, n=name: self._vary_toggled(n, on))
        row.addWidget(toggle)
        ranges = RangeEditor()
        ranges.setObjectName(f"range_{name}")
        ranges.hide()
        ranges.edited.connect(lambda n=name: self._range_edited(n))
        self.vary_toggles[name] = toggle
        self.ranges[name] = ranges
        return row

    def set_varied(self, varied: dict[str, dict[str, Any]]) -> None:
        """Shows which parameters vary (name -> range or choices), without emitting."""
        for name, toggle in self.vary_toggles.items():
            definition = varied.get(name)
            toggle.blockSignals(True)
            toggle.setChecked(definition is not None)
            toggle.blockSignals(False)
            self.editors[name].setEnabled(definition is None)
            ranges = self.ranges[name]
            ranges.setVisible(definition is not None)
            if definition is not None:
                try:
                    same = ranges.value() == definition
                except ValueError:
                    same = False
                if not same:
                    ranges.set_value(definition)

    def _vary_toggled(self, name: str, on: bool) -> None:
        ranges = self.ranges[name]
        self.editors[name].setEnabled(not on)
        ranges.setVisible(on)
        if not on:
            self.vary_edited.emit(name, None)
            return
        param = self._schema(name) or {"type": "float"}
        value = self.params.get(name, _default(param))
        ranges.set_value(default_definition(param, value, self.activations))
        self.vary_edited.emit(name, ranges.value())

    def _range_edited(self, name: str) -> None:
        try:
            definition = self.ranges[name].value()
        except ValueError:
            return  # the editor shows the problem
        self.vary_edited.emit(name, definition)

    def set_params(self, params: dict[str, Any]) -> None:
        """Shows new values without rebuilding (or emitting)."""
        self.params = dict(params)
        if self.entry is None:
            return
        for param in self.entry.get("params", []):
            editor = self.editors.get(param["name"])
            if editor is None:
                continue
            value = self.params.get(param["name"], _default(param))
            try:
                if editor.value() == value:
                    continue
            except ValueError:
                pass
            editor.set_value(value)

    def _schema(self, name: str) -> dict[str, Any] | None:
        for param in (self.entry or {}).get("params", []):
            if param["name"] == name:
                return param
        return None

    def _edited(self, name: str) -> None:
        editor = self.editors[name]
        try:
            value = editor.value()
        except ValueError:
            return  # the editor shows the problem; the spec keeps the last valid value
        params = dict(self.params)
        param = self._schema(name)
        if param is not None and not param.get("required") and value == param.get("default"):
            params.pop(name, None)
        else:
            params[name] = value
        if params == self.params:
            return
        self.params = params
        self.params_edited.emit(name, dict(params))


class ItemPanel(QWidget):
    """The form of the selected stack item: error, name, trainable and parameters."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.index = -1
        self._type = ""
        self.title = QLabel("<i>Select an item of the stack to edit its parameters.</i>")
        self.title.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(
            "color: #a00; background: #fde8e8; border: 1px solid #e0a0a0; padding: 4px;"
        )
        self.error.hide()
        self.name = QLineEdit(placeholderText="(automatic)")
        self.name.editingFinished.connect(self._name_edited)
        self.trainable = QCheckBox("trainable")
        self.trainable.toggled.connect(self._trainable_edited)
        self.form = ParamForm()
        self.form.params_edited.connect(self._params_edited)
        self.form.vary_edited.connect(self._vary_edited)
        head = QWidget()
        head_layout = QFormLayout(head)
        head_layout.setContentsMargins(0, 0, 0, 0)
        head_layout.addRow("name", self.name)
        head_layout.addRow("", self.trainable)
        self._head = head
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.error)
        layout.addWidget(head)
        layout.addWidget(scroll, 1)
        state.selection_changed.connect(self._selection_changed)
        state.spec_changed.connect(self.refresh)
        state.space_changed.connect(self._show_varied)
        self.errors: dict[int, str] = {}
        self.refresh()

    def _selection_changed(self, _index: int) -> None:
        self.refresh()

    def set_errors(self, errors: dict[int, str]) -> None:
        """Item index -> error message from the latest check."""
        self.errors = dict(errors)
        self._show_error()

    def _show_error(self) -> None:
        message = self.errors.get(self.index, "")
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def refresh(self) -> None:
        layers = self.state.layers
        index = self.state.selected
        item = layers[index] if 0 <= index < len(layers) else None
        self._head.setVisible(item is not None)
        if item is None:
            self.index, self._type = -1, ""
            self.title.setText("<i>Select an item of the stack to edit its parameters.</i>")
            self.form.set_entry(None, {})
            self._show_error()
            return
        entry = self.state.entry(item["type"], ("layer", "head"))
        if index != self.index or item["type"] != self._type or entry != self.form.entry:
            self.index, self._type = index, item["type"]
            summary = html.escape(entry.get("summary", "")) if entry else "not in the catalogue"
            plugin = html.escape(entry.get("plugin", "")) if entry else "?"
            self.title.setText(
                f"<b>{index}. {html.escape(item['type'])}</b> "
                f"<span style='color:#666'>({plugin})</span><br>{summary}"
            )
            activations = [e["name"] for e in self.state.entries("activation")]
            self.form.set_entry(
                entry or {"name": item["type"], "params": []}, item.get("params", {}), activations
            )
        else:
            self.form.set_params(item.get("params", {}))
        if not self.name.hasFocus():
            self.name.setText(item.get("name") or "")
        self.trainable.blockSignals(True)
        self.trainable.setChecked(item.get("trainable", True))
        self.trainable.blockSignals(False)
        self._show_error()
        self._show_varied()

    def _prefix(self) -> str:
        return f"layers[{self.index}].params."

    def _show_varied(self) -> None:
        if self.index < 0:
            return
        prefix = self._prefix()
        self.form.set_varied(
            {p[len(prefix) :]: d for p, d in self.state.space.items() if p.startswith(prefix)}
        )

    def _vary_edited(self, name: str, definition: dict[str, Any] | None) -> None:
        if self.index >= 0:
            self.state.vary(self._prefix() + name, definition)

    def _edit_item(self, change: dict[str, Any], text: str, merge_key: str = "") -> None:
        layers = self.state.layers
        if not 0 <= self.index < len(layers):
            return
        layers[self.index].update(change)
        self.state.edit_layers(layers, text, merge_key)

    def _params_edited(self, name: str, params: dict[str, Any]) -> None:
        self._edit_item(
            {"params": params},
            f"Set {self._type}.{name}",
            merge_key=f"param:{self.index}:{name}",
        )

    def _name_edited(self) -> None:
        text = self.name.text().strip()
        layers = self.state.layers
        if not 0 <= self.index < len(layers) or (layers[self.index].get("name") or "") == text:
            return
        item = layers[self.index]
        if text:
            item["name"] = text
        else:
            item.pop("name", None)
        self.state.edit_layers(layers, f"Rename {self._type}")

    def _trainable_edited(self, checked: bool) -> None:
        layers = self.state.layers
        if not 0 <= self.index < len(layers):
            return
        item = layers[self.index]
        if item.get("trainable", True) == checked:
            return
        item["trainable"] = checked
        self.state.edit_layers(layers, f"Set {self._type} trainable")
