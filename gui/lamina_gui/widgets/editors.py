"""Small editor widgets for parameter values (numbers, flags, choices, text, JSON).

`lamina_gui.widgets.param_editors` picks one per parameter type.

Every editor has ``value()`` (raises ``ValueError`` when the text is not a valid
value), ``set_value(v)`` (does not emit) and the signal ``edited`` (user edits only).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

INT_LIMIT = 2**31 - 1
_INVALID = "background: #ffd6d6;"


def blocked(widget: QWidget) -> QSignalBlocker:
    """Blocks `widget`'s signals while the returned blocker lives (``with blocked(w):``)."""
    return QSignalBlocker(widget)


class FloatSpin(QDoubleSpinBox):
    """A double spin box that shows values like ``1e-07`` and ``0.001`` compactly."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(-1e12, 1e12)
        self.setSingleStep(0.01)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt API
        return f"{value:.8g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt API
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        if (
            not stripped
            or stripped in ("-", "+", ".", "-.")
            or stripped.lower().endswith(("e", "e-", "e+"))
        ):
            return (QValidator.State.Intermediate, text, pos)
        try:
            value = float(stripped)
        except ValueError:
            return (QValidator.State.Invalid, text, pos)
        if math.isfinite(value) and self.minimum() <= value <= self.maximum():
            return (QValidator.State.Acceptable, text, pos)
        return (QValidator.State.Intermediate, text, pos)


class IntEditor(QSpinBox):
    edited = Signal()

    def __init__(self, lo: float | None, hi: float | None) -> None:
        super().__init__()
        self.setRange(
            int(lo) if lo is not None else -INT_LIMIT, int(hi) if hi is not None else INT_LIMIT
        )
        self.valueChanged.connect(lambda _v: self.edited.emit())

    def value(self) -> int:  # type: ignore[override]
        return int(super().value())

    def set_value(self, value: Any) -> None:
        with blocked(self):
            self.setValue(int(value) if isinstance(value, (int, float)) else self.minimum())


class FloatEditor(FloatSpin):
    edited = Signal()

    def __init__(self, lo: float | None, hi: float | None) -> None:
        super().__init__()
        self.setRange(lo if lo is not None else -1e12, hi if hi is not None else 1e12)
        self.valueChanged.connect(lambda _v: self.edited.emit())

    def value(self) -> float:  # type: ignore[override]
        return float(super().value())

    def set_value(self, value: Any) -> None:
        with blocked(self):
            self.setValue(float(value) if isinstance(value, (int, float)) else 0.0)


class BoolEditor(QCheckBox):
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.toggled.connect(lambda _v: self.edited.emit())

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        with blocked(self):
            self.setChecked(bool(value))


class ChoiceEditor(QComboBox):
    """A combo box over `choices` (values of any JSON type); `nullable` adds "(none)"."""

    edited = Signal()

    def __init__(self, choices: list[Any], nullable: bool = False) -> None:
        super().__init__()
        if nullable:
            self.addItem("(none)", None)
        for choice in choices:
            self.addItem(str(choice), choice)
        self.currentIndexChanged.connect(lambda _i: self.edited.emit())

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, value: Any) -> None:
        with blocked(self):
            for i in range(self.count()):
                if self.itemData(i) == value:
                    self.setCurrentIndex(i)
                    return
            self.addItem(str(value), value)  # keep a value the schema does not list
            self.setCurrentIndex(self.count() - 1)


class StrEditor(QLineEdit):
    edited = Signal()

    def __init__(self, nullable: bool = False) -> None:
        super().__init__()
        self.nullable = nullable
        if nullable:
            self.setPlaceholderText("(none)")
        self.textEdited.connect(lambda _t: self.edited.emit())

    def value(self) -> str | None:
        text = self.text()
        return None if self.nullable and not text else text

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))


def parse_int_or_tuple(text: str) -> int | list[int]:
    """Parses ``"3"`` to 3 and ``"3,3"`` (or ``"(3, 3)"``, ``"[3 3]"``) to ``[3, 3]``."""
    parts = [p for p in re.split(r"[\s,xX×]+", text.strip().strip("()[]")) if p]
    if not parts:
        raise ValueError("expected an integer or integers separated by commas")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"expected integers, got {text!r}") from None
    return values[0] if len(values) == 1 and "," not in text else values


def format_int_or_tuple(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


class _ParsedLineEdit(QLineEdit):
    """A line edit whose text parses to a value: marked red while it does not parse,
    `edited` emitted when it does. Subclasses define `value()` (raising ValueError)."""

    edited = Signal()

    def __init__(self, nullable: bool, hint: str) -> None:
        super().__init__()
        self.nullable = nullable
        self.setPlaceholderText(hint + (" (empty: none)" if nullable else ""))
        self.textEdited.connect(self._edited)

    def value(self) -> Any:
        raise NotImplementedError

    def _edited(self, _text: str) -> None:
        try:
            self.value()
            self.setStyleSheet("")
        except ValueError:
            self.setStyleSheet(_INVALID)
            return
        self.edited.emit()


class IntOrTupleEditor(_ParsedLineEdit):
    """``3`` or ``3,3``."""

    def __init__(self, nullable: bool = False) -> None:
        super().__init__(nullable, "e.g. 3 or 3,3")

    def value(self) -> int | list[int] | None:
        if self.nullable and not self.text().strip():
            return None
        return parse_int_or_tuple(self.text())

    def set_value(self, value: Any) -> None:
        self.setText(format_int_or_tuple(value))
        self.setStyleSheet("")


class JsonEditor(_ParsedLineEdit):
    """Any JSON value; a bare word is taken as a string."""

    def __init__(self, nullable: bool = True) -> None:
        super().__init__(nullable, "JSON value")

    def value(self) -> Any:
        text = self.text().strip()
        if not text:
            if self.nullable:
                return None
            raise ValueError("a value is required")
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            if re.fullmatch(r"[A-Za-z_][\w.\-]*", text):
                return text
            raise ValueError(f"not a JSON value: {text!r}") from None

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else json.dumps(value))
        self.setStyleSheet("")


class Nullable(QWidget):
    """Wraps an editor with a "none" check box (for nullable numbers)."""

    edited = Signal()

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner
        self.none = QCheckBox("none")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(inner, 1)
        layout.addWidget(self.none)
        inner.edited.connect(self.edited)
        self.none.toggled.connect(self._toggled)

    def _toggled(self, checked: bool) -> None:
        self.inner.setEnabled(not checked)
        self.edited.emit()

    def value(self) -> Any:
        return None if self.none.isChecked() else self.inner.value()

    def set_value(self, value: Any) -> None:
        with blocked(self.none):
            self.none.setChecked(value is None)
        self.inner.setEnabled(value is not None)
        if value is not None:
            self.inner.set_value(value)
