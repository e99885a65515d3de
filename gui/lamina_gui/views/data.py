"""The Data view: pick a dataset (built-in or a file), preview it, set splits and augmentation.

Every setting is written into ``state.spec["data"]`` / ``state.spec["training"]`` by an
undoable command; the preview comes from the engine's ``dataset_summary`` request. The
view holds no data logic: it shows what the engine answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lamina.data.loaders import file_patterns, format_of
from lamina.engine.protocol import DatasetSummary, DatasetSummaryRequest
from lamina_gui.views.common import (
    catalog_entries,
    edit_spec,
    entries_by_name,
    get_path,
    request_id,
)
from lamina_gui.views.data_model_link import DataModelLink, adapted, mismatches
from lamina_gui.widgets.data_preview import DataPreview, describe_summary, preview_arrays
from lamina_gui.widgets.param_form import ParamForm
from lamina_gui.widgets.stretch_choice import StretchChoice
from lamina_gui.widgets.wait_note import WaitNote

#: the file sources of the catalogue (a folder of images is ``image_folder``)
FILE_SOURCE_NAMES = ("csv", "numpy", "hdf5", "fits", "image_folder")


def file_source(path: Path) -> str:
    """The catalogue's file source that reads `path`, as the core's `load_file` picks it
    (a folder: ``image_folder``; an unknown suffix: ``csv``, whose error names the file)."""
    if path.is_dir():
        return "image_folder"
    return format_of(path) or "csv"


def file_filter() -> str:
    """The file dialog's filter: every suffix the core's loaders read."""
    return f"Data files ({file_patterns()});;All (*)"


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


class DataView(QWidget):
    """Dataset choice, preview, counts, splits, standardisation and augmentation.

    Args:
        state: The app state (``.spec`` dict, undo stack, ``spec_changed`` signal).
        bridge: The engine bridge (``request(request, callback) -> int``).
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
        self.entries = entries_by_name(state, catalog, "dataset")
        self._pending: int | None = None
        #: The data reference of the last preview asked for (another edit re-asks only
        #: if the data changed).
        self._previewed: dict[str, Any] | None = None
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
        if self.isVisible():
            self._preview_if_stale()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if not self.entries and getattr(self.state, "catalog", None):
            self.set_catalog(self.state.catalog)
        QTimer.singleShot(0, self, self._preview_if_stale)  # e.g. a reopened project
        super().showEvent(event)

    def _preview_if_stale(self) -> None:
        """Asks for the preview if the data shown are not the spec's (the tab opened)."""
        if self.data_ref() != self._previewed and not self._preview_timer.isActive():
            self.refresh_preview()

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
        self.wait_note = WaitNote(self.bridge)  # "… waits for training to end"
        right.addWidget(self.wait_note)
        self.link = DataModelLink()
        self.link.adapt_clicked.connect(self.adapt_model)
        self._summary: dict[str, Any] | None = None
        right.addWidget(self.link)
        self.stretch = StretchChoice()  # of image previews; the engine applies it
        self.stretch.hide()  # shown with images
        self.stretch.changed.connect(self.refresh_preview)
        right.addWidget(self.stretch)
        self.preview = DataPreview()
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
        spec = self.state.spec.to_dict()
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
        self.check_link()
        if self._updating:
            return
        self.load_from_spec()
        if self.data_ref() != self._previewed and self.isVisible():
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
            current = get_path(self.state.spec.to_dict(), "data.params.path")
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
        path, _ = QFileDialog.getOpenFileName(self, "Open a data file", "", file_filter())
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
        source = file_source(p)
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
        self._previewed = data
        if data is None:
            self._show_message("Choose a dataset to see a preview.")
            return
        if not get_path(data, "params.path") and self._is_file_source(data["type"]):
            self._show_message("Choose a file.")
            return
        self.info_label.setText("Loading preview…")
        request = DatasetSummaryRequest(data, stretch=self.stretch.value())
        self._pending = self.bridge.request(request, self._on_summary)
        self.wait_note.follow(self._pending)

    def _is_file_source(self, name: str) -> bool:
        entry = self.entries.get(name) or {}
        return entry.get("category") == "files" or name in FILE_SOURCE_NAMES

    def _show_message(self, text: str) -> None:
        self.info_label.setText(text)
        self.error_label.hide()
        self.preview.clear()
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
            self.preview.clear()
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
        x, y = preview_arrays(result)
        preview = result.get("preview")
        kind = str(preview.get("kind", "")) if isinstance(preview, dict) else ""
        self.info_label.setText(describe_summary(summary))
        counts = summary.get("class_counts") or {}
        self.counts_table.setRowCount(len(counts))
        for row, (name, count) in enumerate(counts.items()):
            self.counts_table.setItem(row, 0, QTableWidgetItem(str(name)))
            self.counts_table.setItem(row, 1, QTableWidgetItem(str(count)))
        self.counts_table.setVisible(bool(counts))
        self._show_given_split(summary.get("split_counts") or {})
        self.preview.show_samples(summary, kind, x, y)
        self.stretch.setVisible(kind == "images")
        self._summary = summary
        self.check_link()
        self.preview_shown.emit(summary)

    def check_link(self) -> None:
        """Warns if the model does not take these data (input shape, classes)."""
        if self._summary is None:
            self.link.show_problems([])
            return
        self.link.show_problems(mismatches(self.state.spec.to_dict(), self._summary))

    def adapt_model(self) -> None:
        """Sets the model's input shape and output size from the data (one undoable edit)."""
        if self._summary is None:
            return
        spec = adapted(self.state.spec.to_dict(), self._summary)
        try:
            self.state.apply(spec, "Adapt the model to the data")
        except ValueError as exc:
            self._show_problem(str(exc))
        self.check_link()

    def _show_given_split(self, counts: dict[str, int]) -> None:
        """A part the data name themselves is theirs: its fraction box is switched off."""
        for part, box in (("validation", self.val_split), ("test", self.test_split)):
            box.setEnabled(not counts.get(part))
            box.setToolTip(_fraction_tip(part, counts))


def _fraction_tip(part: str, counts: dict[str, int]) -> str:
    """What the fraction box of `part` means, given the split the data name (if any)."""
    if counts.get(part):
        return f"The data name their own {part} samples ({counts[part]}); this fraction is not used"
    if counts and part == "validation":
        return f"Drawn from the data's {counts.get('train', 0)} training samples"
    return f"Fraction of the samples held out for {part}"
