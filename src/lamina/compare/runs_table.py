"""The run table: one row per run of a project, read from its files without TensorFlow."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamina.compare.spec_diff import differing_paths, flatten_spec
from lamina.errors import LaminaError
from lamina.project import PROJECT_FILE, ProjectError, Run, load_project
from lamina.run_columns import COLUMNS
from lamina.spec import ModelSpec

#: Substrings of metric names where lower is better (others: higher is better).
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "crossentropy", "nll")


def lower_is_better(metric: str) -> bool:
    """True for losses and errors (``val_loss``, ``mae``), False for scores (``accuracy``)."""
    name = metric.lower()
    return any(part in name for part in _LOWER_IS_BETTER)


@dataclass
class RunRow:
    """One run of a project as a row of the run table.

    Args:
        run: The run's id (its folder name).
        path: The run folder.
        date: When it started (ISO 8601), or ``""``.
        status: ``"finished"``, ``"cancelled"``, ``"failed"`` or ``"incomplete"``.
        spec_name: The name of the spec it trained.
        spec: The spec as trained, or `None` if the run has none.
        best_val: The best value of each validation metric in its history.
        best_epoch: The epoch (1-based) of each best validation value.
        test: The test metrics (numbers only; the sample count ``n`` left out).
        epochs: Epochs trained.
        seconds: The run's wall time, or `None`.
        device: The device it trained on.
        reason: Why it failed or was cancelled.
        changed: The values of the parameters that differ between the table's runs
            (filled by `run_table`).
    """

    run: str
    path: Path
    date: str = ""
    status: str = "incomplete"
    spec_name: str = ""
    spec: ModelSpec | None = None
    best_val: dict[str, float] = field(default_factory=dict)
    best_epoch: dict[str, int] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    epochs: int = 0
    seconds: float | None = None
    device: str = ""
    reason: str = ""
    changed: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Returns the row as plain JSON-serialisable data."""
        return {
            "run": self.run,
            "path": str(self.path),
            "date": self.date,
            "status": self.status,
            "spec": self.spec_name,
            "changed": self.changed,
            "best_val": self.best_val,
            "best_epoch": self.best_epoch,
            "test": self.test,
            "epochs": self.epochs,
            "seconds": self.seconds,
            "device": self.device,
            "reason": self.reason,
        }

    def sort_key(self, column: str) -> tuple[int, Any]:
        """A key that sorts the table by `column` (rows without a value last)."""
        if column not in COLUMNS:
            raise LaminaError(
                f"unknown column {column!r}",
                location="--sort",
                hint=f"choose one of {', '.join(COLUMNS)}",
                code="usage",
            )
        value: Any = {
            "run": self.run,
            "date": self.date,
            "status": self.status,
            "spec": self.spec_name,
            "changed": str(self.changed),
            "best_val": self.headline_val()[1],
            "test": next(iter(self.test.values()), None),
            "epochs": self.epochs,
            "seconds": self.seconds,
            "device": self.device,
        }[column]
        if (
            column == "best_val"
            and value is not None
            and not lower_is_better(self.headline_val()[0])
        ):
            value = -value  # best first
        return (value is None, value if value is not None else 0)

    def headline_val(self) -> tuple[str, float | None]:
        """The validation metric the table shows: a score if there is one, else the loss."""
        scores = [k for k in self.best_val if not lower_is_better(k)]
        name = scores[0] if scores else ("val_loss" if "val_loss" in self.best_val else "")
        if not name and self.best_val:
            name = next(iter(self.best_val))
        return name, self.best_val.get(name)


def _numbers(data: Any) -> dict[str, float]:
    if not isinstance(data, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in data.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def best_values(history: Mapping[str, Sequence[Any]]) -> tuple[dict[str, float], dict[str, int]]:
    """The best value and its 1-based epoch of every ``val_`` metric in `history`."""
    best: dict[str, float] = {}
    epoch: dict[str, int] = {}
    for name, values in history.items():
        if not name.startswith("val_") or not isinstance(values, (list, tuple)):
            continue
        finite = [
            (i, float(v))
            for i, v in enumerate(values)
            if isinstance(v, (int, float)) and math.isfinite(float(v))
        ]
        if not finite:
            continue
        pick = min if lower_is_better(name) else max
        i, v = pick(finite, key=lambda iv: iv[1])
        best[name], epoch[name] = v, i + 1
    return best, epoch


def read_row(path: str | Path) -> RunRow:
    """Reads one run folder into a `RunRow` (an interrupted or broken run too).

    Raises:
        ProjectError: If the folder does not exist.
    """
    path = Path(path)
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    run = Run(path)
    row = RunRow(run=run.id, path=path)
    info: dict[str, Any] = {}
    if run.complete:
        try:
            info = run.info
        except ProjectError as exc:
            row.status, row.reason = "broken", str(exc)
            return row
        row.status = str(info.get("status", "unknown"))
    row.reason = str(info.get("reason") or "")
    row.date = str(info.get("created") or "")
    device = info.get("device")
    row.device = str(device.get("device", "")) if isinstance(device, dict) else str(device or "")
    seconds = (info.get("timings") or {}).get("total_seconds")
    row.seconds = float(seconds) if isinstance(seconds, (int, float)) else None
    try:
        row.spec = run.spec
        row.spec_name = row.spec.name
    except ProjectError as exc:
        row.reason = row.reason or str(exc)
    try:
        history = run.history
    except ProjectError:
        history = {}
    row.epochs = int(info.get("epochs_run") or max((len(v) for v in history.values()), default=0))
    row.best_val, row.best_epoch = best_values(history)
    try:
        row.test = {k: v for k, v in _numbers(run.metrics).items() if k != "n"}
    except ProjectError:
        row.test = {}
    return row


def run_table(project: str | Path, sort: str | None = None) -> list[RunRow]:
    """The rows of every run of a project (interrupted runs included), oldest first.

    Each row's `changed` holds the parameters that differ between the project's runs.

    Args:
        project: The project folder (or its ``project.json``).
        sort: A column of `COLUMNS` to sort by. Defaults to the run order.

    Raises:
        ProjectError: If `project` is not a lamina project.
    """
    proj = load_project(project)
    rows = [read_row(run.path) for run in proj.runs(include_incomplete=True)]
    fill_changed(rows)
    if sort:
        rows.sort(key=lambda r: r.sort_key(sort))
    return rows


def fill_changed(rows: Sequence[RunRow]) -> list[str]:
    """Sets each row's `changed` to its values of the parameters that differ between rows.

    Returns:
        The differing parameter paths, in spec order.
    """
    flats = [flatten_spec(r.spec) if r.spec is not None else {} for r in rows]
    differing = differing_paths(flats)
    for row, flat in zip(rows, flats, strict=True):
        row.changed = {p: flat.get(p) for p in differing if row.spec is not None}
    return differing


def resolve_run_path(text: str | Path) -> Path:
    """A run folder from a path: the folder itself, or ``PROJECT/RUN_ID``.

    Raises:
        ProjectError: If `text` is no run folder (a project folder is named as such).
    """
    path = Path(text)
    if (path / PROJECT_FILE).is_file():
        raise ProjectError(
            f"{path}: this is a project folder; name its runs (see `lamina runs {path}`)"
        )
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    return path
