"""What a run continued from (``run.json``'s ``continued_from``), as the app shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def continued_from(run_dir: str | Path | None) -> dict[str, Any] | None:
    """The ``continued_from`` record of the run saved in `run_dir` (None if it started
    from fresh weights, or cannot be read)."""
    if not run_dir:
        return None
    from lamina.project import ProjectError, Run

    try:
        record = Run(Path(run_dir)).info.get("continued_from")
    except (ProjectError, OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("run_id") else None


def continued_text(run_dir: str | Path | None) -> str:
    """``"continued from run 20261201-1430 (after its 6 epochs)"``, or ``""``."""
    record = continued_from(run_dir)
    if record is None:
        return ""
    epochs = record.get("epochs_run")
    after = f" (after its {epochs} epochs)" if isinstance(epochs, int) else ""
    return f"continued from run {record['run_id']}{after}"


def epoch_offset(run_dir: str | Path | None, depth: int = 20) -> int:
    """The epochs trained before the run's first epoch: those of the run it continued
    from, and of the runs that one continued from (0 for a run from fresh weights)."""
    record = continued_from(run_dir)
    if record is None or depth <= 0:
        return 0
    epochs = record.get("epochs_run")
    before = epoch_offset(record.get("run_dir"), depth - 1) if record.get("run_dir") else 0
    return before + (int(epochs) if isinstance(epochs, int) else 0)
