"""Deleting and renaming a project's runs, safely: only ever ``PROJECT/runs/<id>`` itself.

A run id names a folder directly inside the project's ``runs/`` folder; anything else
(a path, ``..``, a link pointing elsewhere) is refused with a `ProjectError` naming the
place, before anything is touched. Deleting one run never touches another.

Example:
    >>> rename_run("digits-project", "20261201-101500", "wide-dense")
    >>> delete_run("digits-project", "wide-dense")
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from lamina.project import Project, ProjectError, load_project
from lamina.project.files import RUN_FILE

#: A run folder without ``run.json`` whose files changed this recently (seconds) is
#: taken to be a run still training.
IN_PROGRESS_SECONDS = 60.0

#: What a new run id may hold: letters, digits, ``-`` and ``_``.
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


def check_run_id(run_id: str) -> str:
    """Returns `run_id` if it is a valid new run id (letters, digits, ``-``, ``_``).

    Raises:
        ProjectError: If it is empty or holds anything else (``/``, ``.``, spaces).
    """
    if not RUN_ID_PATTERN.fullmatch(run_id or ""):
        raise ProjectError(
            f"{run_id!r}: not a valid run name (use letters, digits, '-' and '_' only)"
        )
    return run_id


def run_folder(project: str | Path | Project, run_id: str) -> Path:
    """The folder of the existing run `run_id`, checked to be directly in the runs folder.

    Args:
        project: A project folder (or its ``project.json``), or a `Project`.
        run_id: The run's id (its folder name).

    Raises:
        ProjectError: If `run_id` is not a plain folder name, the folder is a link or lies
            outside the project's runs folder, or there is no such run.
    """
    proj = project if isinstance(project, Project) else load_project(project)
    runs_dir = proj.runs_dir
    if not run_id or run_id in (".", "..") or any(sep in run_id for sep in ("/", "\\", "\0")):
        raise ProjectError(f"{runs_dir}: {run_id!r} is not a run of this project")
    path = runs_dir / run_id
    if path.is_symlink():
        raise ProjectError(f"{path}: a link, not a run folder (left as it is)")
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    if path.resolve().parent != runs_dir.resolve():
        raise ProjectError(f"{path}: not inside the project's runs folder {runs_dir}")
    return path


def check_not_training(path: Path) -> None:
    """Refuses a run folder that looks like a run still training.

    A run writes ``run.json`` last; a folder without it whose files (``checkpoint.json``,
    the TensorBoard events, ...) changed in the last `IN_PROGRESS_SECONDS` is a run in
    progress. An older folder without ``run.json`` is a run that crashed or was killed.

    Raises:
        ProjectError: If the run is still training.
    """
    if (path / RUN_FILE).exists():
        return
    newest = max((p.lstat().st_mtime for p in path.rglob("*")), default=path.stat().st_mtime)
    if time.time() - newest < IN_PROGRESS_SECONDS:
        raise ProjectError(
            f"{path}: this run is still training (its files changed "
            f"{max(0, round(time.time() - newest))} s ago); stop the training first"
        )


def delete_run(project: str | Path | Project, run_id: str) -> Path:
    """Deletes the run folder ``PROJECT/runs/<run_id>`` and nothing else.

    A run still training (see `check_not_training`) is refused.

    Returns:
        The folder deleted.

    Raises:
        ProjectError: As `run_folder`; if the run is still training; or if the folder
            cannot be deleted.
    """
    path = run_folder(project, run_id)
    check_not_training(path)
    try:
        shutil.rmtree(path)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot delete the run: {exc}") from None
    return path


def rename_run(project: str | Path | Project, run_id: str, new_id: str) -> Path:
    """Renames the run `run_id` to `new_id` (its folder in the same runs folder).

    Returns:
        The run's new folder.

    Raises:
        ProjectError: As `run_folder`; if `new_id` is not a valid run id or another run
            already has it; or if the folder cannot be renamed.
    """
    path = run_folder(project, run_id)
    check_run_id(new_id)
    target = path.parent / new_id
    if new_id == run_id:
        return path
    if os.path.lexists(target):
        raise ProjectError(f"{target}: a run called {new_id!r} already exists")
    try:
        os.rename(path, target)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot rename the run to {new_id!r}: {exc}") from None
    return target
