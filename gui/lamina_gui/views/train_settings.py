"""The Train view's settings: optimizer and learning rate, device, mixed precision, epochs,
batch size, early stopping.

Each change is written into ``state.spec["training"]`` as one undoable edit (merged
while the user keeps editing); the devices come from the engine's ``ping``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from lamina.engine.protocol import EngineInfo, PingRequest
from lamina_gui.views.common import edit_spec, get_path
from lamina_gui.widgets.vary import VaryControl


class TrainingSettings(QGroupBox):
    """The training settings of the app's spec, as a form.

    Args:
        state: The app state (``.spec``, ``apply``, ``spec_changed``).
        bridge: The engine bridge (``request``).
        parent: The parent widget.

    Signals:
        problem(str): An edit was refused; the spec problem.
        note(str): Something for the run log.
    """

    problem = Signal(str)
    note = Signal(str)

    def __init__(self, state: QObject, bridge: QObject, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.state: Any = state
        self.bridge: Any = bridge
        self.gpus: list[str] = []
        self._running = False
        self._updating = False
        form = QFormLayout(self)
        self.device_combo = QComboBox()
        self.device_combo.addItem("auto (first GPU, else CPU)", "auto")
        self.device_combo.addItem("CPU", "cpu")
        self.epochs_box = QSpinBox(minimum=1, maximum=100000, value=10)
        self.batch_box = QSpinBox(minimum=1, maximum=65536, value=32)
        self.early_check = QCheckBox("on")
        self.early_check.setToolTip("Stop when val_loss has not improved for this many epochs")
        self.patience_box = QSpinBox(
            minimum=0, maximum=1000, value=5, prefix="patience ", suffix=" epochs"
        )
        early = QHBoxLayout()
        early.addWidget(self.early_check)
        early.addWidget(self.patience_box)
        self.mixed_check = QCheckBox("float16 compute")
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("train_optimizer")
        self.lr_box = QDoubleSpinBox(decimals=6, minimum=1e-6, maximum=10.0, value=0.001)
        self.lr_box.setSingleStep(0.0005)
        self.lr_box.setObjectName("train_learning_rate")
        self.lr_box.setToolTip("The optimizer's learning rate (also in Compose → Compile)")
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_box)
        form.addRow("Device", self.device_combo)
        form.addRow("Mixed precision", self.mixed_check)
        form.addRow("Epochs", self.epochs_box)
        batch = QHBoxLayout()
        batch.addWidget(self.batch_box, 1)
        self.batch_vary: VaryControl | None = None
        if hasattr(state, "space_changed"):  # vary the batch size in a search
            self.batch_vary = VaryControl(state, "training.batch_size", self._batch_range)
            batch.addWidget(self.batch_vary.toggle)
        form.addRow("Batch size", batch)
        if self.batch_vary is not None:
            form.addRow("", self.batch_vary.ranges)
        form.addRow("Early stop", early)
        for signal in (
            self.device_combo.currentIndexChanged,
            self.epochs_box.valueChanged,
            self.batch_box.valueChanged,
            self.early_check.toggled,
            self.patience_box.valueChanged,
            self.mixed_check.toggled,
        ):
            signal.connect(self._write_settings)
        self.optimizer_combo.currentIndexChanged.connect(self._write_optimizer)
        self.lr_box.valueChanged.connect(self._write_optimizer)
        self.device_combo.currentIndexChanged.connect(self._update_mixed_check)
        self.load_from_spec()
        spec_changed = getattr(state, "spec_changed", None)
        if spec_changed is not None:
            spec_changed.connect(self.load_from_spec)

    def _batch_range(self) -> dict[str, Any]:
        """The first range of a varied batch size: from half to twice the current one."""
        size = self.batch_box.value()
        return {"type": "int", "low": max(1, size // 2), "high": max(2, size * 2), "log": True}

    def set_running(self, running: bool) -> None:
        """Locks the settings while a run is under way."""
        self._running = running
        for w in (
            self.device_combo,
            self.epochs_box,
            self.batch_box,
            self.early_check,
            self.optimizer_combo,
            self.lr_box,
        ):
            w.setEnabled(not running)
        self._update_mixed_check()

    # ---------------------------------------------------------------- settings <-> spec
    def load_from_spec(self) -> None:
        """Shows the training settings of ``state.spec``."""
        spec = self.state.spec.to_dict()
        self._updating = True
        try:
            device = str(get_path(spec, "training.device", "auto"))
            if self.device_combo.findData(device) < 0:
                self.device_combo.addItem(device, device)
            self.device_combo.setCurrentIndex(self.device_combo.findData(device))
            self.epochs_box.setValue(int(get_path(spec, "training.epochs", 10)))
            self.batch_box.setValue(int(get_path(spec, "training.batch_size", 32)))
            early = get_path(spec, "training.early_stopping")
            self.early_check.setChecked(bool(early))
            self.patience_box.setValue(int((early or {}).get("patience", 5)))
            self.mixed_check.setChecked(bool(get_path(spec, "training.mixed_precision", False)))
            self._load_optimizer(spec)
        finally:
            self._updating = False
        self._update_mixed_check()

    def _write_settings(self, *args: Any) -> None:
        if self._updating:
            return
        early = get_path(self.state.spec.to_dict(), "training.early_stopping") or {}
        values = {
            "training.device": self.device_combo.currentData() or "auto",
            "training.epochs": self.epochs_box.value(),
            "training.batch_size": self.batch_box.value(),
            "training.early_stopping": (
                {**early, "patience": self.patience_box.value()}
                if self.early_check.isChecked()
                else None
            ),
            # off when the device cannot be a GPU (the engine would refuse the run)
            "training.mixed_precision": self.mixed_check.isChecked() and self._may_use_gpu(),
        }
        self._updating = True
        try:
            problem = edit_spec(self.state, values, "Training settings", "training-settings")
        finally:
            self._updating = False
        if problem:
            self.problem.emit(problem)

    def _load_optimizer(self, spec: dict[str, Any]) -> None:
        name = str(get_path(spec, "compile.optimizer.type", "Adam"))
        names = [e["name"] for e in self.state.entries("optimizer")] if self.state.catalog else []
        wanted = sorted(set(names) | {name})
        if [self.optimizer_combo.itemData(i) for i in range(self.optimizer_combo.count())] != (
            wanted
        ):
            self.optimizer_combo.clear()
            for n in wanted:
                self.optimizer_combo.addItem(n, n)
        self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(name))
        lr = get_path(spec, "compile.optimizer.params.learning_rate")
        self.lr_box.setValue(float(lr) if isinstance(lr, (int, float)) else 0.001)

    def _write_optimizer(self, *args: Any) -> None:
        """Writes the optimizer and its learning rate (other parameters kept if the
        optimizer stays the same)."""
        if self._updating:
            return
        spec = self.state.spec.to_dict()
        name = self.optimizer_combo.currentData() or "Adam"
        params = dict(get_path(spec, "compile.optimizer.params", {}) or {})
        if name != get_path(spec, "compile.optimizer.type"):
            params = {}
        params["learning_rate"] = round(self.lr_box.value(), 6)
        self._updating = True
        try:
            problem = edit_spec(
                self.state,
                {"compile.optimizer": {"type": name, "params": params}},
                "Optimizer",
                "train-optimizer",
            )
        finally:
            self._updating = False
        if problem:
            self.problem.emit(problem)

    # ---------------------------------------------------------------- devices
    def refresh_devices(self) -> None:
        """Asks the engine for its devices (``ping``) and lists each GPU it reports."""
        try:
            self.bridge.request(PingRequest(), self._on_ping)
        except Exception as exc:  # noqa: BLE001 - no engine yet: keep auto/CPU
            self.note.emit(f"device list unavailable: {exc}")

    def _on_ping(self, reply: Any) -> None:
        if not isinstance(reply, EngineInfo):
            return
        devices = reply.devices or []
        for dev in devices:
            name = dev.get("name") if isinstance(dev, dict) else str(dev)
            if not name or self.device_combo.findData(name) >= 0:
                continue
            text = dev.get("description", name) if isinstance(dev, dict) else name
            self.device_combo.addItem(f"{name.upper()} — {text}", name)
        self.gpus = [
            dev["name"]
            for dev in devices
            if isinstance(dev, dict) and str(dev.get("name", "")).startswith("gpu")
        ]
        self._update_mixed_check()

    def _may_use_gpu(self) -> bool:
        """True if the chosen device is a GPU, or ``auto`` with a GPU in the engine."""
        device = str(self.device_combo.currentData() or "auto")
        return device.startswith(("gpu", "cuda")) or (device == "auto" and bool(self.gpus))

    def _update_mixed_check(self) -> None:
        """Mixed precision can be switched on only for a GPU (kept on to switch it off)."""
        gpu = self._may_use_gpu()
        self.mixed_check.setEnabled((gpu or self.mixed_check.isChecked()) and not self._running)
        self.mixed_check.setToolTip(
            "Layers compute in float16 with float32 weights; the last item stays float32"
            if gpu
            else "Mixed precision needs a GPU: the engine found none for this device"
        )
