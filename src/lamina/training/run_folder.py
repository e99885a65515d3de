"""A run's folder in a project: created once the run can start, written when it ends.

While the run trains, the best weights so far are checkpointed into it, so a crash or
a killed process keeps them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lamina.spec import ModelSpec
from lamina.training.events import CheckpointSaved
from lamina.training.run_log import RunLog


def existing_project(project: Any) -> Any:
    """The `Project` at `project` if there is one (a damaged file raises), else None."""
    from lamina.project import PROJECT_FILE, Project, load_project

    if project is None or isinstance(project, Project):
        return project
    return load_project(project) if (Path(project) / PROJECT_FILE).exists() else None


def new_run_dir(proj: Any, project: Any, spec: ModelSpec, label: str | None) -> Path:
    """Creates the run folder (and the project, if `project` names a folder without one)."""
    from lamina.project import Project, open_project

    if not isinstance(project, Project):
        proj = open_project(project, spec=spec)  # sets the spec of a project without one
    return proj.new_run_dir(label or spec.name)


def save_checkpoint(
    run_dir: Path,
    spec: ModelSpec,
    model: Any,
    emit: RunLog,
    best_epoch: int,
    best: Any,
    events: Any,
) -> None:
    """Writes the best weights so far (``weights.best.h5`` + ``checkpoint.json``).

    Args:
        run_dir: The run folder.
        spec: The spec as trained.
        model: The model, holding the best weights.
        emit: The run log (a `CheckpointSaved` event is sent).
        best_epoch: The epoch the weights are from (0-based).
        best: The `BestWeights` callback (its monitor and best value).
        events: The `EventCallback` (epochs done, history so far).
    """
    from lamina.project import write_checkpoint

    path = write_checkpoint(
        run_dir,
        spec,
        model,
        {
            "best_epoch": best_epoch,
            "monitor": best.monitor,
            "best": best.best,
            "epochs_done": events.last_epoch + 1,
            "saved": datetime.now(UTC).isoformat(timespec="seconds"),
            "history": events.history,
        },
    )
    emit(CheckpointSaved(path=str(path), epoch=best_epoch, which="best"))


def save_run(
    run_dir: Path,
    spec: ModelSpec,
    info: dict[str, Any],
    history: dict[str, Any],
    metrics: dict[str, Any],
    emit: RunLog,
    model: Any,
    best_weights: list[Any] | None,
) -> None:
    """Writes the run's files (no model: a failed run keeps its record only)."""
    from lamina.project import write_run

    log = emit.text()
    written = write_run(
        run_dir,
        spec,
        info,
        history=history,
        metrics=metrics,
        log=log,
        model=model,
        best_weights=best_weights,
    )
    epoch = max(int(info.get("epochs_run", 0)) - 1, 0)
    for which, path in written.items():
        emit(
            CheckpointSaved(
                path=str(path),
                epoch=int(info.get("best_epoch", epoch)) if which == "best" else epoch,
                which=which,
            )
        )
