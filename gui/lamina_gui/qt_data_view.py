"""The Data view: pick a dataset (built-in or a file), preview it, set splits and augmentation.

Every setting is written into ``state.spec["data"]`` / ``state.spec["training"]`` by an
undoable command; the preview comes from the engine's ``dataset_summary`` request. The
view holds no data logic: it shows what the engine answers.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lamina.engine.protocol import DatasetSummary, DatasetSummaryRequest
from lamina_gui.qt_image_grid import ImageGrid, decode_image_array
from lamina_gui.qt_param_form import ParamForm

#: file suffix -> file source of the catalogue
FILE_SOURCES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".npy": "numpy",
    ".npz": "numpy",
    ".h5": "hdf5",
    ".hdf5": "hdf5",
    ".hdf": "hdf5",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
}
FILE_FILTER = "Data files (*.csv *.tsv *.npy *.npz *.h5 *.hdf5 *.hdf *.fits *.fit *.fts);;All (*)"

#: augmentation setting -> (label, maximum; None for a checkbox)
AUGMENTATIONS: dict[str, tuple[str, float | None]] = {
    "flip_horizontal": ("Flip left-right", None),
    "flip_vertical": ("Flip up-down", None),
    "rotate": ("Rotate (turns)", 0.5),
    "translate": ("Translate", 0.5),
    "zoom": ("Zoom", 0.5),
    "brightness": ("Brightness", 1.0),
    "noise_std": ("Noise std", 1.0),
}


# -- shared helpers of the views ----------------------------------------------------------


def catalog_entries(catalog: dict[str, Any] | None, kind: str) -> list[dict[str, Any]]:
    """Returns the catalogue entries of `kind` (from `catalog` or the on-disk cache)."""
    if catalog is None:
        from lamina.engine.catalog_cache import load_cached_catalog

        catalog = load_cached_catalog() or {}
    return [e for e in catalog.get("entries", []) if e.get("kind") == kind]


def get_path(spec: dict[str, Any], path: str, default: Any = None) -> Any:
    """Returns ``spec[a][b]`` for ``path="a.b"``, or `default`."""
    node: Any = spec
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return default
        node = node[key]
    return node


def _set_path(spec: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node = spec
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = copy.deepcopy(value)


def edit_spec(state: Any, values: dict[str, Any], text: str, merge_key: str = "") -> str | None:
    """Applies `values` (dotted paths) to the spec as one undoable edit (`AppState.apply`).

    Returns None, or the spec problem that stopped the edit.
    """
    spec = state.spec
    if all(get_path(spec, p) == v for p, v in values.items()):
        return None
    for path, value in values.items():
        _set_path(spec, path, value)
    try:
        state.apply(spec, text, merge_key=merge_key)
    except ValueError as exc:  # SpecError
        return str(exc)
    return None


def request_id(value: Any) -> int | None:
    """The id of an engine message (Reply/Event), or None."""
    return getattr(value, "id", None)


# -- the view -------------------------------------------------------------------------------


class DataView(QWidget):
    """Dataset choice, preview, counts, splits, standardisation and augmentation.

    Args:
        state: The app state (``.spec`` dict, undo stack, ``spec_changed`` signal).
        bridge: The engine bridge (``request(kind, callback, **payload) -> int``).
        catalog: The catalogue metadata (``{"entries": [...]}``); defaults to the cache.
        parent: The parent widget.

    Signals:
        preview_shown(dict): The engine's summary of the dataset now previewed.
        error_shown(str): A data problem the engine reported (shown in the view).
    """

    preview_shown = Signal(object)
    error_shown = Signal(str)

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
        if catalog is None:
            catalog = getattr(state, "catalog", None)
        self.entries = {e["name"]: e for e in catalog_entries(catalog, "dataset")}
        self._pending: int | None = None
        self._updating = False
        self._preview_timer = QTimer(self, singleShot=True, interval=300)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._build()
        self._fill_sources()
        self.load_from_spec()
        signal = getattr(state, "spec_changed", None)
        if signal is not None:
            signal.connect(self._on_spec_changed)

    def set_catalog(self, catalog: dict[str, Any] | None) -> None:
        """Uses a fresher catalogue (e.g. the engine's, once it is ready)."""
        self.entries = {e["name"]: e for e in catalog_entries(catalog, "dataset")}
        self._fill_sources()
        self.load_from_spec()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if not self.entries and getattr(self.state, "catalog", None):
            self.set_catalog(self.state.catalog)
        super().showEvent(event)

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        left = QVBoxLayout()
        source = QGroupBox("Dataset")
        form = QVBoxLayout(source)
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("dataset_combo")
        self.source_combo.currentIndexChanged.connect(self._on_source_picked)
        form.addWidget(self.source_combo)
        self.summary_label = QLabel(wordWrap=True)
        self.summary_label.setObjectName("dataset_description")
        form.addWidget(self.summary_label)
        self.param_form = ParamForm()  # part A's form: one editor per parameter
        self.param_form.params_edited.connect(self._on_params_changed)
        form.addWidget(self.param_form)
        buttons = QHBoxLayout()
        self.open_file_button = QPushButton("Open file…")
        self.open_file_button.clicked.connect(self.choose_file)
        self.open_folder_button = QPushButton("Open image folder…")
        self.open_folder_button.clicked.connect(self.choose_folder)
        buttons.addWidget(self.open_file_button)
        buttons.addWidget(self.open_folder_button)
        form.addLayout(buttons)
        left.addWidget(source)

        splits = QGroupBox("Splits and scaling")
        sform = QFormLayout(splits)
        self.val_split = self._fraction_box(0.2)
        self.test_split = self._fraction_box(0.1)
        self.standardize = QCheckBox("Standardise features (fit on the training split)")
        self.val_split.valueChanged.connect(self._write_training)
        self.test_split.valueChanged.connect(self._write_training)
        self.standardize.toggled.connect(self._write_training)
        sform.addRow("Validation fraction", self.val_split)
        sform.addRow("Test fraction", self.test_split)
        sform.addRow(self.standardize)
        left.addWidget(splits)

        aug = QGroupBox("Augmentation (training batches only)")
        aug.setCheckable(True)
        aug.setChecked(False)
        aug.toggled.connect(self._write_training)
        self.augment_group = aug
        aform = QFormLayout(aug)
        self.aug_widgets: dict[str, QCheckBox | QDoubleSpinBox] = {}
        for key, (label, maximum) in AUGMENTATIONS.items():
            if maximum is None:
                check = QCheckBox()
                check.toggled.connect(self._write_training)
                self.aug_widgets[key] = check
                aform.addRow(label, check)
            else:
                box = QDoubleSpinBox(decimals=3, singleStep=0.05, maximum=maximum)
                box.valueChanged.connect(self._write_training)
                self.aug_widgets[key] = box
                aform.addRow(label, box)
        left.addWidget(aug)
        left.addStretch(1)

        right = QVBoxLayout()
        self.info_label = QLabel(wordWrap=True)
        self.info_label.setObjectName("dataset_info")
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.info_label)
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setObjectName("dataset_error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        right.addWidget(self.error_label)
        self.preview = QStackedWidget()
        self.image_grid = ImageGrid(columns=4, cell=80)
        self.table = QTableWidget()
        self.plot = pg.PlotWidget(background="w")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.addLegend(offset=(5, 5))
        for w in (self.image_grid, self.table, self.plot):
            self.preview.addWidget(w)
        right.addWidget(self.preview, 3)
        self.counts_table = QTableWidget(0, 2)
        self.counts_table.setHorizontalHeaderLabels(["Class", "Samples"])
        self.counts_table.horizontalHeader().setStretchLastSection(True)
        self.counts_table.verticalHeader().hide()
        self.counts_table.verticalHeader().setDefaultSectionSize(20)
        self.counts_table.setMaximumHeight(150)
        right.addWidget(self.counts_table, 1)

        root = QHBoxLayout(self)
        holder = QWidget()
        holder.setLayout(left)
        holder.setMaximumWidth(340)
        root.addWidget(holder)
        root.addLayout(right, 1)

    @staticmethod
    def _fraction_box(value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox(decimals=2, singleStep=0.05, minimum=0.0, maximum=0.9)
        box.setValue(value)
        return box

    def _fill_sources(self) -> None:
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        self.source_combo.addItem("(no dataset)", None)
        for name, entry in sorted(self.entries.items(), key=lambda kv: kv[1].get("category", "")):
            if entry.get("category") == "files":
                continue
            label = f"{name}  ({entry.get('category', '')})" if entry.get("category") else name
            self.source_combo.addItem(label, name)
        for name in sorted(n for n, e in self.entries.items() if e.get("category") == "files"):
            self.source_combo.addItem(f"{name} file…", name)
        self.source_combo.blockSignals(False)

    # ---------------------------------------------------------------- spec <-> widgets
    def load_from_spec(self) -> None:
        """Shows the data and training settings of ``state.spec``."""
        spec = self.state.spec or {}
        self._updating = True
        try:
            data = spec.get("data") or None
            name = data.get("type") if isinstance(data, dict) else data
            index = self.source_combo.findData(name) if name else 0
            self.source_combo.setCurrentIndex(max(index, 0))
            self._show_entry(name, (data or {}).get("params", {}) if isinstance(data, dict) else {})
            self.val_split.setValue(float(get_path(spec, "training.validation_split", 0.2)))
            self.test_split.setValue(float(get_path(spec, "training.test_split", 0.1)))
            self.standardize.setChecked(bool(get_path(spec, "training.standardize", False)))
            aug = get_path(spec, "training.augmentation") or {}
            self.augment_group.setChecked(bool(aug))
            for key, widget in self.aug_widgets.items():
                if isinstance(widget, QCheckBox):
                    widget.setChecked(bool(aug.get(key, False)))
                else:
                    widget.setValue(float(aug.get(key, 0.0)))
        finally:
            self._updating = False

    def _on_spec_changed(self, *args: Any) -> None:
        if self._updating:
            return
        before = self.data_ref()
        self.load_from_spec()
        if self.data_ref() != before or self._pending is None:
            self._preview_timer.start()

    def data_ref(self) -> dict[str, Any] | None:
        """The ``{"type", "params"}`` of the dataset chosen in the view, or None."""
        name = self.source_combo.currentData()
        if not name:
            return None
        return {"type": name, "params": dict(self.param_form.params)}

    def _show_entry(self, name: str | None, values: dict[str, Any]) -> None:
        entry = self.entries.get(name or "")
        self.summary_label.setText(entry.get("summary", "") if entry else "")
        self.param_form.set_entry(entry, dict(values))

    def _on_source_picked(self, index: int) -> None:
        if self._updating:
            return
        name = self.source_combo.itemData(index)
        entry = self.entries.get(name or "")
        if entry and entry.get("category") == "files":
            current = get_path(self.state.spec, "data.params.path")
            if not current:
                self._show_entry(name, {})
                if name == "image_folder":
                    self.choose_folder()
                else:
                    self.choose_file()
                return
        self._show_entry(name, {})
        self._write_data()

    def _on_params_changed(self, *args: Any) -> None:
        if not self._updating:
            self._write_data("Dataset parameters", "data-params")

    def _write_data(self, text: str = "Choose dataset", merge_key: str = "") -> None:
        self._updating = True
        try:
            problem = edit_spec(self.state, {"data": self.data_ref()}, text, merge_key)
        finally:
            self._updating = False
        self._show_problem(problem)
        self._preview_timer.start()

    def _show_problem(self, problem: str | None) -> None:
        if problem:
            self.error_label.setText(problem)
            self.error_label.show()

    def _write_training(self, *args: Any) -> None:
        if self._updating:
            return
        aug: dict[str, Any] | None = None
        if self.augment_group.isChecked():
            aug = {}
            for key, widget in self.aug_widgets.items():
                value = widget.isChecked() if isinstance(widget, QCheckBox) else widget.value()
                if value:
                    aug[key] = value
        values = {
            "training.validation_split": round(self.val_split.value(), 4),
            "training.test_split": round(self.test_split.value(), 4),
            "training.standardize": self.standardize.isChecked(),
            "training.augmentation": aug or None,
        }
        self._updating = True
        try:
            problem = edit_spec(self.state, values, "Data settings", "data-settings")
        finally:
            self._updating = False
        self._show_problem(problem)

    # ---------------------------------------------------------------- files
    def choose_file(self) -> None:
        """Asks for a data file and uses the matching file source."""
        path, _ = QFileDialog.getOpenFileName(self, "Open a data file", "", FILE_FILTER)
        if path:
            self.use_path(path)

    def choose_folder(self) -> None:
        """Asks for a folder of class sub-folders of images."""
        path = QFileDialog.getExistingDirectory(
            self, "Open an image folder (one sub-folder per class)"
        )
        if path:
            self.use_path(path)

    def use_path(self, path: str) -> None:
        """Uses the file source that matches `path` (a file or a folder of images)."""
        p = Path(path)
        source = "image_folder" if p.is_dir() else FILE_SOURCES.get(p.suffix.lower(), "csv")
        self._updating = True
        try:
            index = self.source_combo.findData(source)
            self.source_combo.setCurrentIndex(max(index, 0))
            self._show_entry(source, {"path": str(p)})
        finally:
            self._updating = False
        self._write_data()

    # ---------------------------------------------------------------- preview
    def refresh_preview(self) -> None:
        """Asks the engine for the summary and a few samples of the chosen dataset."""
        data = self.data_ref()
        if data is None:
            self._show_message("Choose a dataset to see a preview.")
            return
        if not get_path(data, "params.path") and self._is_file_source(data["type"]):
            self._show_message("Choose a file.")
            return
        self.info_label.setText("Loading preview…")
        self._pending = self.bridge.request(DatasetSummaryRequest(data), self._on_summary)

    def _is_file_source(self, name: str) -> bool:
        entry = self.entries.get(name) or {}
        return entry.get("category") == "files" or name in (*FILE_SOURCES.values(), "image_folder")

    def _show_message(self, text: str) -> None:
        self.info_label.setText(text)
        self.error_label.hide()
        self.image_grid.clear()
        self.counts_table.setRowCount(0)

    def _on_summary(self, reply: Any) -> None:
        if request_id(reply) is not None and request_id(reply) != self._pending:
            return
        self._pending = None
        if not isinstance(reply, DatasetSummary):  # an ErrorReply
            message = str(reply) or "the dataset could not be loaded"
            self.info_label.setText("")
            self.error_label.setText(message)
            self.error_label.show()
            self.image_grid.clear()
            self.counts_table.setRowCount(0)
            self.error_shown.emit(message)
            return
        self.error_label.hide()
        self.show_summary(reply.to_dict())

    def show_summary(self, result: dict[str, Any]) -> None:
        """Shows an engine ``dataset_summary`` result: facts, counts and a preview."""
        summary = dict(result.get("summary", result))
        for key in ("class_names", "feature_names"):
            if result.get(key) and not summary.get(key):
                summary[key] = result[key]
        x, y = _preview_arrays(result)
        preview = result.get("preview")
        kind = str(preview.get("kind", "")) if isinstance(preview, dict) else ""
        self.info_label.setText(_describe(summary))
        counts = summary.get("class_counts") or {}
        self.counts_table.setRowCount(len(counts))
        for row, (name, count) in enumerate(counts.items()):
            self.counts_table.setItem(row, 0, QTableWidgetItem(str(name)))
            self.counts_table.setItem(row, 1, QTableWidgetItem(str(count)))
        self.counts_table.setVisible(bool(counts))
        self._show_given_split(summary.get("split_counts") or {})
        self._show_preview(summary, kind, x, y)
        self.preview_shown.emit(summary)

    def _show_given_split(self, counts: dict[str, int]) -> None:
        """A part the data name themselves is theirs: its fraction box is switched off."""
        for part, box in (("validation", self.val_split), ("test", self.test_split)):
            box.setEnabled(not counts.get(part))
            box.setToolTip(_fraction_tip(part, counts))

    def preview_kind(self) -> str:
        """``"images"``, ``"table"``, ``"scatter"``, ``"spectrum"`` or ``"none"``."""
        return getattr(self, "_preview_kind", "none")

    def _show_preview(
        self, summary: dict[str, Any], kind: str, x: np.ndarray | None, y: np.ndarray | None
    ) -> None:
        self.plot.clear()
        names = summary.get("class_names") or []
        if x is None or x.size == 0:
            self._preview_kind = "none"
            self.image_grid.clear()
            return
        labels = [_label(y, i, names) for i in range(len(x))]
        if kind == "images" or (not kind and x.ndim == 4):
            self._preview_kind = "images"
            self.image_grid.set_images(list(x), labels)
            self.preview.setCurrentWidget(self.image_grid)
        elif kind == "points" or (not kind and x.ndim == 2 and x.shape[1] == 2):
            self._preview_kind = "scatter"
            self._scatter(x, y, names, summary.get("feature_names") or ["x1", "x2"])
            self.preview.setCurrentWidget(self.plot)
        elif kind == "series" or (not kind and x.ndim == 3):
            self._preview_kind = "spectrum"
            for i in range(min(len(x), 8)):
                pen = pg.mkPen(pg.intColor(i, hues=8), width=1.5)
                self.plot.plot(x[i].reshape(len(x[i]), -1)[:, 0], pen=pen, name=labels[i] or None)
            self.plot.setLabel("bottom", "position")
            self.plot.setLabel("left", "value")
            self.preview.setCurrentWidget(self.plot)
        else:
            self._preview_kind = "table"
            self._fill_table(x.reshape(len(x), -1), y, summary, labels)
            self.preview.setCurrentWidget(self.table)

    def _scatter(
        self, x: np.ndarray, y: np.ndarray | None, names: list[str], axes: list[str]
    ) -> None:
        if y is None or y.dtype.kind == "f":
            brush = pg.mkBrush(60, 110, 200, 160)
            self.plot.plot(x[:, 0], x[:, 1], pen=None, symbol="o", symbolSize=6, symbolBrush=brush)
        else:
            for c in np.unique(y):
                pts = x[y == c]
                name = names[int(c)] if int(c) < len(names) else str(int(c))
                self.plot.plot(
                    pts[:, 0],
                    pts[:, 1],
                    pen=None,
                    symbol="o",
                    symbolSize=6,
                    symbolBrush=pg.intColor(int(c), hues=max(len(names), 2)),
                    name=name,
                )
        self.plot.setLabel("bottom", axes[0])
        self.plot.setLabel("left", axes[1] if len(axes) > 1 else "")

    def _fill_table(
        self, x: np.ndarray, y: np.ndarray | None, summary: dict[str, Any], labels: list[str]
    ) -> None:
        features = summary.get("feature_names") or [f"x{i}" for i in range(x.shape[1])]
        cols = min(x.shape[1], 30)
        headers = list(features[:cols]) + (["target"] if y is not None else [])
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(x))
        self.table.setHorizontalHeaderLabels(headers)
        for r in range(len(x)):
            for c in range(cols):
                self.table.setItem(r, c, QTableWidgetItem(f"{x[r, c]:.4g}"))
            if y is not None:
                self.table.setItem(r, cols, QTableWidgetItem(labels[r]))


def _preview_arrays(result: dict[str, Any]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Finds the preview samples in a ``dataset_summary`` result (encoded or plain)."""
    preview = result.get("preview") or result.get("samples") or {}
    if isinstance(preview, list):  # a list of {"x", "y"} samples
        xs = [decode_image_array(s["x"]) for s in preview if isinstance(s, dict) and "x" in s]
        ys = [s.get("y") for s in preview if isinstance(s, dict)]
        x = np.stack(xs) if xs else None
        y = np.asarray(ys) if ys and all(v is not None for v in ys) else None
        return x, y
    x = preview.get("x", result.get("x"))
    y = preview.get("y", result.get("y"))
    x_arr = None if x is None else decode_image_array(x)
    y_arr = None if y is None else decode_image_array(y)
    return x_arr, y_arr


def _label(y: np.ndarray | None, i: int, names: list[str]) -> str:
    if y is None or i >= len(y):
        return ""
    value = y[i]
    if np.ndim(value) == 0 and np.asarray(value).dtype.kind in "iub":
        k = int(value)
        return names[k] if k < len(names) else str(k)
    if np.ndim(value) == 0:
        return f"{float(value):.3g}"
    return f"target {tuple(np.shape(value))}"


def _fraction_tip(part: str, counts: dict[str, int]) -> str:
    """What the fraction box of `part` means, given the split the data name (if any)."""
    if counts.get(part):
        return f"The data name their own {part} samples ({counts[part]}); this fraction is not used"
    if counts and part == "validation":
        return f"Drawn from the data's {counts.get('train', 0)} training samples"
    return f"Fraction of the samples held out for {part}"


def _describe(summary: dict[str, Any]) -> str:
    parts = [f"<b>{summary.get('name', '')}</b> — {summary.get('task', '')}"]
    if summary.get("description"):
        parts.append(str(summary["description"]))
    parts.append(
        f"{summary.get('n', '?')} samples; x {tuple(summary.get('x_shape') or [])}"
        + (f", y {tuple(summary['y_shape'])}" if summary.get("y_shape") else ", no targets")
    )
    if summary.get("x_range"):
        lo, hi = summary["x_range"]
        parts.append(f"x values {lo:.3g} … {hi:.3g}")
    given = summary.get("split_counts") or {}
    if given:
        parts.append(
            "split given by the data: "
            + ", ".join(f"{part} {given.get(part, 0)}" for part in ("train", "validation", "test"))
        )
    return "<br>".join(parts)
