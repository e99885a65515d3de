"""One small editor widget per parameter type of the catalogue's schemas.

Every editor has ``value()`` (raises ``ValueError`` when the text is not a valid
value), ``set_value(v)`` (does not emit) and the signal ``edited`` (user edits only).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

INT_LIMIT = 2**31 - 1
INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "zeros",
    "ones",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "orthogonal",
)
SCHEDULES = (
    "ExponentialDecay",
    "InverseTimeDecay",
    "PolynomialDecay",
    "CosineDecay",
    "PiecewiseConstantDecay",
)
_INVALID = "background: #ffd6d6;"


def _blocked(widget: QWidget) -> Any:
    from PySide6.QtCore import QSignalBlocker

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
        with _blocked(self):
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
        with _blocked(self):
            self.setValue(float(value) if isinstance(value, (int, float)) else 0.0)


class BoolEditor(QCheckBox):
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.toggled.connect(lambda _v: self.edited.emit())

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        with _blocked(self):
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
        with _blocked(self):
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
        with _blocked(self.none):
            self.none.setChecked(value is None)
        self.inner.setEnabled(value is not None)
        if value is not None:
            self.inner.set_value(value)


class RegularizerEditor(QWidget):
    """none / l1 / l2 / l1_l2 with factors (``"l2"`` or ``{"l1": a, "l2": b}``)."""

    edited = Signal()
    DEFAULT_FACTOR = 0.01

    def __init__(self) -> None:
        super().__init__()
        self.kind = QComboBox()
        self.kind.addItems(["none", "l1", "l2", "l1_l2"])
        self.l1 = FloatSpin()
        self.l2 = FloatSpin()
        for spin, label in ((self.l1, "l1"), (self.l2, "l2")):
            spin.setRange(0.0, 1e6)
            spin.setSingleStep(0.001)
            spin.setValue(self.DEFAULT_FACTOR)
            spin.setMaximumWidth(90)
            spin.setToolTip(f"{label} factor")
            spin.valueChanged.connect(lambda _v: self.edited.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(QLabel("l1"))
        layout.addWidget(self.l1)
        layout.addWidget(QLabel("l2"))
        layout.addWidget(self.l2)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._enable()

    def _enable(self) -> None:
        kind = self.kind.currentText()
        self.l1.setEnabled(kind in ("l1", "l1_l2"))
        self.l2.setEnabled(kind in ("l2", "l1_l2"))

    def _kind_changed(self, _i: int) -> None:
        self._enable()
        self.edited.emit()

    def value(self) -> Any:
        kind = self.kind.currentText()
        if kind == "none":
            return None
        factors = {}
        if kind in ("l1", "l1_l2"):
            factors["l1"] = self.l1.value()
        if kind in ("l2", "l1_l2"):
            factors["l2"] = self.l2.value()
        if all(math.isclose(v, self.DEFAULT_FACTOR) for v in factors.values()):
            return kind
        return factors

    def set_value(self, value: Any) -> None:
        widgets = (self.kind, self.l1, self.l2)
        blockers = [_blocked(w) for w in widgets]
        if isinstance(value, str) and value in ("l1", "l2", "l1_l2"):
            self.kind.setCurrentText(value)
            self.l1.setValue(self.DEFAULT_FACTOR)
            self.l2.setValue(self.DEFAULT_FACTOR)
        elif isinstance(value, dict):
            has1, has2 = "l1" in value, "l2" in value
            self.kind.setCurrentText("l1_l2" if has1 and has2 else "l1" if has1 else "l2")
            self.l1.setValue(float(value.get("l1", self.DEFAULT_FACTOR)))
            self.l2.setValue(float(value.get("l2", self.DEFAULT_FACTOR)))
        else:
            self.kind.setCurrentText("none")
        del blockers
        self._enable()


class LearningRateEditor(QWidget):
    """A constant learning rate, or a schedule ``{"type": ..., "params": {...}}``."""

    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.kind = QComboBox()
        self.kind.addItems(["constant", *SCHEDULES])
        self.rate = FloatSpin()
        self.rate.setRange(0.0, 10.0)
        self.rate.setSingleStep(0.0001)
        self.params = JsonEditor(nullable=False)
        self.params.setPlaceholderText('{"initial_learning_rate": 0.01, "decay_steps": 1000, …}')
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.rate, 1)
        layout.addWidget(self.params, 2)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.rate.valueChanged.connect(lambda _v: self.edited.emit())
        self.params.edited.connect(self.edited)
        self._show()

    def _show(self) -> None:
        constant = self.kind.currentText() == "constant"
        self.rate.setVisible(constant)
        self.params.setVisible(not constant)

    def _kind_changed(self, _i: int) -> None:
        self._show()
        if self.kind.currentText() != "constant" and not self.params.text().strip():
            self.params.set_value(
                {"initial_learning_rate": self.rate.value() or 0.001, "decay_steps": 1000}
            )
        self.edited.emit()

    def value(self) -> Any:
        if self.kind.currentText() == "constant":
            return self.rate.value()
        params = self.params.value()
        if not isinstance(params, dict):
            raise ValueError("schedule parameters must be a JSON object")
        return {"type": self.kind.currentText(), "params": params}

    def set_value(self, value: Any) -> None:
        blockers = [_blocked(w) for w in (self.kind, self.rate)]
        if isinstance(value, dict):
            self.kind.setCurrentText(str(value.get("type", SCHEDULES[0])))
            self.params.set_value(value.get("params", {}))
        else:
            self.kind.setCurrentText("constant")
            self.rate.setValue(float(value) if isinstance(value, (int, float)) else 0.001)
        del blockers
        self._show()


class InitializerEditor(QComboBox):
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setEditable(True)
        self.addItems(list(INITIALIZERS))
        self.currentTextChanged.connect(lambda _t: self.edited.emit())

    def value(self) -> str:
        return self.currentText().strip()

    def set_value(self, value: Any) -> None:
        with _blocked(self):
            self.setCurrentText("" if value is None else str(value))


def _fits(kind: str, value: Any) -> bool:
    """Whether an editor of `kind` can show `value`."""
    if value is None:
        return True
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("str", "initializer", "activation"):
        return isinstance(value, str)
    if kind == "int_or_tuple":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, list) and all(isinstance(v, int) for v in value)
        )
    return True


def make_editor(param: dict[str, Any], value: Any, activations: list[str]) -> Any:
    """Returns the editor for one parameter schema (``Param.to_dict()``), showing `value`."""
    kind = str(param.get("type", "any"))
    nullable = bool(param.get("nullable"))
    default = None if param.get("required") else param.get("default")
    if not (_fits(kind, value) and _fits(kind, default)):
        kind = "any"
    editor: Any
    if kind == "int":
        editor = IntEditor(param.get("min"), param.get("max"))
        editor = Nullable(editor) if nullable else editor
    elif kind == "float":
        editor = FloatEditor(param.get("min"), param.get("max"))
        editor = Nullable(editor) if nullable else editor
    elif kind == "bool":
        editor = BoolEditor()
    elif kind == "choice" and param.get("choices"):
        editor = ChoiceEditor(list(param["choices"]), nullable)
    elif kind == "activation":
        names = list(param.get("choices") or activations)
        editor = ChoiceEditor(names, nullable or value is None)
    elif kind == "str":
        editor = StrEditor(nullable)
    elif kind == "int_or_tuple":
        editor = IntOrTupleEditor(nullable)
    elif kind == "regularizer":
        editor = RegularizerEditor()
    elif kind == "learning_rate":
        editor = LearningRateEditor()
    elif kind == "initializer":
        editor = InitializerEditor()
    else:
        editor = JsonEditor(nullable or not param.get("required"))
    editor.set_value(value)
    return editor
