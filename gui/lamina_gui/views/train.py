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
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lamina.engine import protocol as ev
from lamina.engine.protocol import (
    DatasetSummary,
    DatasetSummaryRequest,
    ErrorReply,
    RequestCancelled,
    TrainRequest,
)
from lamina_gui.views.train_settings import TrainingSettings
from lamina_gui.widgets.image_grid import decode_image_array
from lamina_gui.widgets.plots import (
    ConfusionTable,
    CurvePlot,
    boundary_image,
    class_colours,
    draw_uncertainty,
    plain_axes,
)
from lamina_gui.widgets.run_lineage import continued_text
from lamina_gui.widgets.run_overlay import RunOverlay


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
        self.last_run_dir: str | None = None
        #: Epochs of the run continued from, drawn before this run's
        self.epoch_offset = 0
        self.history: dict[str, list[float]] = {}
        self.epoch_events = 0
        self.steps_per_epoch: int | None = None
        self.epochs_planned = 0
        self._points_request: int | None = None
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
        self.settings.refresh_devices()
        # the run's data report is read at the start of a run: import it now (~0.3-0.5 s
        # cold), when the tab opens, not in the middle of the training's first events
        import lamina.data.report  # noqa: F401

        signal = getattr(state, "project_changed", None)
        if signal is not None:
            signal.connect(self.show_last_run)
        self.show_last_run()

    def show_last_run(self) -> None:
        """Shows the curves, test metrics and confusion matrix of the last saved run of
        the project (or of the unsaved model's scratch project), e.g. after reopening."""
        runs_project = getattr(self.state, "runs_project", None)
        folder = runs_project() if callable(runs_project) else None
        self.compare.set_project(folder, tick_latest=not self.compare.checked_runs())
        if self.running:
            return
        from lamina.project import ProjectError, load_project

        if folder is None:
            return
        try:
            run = load_project(folder).latest_run()
            if run is None:
                return
            history, metrics, info = run.history, run.metrics, run.info
        except (ProjectError, OSError) as exc:
            self._append_log(f"The last run cannot be shown: {exc}")
            return
        self._reset_run()
        self.last_run_dir = str(run.path)
        self.history = {k: [float(v) for v in vals] for k, vals in history.items()}
        self._redraw_curves()
        epochs = len(self.history.get("loss", []))
        self.overall_bar.setRange(0, max(epochs, 1))
        self.overall_bar.setValue(epochs)
        lineage = continued_text(run.path)
        self.status_label.setText(
            f"Last run {run.id}: {info.get('status', 'finished')} after {epochs} epoch(s)"
            + (f", {lineage}." if lineage else ".")
        )
        self.show_results({"metrics": metrics})
        self._set_running(False)

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        self.settings = TrainingSettings(self.state, self.bridge)
        self.settings.note.connect(self._append_log)

        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("start_button")
        self.start_button.clicked.connect(lambda _checked=False: self.start())
        self.continue_button = QPushButton("Continue")
        self.continue_button.setObjectName("continue_button")
        self.continue_button.setToolTip(
            "Train on from the last run's final weights (Start begins from fresh weights)"
        )
        self.continue_button.clicked.connect(self.continue_training)
        self.continue_button.setEnabled(False)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stop_button")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.continue_button)
        buttons.addWidget(self.stop_button)
        self.status_label = QLabel("Idle.", wordWrap=True)
        self.settings.problem.connect(self.status_label.setText)
        self.status_label.setObjectName("train_status")
        self.epoch_bar = QProgressBar(format="epoch: %p%")
        self.overall_bar = QProgressBar(format="run: %v / %m epochs")

        left = QVBoxLayout()
        left.addWidget(self.settings)
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
        self.confusion = ConfusionTable()
        self.confusion.setObjectName("confusion_matrix")
        self.confusion.hide()
        self.normalise_check = QCheckBox("normalised (rows: fraction of each true class)")
        self.normalise_check.toggled.connect(self.confusion.set_normalised)
        self.normalise_check.hide()
        left.addWidget(self.normalise_check)
        left.addWidget(self.confusion, 1)
        left.addStretch(0)

        self.loss_plot = CurvePlot("loss")
        self.metric_plot = CurvePlot("metric", legend_bottom=True)
        curves = QWidget()
        cl = QVBoxLayout(curves)
        cl.setContentsMargins(0, 0, 0, 0)
        self.log_check = QCheckBox("log-scale loss")
        self.log_check.setObjectName("log_scale_loss")
        self.log_check.toggled.connect(lambda on: self.loss_plot.setLogMode(y=on))
        cl.addWidget(self.log_check)
        cl.addWidget(self.loss_plot)
        cl.addWidget(self.metric_plot)

        self.tabs = QTabWidget()
        self.tabs.addTab(curves, "Curves")
        self.boundary = pg.PlotWidget(background="w")
        self.boundary.setAspectLocked(True)
        plain_axes(self.boundary)
        self.boundary_legend = self.boundary.addLegend(offset=(5, 5))
        self.boundary_legend_items: list[Any] = []
        self.boundary_image = pg.ImageItem()
        self.boundary.addItem(self.boundary_image)
        self.boundary_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#222", width=1))
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
        self.compare = RunOverlay()  # several runs' curves overlaid, one colour each
        self.compare_tab = self.tabs.addTab(self.compare, "Compare runs")

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

    # ---------------------------------------------------------------- running
    @property
    def running(self) -> bool:
        """True while a train request is under way."""
        return self.request_id is not None

    def continue_training(self) -> int | None:
        """Trains on from the final weights of the last run (its curves go on)."""
        if self.last_run_dir is None:
            return None
        return self.start(continue_from=self.last_run_dir)

    def start(self, continue_from: str | None = None) -> int | None:
        """Sends the spec to the engine to train; returns the request id.

        Args:
            continue_from: The folder of a run whose final weights the model starts
                from (its curves stay and the new epochs are added); None for fresh
                weights.
        """
        if self.running:
            return self.request_id
        if not isinstance(continue_from, str):
            continue_from = None  # e.g. a button's `checked` flag
        spec = self.state.spec.to_dict()
        if not spec.get("data"):
            self._fail("Choose a dataset in the Data view first.")
            return None
        earlier = {k: list(v) for k, v in self.history.items()} if continue_from else {}
        self._reset_run()
        self.history = earlier
        self.epoch_offset = len(earlier.get("loss", []))
        runs_project = getattr(self.state, "runs_project", None)
        if callable(runs_project):
            project = runs_project(create=True)
        else:
            project = getattr(self.state, "project_path", None)
        request = TrainRequest(
            spec,
            data=spec.get("data"),
            batch_events=True,
            project_dir=str(project) if project else None,
            continue_from=continue_from,
        )
        self.request_id = self.bridge.request(request, self._on_reply, on_event=self._on_event)
        self._set_running(True)
        self.status_label.setText("Starting…")
        if continue_from:
            self._append_log(f"Training on from run {Path(continue_from).name}")
        else:
            self._append_log("Training started")
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
        self.epochs_planned = self.settings.epochs_box.value()
        self.loss_plot.set_values([], [])
        self.metric_plot.set_values([], [])
        self.epoch_bar.setRange(0, 100)
        self.epoch_bar.setValue(0)
        self.overall_bar.setRange(0, self.epochs_planned)
        self.overall_bar.setValue(0)
        self.results_label.clear()
        self.confusion.hide()
        self.confusion_label.hide()
        self.normalise_check.hide()
        self.boundary_image.clear()
        self.boundary_points.clear()
        self._forget_points()
        self.boundary_updates = 0
        self.tabs.setTabVisible(self.boundary_tab, False)
        self.tabs.setTabVisible(self.prob_tab, False)
        self._t0 = time.monotonic()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.continue_button.setEnabled(not running and self.last_run_dir is not None)
        self.stop_button.setEnabled(running)
        self.settings.set_running(running)

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
        number = self.epoch_offset + epoch + 1
        self._append_log(f"epoch {number}: {shown} ({float(event.seconds or 0):.1f} s)")

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
        rgb = np.transpose(boundary_image(grid, flip=False), (1, 0, 2))
        self.boundary_image.setImage(rgb, levels=(0, 255))  # its own colours, not stretched
        x0, x1, y0, y1 = (float(v) for v in event.extent)
        self.boundary_image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.boundary.setTitle(f"epoch {int(event.epoch or 0) + 1}", color="#333")
        self.boundary_epoch = int(event.epoch or 0)
        if event.points is not None:
            self._draw_points(decode_image_array(event.points), event.labels)
            self._boundary_legend(event.class_names or [])
        elif not self.boundary_updates:
            self._request_points()  # an engine that sends no points: ask for them
        if not self.boundary_updates:
            self.tabs.setTabVisible(self.boundary_tab, True)
        self.boundary_updates += 1

    def _request_points(self) -> None:
        """Asks the engine for the 2-D points to draw over this run's boundary."""
        self._forget_points()
        data = self.state.spec.data
        if data is not None:
            self._points_request = self.bridge.request(
                DatasetSummaryRequest(data.model_dump(mode="json")), self._on_points
            )

    def _forget_points(self) -> None:
        """Drops the pending points request: the plot it would draw into was cleared for a
        new run (its reply must not draw the old points there)."""
        if self._points_request is not None:
            self.bridge.forget(self._points_request)
            self._points_request = None

    def _on_points(self, reply: Any) -> None:
        if reply.id != self._points_request:
            return  # the request of an earlier run
        self._points_request = None
        preview = reply.preview if isinstance(reply, DatasetSummary) else None
        if not isinstance(preview, dict) or preview.get("kind") != "points":
            return
        self._draw_points(decode_image_array(preview["x"]), preview.get("y"))

    def _draw_points(self, x: np.ndarray, labels: Any) -> None:
        """Draws the data points over the boundary, coloured by class."""
        y = None if labels is None else decode_image_array(labels)
        k = int(y.max()) + 1 if y is not None and y.dtype.kind in "iu" and y.size else 1
        colours = class_colours(max(k, 2))
        labels = y.astype(int) if k > 1 and y is not None else np.zeros(len(x), dtype=int)
        # the class colours of the Data view, outlined to stand out on the pale regions
        brushes = [pg.mkBrush(*colours[c]) for c in labels]
        self.boundary_points.setData(x[:, 0], x[:, 1], brush=brushes)

    def _boundary_legend(self, names: list[str]) -> None:
        """One legend entry per class, in the colours of the Data view."""
        for item in self.boundary_legend_items:
            self.boundary_legend.removeItem(item)
            self.boundary.removeItem(item)
        self.boundary_legend_items = []
        colours = class_colours(max(len(names), 2))
        for c, name in enumerate(names):
            item = pg.ScatterPlotItem(
                size=9, brush=pg.mkBrush(*colours[c]), pen=pg.mkPen("#222", width=1)
            )
            self.boundary_legend.addItem(item, str(name))
            self.boundary_legend_items.append(item)

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
        if result.get("run_dir"):
            self.last_run_dir = str(result["run_dir"])
            self._set_running(False)
        status = result.get("status", "finished")
        if status == "failed":
            self._fail(str(result.get("reason") or "training failed"))
            return
        if status == "cancelled":
            self.status_label.setText(f"Stopped. {result.get('reason', '')}".strip())
        else:
            seconds = time.monotonic() - getattr(self, "_t0", time.monotonic())
            lineage = continued_text(result.get("run_dir"))
            self.status_label.setText(
                f"Finished: {result.get('epochs_run', '?')} epochs in {seconds:.1f} s"
                + (f", {lineage}." if lineage else ".")
            )
        self.show_results(result)
        self.refresh_compare()
        self.finished.emit(result)

    def refresh_compare(self) -> None:
        """Lists the project's runs again in the Compare runs tab (e.g. a run finished,
        or the runs moved into the saved project)."""
        runs_project = getattr(self.state, "runs_project", None)
        folder = runs_project() if callable(runs_project) else None
        self.compare.set_project(folder, tick_latest=not self.compare.checked_runs())

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
            self.confusion.show_matrix(np.asarray(cm), metrics.get("class_names") or [])
            self.confusion.show()
            self.confusion_label.show()
            self.normalise_check.show()
        self.prob_plot.clear()
        self.calib_plot.clear()
        shown = draw_uncertainty(
            self.prob_plot, self.calib_plot, metrics.get("predictions"), metrics.get("calibration")
        )
        self.tabs.setTabVisible(self.prob_tab, shown)

    def _append_log(self, text: str) -> None:
        self.log.appendPlainText(text)
