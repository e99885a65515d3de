"""Project folders: `Project`, and creating, opening, saving and finding runs in one."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamina.atomic import remove_stale_temp_files, write_error
from lamina.project.files import (
    PROJECT_FILE,
    PROJECT_FORMAT,
    PROJECT_FORMAT_VERSION,
    RUNS_DIR,
    WEIGHTS_FINAL,
    ProjectError,
    now,
    read_json,
    write_json,
)
from lamina.project.run import Run, load_run
from lamina.spec import ModelSpec, SpecError, load_spec, parse_spec


@dataclass
class Project:
    """A project folder. Create with `create_project`, open with `load_project`."""

    path: Path
    name: str
    spec: ModelSpec | None = None
    created: str = field(default_factory=now)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        """The project's ``project.json``."""
        return self.path / PROJECT_FILE

    @property
    def runs_dir(self) -> Path:
        """The folder holding the project's runs."""
        return self.path / RUNS_DIR

    def to_dict(self) -> dict[str, Any]:
        """The contents of ``project.json``; its spec in the one stored form, `to_dict`."""
        return {
            "format": PROJECT_FORMAT,
            "format_version": PROJECT_FORMAT_VERSION,
            "name": self.name,
            "created": self.created,
            "spec": None if self.spec is None else self.spec.to_dict(),
            **self.extra,
        }

    def save(self) -> Path:
        """Writes ``project.json`` atomically: the one place lamina writes that file."""
        self.path.mkdir(parents=True, exist_ok=True)
        return write_json(self.file, self.to_dict())

    def set_spec(self, spec: Any) -> None:
        """Replaces the project's spec and saves."""
        self.spec = load_spec(spec)
        self.save()

    def runs(self, include_incomplete: bool = False) -> list[Run]:
        """The saved runs, oldest first (interrupted saves only if `include_incomplete`).

        Temporary files that killed saves left in the run folders are removed.
        """
        if not self.runs_dir.is_dir():
            return []
        runs = [
            Run(p)
            for p in sorted(self.runs_dir.iterdir())
            if p.is_dir() and not p.name.startswith(".")
        ]
        for run in runs:
            remove_stale_temp_files(run.path)
        return [r for r in runs if include_incomplete or r.complete]

    def run(self, run_id: str) -> Run:
        """Opens the run called `run_id` (a folder name in the project's ``runs`` folder).

        Raises:
            ProjectError: If `run_id` is not a plain folder name, or there is no such run.
        """
        if run_id in ("", ".", "..") or Path(run_id).name != run_id or "\\" in run_id:
            raise ProjectError(
                f"{self.runs_dir}: {run_id!r} is not a run id (a folder name in this folder)"
            )
        return load_run(self.runs_dir / run_id)

    def latest_run(self) -> Run | None:
        """The most recent complete run, or None."""
        runs = self.runs()
        return runs[-1] if runs else None

    def new_run_dir(self, label: str = "") -> Path:
        """Creates and returns an empty, uniquely named run folder.

        Raises:
            WriteError: If the project folder is read-only or the disk full.
        """
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(self.runs_dir, exc) or exc from None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:40]
        base = f"{stamp}-{slug}" if slug else stamp
        for i in range(1, 10_000):
            candidate = self.runs_dir / (base if i == 1 else f"{base}-{i}")
            try:
                os.mkdir(candidate)
                return candidate
            except FileExistsError:
                continue
            except OSError as exc:
                raise write_error(candidate, exc) or exc from None
        raise ProjectError(f"{self.runs_dir}: cannot make a new run folder")


def create_project(path: str | Path, name: str | None = None, spec: Any = None) -> Project:
    """Creates a project folder with ``project.json`` (refuses to overwrite one).

    Raises:
        ProjectError: If the folder already holds a project.
    """
    path = Path(path)
    if (path / PROJECT_FILE).exists():
        raise ProjectError(f"{path / PROJECT_FILE}: a project already exists here")
    project = Project(
        path=path, name=name or path.resolve().name, spec=None if spec is None else load_spec(spec)
    )
    project.save()
    return project


