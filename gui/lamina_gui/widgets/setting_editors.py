"""Editors of Keras settings that take a name or a structure: regularizers, learning
rates (a number or a schedule) and initializers."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from lamina.schedules import SCHEDULES, schedule_problem, starting_params
from lamina_gui.widgets.editors import FloatSpin, JsonEditor, blocked

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
        blockers = [blocked(w) for w in widgets]
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
        kind = self.kind.currentText()
        if kind != "constant" and not self._params_fit(kind):
            # a schedule needs its own parameters: start from ones that work
            self.params.set_value(starting_params(kind, self.rate.value() or 0.001))
        self.edited.emit()

    def _params_fit(self, kind: str) -> bool:
        """True if the parameters typed so far make a valid `kind` schedule."""
        if not self.params.text().strip():
            return False
        try:
            params = self.params.value()
        except ValueError:
            return True  # the user's text, kept; the editor shows what is wrong with it
        return schedule_problem({"type": kind, "params": params}) is None

    def value(self) -> Any:
        if self.kind.currentText() == "constant":
            return self.rate.value()
        params = self.params.value()
        if not isinstance(params, dict):
            raise ValueError("schedule parameters must be a JSON object")
        return {"type": self.kind.currentText(), "params": params}

    def set_value(self, value: Any) -> None:
        blockers = [blocked(w) for w in (self.kind, self.rate)]
        if isinstance(value, dict):
            self.kind.setCurrentText(str(value.get("type", next(iter(SCHEDULES)))))
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
        with blocked(self):
            self.setCurrentText("" if value is None else str(value))
