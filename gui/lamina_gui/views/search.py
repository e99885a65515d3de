"""The Search view: the varied parameters, the search settings, Start/Stop, the live trials.

Parameters are set to vary with the "vary" toggle beside them in the Compose tab (Item and
Compile panels); they are listed here to edit or remove. Start sends one ``search`` request
to the engine (`lamina.hpsearch` runs it there: every trial is a run of the project); this
view only shows the events it streams back: a row per trial (sortable; pruned and failed
trials stay, with their reason) and the best objective so far. Stop cancels the request:
the running trial ends within one batch and the study stays resumable (Start again goes
on where it stopped). Double-click a trial to open its run in the Visualize view; "Use
this trial" puts its spec in the composer as one undo step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lamina.engine import protocol as ev
from lamina.engine.protocol import (
    ErrorReply,
    RequestCancelled,
    SearchReport,
    SearchRequest,
    SearchStudies,
    SearchStudiesRequest,
)
from lamina.project import RUNS_DIR, ProjectError, Run
from lamina_gui.views.search_settings import DEFAULTS, PRUNERS, SAMPLERS, SettingsForm
from lamina_gui.views.search_space import NO_SPACE, SpacePanel
from lamina_gui.widgets.trial_table import BestCurve, TrialTable

__all__ = ["DEFAULTS", "PRUNERS", "SAMPLERS", "SearchView"]


class SearchView(QWidget):
    """Runs a hyperparameter search of the app's spec in the engine and shows it live.

    Args:
        state: The app state (``spec``, ``space``, ``search_settings``, ``project_path``).
        bridge: The engine bridge (``request``, ``cancel``).
        parent: The parent widget.

    Signals:
        open_run(str): Open this run folder in the Visualize view.
        finished(object): The search ended (its `SearchReport`).
        failed(str): The search was refused or failed (the located message).
    """

    open_run = Signal(str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, state: QObject, bridge: QObject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: Any = state
        self.bridge: Any = bridge
        self.request_id: int | None = None
        self.trials: dict[int, dict[str, Any]] = {}
        self.objectives: list[str] = []
        self.directions: list[str] = []
        self.params: list[str] = []
        self.best: list[int] = []
        self.study = ""
        self.past: dict[str, dict[str, Any]] = {}
        self.past_request: int | None = None
        self.event_handlers: dict[type[ev.Event], Any] = {
            ev.SearchStarted: self._on_started,
            ev.TrialStarted: self._on_trial_started,
            ev.TrialEpoch: self._on_trial_epoch,
            ev.TrialFinished: self._on_trial_finished,
            ev.SearchFinished: self._on_search_finished,
        }
        self._build()
        self._load_settings()
        state.space_changed.connect(self.show_space)
        state.spec_changed.connect(self.show_space)
        state.search_reset.connect(self._project_changed)
        self.past_wanted = False
        if hasattr(bridge, "status"):
            bridge.status.connect(self._engine_status)
        self.show_space()
        self.load_past()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        self.space_panel = SpacePanel(self.state)
        self.space_panel.problem.connect(self._show_error)
        self.space_table = self.space_panel.table
        self.edit_button = self.space_panel.edit_button
        self.remove_button = self.space_panel.remove_button
        self.space_hint = self.space_panel.hint

        self.form = SettingsForm()
        self.form.changed.connect(self._store_settings)
        self.name_edit, self.sampler_combo = self.form.name_edit, self.form.sampler_combo
        self.pruner_combo, self.trials_box = self.form.pruner_combo, self.form.trials_box
        self.workers_box, self.seed_box = self.form.workers_box, self.form.seed_box
        self.objective_edit, self.storage_edit = self.form.objective_edit, self.form.storage_edit

        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("search_start")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("search_stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        self.status_label = QLabel("Idle.", wordWrap=True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setObjectName("search_status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QVBoxLayout()
        left.addWidget(self.space_panel, 1)
        left.addWidget(self.form)
        left.addLayout(buttons)
        left.addWidget(self.status_label)
        holder = QWidget()
        holder.setLayout(left)
        holder.setMaximumWidth(420)

        self.table = TrialTable()
        self.table.trial_activated.connect(self.open_trial)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.open_button = QPushButton("Open in Visualize")
        self.open_button.setObjectName("trial_open")
        self.open_button.clicked.connect(lambda: self.open_trial(self.table.selected_trial()))
        self.use_button = QPushButton("Use this trial")
        self.use_button.setObjectName("trial_use")
        self.use_button.setToolTip("Put the selected trial's spec in the composer (one undo step)")
        self.use_button.clicked.connect(lambda: self.use_trial(self.table.selected_trial()))
        trial_buttons = QHBoxLayout()
        trial_buttons.addWidget(self.open_button)
        trial_buttons.addWidget(self.use_button)
        trial_buttons.addStretch(1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        self.study_combo = QComboBox()
        self.study_combo.setObjectName("search_studies")
        self.study_combo.setToolTip("The searches of this project: pick one to see its trials")
        self.study_combo.activated.connect(lambda i: self.show_study(self.study_combo.itemText(i)))
        studies = QHBoxLayout()
        studies.addWidget(QLabel("Search"))
        studies.addWidget(self.study_combo, 1)
        tl.addLayout(studies)
        tl.addWidget(QLabel("Trials (click a header to sort; double-click to visualize)"))
        tl.addWidget(self.table, 1)
        tl.addLayout(trial_buttons)
        self.curve = BestCurve()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.curve)
        right.setSizes([420, 300])

        root = QHBoxLayout(self)
        root.addWidget(holder)
        root.addWidget(right, 1)
        self._selection_changed()

    # ---------------------------------------------------------------- space
    def show_space(self) -> None:
        """Lists the varied parameters again."""
        self.space_panel.refresh()

    # ---------------------------------------------------------------- settings
    def settings(self) -> dict[str, Any]:
        """The search settings shown (`lamina.hpsearch.SearchSettings` fields)."""
        return self.form.values()

    def _load_settings(self) -> None:
        self.form.load(self.state.search_settings or {})

    def _project_changed(self) -> None:
        """Another project (or a new model): its settings, and the searches it holds."""
        self._load_settings()
        if not self.running:
            self.trials, self.best, self.past = {}, [], {}
            self.study_combo.clear()
            self._redraw()
            self._status("Idle.")
            self.load_past()

    def _store_settings(self, *_args: Any) -> None:
        self.state.search_settings = self.form.saved()

    # ---------------------------------------------------------------- past searches
    def load_past(self) -> int | None:
        """Asks the engine for the searches already in the project (shown when it answers).

        Before the engine is ready, the request waits for it (`_engine_status`).
        """
        project = getattr(self.state, "project_path", None)
        if project is None or self.running:
            return None
        if getattr(self.bridge, "state", "ready") != "ready":
            self.past_wanted = True
            return None
        self.past_wanted = False
        storage = self.form.storage()
        if self.form.missing_password() is not None:
            storage = None
        request = SearchStudiesRequest(project_dir=str(project), storage=storage)
        self.past_request = self.bridge.request(request, self._on_past)
        return self.past_request

    def _engine_status(self, status: Any) -> None:
        if getattr(status, "state", "") == "ready" and self.past_wanted:
            self.load_past()

    def _on_past(self, reply: Any) -> None:
        if reply.id != getattr(self, "past_request", None) or self.running:
            return
        if isinstance(reply, ErrorReply):
            self._show_error(reply.message or "the searches could not be read", reply.location)
            return
        if not isinstance(reply, SearchStudies):
            return
        self.past = {str(s["study"]): s for s in reply.studies}
        self.study_combo.clear()
        self.study_combo.addItems(list(self.past))
        if self.trials and self.study in self.past:  # a search just shown live: keep its status
            self.study_combo.setCurrentText(self.study)
        elif self.past:
            name = self.form.values()["name"]
            self.show_study(name if name in self.past else list(self.past)[-1])

    def show_study(self, name: str) -> None:
        """Shows the trials of the past search `name` (best marked)."""
        study = self.past.get(name)
        if study is None or self.running:
            return
        self.study = name
        self.objectives = list(study.get("objectives") or DEFAULTS["objectives"])
        self.directions = list(study.get("directions") or [])
        self.params = list(study.get("params") or [])
        self.trials = {
            int(row["trial"]): {**row, "number": int(row["trial"])} for row in study["trials"]
        }
        self.best = [int(n) for n in study.get("best") or []]
        self.study_combo.setCurrentText(name)
        self._redraw()
        done = sum(1 for t in self.trials.values() if t.get("state") == "complete")
        text = f"Search {name!r}: {len(self.trials)} trials ({done} complete)."
        if self.best:
            text += f" Best: trial {self.best[0]}."
        self._status(text)

    # ---------------------------------------------------------------- running
    @property
    def running(self) -> bool:
        return self.request_id is not None

    def start(self) -> int | None:
        """Sends the spec, the space and the settings to the engine; returns the request id."""
        if self.running:
            return self.request_id
        project = getattr(self.state, "project_path", None)
        spec = self.state.spec.to_dict()
        if project is None:
            return self._refuse("Save the model as a project first: every trial is a run of it.")
        if not spec.get("data"):
            return self._refuse("Choose a dataset in the Data view first.")
        if not self.state.space:
            return self._refuse(NO_SPACE)
        missing = self.form.missing_password()
        if missing is not None:
            self._show_error(missing, "search.storage")
            return None
        self._store_settings()
        settings = self.settings()
        self.trials, self.best, self.study = {}, [], settings["name"]
        self.objectives, self.directions = list(settings["objectives"]), []
        self.params = list(self.state.space)
        self._redraw()
        request = SearchRequest(
            spec, self.state.space, settings, project_dir=str(project), data=spec.get("data")
        )
        self.request_id = self.bridge.request(request, self._on_reply, on_event=self._on_event)
        self._set_running(True)
        self._status(f"Starting search {settings['name']!r}…")
        return self.request_id

    def stop(self) -> None:
        """Cancels the search: the running trial ends within one batch; the study is kept."""
        if self.request_id is None:
            return
        self._status("Stopping… (the running trial ends within one batch)")
        self.stop_button.setEnabled(False)
        self.bridge.cancel(self.request_id)

    def _refuse(self, text: str) -> None:
        self._show_error(text)
        return None

    def _show_error(self, text: str, location: str | None = None) -> None:
        """Shows a located message in the status line, and on the field it names."""
        self.form.show_problem(location, text)
        self._status(text, error=True)
        self.failed.emit(text)

    def _status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020;" if error else "")

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _on_event(self, event: Any) -> None:
        if event.id == self.request_id:
            handler = self.event_handlers.get(type(event))
            if handler is not None:
                handler(event)

    def _on_started(self, event: ev.SearchStarted) -> None:
        self.study = event.study
        self.objectives = list(event.objectives) or self.objectives
        self.directions = list(event.directions)
        self.params = list(event.params) or self.params
        self._status(f"Search {event.study!r}: {event.trials} trials…")

    def _on_trial_started(self, event: ev.TrialStarted) -> None:
        self.trials[event.number] = {
            "number": event.number,
            "state": "running",
            "params": dict(event.params),
            "epochs": 0,
        }
        self._status(f"Trial {event.number} running…")
        self._redraw()

    def _on_trial_epoch(self, event: ev.TrialEpoch) -> None:
        trial = self.trials.setdefault(event.number, {"number": event.number, "state": "running"})
        trial["epochs"] = int(event.epoch) + 1
        self._redraw()

    def _on_trial_finished(self, event: ev.TrialFinished) -> None:
        trial = self.trials.setdefault(event.number, {"number": event.number})
        trial.update(
            state=event.state,
            values=event.values,
            run_id=event.run_id,
            reason=event.reason,
            seconds=event.seconds,
        )
        if event.params:
            trial["params"] = dict(event.params)
        if event.epochs:
            trial["epochs"] = event.epochs
        self._redraw()

    def _on_search_finished(self, event: ev.SearchFinished) -> None:
        self.best = list(event.best)
        self._redraw()

    def _on_reply(self, reply: Any) -> None:
        if reply.id != self.request_id:
            return
        self.request_id = None
        self._set_running(False)
        if isinstance(reply, ErrorReply):
            self._show_error(reply.message or "the search failed", reply.location)
            return
        if isinstance(reply, RequestCancelled):
            self._status("Stopped before the first trial.")
            return
        if isinstance(reply, SearchReport):
            self._show_report(reply)
            self.finished.emit(reply)
            self.load_past()

    def _show_report(self, report: SearchReport) -> None:
        for row in report.trials:
            number = int(row.get("trial", row.get("number", -1)))
            if number >= 0:
                self.trials[number] = {**self.trials.get(number, {}), **row, "number": number}
        self.best = list(report.best)
        self.directions = list(report.directions) or self.directions
        self._redraw()
        done = sum(1 for t in self.trials.values() if t.get("state") == "complete")
        if report.status == "stopped":
            text = f"Stopped: {done} trials complete. Start resumes the study."
        else:
            text = f"Finished: {len(self.trials)} trials ({done} complete)."
        if self.best:
            best = self.trials.get(self.best[0], {})
            values = ", ".join(f"{v:.4g}" for v in best.get("values") or [] if v is not None)
            text += f" Best: trial {self.best[0]} ({self.objectives[0]} {values})."
        self._status(text)

    def _redraw(self) -> None:
        trials = [self.trials[n] for n in sorted(self.trials)]
        self.table.show_trials(trials, self.objectives, self.params, set(self.best))
        direction = self.directions[0] if self.directions else "minimize"
        self.curve.show_trials(trials, self.objectives[0] if self.objectives else "", direction)
        self._selection_changed()

    # ---------------------------------------------------------------- trials
    def run_dir(self, number: int | None) -> Path | None:
        """The run folder of trial `number`, if it has one."""
        trial = self.trials.get(number) if number is not None else None
        project = getattr(self.state, "project_path", None)
        if not trial or not trial.get("run_id") or project is None:
            return None
        return Path(project) / RUNS_DIR / str(trial["run_id"])

    def _selection_changed(self) -> None:
        has_run = self.run_dir(self.table.selected_trial()) is not None
        self.open_button.setEnabled(has_run)
        self.use_button.setEnabled(has_run)

    def open_trial(self, number: int | None) -> None:
        """Asks the window to show trial `number`'s run in the Visualize view."""
        path = self.run_dir(number)
        if path is not None:
            self.open_run.emit(str(path))

    def use_trial(self, number: int | None) -> bool:
        """Puts trial `number`'s spec in the composer (one undo step)."""
        path = self.run_dir(number)
        if path is None:
            return False
        try:
            spec = Run(path).spec
        except (ProjectError, ValueError) as exc:
            self._show_error(f"trial {number}: {exc}")
            return False
        changed = self.state.apply(spec, f"Use trial {number} of search {self.study}")
        self._status(
            f"The composer now holds the spec of trial {number} (Edit ▸ Undo puts yours back)."
            if changed
            else f"The composer already holds the spec of trial {number}."
        )
        return bool(changed)