def load_project(path: str | Path) -> Project:
    """Opens a project folder (or its ``project.json``).

    Temporary files that killed saves left in the folder are removed (see
    `lamina.atomic.remove_stale_temp_files`).

    Raises:
        ProjectError: Naming the file, if it is missing, corrupt or not a lamina
            project. The file is never modified.
    """
    path = Path(path)
    if path.name == PROJECT_FILE and path.is_file():
        path = path.parent
    file = path / PROJECT_FILE
    if not path.is_dir():
        raise ProjectError(f"{path}: project folder not found")
    data = read_json(file, "project file")
    remove_stale_temp_files(path)
    if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
        raise ProjectError(
            f'{file}: not a lamina project file (expected "format": "{PROJECT_FORMAT}"); '
            "the file was left as it is"
        )
    version = data.get("format_version", 1)
    if not isinstance(version, int) or version > PROJECT_FORMAT_VERSION:
        raise ProjectError(
            f"{file}: project format version {version!r} is newer than this lamina understands "
            f"({PROJECT_FORMAT_VERSION}); upgrade lamina"
        )
    spec = None
    if data.get("spec") is not None:
        try:
            spec = parse_spec(data["spec"], source=str(file))
        except SpecError as exc:
            raise ProjectError(f"{exc} (in the project's spec)") from None
    known = {"format", "format_version", "name", "created", "spec"}
    return Project(
        path=path,
        name=str(data.get("name") or path.resolve().name),
        spec=spec,
        created=str(data.get("created") or ""),
        extra={k: v for k, v in data.items() if k not in known},
    )


def save_project(path: str | Path, spec: Any, name: str | None = None) -> Project:
    """Saves `spec` as the spec of the project at `path` (created if the folder has none).

    What the app's Save, the engine and `lamina.train` call: ``project.json`` holds the
    same JSON text for the same spec whoever saved it (`Project.save` writes it). Runs
    and the other fields of an existing project are kept; the write is atomic.

    Args:
        path: The project folder.
        spec: A `ModelSpec` (stored as it is, not copied), a spec dict or a spec file.
        name: The project's name. Defaults to the existing project's name, or the
            folder's name for a new project.

    Raises:
        ProjectError: If an existing ``project.json`` is corrupt or not lamina's (it is
            left as it is).
        SpecError: If `spec` is not a valid spec (nothing is written).
    """
    path = Path(path)
    spec = load_spec(spec)
    if (path / PROJECT_FILE).exists():
        project = load_project(path)
        project.spec = spec
        project.name = name or project.name
    else:
        project = Project(path=path, name=name or path.resolve().name, spec=spec)
    project.save()
    return project


def open_project(path: str | Path, name: str | None = None, spec: Any = None) -> Project:
    """Opens the project at `path`, creating it (with `spec`) if the folder has none."""
    path = Path(path)
    if (path / PROJECT_FILE).exists():
        project = load_project(path)
        if project.spec is None and spec is not None:
            project.set_spec(spec)
        return project
    return create_project(path, name=name, spec=spec)


def find_run(
    path: str | Path, run_id: str | None = None, note: Callable[[str], None] | None = None
) -> Run:
    """Opens a run from a path: a run folder, or a project folder and a run of it.

    Args:
        path: A run folder (``<project>/runs/<run-id>``) or a project folder.
        run_id: With a project folder, the run to open. Defaults to its latest good run:
            the latest that finished and saved its weights.
        note: Called with a line saying which run was used, when later runs were
            skipped (failed, cancelled or incomplete). Defaults to `None`.

    Raises:
        ProjectError: If there is no such run, or the project has no finished run.
    """
    path = Path(path)
    if path.name == PROJECT_FILE and path.is_file():
        path = path.parent
    if run_id is None and not (path / PROJECT_FILE).is_file():
        return load_run(path)
    project = load_project(path)
    if run_id:
        return project.run(run_id)
    return _last_good_run(project, note)


def _last_good_run(project: Project, note: Callable[[str], None] | None) -> Run:
    """The latest finished run with weights; `note` names the later runs it skipped."""
    runs = project.runs(include_incomplete=True)
    if not runs:
        raise ProjectError(f"{project.path}: the project has no saved runs yet")
    skipped: list[str] = []
    for run in reversed(runs):
        status = _status(run)
        if status == "finished" and (run.path / WEIGHTS_FINAL).is_file():
            if skipped and note is not None:
                note(f"using run {run.id} (the latest finished run; {', '.join(skipped)})")
            return load_run(run.path)
        skipped.append(f"{run.id} {status if status != 'finished' else 'has no weights'}")
    raise ProjectError(
        f"{project.path}: the project has no finished run with weights ({', '.join(skipped)})",
        hint="train again, or name a run with its folder",
    )


def _status(run: Run) -> str:
    """The run's status; ``"unreadable"`` if its ``run.json`` is damaged."""
    try:
        return run.status
    except ProjectError:
        return "unreadable"
