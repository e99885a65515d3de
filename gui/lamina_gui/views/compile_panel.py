"""Compile settings: the loss, the optimizer with its parameters, and the metrics."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lamina_gui.state import AppState
from lamina_gui.widgets.param_form import ParamForm
from lamina_gui.widgets.vary import VaryControl

COMMON_METRICS = ("accuracy", "mae", "mse", "AUC", "Precision", "Recall")


def _ref(value: Any) -> dict[str, Any] | None:
    """``"Adam"`` or ``{"type": "Adam"}`` -> ``{"type": "Adam", "params": {}}``."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"type": value, "params": {}}
    return {"type": value.get("type"), "params": dict(value.get("params") or {})}


class CompilePanel(QWidget):
    """Edits ``spec["compile"]``."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.loss = QComboBox()
        self.loss.setToolTip(
            "The loss to minimise; '(from the head)' lets a probabilistic head set it"
        )
        self.loss_form = ParamForm()
        self.optimizer = QComboBox()
        self.optimizer_form = ParamForm()
        self.metrics = QLineEdit()
        self.metrics.setPlaceholderText(", ".join(COMMON_METRICS[:3]))
        self.metrics.setToolTip("Keras metric names, separated by commas")
        loss_box = QGroupBox("Loss")
        lb = QVBoxLayout(loss_box)
        lb.addWidget(self.loss)
        lb.addWidget(self.loss_form)
        opt_box = QGroupBox("Optimizer")
        ob = QVBoxLayout(opt_box)
        self.optimizer_vary = VaryControl(
            state, "compile.optimizer.type", self._optimizer_choices, self.optimizer
        )
        row = QHBoxLayout()
        row.addWidget(self.optimizer, 1)
        row.addWidget(self.optimizer_vary.toggle)
        ob.addLayout(row)
        ob.addWidget(self.optimizer_vary.ranges)
        ob.addWidget(self.optimizer_form)
        met_box = QGroupBox("Metrics")
        mb = QFormLayout(met_box)
        mb.addRow("metrics", self.metrics)
        inner = QWidget()
        il = QVBoxLayout(inner)
        il.addWidget(loss_box)
        il.addWidget(opt_box)
        il.addWidget(met_box)
        il.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.loss.currentIndexChanged.connect(self._loss_chosen)
        self.optimizer.currentIndexChanged.connect(self._optimizer_chosen)
        self.loss_form.params_edited.connect(lambda n, p: self._params_edited("loss", n, p))
        self.optimizer_form.params_edited.connect(
            lambda n, p: self._params_edited("optimizer", n, p)
        )
        self.metrics.editingFinished.connect(self._metrics_edited)
        for key, form in (("loss", self.loss_form), ("optimizer", self.optimizer_form)):
            form.vary_edited.connect(
                lambda n, d, k=key: self.state.vary(f"compile.{k}.params.{n}", d)
            )
        state.spec_changed.connect(self.refresh)
        state.space_changed.connect(self._show_varied)
        self.fill_choices()

    def fill_choices(self) -> None:
        """Refills the loss and optimizer lists from the catalogue."""
        with QSignalBlocker(self.loss), QSignalBlocker(self.optimizer):
            self.loss.clear()
            self.loss.addItem("(from the head)", None)
            for e in sorted(self.state.entries("loss"), key=lambda e: e["name"]):
                self.loss.addItem(e["name"], e["name"])
            self.optimizer.clear()
            for e in sorted(self.state.entries("optimizer"), key=lambda e: e["name"]):
                self.optimizer.addItem(e["name"], e["name"])
        self._shown: dict[str, Any] = {}
        self.refresh()

    def _optimizer_choices(self) -> dict[str, Any]:
        """The first choices of a varied optimizer: the current one, Adam, SGD and RMSprop."""
        names = [self.optimizer.itemData(i) for i in range(self.optimizer.count())]
        first = [self.optimizer.currentData(), "Adam", "SGD", "RMSprop"]
        choices = [n for n in dict.fromkeys(first) if n in names]
        return {"type": "categorical", "choices": choices}

    def _compile(self) -> dict[str, Any]:
        return self.state.spec.compile.model_dump(mode="json")

    @staticmethod
    def _select(combo: QComboBox, name: str | None) -> None:
        with QSignalBlocker(combo):
            index = combo.findData(name)
            if index < 0 and name is not None:
                combo.addItem(name, name)
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))

    def refresh(self) -> None:
        comp = self._compile()
        activations = [e["name"] for e in self.state.entries("activation")]
        for key, combo, form in (
            ("loss", self.loss, self.loss_form),
            ("optimizer", self.optimizer, self.optimizer_form),
        ):
            ref = _ref(comp.get(key))
            name = ref["type"] if ref else None
            self._select(combo, name)
            params = ref["params"] if ref else {}
            kinds = (key,)
            entry = self.state.entry(name, kinds) if name else None
            if self._shown.get(key) != (name, entry is not None):
                form.set_entry(entry, params, activations)
                self._shown[key] = (name, entry is not None)
            else:
                form.set_params(params)
        if not self.metrics.hasFocus():
            self.metrics.setText(", ".join(comp.get("metrics") or []))
        self._show_varied()

    def _show_varied(self) -> None:
        space = self.state.space
        for key, form in (("loss", self.loss_form), ("optimizer", self.optimizer_form)):
            prefix = f"compile.{key}.params."
            form.set_varied({p[len(prefix) :]: d for p, d in space.items() if p.startswith(prefix)})

    def _set(self, key: str, value: Any, text: str, merge_key: str = "") -> None:
        spec = self.state.spec.to_dict()
        spec["compile"][key] = value
        self.state.apply(spec, text, merge_key)

    def _loss_chosen(self, _i: int) -> None:
        name = self.loss.currentData()
        self._set("loss", None if name is None else {"type": name, "params": {}}, "Set loss")

    def _optimizer_chosen(self, _i: int) -> None:
        name = self.optimizer.currentData()
        if name:
            self._set("optimizer", {"type": name, "params": {}}, f"Set optimizer {name}")

    def _params_edited(self, key: str, name: str, params: dict[str, Any]) -> None:
        ref = _ref(self._compile().get(key))
        if ref is None:
            return
        ref["params"] = params
        self._set(key, ref, f"Set {key} {name}", merge_key=f"{key}:{name}")

    def _metrics_edited(self) -> None:
        metrics = [m.strip() for m in self.metrics.text().split(",") if m.strip()]
        if metrics != (self._compile().get("metrics") or []):
            self._set("metrics", metrics, "Set metrics")
