"""The data and the model, linked: does the model's input take the data's samples, and
is its output one per class? One click makes it so."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


def _last_units(spec: dict[str, Any]) -> tuple[int, int] | None:
    """(index, units) of the last stack item with a ``units`` parameter, or None."""
    for i in range(len(spec.get("layers") or []) - 1, -1, -1):
        units = (spec["layers"][i].get("params") or {}).get("units")
        if isinstance(units, int):
            return i, units
    return None


def mismatches(spec: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    """What does not fit between the model `spec` and the data `summary`, in words."""
    out = []
    x_shape = list(summary.get("x_shape") or [])[1:]
    model_in = list((spec.get("input") or {}).get("shape") or [])
    if x_shape and model_in and x_shape != model_in:
        out.append(f"the model's input is {tuple(model_in)} but the samples are {tuple(x_shape)}")
    names = summary.get("class_names") or []
    last = _last_units(spec)
    if summary.get("task") == "classification" and len(names) > 1 and last is not None:
        index, units = last
        wanted = 1 if len(names) == 2 and units == 1 else len(names)
        if units != wanted:
            out.append(
                f"the data have {len(names)} classes but the model's last Dense "
                f"(item {index}) has {units} units"
            )
    return out


def adapted(spec: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """`spec` with its input shape and last ``units`` set from the data `summary`."""
    new = copy.deepcopy(spec)
    x_shape = list(summary.get("x_shape") or [])[1:]
    if x_shape:
        new.setdefault("input", {})["shape"] = x_shape
    names = summary.get("class_names") or []
    last = _last_units(new)
    if summary.get("task") == "classification" and len(names) > 1 and last is not None:
        index, units = last
        if not (len(names) == 2 and units == 1):
            new["layers"][index]["params"]["units"] = len(names)
    return new


class DataModelLink(QWidget):
    """A warning with an "Adapt the model" button, shown while data and model disagree.

    Signals:
        adapt_clicked: The user asked to adapt the model to the data.
    """

    adapt_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(wordWrap=True)
        self.label.setObjectName("data_model_mismatch")
        self.label.setStyleSheet("color: #7a4a00;")
        self.button = QPushButton("Adapt the model")
        self.button.setObjectName("adapt_model_button")
        self.button.setToolTip("Set the model's input shape (and output size) from the data")
        self.button.clicked.connect(self.adapt_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.hide()

    def show_problems(self, problems: list[str]) -> None:
        """Shows the mismatches (hides itself if there are none)."""
        self.label.setText("⚠ " + "; ".join(problems) + "." if problems else "")
        self.setVisible(bool(problems))
