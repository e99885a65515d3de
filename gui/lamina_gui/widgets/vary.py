"""The "vary" toggle of a parameter and the editor of its range or choices.

A varied parameter is one entry of the search space (the JSON of
`lamina.hpsearch.SearchSpace`): ``{"type": "int", "low": 16, "high": 128, "step": 16,
"log": false}``, ``{"type": "float", "low": 1e-4, "high": 1e-1, "log": true}`` or
``{"type": "categorical", "choices": ["relu", "tanh"]}``. The engine checks it against the
spec and the catalogue; these widgets only edit it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

from lamina_gui.widgets.editors import INT_LIMIT, FloatSpin, blocked

#: Parameter types (of the catalogue's schemas) a search can vary, and as what.
VARY_KIND = {
    "int": "int",
    "float": "float",
    "learning_rate": "float",
    "choice": "categorical",
    "activation": "categorical",
    "bool": "categorical",
}


def vary_kind(param: dict[str, Any]) -> str | None:
    """``"int"``, ``"float"`` or ``"categorical"`` for a parameter that can vary, else None."""
    kind = VARY_KIND.get(str(param.get("type")))
    if param.get("type") == "choice" and not param.get("choices"):
        return None
    return kind


def default_definition(
    param: dict[str, Any], value: Any, activations: list[str] | None = None
) -> dict[str, Any]:
    """A first range (or choices) around `value` for a parameter just set to vary."""
    kind = vary_kind(param)
    if kind == "categorical":
        if param.get("type") == "bool":
            return {"type": "categorical", "choices": [False, True]}
        choices = list(param.get("choices") or activations or [])
        if param.get("type") == "activation":
            choices = [c for c in ("relu", "tanh", "sigmoid", "elu") if c in choices] or choices
        if value is not None and value not in choices:
            choices.insert(0, value)
        return {"type": "categorical", "choices": choices[:4] or [value]}
    lo, hi = param.get("min"), param.get("max")
    if kind == "int":
        v = int(value) if isinstance(value, (int, float)) and value else 32
        low, high = max(1, v // 2), max(2, v * 2)
        if lo is not None:
            low = max(low, int(lo))
        if hi is not None:
            high = min(high, int(hi))
        return {"type": "int", "low": low, "high": max(high, low + 1), "log": False}
    v = float(value) if isinstance(value, (int, float)) else 0.001
    if v > 0 and (param.get("type") == "learning_rate" or v < 0.01):
        return {"type": "float", "low": v / 10, "high": v * 10, "log": True}
    low, high = (v / 2, v * 2) if v > 0 else (0.0, 0.5)
    if lo is not None:
        low = max(low, float(lo))
    if hi is not None:
        high = min(high, float(hi))
    return {"type": "float", "low": low, "high": high, "log": False}


def as_definition(value: Any) -> dict[str, Any]:
    """Any entry of a space JSON (a list of choices, a range without ``type``) as the dict
    these widgets edit."""
    if isinstance(value, (list, tuple)):
        return {"type": "categorical", "choices": list(value)}
    value = dict(value)
    if "choices" in value:
        return {"type": "categorical", "choices": list(value["choices"])}
    if "type" not in value:
        ints = all(isinstance(value.get(k, 0), int) for k in ("low", "high", "step"))
        value["type"] = "int" if ints else "float"
    return value


def describe(definition: dict[str, Any]) -> str:
    """A short text of a range or choices: ``int 16…128 step 16``, ``one of relu, tanh``."""
    if definition.get("type") == "categorical":
        return "one of " + ", ".join(json.dumps(c) for c in definition.get("choices", []))
    text = f"{definition.get('type')} {definition.get('low'):g}…{definition.get('high'):g}"
    if definition.get("step"):
        text += f" step {definition['step']:g}"
    if definition.get("log"):
        text += " (log)"
    return text


def parse_choices(text: str) -> list[Any]:
    """``"relu, tanh"`` -> ``["relu", "tanh"]``; numbers, true/false and JSON are read as such."""
    choices: list[Any] = []
    for part in (p.strip() for p in re.split(r",(?![^\[]*\])", text)):
        if not part:
            continue
        try:
            choices.append(json.loads(part))
        except json.JSONDecodeError:
            choices.append(part)
    if not choices:
        raise ValueError("give at least one choice, separated by commas")
    return choices


def format_choices(choices: list[Any]) -> str:
    return ", ".join(c if isinstance(c, str) else json.dumps(c) for c in choices)


class RangeEditor(QWidget):
    """Edits one varied parameter: low, high, step and log, or the list of choices.

    Signals:
        edited: The user changed the range or choices.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "float"
        self.low_int, self.high_int = QSpinBox(), QSpinBox()
        self.step_int = QSpinBox()
        for spin in (self.low_int, self.high_int, self.step_int):
            spin.setRange(-INT_LIMIT, INT_LIMIT)
        self.step_int.setRange(0, INT_LIMIT)
        self.step_int.setSpecialValueText("none")
        self.low_float, self.high_float, self.step_float = FloatSpin(), FloatSpin(), FloatSpin()
        self.step_float.setRange(0.0, 1e12)
        self.step_float.setSpecialValueText("none")
        self.log = QCheckBox("log")
        self.log.setToolTip("Sample on a log scale (needs low > 0)")
        self.choices = QLineEdit()
        self.choices.setPlaceholderText("choices, separated by commas")
        self.choices.setObjectName("vary_choices")
        self.labels = [QLabel("low"), QLabel("high"), QLabel("step")]
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        low, high, step = self.labels
        grid.addWidget(low, 0, 0)
        grid.addWidget(self.low_int, 0, 1)
        grid.addWidget(self.low_float, 0, 1)
        grid.addWidget(high, 0, 2)
        grid.addWidget(self.high_int, 0, 3)
        grid.addWidget(self.high_float, 0, 3)
        grid.addWidget(step, 1, 0)
        grid.addWidget(self.step_int, 1, 1)
        grid.addWidget(self.step_float, 1, 1)
        grid.addWidget(self.log, 1, 2, 1, 2)
        grid.addWidget(self.choices, 2, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        for spin in (*self._ints(), *self._floats()):
            spin.valueChanged.connect(lambda _v: self.edited.emit())
        self.choices.textEdited.connect(self._choices_edited)
        self.log.toggled.connect(lambda _v: self.edited.emit())
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._show_kind()

    def _ints(self) -> tuple[QSpinBox, ...]:
        return (self.low_int, self.high_int, self.step_int)

    def _floats(self) -> tuple[FloatSpin, ...]:
        return (self.low_float, self.high_float, self.step_float)

    def _show_kind(self) -> None:
        """Shows the widgets of the current kind only."""
        numeric = self.kind != "categorical"
        for widget in (*self.labels, self.log):
            widget.setVisible(numeric)
        for widget in self._ints():
            widget.setVisible(self.kind == "int")
        for widget in self._floats():
            widget.setVisible(self.kind == "float")
        self.choices.setVisible(not numeric)

    def _choices_edited(self, _text: str) -> None:
        try:
            parse_choices(self.choices.text())
        except ValueError:
            self.choices.setStyleSheet("background: #ffd6d6;")
            return
        self.choices.setStyleSheet("")
        self.edited.emit()

    def set_value(self, definition: dict[str, Any]) -> None:
        """Shows a definition (does not emit `edited`)."""
        self.kind = str(definition.get("type", "float"))
        widgets = (self.low_int, self.high_int, self.step_int, self.low_float)
        blockers = [blocked(w) for w in (*widgets, self.high_float, self.step_float, self.log)]
        if self.kind == "categorical":
            self.choices.setText(format_choices(list(definition.get("choices", []))))
        elif self.kind == "int":
            self.low_int.setValue(int(definition.get("low", 0)))
            self.high_int.setValue(int(definition.get("high", 0)))
            self.step_int.setValue(int(definition.get("step") or 0))
        else:
            self.low_float.setValue(float(definition.get("low", 0.0)))
            self.high_float.setValue(float(definition.get("high", 0.0)))
            self.step_float.setValue(float(definition.get("step") or 0.0))
        self.log.setChecked(bool(definition.get("log")))
        del blockers
        self._show_kind()

    def value(self) -> dict[str, Any]:
        """The definition shown (raises ValueError for choices that do not parse)."""
        if self.kind == "categorical":
            return {"type": "categorical", "choices": parse_choices(self.choices.text())}
        if self.kind == "int":
            out: dict[str, Any] = {
                "type": "int",
                "low": self.low_int.value(),
                "high": self.high_int.value(),
            }
            step: float = self.step_int.value()
        else:
            out = {
                "type": "float",
                "low": self.low_float.value(),
                "high": self.high_float.value(),
            }
            step = self.step_float.value()
        if step and math.isfinite(step):
            out["step"] = step
        out["log"] = self.log.isChecked()
        return out


class VaryToggle(QToolButton):
    """The small checkable "vary" button beside a parameter's editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText("vary")
        self.setCheckable(True)
        self.setToolTip("Vary this parameter in a hyperparameter search (Search tab)")
        self.setStyleSheet(
            "QToolButton { font-size: 10px; padding: 1px 4px; color: #555; }"
            "QToolButton:checked { background: #dbe8ff; color: #1f4fa0; font-weight: bold; }"
        )


class VaryControl(QObject):
    """A vary toggle and its range editor bound to one spec path of the app's search space,
    for a setting outside the parameter forms (the optimizer's type, the batch size).

    Args:
        state: The app state (``space``, ``vary``, ``space_changed``).
        path: The spec path, e.g. ``"compile.optimizer.type"``.
        first: Makes the first range or choices when the toggle is pressed.
        editor: The setting's own editor, disabled while the setting varies.
    """

    def __init__(
        self,
        state: Any,
        path: str,
        first: Callable[[], dict[str, Any]],
        editor: QWidget | None = None,
    ) -> None:
        super().__init__()
        self.state, self.path, self.first, self.editor = state, path, first, editor
        self.toggle = VaryToggle()
        self.setParent(self.toggle)  # lives (and stays connected) as long as its toggle
        self.toggle.setObjectName(f"vary_{path}")
        self.ranges = RangeEditor()
        self.ranges.hide()
        self.toggle.toggled.connect(self._toggled)
        self.ranges.edited.connect(self._edited)
        state.space_changed.connect(self.refresh)
        self.refresh()

    def _toggled(self, on: bool) -> None:
        if on:
            self.ranges.set_value(self.first())
            self.state.vary(self.path, self.ranges.value())
        else:
            self.state.vary(self.path, None)

    def _edited(self) -> None:
        try:
            definition = self.ranges.value()
        except ValueError:
            return  # the editor shows the problem
        self.state.vary(self.path, definition)

    def refresh(self) -> None:
        """Shows whether the setting varies, and over what (without emitting)."""
        definition = self.state.space.get(self.path)
        with blocked(self.toggle):
            self.toggle.setChecked(definition is not None)
        self.ranges.setVisible(definition is not None)
        if self.editor is not None:
            self.editor.setEnabled(definition is None)
        if definition is not None:
            try:
                same = self.ranges.value() == definition
            except ValueError:
                same = False
            if not same:
                self.ranges.set_value(definition)
