"""Projects in the app: New, Open, Save, Save As, recent projects, autosave.

A project is a folder with ``project.json`` (see :mod:`lamina.project`, which needs
no TensorFlow); a plain spec ``.json`` file can be opened and saved too. Opening a
corrupt or foreign file shows a message and never writes to the file. The spec is
autosaved to a side file (``.autosave.spec.json`` in the project, or in lamina's
home for an unsaved model) so that a crash loses little. The Search view's varied
parameters and settings are saved beside ``project.json`` in ``search.json``
(``{"format": "lamina-search", "space": {...}, "settings": {...}}``).
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from lamina.paths import lamina_home
from lamina.project import PROJECT_FILE, ProjectError, load_project, save_project
from lamina.project.files import read_json, write_json
from lamina.spec import SpecError, load_spec, save_spec
from lamina_gui.settings import app_settings
from lamina_gui.state import AppState, empty_spec

AUTOSAVE_NAME = ".autosave.spec.json"
SEARCH_FILE = "search.json"
SEARCH_FORMAT = "lamina-search"
AUTOSAVE_MS = 30_000
MAX_RECENT = 8
DEMO_DIR = Path(__file__).resolve().parent / "demo"


def settings() -> QSettings:
    """The app's settings (in lamina's home)."""
    return app_settings()


def project_folder(path: str | Path) -> Path:
    """The project folder a Save As answer names: the path itself, or the folder of a
    ``project.json`` chosen in it."""
    path = Path(path)
    return path.parent if path.name == PROJECT_FILE else path


class ProjectController(QObject):
    """Opens and saves the state's spec; keeps the recent list and the autosave.

    Signals:
        message(str): A note for the status bar.
        recent_changed: The recent list changed.
    """

    message = Signal(str)
    recent_changed = Signal()

    def __init__(self, state: AppState, parent_widget: QWidget | None = None) -> None:
        super().__init__(parent_widget)
        self.state = state
        self.widget = parent_widget
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        #: True while a training or search may still write a run into the scratch
        #: project (the window sets it); the scratch project is kept until it ends.
        self.runs_in_progress: Any = lambda: False
        #: Scratch run folder -> its folder in the saved project, for every run moved.
        self.moved_runs: dict[str, str] = {}

    # -- messages -------------------------------------------------------------------

    def _error(self, title: str, text: str) -> None:
        self.message.emit(text)
        QMessageBox.critical(self.widget, title, text)

    # -- recent ---------------------------------------------------------------------

    def recent(self) -> list[str]:
        value = settings().value("recent_projects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        settings().setValue("recent_projects", items[:MAX_RECENT])
        self.recent_changed.emit()

    # -- new / open -----------------------------------------------------------------

    def new(self) -> None:
        """A new, empty, unsaved model."""
        self.state.reset(empty_spec())
        self.message.emit("New model")

    def open_path(self, path: str | Path) -> bool:
        """Opens a project folder, its ``project.json``, or a spec ``.json`` file.

        Shows a message box if the file is missing, corrupt or not lamina's; the file
        is never written to. Returns whether it opened.
        """
        path = Path(path).resolve()
        try:
            if path.is_dir() or path.name == PROJECT_FILE:
                project = load_project(path)
                spec = project.spec if project.spec is not None else empty_spec()
                search = self._read_search(project.path)
                self.state.reset(spec, project_path=project.path, name=project.name)
                self.state.reset_search(search.get("space", {}), search.get("settings", {}))
                self._add_recent(project.path)
            else:
                data = self._read_json(path)
                if isinstance(data, dict) and "format" in data:
                    raise ValueError(
                        f"a {data['format']!r} file, not a model spec; open the project "
                        "folder (with its project.json) instead"
                    )
                spec = load_spec(path)  # validates (with located problems)
                self.state.reset(spec, spec_file=path, name=path.stem)
                self._add_recent(path)
        except (ProjectError, SpecError, ValueError, OSError) as exc:
            self._error("Cannot open", f"Cannot open {path}:\n{exc}")
            return False
        self.message.emit(f"Opened {path}")
        return True

    @staticmethod
    def _read_search(folder: Path) -> dict[str, Any]:
        """The project's ``search.json`` (empty if there is none).

        Raises:
            ProjectError: If the file is corrupt or not lamina's (the project is not opened).
        """
        path = folder / SEARCH_FILE
        if not path.exists():
            return {}
        data = read_json(path, "search file")
        if not isinstance(data, dict) or data.get("format") != SEARCH_FORMAT:
            raise ProjectError(f"{path}: not a lamina search file (no 'format': {SEARCH_FORMAT!r})")
        for key in ("space", "settings"):
            if not isinstance(data.get(key, {}), dict):
                raise ProjectError(f"{path}: '{key}' must be a JSON object")
        for key, value in data.get("space", {}).items():
            if not isinstance(value, (list, dict)):
                raise ProjectError(
                    f'{path}: space["{key}"] must be a list of choices or a range object'
                )
        return data

    def _write_search(self, folder: Path) -> None:
        """Writes ``search.json`` when there is a space or settings to keep."""
        path = folder / SEARCH_FILE
        space, settings = self.state.space, self.state.search_settings
        if space or settings or path.exists():
            write_json(path, {"format": SEARCH_FORMAT, "space": space, "settings": settings})

    @staticmethod
    def _read_json(path: Path) -> Any:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError("not a text file (not a lamina spec or project)") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"corrupt JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
                "the file was left as it is"
            ) from None

    def open_dialog(self) -> bool:
        path = QFileDialog.getExistingDirectory(self.widget, "Open a lamina project folder")
        return self.open_path(path) if path else False

    def open_spec_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(
            self.widget, "Open a spec or project file", "", "lamina files (*.json)"
        )
        return self.open_path(path) if path else False

    def open_demo(self) -> bool:
        """Copies the bundled demo project to lamina's home (once) and opens it."""
        target = lamina_home() / "projects" / "demo"
        if not (target / "project.json").is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(DEMO_DIR / "project.json", target / "project.json")
        return self.open_path(target)

    # -- save -----------------------------------------------------------------------

    def save(self) -> bool:
        """Saves to the current project or spec file; asks where if there is none."""
        if self.state.project_path is not None:
            return self.save_project(self.state.project_path)
        if self.state.spec_file is not None:
            return self.save_spec_file(self.state.spec_file)
        return self.save_as_dialog()

    def save_project(self, folder: str | Path) -> bool:
        """Writes the spec into ``folder/project.json`` (made if needed) with
        `lamina.project.save_project`, the one writer of a project's spec."""
        folder = Path(folder)
        try:
            save_project(folder, self.state.spec, name=self.state.project_name or folder.name)
            self._write_search(folder)
        except (ProjectError, SpecError, OSError) as exc:
            self._error("Cannot save", f"Cannot save to {folder}:\n{exc}")
            return False
        kept = self._keep_scratch_runs(folder)
        self.state.mark_saved(project_path=folder)
        self._add_recent(folder)
        self._drop_autosave()
        runs = f" with its {kept} run(s)" if kept else ""
        self.message.emit(f"Saved the project{runs} in {folder}")
        return True

    def keep_finished_runs(self) -> dict[str, str]:
        """Moves runs that ended in the scratch project after the model was saved (a
        training started before Save) into the saved project.

        Returns:
            Each moved run's old folder -> its new folder (empty if none moved).
        """
        folder = self.state.project_path
        if folder is None or self.state.scratch_path is None:
            return {}
        before = dict(self.moved_runs)
        kept = self._keep_scratch_runs(Path(folder))
        moved = {old: new for old, new in self.moved_runs.items() if old not in before}
        if kept:
            self.message.emit(f"The run(s) that ended after the save are kept in {folder}")
        return moved

    def _keep_scratch_runs(self, folder: Path) -> int:
        """Moves the runs of the unsaved model (its scratch project) into the project
        `folder`; returns how many. A run still being written stays where it is (and is
        moved when it ends: `keep_finished_runs`)."""
        moved = 0
        for run in self.state.scratch_runs():
            if not (run / "run.json").is_file():
                continue
            target = folder / "runs" / run.name
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.move(str(run), str(target))
            except OSError as exc:
                self.message.emit(f"Run {run.name} stays in {run.parent}: {exc}")
                continue
            self.moved_runs[str(run)] = str(target)
            moved += 1
        scratch = self.state.scratch_path
        if scratch is not None and not self.state.scratch_runs() and not self.runs_in_progress():
            shutil.rmtree(scratch, ignore_errors=True)
            self.state.scratch_path = None
        return moved

    def save_spec_file(self, path: str | Path) -> bool:
        """Writes the spec alone as JSON, atomically."""
        path = Path(path)
        try:
            save_spec(self.state.spec, path)
        except (SpecError, OSError) as exc:
            self._error("Cannot save", f"Cannot save {path}:\n{exc}")
            return False
        self.state.mark_saved(spec_file=path)
        self._add_recent(path)
        self.message.emit(f"Saved {path}")
        return True

    def save_as_dialog(self) -> bool:
        """Asks for the project's name and place (an ordinary Save As dialog); the
        project is the folder of that name, made if needed."""
        name = self.state.project_name or self.state.spec.name or "model"
        start = self.state.project_path or (lamina_home() / "projects" / name)
        path, _ = QFileDialog.getSaveFileName(
            self.widget, "Save the project as", str(start), "lamina project (folder)"
        )
        if not path:
            return False
        folder = project_folder(path)
        if not self.state.project_name or self.state.project_path is None:
            self.state.project_name = folder.name
        return self.save_project(folder)

    # -- autosave -------------------------------------------------------------------

    def autosave_path(self) -> Path:
        if self.state.project_path is not None:
            return self.state.project_path / AUTOSAVE_NAME
        return lamina_home() / "autosave" / "untitled.spec.json"

    def autosave(self) -> Path | None:
        """Writes the spec to the side file if there are unsaved changes."""
        if not self.state.dirty:
            return None
        path = self.autosave_path()
        try:
            save_spec(self.state.spec, path)
        except OSError as exc:
            self.message.emit(f"Could not keep a safety copy of the model: {exc}")
            return None
        return path

    def _drop_autosave(self) -> None:
        path = self.autosave_path()
        if path.exists():
            with contextlib.suppress(OSError):
                path.unlink()
