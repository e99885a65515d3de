"""The Search view's settings form: name, sampler, pruner, trials, workers, objectives with
their directions, seed and storage URL.

The form holds no search logic: the engine validates the settings and answers a mistake
with an error located at the setting (``search.sampler``, ``search.storage``, ...), which
`SettingsForm.show_problem` marks on its field. A storage URL's password is kept in memory
only: the field shows it as ``***`` once typed, and the settings saved with the project
(`SettingsForm.saved`) never hold it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("none", "median", "halving", "hyperband")
#: A direction per objective; "auto" infers it from the metric's name, as the CLI does.
DIRECTIONS = ("auto", "minimize", "maximize")
DEFAULTS: dict[str, Any] = {
    "name": "search",
    "sampler": "tpe",
    "pruner": "none",
    "trials": 20,
    "workers": 1,
    "objectives": ["val_loss"],
    "directions": None,
    "seed": None,
    "storage": None,
}
HIDDEN = "***"
STORAGE_TIP = (
    "An Optuna storage URL shared by many machines, e.g. postgresql://USER:PASSWORD@HOST/DB. "
    "Empty: the journal file in the project (search/studies.journal). The password is kept "
    "in memory only, never saved with the project."
)


def redact_url(url: str) -> str:
    """`url` with its password shown as ``***`` (Qt's URL parser; the text as is otherwise)."""
    parsed = QUrl(url)
    if not parsed.isValid() or not parsed.password():
        return url
    parsed.setPassword(HIDDEN)
    return parsed.toString()


class SettingsForm(QGroupBox):
    """The search settings, as `lamina.hpsearch.SearchSettings` fields.

    Signals:
        changed(): A setting was edited (the view stores them in the app state).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Search", parent)
        self._storage_url = ""  # the URL as typed, password included (memory only)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("The study's name: Start with the same name resumes it")
        self.sampler_combo = QComboBox()
        self.sampler_combo.addItems(SAMPLERS)
        self.pruner_combo = QComboBox()
        self.pruner_combo.addItems(PRUNERS)
        self.trials_box = QSpinBox(minimum=1, maximum=100000)
        self.workers_box = QSpinBox(minimum=1, maximum=64)
        self.workers_box.setToolTip("Worker processes on this machine, on the same study")
        self.objective_edit = QLineEdit()
        self.objective_edit.setToolTip("Logged metric(s) to optimise, separated by commas")
        self.direction_row = QWidget()
        self.direction_layout = QHBoxLayout(self.direction_row)
        self.direction_layout.setContentsMargins(0, 0, 0, 0)
        self.direction_combos: list[QComboBox] = []
        self.seed_box = QSpinBox(minimum=-1, maximum=2**31 - 1)
        self.seed_box.setSpecialValueText("none")
        self.storage_edit = QLineEdit()
        self.storage_edit.setObjectName("search_storage")
        self.storage_edit.setPlaceholderText("the project's journal file")
        self.storage_edit.setToolTip(STORAGE_TIP)
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        form.addRow("Sampler", self.sampler_combo)
        form.addRow("Pruner", self.pruner_combo)
        form.addRow("Trials", self.trials_box)
        form.addRow("Workers", self.workers_box)
        form.addRow("Objective", self.objective_edit)
        form.addRow("Direction", self.direction_row)
        form.addRow("Seed", self.seed_box)
        form.addRow("Storage", self.storage_edit)
        #: Error location -> the field it names.
        self.fields: dict[str, QWidget] = {
            "search.name": self.name_edit,
            "search.sampler": self.sampler_combo,
            "search.pruner": self.pruner_combo,
            "search.trials": self.trials_box,
            "search.workers": self.workers_box,
            "search.objectives": self.objective_edit,
            "search.directions": self.direction_row,
            "search.seed": self.seed_box,
            "search.storage": self.storage_edit,
        }
        self.objective_edit.editingFinished.connect(self._objectives_edited)
        self.storage_edit.editingFinished.connect(self._storage_edited)
        for signal in (
            self.name_edit.editingFinished,
            self.sampler_combo.currentIndexChanged,
            self.pruner_combo.currentIndexChanged,
            self.trials_box.valueChanged,
            self.workers_box.valueChanged,
            self.seed_box.valueChanged,
        ):
            signal.connect(self._edited)
        self._tips = {loc: w.toolTip() for loc, w in self.fields.items()}
        self._shown_objectives: list[str] = []
        self._loading = False
        self.load({})

    # ---------------------------------------------------------------- values
    def objectives(self) -> list[str]:
        """The objective metrics typed (``val_loss`` when none)."""
        names = [o.strip() for o in self.objective_edit.text().split(",") if o.strip()]
        return names or list(DEFAULTS["objectives"])

    def directions(self) -> list[str] | None:
        """The direction chosen per objective (``"auto"`` infers it), None if all are auto."""
        chosen = [combo.currentText() for combo in self.direction_combos]
        return chosen if any(d != "auto" for d in chosen) else None

    def storage(self) -> str | None:
        """The storage URL with its password (None: the project's journal file)."""
        text = self.storage_edit.text().strip()
        if not text:
            return None
        if self._storage_url and text == redact_url(self._storage_url):
            return self._storage_url
        return text

    def values(self) -> dict[str, Any]:
        """The settings to send to the engine (the storage URL with its password)."""
        seed = self.seed_box.value()
        out: dict[str, Any] = {
            "name": self.name_edit.text().strip() or DEFAULTS["name"],
            "sampler": self.sampler_combo.currentText(),
            "pruner": self.pruner_combo.currentText(),
            "trials": self.trials_box.value(),
            "workers": self.workers_box.value(),
            "objectives": self.objectives(),
            "seed": None if seed < 0 else seed,
        }
        directions = self.directions()
        if directions is not None:
            out["directions"] = directions
        if self.storage() is not None:
            out["storage"] = self.storage()
        return out

    def saved(self) -> dict[str, Any]:
        """The settings to keep with the project: the storage URL without its password."""
        out = self.values()
        if "storage" in out:
            out["storage"] = redact_url(out["storage"])
        return out

    def load(self, values: dict[str, Any]) -> None:
        """Shows `values` (missing ones: the CLI's defaults)."""
        values = {**DEFAULTS, **(values or {})}
        self._loading = True
        try:
            self.name_edit.setText(str(values["name"]))
            self.sampler_combo.setCurrentText(str(values["sampler"]))
            self.pruner_combo.setCurrentText(str(values["pruner"]))
            self.trials_box.setValue(int(values["trials"]))
            self.workers_box.setValue(int(values["workers"]))
            self.objective_edit.setText(", ".join(values["objectives"]))
            self._direction_choices(values.get("directions"))
            self.seed_box.setValue(-1 if values["seed"] is None else int(values["seed"]))
            self._storage_url = ""
            self.storage_edit.setText(str(values.get("storage") or ""))
        finally:
            self._loading = False
        self.clear_problems()

    def _direction_choices(self, directions: list[str] | None = None) -> None:
        """One direction choice per objective (kept for the objectives still there)."""
        before = {
            name: combo.currentText()
            for name, combo in zip(self._shown_objectives, self.direction_combos, strict=False)
        }
        for combo in self.direction_combos:
            self.direction_layout.removeWidget(combo)
            combo.deleteLater()
        self.direction_combos = []
        self._shown_objectives = self.objectives()
        for i, name in enumerate(self._shown_objectives):
            combo = QComboBox()
            combo.setObjectName(f"search_direction_{i}")
            combo.addItems(DIRECTIONS)
            combo.setToolTip(f"Minimize or maximize {name} (auto: from the name)")
            given = directions[i] if directions and i < len(directions) else before.get(name)
            combo.setCurrentText(given if given in DIRECTIONS else "auto")
            combo.currentIndexChanged.connect(self._edited)
            self.direction_layout.addWidget(combo)
            self.direction_combos.append(combo)

    def _objectives_edited(self) -> None:
        if self._shown_objectives != self.objectives():
            self._direction_choices()
        self._edited()

    def _storage_edited(self) -> None:
        text = self.storage_edit.text().strip()
        if text and text != redact_url(text):  # a password was typed: keep it, show ***
            self._storage_url = text
            self.storage_edit.setText(redact_url(text))
        elif text != redact_url(self._storage_url):
            self._storage_url = ""
        self._edited()

    def _edited(self, *_args: Any) -> None:
        if not self._loading:
            self.clear_problems()
            self.changed.emit()

    # ---------------------------------------------------------------- problems
    def show_problem(self, location: str | None, message: str) -> bool:
        """Marks the field a located error names; False if it names no field here."""
        widget = self.fields.get(location or "")
        if widget is None:
            return False
        widget.setProperty("problem", True)
        widget.setStyleSheet("border: 1px solid #b00020;")
        widget.setToolTip(message)
        return True

    def problem_fields(self) -> list[str]:
        """The locations of the fields marked with a problem."""
        return [loc for loc, w in self.fields.items() if w.property("problem")]

    def clear_problems(self) -> None:
        """Unmarks every field."""
        for location, widget in self.fields.items():
            if widget.property("problem"):
                widget.setProperty("problem", False)
                widget.setStyleSheet("")
                widget.setToolTip(self._tips[location])

    def missing_password(self) -> str | None:
        """A located message if the storage URL's password was not typed in this session.

        The password is never saved with the project: a reopened project shows the URL
        with ``***``, and the password has to be typed again.
        """
        url = self.storage()
        if url is not None and QUrl(url).password() == HIDDEN:
            return (
                "search.storage: type the storage URL's password again "
                "(it is never saved with the project)"
            )
        return None
