"""The Train view: settings, Start/Stop, progress, live curves, the log and the results.

Training runs in the engine (a ``train`` request); this view only sends the request,
draws the events it streams back (``epoch_end`` adds a point to each curve) and shows
the final reply. Stop cancels the request; the engine stops within a batch.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lamina.engine import protocol as ev
from lamina.engine.protocol import (
    DatasetSummary,
    DatasetSummaryRequest,
    EngineInfo,
    ErrorReply,
    PingRequest,
    RequestCancelled,
    TrainRequest,
)
from lamina_gui.qt_data_view import edit_spec, get_path
from lamina_gui.qt_image_grid import decode_image_array

TRAIN_PEN = pg.mkPen("#1f77b4", width=2)
VAL_PEN = pg.mkPen("#ff7f0e", width=2, style=pg.QtCore.Qt.PenStyle.DashLine)


class CurvePlot(pg.PlotWidget):
    """A train-vs-validation curve of one quantity (loss or a metric)."""

    def __init__(
        self, title: str, legend_bottom: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, background="w")
        self.setTitle(title, color="#333", size="10pt")
        self.showGrid(x=True, y=True, alpha=0.3)
        self.setLabel("bottom", "epoch")
        self.addLegend(offset=(-5, -5) if legend_bottom else (-5, 5))
        self.train = self.plot([], [], pen=TRAIN_PEN, symbol="o", symbolSize=4, name="train")
        self.val = self.plot([], [], pen=VAL_PEN, symbol="o", symbolSize=4, name="validation")

    def set_values(self, train: list[float], val: list[float]) -> None:
        """Redraws both curves (epochs count from 1)."""
        self.train.setData(np.arange(1, len(train) + 1), np.asarray(train, dtype=float))
        self.val.setData(np.arange(1, len(val) + 1), np.asarray(val, dtype=float))

    def points(self) -> int:
        """The number of training points drawn."""
        x, _ = self.train.getData()
        return 0 if x is None else len(x)


class TrainingView(QWidget):
    """Trains the app's spec in the engine and shows it live.

    Args:
        state: The app state (``.spec``, ``.project_path``, ``apply``, ``spec_changed``).
        bridge: The engine bridge (``request``, ``cancel``).
        parent: The parent widget.

    Signals:
        started(int): A train request was sent (its id).
        finished(dict): The run ended; the engine's reply result (``status`` says how).
        failed(str): The run failed; the reason.
    """

    started = Signal(int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, state: QObject, bridge: QObject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: Any = state
        self.bridge: Any = bridge
        self.request_id: int | None = None
        self.history: dict[str, list[float]] = {}
        self.epoch_events = 0
        self.steps_per_epoch: int | None = None
        self.epochs_planned = 0
        self._updating = False
        #: Event type -> what to do with it (other events are ignored).
        self.event_handlers: dict[type[ev.Event], Any] = {
            ev.RunStarted: self._on_run_started,
            ev.EpochStarted: self._on_epoch_started,
            ev.BatchEnd: self._on_batch_end,
            ev.EpochEnd: self._on_epoch_end,
            ev.EarlyStopped: self._on_early_stopped,
            ev.CheckpointSaved: self._on_checkpoint_saved,
            ev.Log: self._on_log,
            ev.Boundary: self._on_boundary,
            ev.Failed: self._on_failed,
            ev.Cancelled: self._on_cancelled,
            ev.Finished: self._on_finished,
        }
        self._build()
        self.load_from_spec()
        signal = getattr(state, "spec_changed", None)
        if signal is not None:
            signal.connect(self.load_from_spec)
        self.refresh_devices()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        settings = QGroupBox("Training")
        form = QFormLayout(settings)
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
        self.gpus: list[str] = []
        form.addRow("Device", self.device_combo)
        form.addRow("Mixed precision", self.mixed_check)
        form.addRow("Epochs", self.epochs_box)
        form.addRow("Batch size", self.batch_box)
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
        self.device_combo.currentIndexChanged.connect(self._update_mixed_check)
        self._update_mixed_check()

        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("start_button")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stop_button")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        self.status_label = QLabel("Idle.", wordWrap=True)
        self.status_label.setObjectName("train_status")
        self.epoch_bar = QProgressBar(format="epoch: %p%")
        self.overall_bar = QProgressBar(format="run: %v / %m epochs")

        left = QVBoxLayout()
        left.addWidget(settings)
        left.addLayout(buttons)
        left.addWidget(self.status_label)
        left.addWidget(QLabel("This epoch"))
        left.addWidget(self.epoch_bar)
        left.addWidget(QLabel("Overall"))
        left.addWidget(self.overall_bar)
        self.results_label = QLabel(wordWrap=True)
        self.results_label.setObjectName("test_metrics")
        left.addWidget(self.results_label)
        self.confusion_label = QLabel("Confusion matrix (rows: true, columns: predicted)")
        self.confusion_label.hide()
        left.addWidget(self.confusion_label)
        self.confusion = QTableWidget()
        self.confusion.setObjectName("confusion_matrix")
        self.confusion.horizontalHeader().setMinimumSectionSize(12)
        self.confusion.verticalHeader().setMinimumSectionSize(12)
        self.confusion.hide()
        left.addWidget(self.confusion, 1)
        left.addStretch(0)

        self.loss_plot = CurvePlot("loss")
        self.metric_plot = CurvePlot("metric", legend_bottom=True)
        curves = QWidget()
        cl = QVBoxLayout(curves)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.loss_plot)
        cl.addWidget(self.metric_plot)

        self.tabs = QTabWidget()
        self.tabs.addTab(curves, "Curves")
        self.boundary = pg.PlotWidget(background="w")
        self.boundary.setAspectLocked(True)
        self.boundary_image = pg.ImageItem()
        self.boundary.addItem(self.boundary_image)
        self.boundary_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=1))
        self.boundary.addItem(self.boundary_points)
        self.boundary_updates = 0
        self.boundary_tab = self.tabs.addTab(self.boundary, "Decision boundary")
        self.prob_plot = pg.PlotWidget(background="w", title="Predictions with 95% intervals")
        self.calib_plot = pg.PlotWidget(background="w", title="Calibration")
        prob = QWidget()
        pl = QHBoxLayout(prob)
        pl.addWidget(self.prob_plot)
        pl.addWidget(self.calib_plot)
        self.prob_tab = self.tabs.addTab(prob, "Uncertainty")
        self.tabs.setTabVisible(self.boundary_tab, False)
        self.tabs.setTabVisible(self.prob_tab, False)

        self.log = QPlainTextEdit(readOnly=True)
        self.log.setObjectName("run_log")
        self.log.setMaximumBlockCount(2000)
        right = QSplitter()
        right.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        right.addWidget(self.tabs)
        right.addWidget(self.log)
        right.setSizes([500, 140])

        root = QHBoxLayout(self)
        holder = QWidget()
        holder.setLayout(left)
        holder.setMaximumWidth(330)
        root.addWidget(holder)
        root.addWidget(right, 1)

    # ---------------------------------------------------------------- settings <-> spec
    def load_from_spec(self) -> None:
        """Shows the training settings of ``state.spec``."""
        spec = self.state.spec or {}
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
        finally:
            self._updating = False
        self._update_mixed_check()

    def _write_settings(self, *args: Any) -> None:
        if self._updating:
            return
        early = get_path(self.state.spec, "training.early_stopping") or {}
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
            self.status_label.setText(problem)

    def refresh_devices(self) -> None:
        """Asks the engine for its devices (``ping``) and lists each GPU it reports."""
        try:
            self.bridge.request(PingRequest(), self._on_ping)
        except Exception as exc:  # noqa: BLE001 - no engine yet: keep auto/CPU
            self._append_log(f"device list unavailable: {exc}")

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
        self.mixed_check.setEnabled((gpu or self.mixed_check.isChecked()) and not self.running)
        self.mixed_check.setToolTip(
            "Layers compute in float16 with float32 weights; the last item stays float32"
            if gpu
            else "Mixed precision needs a GPU: the engine found none for this device"
        )

    # ---------------------------------------------------------------- running
    @property
    def running(self) -> bool:
        """True while a train request is under way."""
        return self.request_id is not None

    def start(self) -> int | None:
        """Sends the spec to the engine to train; returns the request id."""
        if self.running:
            return self.request_id
        spec = self.state.spec
        if not spec.get("data"):
            self._fail("Choose a dataset in the Data view first.")
            return None
        self._reset_run()
        project = getattr(self.state, "project_path", None)
        request = TrainRequest(
            spec,
            data=spec.get("data"),
            batch_events=True,
            project_dir=str(project) if project else None,
        )
        self.request_id = self.bridge.request(request, self._on_reply, on_event=self._on_event)
        self._set_running(True)
        self.status_label.setText("Starting…")
        self._append_log(f"train request {self.request_id} sent")
        self.started.emit(self.request_id)
        return self.request_id

    def stop(self) -> None:
        """Cancels the run; the engine stops within a batch and keeps the last weights."""
        if self.request_id is None:
            return
        self.status_label.setText("Stopping…")
        self.stop_button.setEnabled(False)
        self.bridge.cancel(self.request_id)

    def _reset_run(self) -> None:
        self.history = {}
        self.epoch_events = 0
        self.steps_per_epoch = None
        self.epochs_planned = self.epochs_box.value()
        self.loss_plot.set_values([], [])
        self.metric_plot.set_values([], [])
        self.epoch_bar.setRange(0, 100)
        self.epoch_bar.setValue(0)
        self.overall_bar.setRange(0, self.epochs_planned)
        self.overall_bar.setValue(0)
        self.results_label.clear()
        self.confusion.hide()
        self.confusion_label.hide()
        self.boundary_image.clear()
        self.boundary_points.clear()
        self.boundary_updates = 0
        self.tabs.setTabVisible(self.boundary_tab, False)
        self.tabs.setTabVisible(self.prob_tab, False)
        self._t0 = time.monotonic()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (self.device_combo, self.epochs_box, self.batch_box, self.early_check):
            w.setEnabled(not running)
        self._update_mixed_check()

    def _on_event(self, event: Any) -> None:
        if event.id != self.request_id:
            return
        handler = self.event_handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _on_run_started(self, event: ev.RunStarted) -> None:
        self.epochs_planned = int(event.epochs or self.epochs_planned)
        self.steps_per_epoch = event.steps_per_epoch
        self.overall_bar.setRange(0, self.epochs_planned)
        self.status_label.setText(f"Training on {event.device}…")
        self._append_log(
            f"run {event.run_id} started: {self.epochs_planned} epochs of "
            f"{self.steps_per_epoch or '?'} batches on {event.device}"
        )
        if event.dataset:
            from lamina.data.report import data_report  # plain text, no TensorFlow

            for line in data_report(event.dataset, event.data, event.split_given or ()):
                self._append_log(line)

    def _on_epoch_started(self, event: ev.EpochStarted) -> None:
        self.epoch_bar.setRange(0, int(self.steps_per_epoch or 0) or 100)
        self.epoch_bar.setValue(0)

    def _on_batch_end(self, event: ev.BatchEnd) -> None:
        if self.steps_per_epoch:
            self.epoch_bar.setValue(int(event.batch) + 1)

    def _on_epoch_end(self, event: ev.EpochEnd) -> None:
        self.epoch_events += 1
        epoch = int(event.epoch)
        for key, value in (event.metrics or {}).items():
            if isinstance(value, (int, float)):
                self.history.setdefault(key, []).append(float(value))
        self._redraw_curves()
        self.epoch_bar.setValue(self.epoch_bar.maximum())
        self.overall_bar.setValue(min(epoch + 1, self.overall_bar.maximum()))
        shown = ", ".join(
            f"{k} {v:.4g}"
            for k, v in (event.metrics or {}).items()
            if isinstance(v, (int, float)) and k != "lr"
        )
        self._append_log(f"epoch {epoch + 1}: {shown} ({float(event.seconds or 0):.1f} s)")

    #: Delay between repainting the loss plot and the metric plot: painting both in one
    #: event-loop turn blocked the window for ~25 ms (twice that while the engine keeps
    #: both cores busy); two separate paints keep every gap short.
    STAGGER_MS = 30

    def _redraw_curves(self) -> None:
        h = self.history
        self.loss_plot.set_values(h.get("loss", []), h.get("val_loss", []))
        if self.metric_name():
            QTimer.singleShot(self.STAGGER_MS, self._redraw_metric)

    def _redraw_metric(self) -> None:
        h = self.history
        metric = self.metric_name()
        if not metric:
            return
        if metric != getattr(self, "_metric_title", None):
            self.metric_plot.setTitle(metric, color="#333", size="10pt")
            self._metric_title = metric
        self.metric_plot.set_values(h.get(metric, []), h.get(f"val_{metric}", []))

    def metric_name(self) -> str | None:
        """The first metric besides loss and learning rate, if any."""
        for key in self.history:
            if key not in ("loss", "lr") and not key.startswith("val_"):
                return key
        return None

    def _on_early_stopped(self, event: ev.EarlyStopped) -> None:
        self._append_log(
            f"early stopping at epoch {int(event.epoch) + 1}; best epoch "
            f"{int(event.best_epoch) + 1} ({event.monitor} {event.best})"
        )

    def _on_checkpoint_saved(self, event: ev.CheckpointSaved) -> None:
        self._append_log(
            f"saved {event.which} weights (epoch {int(event.epoch) + 1}): {Path(event.path).name}"
        )

    def _on_log(self, event: ev.Log) -> None:
        self._append_log(event.text)

    def _on_boundary(self, event: ev.Boundary) -> None:
        grid = decode_image_array(event.grid).astype(np.float32)
        # pyqtgraph images are indexed [x, y] with y up: transpose the (y, x) grid
        self.boundary_image.setImage(np.transpose(boundary_image(grid, flip=False), (1, 0, 2)))
        x0, x1, y0, y1 = (float(v) for v in event.extent)
        self.boundary_image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.boundary.setTitle(f"epoch {int(event.epoch or 0) + 1}", color="#333")
        if not self.boundary_updates:
            self.tabs.setTabVisible(self.boundary_tab, True)
            self._request_points()
        self.boundary_updates += 1

    def _request_points(self) -> None:
        """Asks the engine for the 2-D points to draw over the boundary."""
        data = self.state.spec.get("data")
        if data:
            self.bridge.request(DatasetSummaryRequest(data), self._on_points)

    def _on_points(self, reply: Any) -> None:
        preview = reply.preview if isinstance(reply, DatasetSummary) else None
        if not isinstance(preview, dict) or preview.get("kind") != "points":
            return
        x = decode_image_array(preview["x"])
        y = None if preview.get("y") is None else decode_image_array(preview["y"])
        k = int(y.max()) + 1 if y is not None and y.dtype.kind in "iu" and y.size else 1
        colours = _palette(max(k, 2))
        dark = (colours * 0.55).astype(int)  # darker than the regions they sit on
        labels = y.astype(int) if k > 1 and y is not None else np.zeros(len(x), dtype=int)
        brushes = [pg.mkBrush(*dark[c]) for c in labels]
        self.boundary_points.setData(x[:, 0], x[:, 1], brush=brushes)

    def _on_failed(self, event: ev.Failed) -> None:
        self._append_log(f"failed: {event.reason}")

    def _on_cancelled(self, event: ev.Cancelled) -> None:
        self._append_log(f"cancelled after epoch {int(event.last_epoch) + 1}")

    def _on_finished(self, event: ev.Finished) -> None:
        self._append_log(f"finished after {event.epochs_run} epochs")

    def _on_reply(self, reply: Any) -> None:
        if reply.id != self.request_id:
            return
        self.request_id = None
        self._set_running(False)
        if isinstance(reply, ErrorReply):
            self._fail(reply.message or "training failed")
            return
        if isinstance(reply, RequestCancelled):  # cancelled before it started
            result: dict[str, Any] = {"status": "cancelled", "reason": reply.reason}
        else:
            result = reply.to_dict()
        status = result.get("status", "finished")
        if status == "failed":
            self._fail(str(result.get("reason") or "training failed"))
            return
        if status == "cancelled":
            self.status_label.setText(f"Stopped. {result.get('reason', '')}".strip())
        else:
            seconds = time.monotonic() - getattr(self, "_t0", time.monotonic())
            self.status_label.setText(
                f"Finished: {result.get('epochs_run', '?')} epochs in {seconds:.1f} s."
            )
        self.show_results(result)
        self.finished.emit(result)

    def _fail(self, reason: str) -> None:
        self.request_id = None
        self._set_running(False)
        self.status_label.setText(f"<span style='color:#b00020'>Failed: {reason}</span>")
        self._append_log(f"failed: {reason}")
        self.failed.emit(reason)

    # ---------------------------------------------------------------- results
    def show_results(self, result: dict[str, Any]) -> None:
        """Shows test metrics, the confusion matrix and uncertainty plots of a reply."""
        metrics = result.get("metrics") or {}
        numbers = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and k != "n"}
        if numbers:
            rows = "".join(
                f"<tr><td>{k}</td><td><b>{v:.4g}</b></td></tr>" for k, v in numbers.items()
            )
            n = metrics.get("n")
            head = f"Test metrics ({n} samples)" if n else "Test metrics"
            self.results_label.setText(f"{head}:<table>{rows}</table>")
        cm = metrics.get("confusion_matrix")
        if cm:
            self._show_confusion(np.asarray(cm), metrics.get("class_names") or [])
        self._show_uncertainty(metrics.get("predictions"), metrics.get("calibration"))

    def _show_confusion(self, cm: np.ndarray, names: list[str]) -> None:
        k = cm.shape[0]
        names = [str(n) for n in names] if len(names) == k else [str(i) for i in range(k)]
        self.confusion.setRowCount(k)
        self.confusion.setColumnCount(k)
        short = [n if len(n) <= 5 else n[:4] + "…" for n in names]
        self.confusion.setHorizontalHeaderLabels(short)
        self.confusion.setVerticalHeaderLabels(short)
        for i, n in enumerate(names):
            self.confusion.horizontalHeaderItem(i).setToolTip(f"predicted {n}")
            self.confusion.verticalHeaderItem(i).setToolTip(f"true {n}")
        top = max(int(cm.max()), 1)
        for r in range(k):
            for c in range(k):
                item = QTableWidgetItem(str(int(cm[r, c])))
                shade = int(255 - 150 * cm[r, c] / top)
                item.setBackground(pg.mkColor(shade, shade, 255))
                self.confusion.setItem(r, c, item)
        self.confusion.resizeColumnsToContents()
        self.confusion.resizeRowsToContents()
        self.confusion.show()
        self.confusion_label.show()

    def _show_uncertainty(self, predictions: Any, calibration: Any) -> None:
        shown = False
        self.prob_plot.clear()
        self.calib_plot.clear()
        if isinstance(predictions, dict) and "mean" in predictions:
            mean = _array(predictions["mean"]).ravel()
            x = _array(predictions.get("x", np.arange(len(mean)))).ravel()
            order = np.argsort(x)
            if "lower" in predictions and "upper" in predictions:
                lo = pg.PlotDataItem(x[order], _array(predictions["lower"]).ravel()[order])
                hi = pg.PlotDataItem(x[order], _array(predictions["upper"]).ravel()[order])
                self.prob_plot.addItem(pg.FillBetweenItem(lo, hi, brush=(31, 119, 180, 60)))
            if "y" in predictions:
                self.prob_plot.plot(
                    x,
                    _array(predictions["y"]).ravel(),
                    pen=None,
                    symbol="o",
                    symbolSize=4,
                    symbolBrush=(90, 90, 90, 120),
                )
            self.prob_plot.plot(x[order], mean[order], pen=TRAIN_PEN)
            shown = True
        if isinstance(calibration, dict) and "levels" in calibration:
            levels = _array(calibration["levels"]).ravel()
            self.calib_plot.plot(
                [0, 1], [0, 1], pen=pg.mkPen("#999", style=pg.QtCore.Qt.PenStyle.DashLine)
            )
            self.calib_plot.plot(
                levels,
                _array(calibration["observed"]).ravel(),
                pen=TRAIN_PEN,
                symbol="o",
                symbolSize=5,
            )
            self.calib_plot.setLabel("bottom", "expected coverage")
            self.calib_plot.setLabel("left", "observed coverage")
            shown = True
        self.tabs.setTabVisible(self.prob_tab, shown)

    def _append_log(self, text: str) -> None:
        self.log.appendPlainText(text)


def _array(value: Any) -> np.ndarray:
    return decode_image_array(value).astype(float)


def _palette(k: int) -> np.ndarray:
    if k == 2:
        return np.array([[31, 119, 180], [255, 127, 14]])
    return np.array([pg.intColor(i, hues=k).getRgb()[:3] for i in range(k)])


def boundary_image(grid: np.ndarray, flip: bool = True) -> np.ndarray:
    """Colours a ``(res, res, outputs)`` grid of model outputs as RGB (rows = y; y up if `flip`).

    Two classes (or one sigmoid output) shade from blue to orange by probability;
    more classes take the colour of the most likely one, paler where unsure.
    """
    if grid.ndim == 2:
        grid = grid[..., None]
    if grid.shape[-1] <= 2:  # sigmoid, regression or 2-way softmax: blue (0) to orange (1)
        q = grid[..., -1]
        p = np.clip(q, 0.0, 1.0) if q.min() >= 0 and q.max() <= 1 else _unit(q)
        a, b = _palette(2)
        white = np.array([255, 255, 255])
        # pale near 0.5, saturated where sure
        sure = np.abs(p - 0.5)[..., None] * 2
        base = np.where((p >= 0.5)[..., None], b, a)
        rgb = white * (1 - 0.75 * sure) + base * 0.75 * sure
    else:  # softmax: the colour of the most likely class, paler where unsure
        palette = _palette(grid.shape[-1])
        k = grid.argmax(-1)
        conf = _unit(grid.max(-1))[..., None]
        rgb = palette[k] * (0.3 + 0.5 * conf) + 255 * (0.7 - 0.5 * conf)
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    return np.flipud(rgb) if flip else rgb


def _unit(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
