"""The Visualize view: run a visualization of a trained run in the engine and show the images.

Pick a run, a visualization from the catalogue, then its layer, filter, class and input
(a dataset sample or an image file). Deep dream and class models stream their images
("image" events), so the grid updates live. The result can be saved as a PNG.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lamina.engine.protocol import (
    ErrorReply,
    Image,
    ListRunsRequest,
    RequestCancelled,
    RunList,
    VisualizeRequest,
)
from lamina_gui.views.common import catalog_entries, entries_by_name, request_id
from lamina_gui.views.visualize_inputs import image_input, layer_names
from lamina_gui.views.visualize_text import meta_line, run_class_names, sample_text
from lamina_gui.widgets.curve_plot import CurvePanels
from lamina_gui.widgets.image_grid import ImageGrid, decode_image_array
from lamina_gui.widgets.overlay import ColourBar, overlay_heatmap
from lamina_gui.widgets.run_combo import RunCombo
from lamina_gui.widgets.sky_image import SkyImages
from lamina_gui.widgets.stretch_choice import StretchChoice
from lamina_gui.widgets.wait_note import WaitNote


class VisualizeView(QWidget):
    """Chooses and runs visualizations of a saved run; shows an image grid with zoom.

    Args:
        state: The app state (``.spec``, ``.project_path``, ``project_changed``).
        bridge: The engine bridge (``request``, ``cancel``).
        catalog: The catalogue metadata; defaults to ``state.catalog`` or the cache.
        parent: The parent widget.

    Signals:
        shown(dict): A visualization finished; ``{"kind", "titles", "meta", "run_dir"}``.
        failed(str): The engine's message for a visualization that failed.
    """

    shown = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        state: QObject,
        bridge: QObject,
        catalog: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state: Any = state
        self.bridge: Any = bridge
        self.entries = entries_by_name(state, catalog, "visualization")
        self.request_id: int | None = None
        self.run_dir: str | None = None
        self.image_file: str | None = None
        self.live_updates = 0
        self._build()
        signal = getattr(state, "project_changed", None)
        if signal is not None:
            signal.connect(self.refresh_runs)

    def set_catalog(self, catalog: dict[str, Any] | None) -> None:
        """Uses a fresher catalogue (e.g. the engine's, once it is ready)."""
        current = self.kind()
        self.entries = {e["name"]: e for e in catalog_entries(catalog, "visualization")}
        self._fill_kinds()
        if current:
            self.set_kind(current)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if not self.entries and getattr(self.state, "catalog", None):
            self.set_catalog(self.state.catalog)
        self.refresh_runs()  # a run may have finished since the view was last shown
        super().showEvent(event)

    def _fill_kinds(self) -> None:
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for name, entry in sorted(
            self.entries.items(), key=lambda kv: (kv[1].get("category", ""), kv[0])
        ):
            self.kind_combo.addItem(f"{name}  ({entry.get('category', '')})", name)
        self.kind_combo.blockSignals(False)
        self._on_kind()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        run_box = QGroupBox("Run")
        rl = QVBoxLayout(run_box)
        self.run_combo = RunCombo()  # elided in the middle; whole names in tooltip and list
        self.run_combo.setObjectName("run_combo")
        self.run_combo.currentIndexChanged.connect(
            lambda _i: self.set_run_dir(self.run_combo.currentData())
        )
        open_run = QPushButton("Open run folder…")
        open_run.clicked.connect(self._choose_run)
        rl.addWidget(self.run_combo)
        rl.addWidget(open_run)

        vis = QGroupBox("Visualization")
        form = QFormLayout(vis)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("visualization_combo")
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.kind_help = QLabel(wordWrap=True)
        self.layer_combo = QComboBox()
        self.filter_box = QSpinBox(minimum=-1, maximum=100000, value=-1, specialValueText="auto")
        self.class_box = QSpinBox(minimum=0, maximum=100000)
        self.class_names: list[str] = []
        self.class_box.valueChanged.connect(self._show_class_name)
        self.steps_box = QSpinBox(minimum=1, maximum=10000, value=50)
        self.sample_radio = QRadioButton("dataset sample")
        self.sample_radio.setChecked(True)
        self.sample_box = QSpinBox(minimum=0, maximum=10**7)
        self.file_radio = QRadioButton("image file")
        self.file_edit = QLineEdit(readOnly=True, placeholderText="(none)")
        file_button = QPushButton("…")
        file_button.setMaximumWidth(30)
        file_button.clicked.connect(self._choose_image)
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.sample_radio)
        sample_row.addWidget(self.sample_box)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_radio)
        file_row.addWidget(self.file_edit)
        file_row.addWidget(file_button)
        form.addRow(self.kind_combo)
        form.addRow(self.kind_help)
        form.addRow("Layer", self.layer_combo)
        form.addRow("Filter", self.filter_box)
        form.addRow("Class", self.class_box)
        form.addRow("Steps", self.steps_box)
        form.addRow("Input", sample_row)
        form.addRow("", file_row)
        self._rows = {
            "layer": self.layer_combo,
            "filter": self.filter_box,
            "class_index": self.class_box,
            "steps": self.steps_box,
        }
        self._form = form

        self.run_button = QPushButton("Show")
        self.run_button.setObjectName("show_button")
        self.run_button.clicked.connect(self.run)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.clicked.connect(self._choose_export)
        buttons = QHBoxLayout()
        for b in (self.run_button, self.stop_button, self.export_button):
            buttons.addWidget(b)
        self.status_label = QLabel(wordWrap=True)
        self.status_label.setObjectName("visualize_status")

        left = QVBoxLayout()
        left.addWidget(run_box)
        left.addWidget(vis)
        left.addLayout(buttons)
        left.addWidget(self.status_label)
        left.addStretch(1)
        holder = QWidget()
        holder.setLayout(left)
        holder.setMaximumWidth(340)

        self.grid = ImageGrid(cell=96)
        zoom = QHBoxLayout()
        for text, slot in (
            ("−", lambda: self.grid.zoom_by(0.8)),
            ("+", lambda: self.grid.zoom_by(1.25)),
            ("Fit", self.grid.fit),
        ):
            b = QPushButton(text)
            b.setMaximumWidth(48)
            b.clicked.connect(slot)
            zoom.addWidget(b)
        zoom.addStretch(1)
        self.meta_label = QLabel(wordWrap=True)
        self.meta_label.setMinimumWidth(10)
        self.meta_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        zoom.addWidget(self.meta_label, 3)
        self.opacity_label = QLabel("Heat-map opacity")
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=45)
        self.opacity_slider.setObjectName("opacity_slider")
        self.opacity_slider.setMaximumWidth(160)
        self.opacity_slider.valueChanged.connect(self._redraw_overlay)
        zoom.addWidget(self.opacity_label)
        zoom.addWidget(self.opacity_slider)
        # the maps' background (their input) drawn with an astropy stretch by the engine;
        # a new choice asks for the shown map again
        self.stretch = StretchChoice()
        self.stretch.combo.setObjectName("map_stretch")
        self.stretch.combo.setToolTip(
            "Intensity stretch of the image under the maps (astropy.visualization); "
            "blank (NaN) pixels are drawn in blue. Changing it shows the map again."
        )
        self.stretch.changed.connect(self._on_stretch)
        zoom.addWidget(self.stretch)
        self.sample_label = QLabel()
        self.sample_label.setObjectName("sample_labels")
        self.colour_bar = ColourBar()
        self.colour_bar.setMaximumWidth(96)
        self._overlay: dict[str, Any] | None = None
        self._show_overlay_controls(False)
        pictures = QHBoxLayout()
        pictures.addWidget(self.grid, 1)
        self.sky = SkyImages()  # maps of a sky cutout: the grid's pictures on RA/Dec axes
        pictures.addWidget(self.sky, 1)
        pictures.addWidget(self.colour_bar)
        right = QVBoxLayout()
        right.addLayout(zoom)
        self.wait_note = WaitNote(self.bridge)  # "… waits for training to end"
        right.addWidget(self.wait_note)
        right.addWidget(self.sample_label)
        right.addLayout(pictures, 1)
        self.curves = CurvePanels()  # 1-D results (spectra): curves instead of images
        self.curves.hide()
        pictures.insertWidget(0, self.curves, 1)  # in the row of the grid: one of them shows

        root = QHBoxLayout(self)
        root.addWidget(holder)
        root.addLayout(right, 1)
        self._fill_kinds()

    # ---------------------------------------------------------------- choices
    def kind(self) -> str | None:
        """The chosen visualization's name."""
        return self.kind_combo.currentData()

    def set_kind(self, name: str) -> None:
        """Chooses visualization `name`."""
        index = self.kind_combo.findData(name)
        if index >= 0:
            self.kind_combo.setCurrentIndex(index)

    def _params_of(self, name: str | None) -> set[str]:
        entry = self.entries.get(name or "", {})
        return {p["name"] for p in entry.get("params", [])}

    def _on_kind(self, *args: Any) -> None:
        entry = self.entries.get(self.kind() or "", {})
        self.kind_help.setText(entry.get("summary", ""))
        names = self._params_of(self.kind())
        for pname, widget in self._rows.items():
            self._form.setRowVisible(widget, pname in names)
        needs_input = "input" in names
        for w in (self.sample_radio, self.sample_box, self.file_radio, self.file_edit):
            w.setEnabled(needs_input)
        defaults = {p["name"]: p.get("default") for p in entry.get("params", [])}
        if isinstance(defaults.get("steps"), int):
            self.steps_box.setValue(min(int(defaults["steps"]), 50))

    def refresh_runs(self) -> None:
        """Lists the runs of the open project (``list_runs``)."""
        runs_project = getattr(self.state, "runs_project", None)
        if callable(runs_project):
            project = runs_project()
        else:
            project = getattr(self.state, "project_path", None)
        if project:
            self.bridge.request(ListRunsRequest(str(project)), self._on_runs)
        elif self.state.project_path is None:
            self._set_runs([])

    def _on_runs(self, reply: Any) -> None:
        if not isinstance(reply, RunList):  # an ErrorReply
            self.status_label.setText(str(reply))
            return
        self._set_runs([r for r in reply.runs if r.get("status") != "running"])

    def _set_runs(self, runs: list[dict[str, Any]]) -> None:
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for r in reversed(runs):
            acc = (r.get("metrics") or {}).get("accuracy")
            extra = f" · accuracy {acc:.3f}" if isinstance(acc, (int, float)) else ""
            text = f"{r.get('id')} · {r.get('status')}{extra}"
            self.run_combo.addItem(text, r.get("run_dir"))
            self.run_combo.setItemData(
                self.run_combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole
            )
        keep = self.run_combo.findData(self.run_dir) if self.run_dir else -1
        if keep >= 0:
            self.run_combo.setCurrentIndex(keep)
        self.run_combo.blockSignals(False)
        if runs:
            self.set_run_dir(self.run_combo.currentData())
            if self.status_label.text().startswith("Choose a run"):
                self.status_label.clear()  # the message is answered
                self.status_label.setStyleSheet("")
        else:
            self.run_dir = None

    def set_run_dir(self, run_dir: str | None) -> None:
        """Uses the run saved in `run_dir`; its spec gives the layer names."""
        if run_dir and run_dir == self.run_dir and self.layer_combo.count() > 1:
            return
        self.run_dir = run_dir
        spec: dict[str, Any] = {}
        if run_dir:
            self.run_combo.blockSignals(True)
            if self.run_combo.findData(run_dir) < 0:
                self.run_combo.addItem(Path(run_dir).name, run_dir)
            self.run_combo.setCurrentIndex(self.run_combo.findData(run_dir))
            self.run_combo.blockSignals(False)
            try:
                spec = json.loads((Path(run_dir) / "spec.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                spec = self.state.spec.to_dict()
        self.class_names = run_class_names(run_dir)
        if self.class_names:
            self.class_box.setMaximum(len(self.class_names) - 1)
        self._show_class_name()
        self.layer_combo.clear()
        self.layer_combo.addItem("(default)", None)
        for i, name in enumerate(layer_names(spec)):
            self.layer_combo.addItem(f"{i}: {name}", name)

    def set_layer(self, name: str) -> None:
        """Chooses layer `name`."""
        index = self.layer_combo.findData(name)
        if index >= 0:
            self.layer_combo.setCurrentIndex(index)

    def _choose_run(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a run folder (runs/<id>)")
        if path:
            self.set_run_dir(path)

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Input image", "", "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)"
        )
        if path:
            self.set_image_file(path)

    def set_image_file(self, path: str) -> None:
        """Uses the image at `path` as the input (resized to the model's input)."""
        self.image_file = path
        self.file_edit.setText(Path(path).name)
        self.file_radio.setChecked(True)

    # ---------------------------------------------------------------- running
    def params(self) -> dict[str, Any]:
        """The parameters the view sends for the chosen visualization."""
        names = self._params_of(self.kind())
        out: dict[str, Any] = {}
        if "layer" in names and self.layer_combo.currentData() is not None:
            out["layer"] = self.layer_combo.currentData()
        if "filter" in names and self.filter_box.value() >= 0:
            out["filter"] = self.filter_box.value()
        if "class_index" in names:
            out["class_index"] = self.class_box.value()
        if "steps" in names:
            out["steps"] = self.steps_box.value()
        if "input" in names and self.file_radio.isChecked() and self.image_file:
            out["input"] = self._image_input(self.image_file)
        return out

    def _image_input(self, path: str) -> np.ndarray:
        spec: dict[str, Any] = {}
        if self.run_dir:
            try:
                spec = json.loads((Path(self.run_dir) / "spec.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                spec = {}
        return image_input(path, (spec.get("input") or {}).get("shape") or [None, None, 1])

    def run(self) -> int | None:
        """Asks the engine for the chosen visualization of the chosen run."""
        kind = self.kind()
        if not kind:
            return None
        if not self.run_dir:
            self._show_error("Choose a run (train a model first).")
            return None
        if self.request_id is not None:
            self.bridge.cancel(self.request_id)
        try:
            params = self.params()
        except ValueError as exc:
            self._show_error(str(exc))
            return None
        request = VisualizeRequest(
            kind, run_dir=self.run_dir, params=params, stretch=self.stretch.value()
        )
        if "input" in self._params_of(kind) and "input" not in params:
            request.sample = self.sample_box.value()
        self.live_updates = 0
        self.meta_label.clear()  # the facts of the previous picture are not this one's
        self.sample_label.clear()
        self.status_label.setText(f"Running {kind}…")
        self.status_label.setStyleSheet("")
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.request_id = self.bridge.request(request, self._on_reply, on_event=self._on_event)
        self.wait_note.follow(self.request_id)
        return self.request_id

    def stop(self) -> None:
        """Cancels the running visualization (deep dream stops at its next step)."""
        if self.request_id is not None:
            self.bridge.cancel(self.request_id)

    def _on_event(self, event: Any) -> None:
        if event.id != self.request_id or not isinstance(event, Image):
            return
        image = decode_image_array(event.image)
        image = image[0] if image.ndim == 4 else image
        self.live_updates += 1
        if self.grid.count() == 1:
            self.grid.update_image(0, image)
        else:
            self.grid.set_images([image], [f"{self.kind()}"])
        self.status_label.setText(f"step {int(event.step) + 1} / {event.steps}")

    def _on_reply(self, reply: Any) -> None:
        if request_id(reply) != self.request_id:
            return
        self.request_id = None
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if isinstance(reply, ErrorReply):
            self._show_error(reply.message or "the visualization failed")
            return
        if isinstance(reply, RequestCancelled):
            self.status_label.setText("Stopped.")
            return
        self.show_result(reply.to_dict())

    def show_result(self, result: dict[str, Any]) -> None:
        """Shows a ``visualize`` reply: images with titles, or a note when there are none."""
        meta = result.get("meta") or {}
        images = result.get("images")
        arr = None if images is None else decode_image_array(images)
        titles = list(result.get("titles") or [])
        self.curves.setVisible(bool(meta.get("panels")))
        self.grid.setVisible(not meta.get("panels"))
        if meta.get("panels"):
            self.curves.set_panels(meta["panels"], meta.get("columns"))
            self.status_label.setText(f"{result.get('kind')}: {self.curves.count()} curve panel(s)")
            self._overlay = None
            self._show_overlay_controls(False)
        elif arr is None or arr.size == 0:
            self.grid.clear()
            self._overlay = None
            self._show_overlay_controls(False)
            self.status_label.setText(
                f"{result.get('kind')}: no images (see the Train view's plots)"
            )
        else:
            cmap = meta.get("cmap") if isinstance(meta.get("cmap"), str) else None
            if cmap in ("gray", "grey", "Greys_r"):
                cmap = None
            self.grid.set_images(arr, titles, cmap=cmap, symmetric=bool(meta.get("symmetric")))
            self.status_label.setText(f"{result.get('kind')}: {self.grid.count()} image(s)")
            self._start_overlay(arr, meta, cmap)
        self.sky.follow(self.grid, None if meta.get("panels") else meta.get("sky_axes"))
        self.meta_label.setText(meta_line(meta))
        self.meta_label.setToolTip(str(meta.get("suptitle") or ""))
        self.sample_label.setText(sample_text(meta.get("sample")))
        self.shown.emit({k: result.get(k) for k in ("kind", "titles", "meta", "run_dir")})

    # ---------------------------------------------------------------- overlays
    def _start_overlay(self, images: np.ndarray, meta: dict[str, Any], cmap: str | None) -> None:
        """Heat maps with their input (``meta["background"]``) are drawn over it, with a
        colour bar and the opacity slider; other pictures get a colour bar if asked."""
        background = meta.get("background_stretched", meta.get("background"))
        self._overlay = None
        if background is not None and images.ndim >= 3:
            self._overlay = {
                "background": decode_image_array(background),
                "maps": [images[i] for i in range(images.shape[0])],
                "cmap": cmap or "jet",
            }
            self._redraw_overlay()
        show_bar = self._overlay is not None or bool(meta.get("colorbar"))
        self._show_overlay_controls(self._overlay is not None, show_bar)
        if show_bar:
            first = images[0]
            low, high = float(np.nanmin(first)), float(np.nanmax(first))
            if meta.get("symmetric"):
                high = max(abs(low), abs(high))
                low = -high
            self.colour_bar.set_map(cmap or "viridis", low, high, "map value")

    def _redraw_overlay(self, *args: Any) -> None:
        if self._overlay is None:
            return
        alpha = self.opacity_slider.value() / 100.0
        background, cmap = self._overlay["background"], self._overlay["cmap"]
        for i, heat in enumerate(self._overlay["maps"]):
            if i < self.grid.count():
                self.grid.update_image(i, overlay_heatmap(background, heat, alpha, cmap))
        self.sky.refresh()

    def _on_stretch(self, *args: Any) -> None:
        """A new stretch: the shown map is asked for again, drawn over the new background."""
        if self._overlay is not None and self.run_button.isEnabled():
            self.run()

    def _show_overlay_controls(self, overlay: bool, bar: bool = False) -> None:
        self.opacity_label.setVisible(overlay)
        self.opacity_slider.setVisible(overlay)
        self.stretch.setVisible(overlay)
        self.colour_bar.setVisible(bar)

    def _show_class_name(self, *args: Any) -> None:
        """The chosen class's name next to its number."""
        k = self.class_box.value()
        name = self.class_names[k] if 0 <= k < len(self.class_names) else ""
        self.class_box.setSuffix(f"  ({name})" if name else "")

    def _show_error(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet("color: #b00020;")
        self.failed.emit(message)

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export PNG", f"{self.kind()}.png", "PNG (*.png)"
        )
        if path:
            self.export_png(path)

    def export_png(self, path: str) -> bool:
        """Saves the image grid (all of it, with titles), or the curves, as a PNG."""
        if self.curves.isVisible():
            return self.curves.save_png(path)
        if self.sky.isVisible():
            return self.sky.save_png(path)
        return self.grid.save_png(path)
