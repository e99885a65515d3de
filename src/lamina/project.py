"""Projects: a folder holding a spec and the runs trained from it.

Layout::

    my-project/
      project.json              {"format": "lamina-project", "name", "created", "spec"}
      runs/<run-id>/
        spec.json               the spec as trained
        weights.final.h5        weights at the end (best epoch if early stopping restored it)
        weights.best.h5         weights of the best epoch
        history.json            per-epoch metrics
        metrics.json            test metrics, confusion matrix
        run.json                device, seed, versions, timings, data, standardiser, status
        log.txt                 the run's log
        checkpoint.json         only while training: the best epoch written so far

Only weights and JSON are stored, never pickled code, so opening a project from a
stranger cannot run code; models are rebuilt from the spec. Every file is written
atomically (temporary file + rename), and ``run.json`` is written last: a run folder
without it is an interrupted run or save and is listed as incomplete, not loaded by
`load_run`. While a run trains, the best weights so far are checkpointed
(``spec.json``, ``weights.best.h5``, ``checkpoint.json``), so a run interrupted by a
crash or a kill keeps them: ``Run(path).model("best")`` rebuilds that model.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lamina.atomic import atomic_write_text, atomic_write_with
from lamina.errors import LaminaError
from lamina.jsonutil import json_default
from lamina.spec import ModelSpec, SpecError, load_spec, parse_spec

PROJECT_FILE = "project.json"
PROJECT_FORMAT = "lamina-project"
PROJECT_FORMAT_VERSION = 1
RUNS_DIR = "runs"
RUN_FILE = "run.json"
WEIGHTS_FINAL = "weights.final.h5"
WEIGHTS_BEST = "weights.best.h5"
CHECKPOINT_FILE = "checkpoint.json"


class ProjectError(LaminaError, ValueError):
    """A project or run folder is missing, corrupt or not lamina's. The message names the file."""

    code = "project"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise ProjectError(f"{path}: {what} not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: cannot read {what}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"{path}: corrupt {what} (malformed JSON at line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); the file was left as it is"
        ) from None


def _write_json(path: Path, data: Any) -> Path:
    return atomic_write_text(path, json.dumps(data, indent=2, default=json_default) + "\n")


# -- runs -------------------------------------------------------------------------------


class Run:
    """A saved training run, read lazily from its folder.

    Use `load_run` to open one. `model()` rebuilds the network from ``spec.json`` and
    loads the saved weights (no code is deserialised).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.id = self.path.name
        self._info: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"Run({str(self.path)!r}, status={self.status!r})"

    @property
    def complete(self) -> bool:
        """True if the run was fully saved (``run.json`` exists)."""
        return (self.path / RUN_FILE).is_file()

    @property
    def info(self) -> dict[str, Any]:
        """The contents of ``run.json``."""
        if self._info is None:
            data = _read_json(self.path / RUN_FILE, "run file")
            if not isinstance(data, dict):
                raise ProjectError(
                    f"{self.path / RUN_FILE}: not a lamina run file (expected an object)"
                )
            self._info = data
        return self._info

    @property
    def status(self) -> str:
        """``"finished"``, ``"cancelled"``, ``"failed"``, or ``"incomplete"`` (interrupted)."""
        if not self.complete:
            return "incomplete"
        return str(self.info.get("status", "unknown"))

    @property
    def checkpoint(self) -> dict[str, Any] | None:
        """What an interrupted run had checkpointed, or None.

        ``{"best_epoch", "monitor", "best", "epochs_done", "saved", "history"}``; the
        weights of ``best_epoch`` are in ``weights.best.h5`` (``model("best")``). A run
        that ended normally has no checkpoint: its files say everything.
        """
        path = self.path / CHECKPOINT_FILE
        if self.complete or not path.is_file():
            return None
        data = _read_json(path, "checkpoint")
        if not isinstance(data, dict):
            raise ProjectError(f"{path}: not a lamina checkpoint (expected an object)")
        return data

    @property
    def spec(self) -> ModelSpec:
        """The spec as trained."""
        path = self.path / "spec.json"
        if not path.is_file():
            raise ProjectError(f"{path}: spec not found")
        try:
            return load_spec(path)
        except SpecError as exc:
            raise ProjectError(str(exc)) from None

    @property
    def history(self) -> dict[str, list[float]]:
        """Per-epoch metrics: ``{"loss": [...], "val_loss": [...], ...}``."""
        path = self.path / "history.json"
        if path.is_file():
            return _read_json(path, "history")
        checkpoint = self.checkpoint
        return dict(checkpoint.get("history") or {}) if checkpoint else {}

    @property
    def metrics(self) -> dict[str, Any]:
        """Test metrics (and confusion matrix for classifiers); empty without a test split."""
        path = self.path / "metrics.json"
        return _read_json(path, "metrics") if path.is_file() else {}

    @property
    def log(self) -> str:
        """The text of ``log.txt``."""
        path = self.path / "log.txt"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def standardizer(self) -> Any:
        """The standardiser fitted on the run's training data, or None."""
        data = self.info.get("standardizer") if self.complete else None
        if not data:
            return None
        from lamina.data.standardize import Standardizer

        return Standardizer.from_dict(data)

    def weights_path(self, which: str = "final") -> Path:
        """The path of the final or best weights."""
        if which not in ("final", "best"):
            raise ValueError(f"which must be 'final' or 'best'. Received: which={which!r}")
        path = self.path / (WEIGHTS_FINAL if which == "final" else WEIGHTS_BEST)
        if not path.is_file() and which == "best":
            path = self.path / WEIGHTS_FINAL
        if not path.is_file():
            raise ProjectError(f"{path}: weights not found (the run saved no weights)")
        return path

    def model(self, which: str = "final", compile: bool = True) -> Any:
        """Rebuilds the model from the spec and loads the saved weights.

        Args:
            which: ``"final"`` or ``"best"`` weights. Defaults to `"final"`.
            compile: Compile with the spec's loss, optimizer and metrics.
        """
        from lamina.build import build_model

        model = build_model(self.spec, compile=compile)
        path = self.weights_path(which)
        try:
            model.load_weights(str(path))
        except (OSError, ValueError) as exc:
            raise ProjectError(
                f"{path}: cannot load the weights into the spec's model: {exc}"
            ) from None
        return model


def load_run(path: str | Path) -> Run:
    """Opens a saved run folder (``<project>/runs/<run-id>``).

    Raises:
        ProjectError: If the folder is missing or the run was not completely saved.
    """
    path = Path(path)
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    run = Run(path)
    if not run.complete:
        checkpoint = run.checkpoint
        kept = (
            f"; its best weights so far (epoch {int(checkpoint.get('best_epoch', 0)) + 1}) "
            f"are in {path / WEIGHTS_BEST}: Run({str(path)!r}).model('best') rebuilds them"
            if checkpoint and (path / WEIGHTS_BEST).is_file()
            else ""
        )
        raise ProjectError(
            f"{path / RUN_FILE}: not found; the run was interrupted before it was saved{kept}"
        )
    _ = run.info
    return run


def write_run(
    run_dir: Path,
    spec: ModelSpec,
    info: dict[str, Any],
    history: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    log: str = "",
    model: Any = None,
    best_weights: list[Any] | None = None,
) -> dict[str, Path]:
    """Writes a run's files atomically, ``run.json`` last; returns the weight paths written."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    atomic_write_text(run_dir / "spec.json", spec.to_json() + "\n")
    if model is not None:
        atomic_write_with(
            run_dir / WEIGHTS_FINAL, lambda p: model.save_weights(str(p), save_format="h5")
        )
        written["final"] = run_dir / WEIGHTS_FINAL
        if best_weights is not None:
            final = model.get_weights()
            model.set_weights(best_weights)
            try:
                atomic_write_with(
                    run_dir / WEIGHTS_BEST, lambda p: model.save_weights(str(p), save_format="h5")
                )
            finally:
                model.set_weights(final)
        else:
            atomic_write_with(
                run_dir / WEIGHTS_BEST, lambda p: model.save_weights(str(p), save_format="h5")
            )
        written["best"] = run_dir / WEIGHTS_BEST
    _write_json(run_dir / "history.json", history or {})
    _write_json(run_dir / "metrics.json", metrics or {})
    atomic_write_text(run_dir / "log.txt", log)
    _write_json(run_dir / RUN_FILE, info)
    (run_dir / CHECKPOINT_FILE).unlink(missing_ok=True)
    return written


def write_checkpoint(
    run_dir: Path, spec: ModelSpec, model: Any, checkpoint: dict[str, Any]
) -> Path:
    """Writes the best weights so far of a run in training; returns the weights' path.

    Writes ``spec.json`` (once), ``weights.best.h5`` from `model` (which holds the best
    weights when this is called) and ``checkpoint.json``, each atomically. `write_run`
    removes ``checkpoint.json`` when the run is saved.
    """
    run_dir = Path(run_dir)
    if not (run_dir / "spec.json").is_file():
        atomic_write_text(run_dir / "spec.json", spec.to_json() + "\n")
    path = run_dir / WEIGHTS_BEST
    atomic_write_with(path, lambda p: model.save_weights(str(p), save_format="h5"))
    _write_json(run_dir / CHECKPOINT_FILE, checkpoint)
    return path


# -- projects ---------------------------------------------------------------------------


@dataclass
class Project:
    """A project folder. Create with `create_project`, open with `load_project`."""

    path: Path
    name: str
    spec: ModelSpec | None = None
    created: str = field(default_factory=_now)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.path / PROJECT_FILE

    @property
    def runs_dir(self) -> Path:
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
        return _write_json(self.file, self.to_dict())

    def set_spec(self, spec: Any) -> None:
        """Replaces the project's spec and saves."""
        self.spec = load_spec(spec)
        self.save()

    def runs(self, include_incomplete: bool = False) -> list[Run]:
        """The saved runs, oldest first (interrupted saves only if `include_incomplete`)."""
        if not self.runs_dir.is_dir():
            return []
        runs = [
            Run(p)
            for p in sorted(self.runs_dir.iterdir())
            if p.is_dir() and not p.name.startswith(".")
        ]
        return [r for r in runs if include_incomplete or r.complete]

    def run(self, run_id: str) -> Run:
        """Opens the run called `run_id`."""
        return load_run(self.runs_dir / run_id)

    def latest_run(self) -> Run | None:
        """The most recent complete run, or None."""
        runs = self.runs()
        return runs[-1] if runs else None

    def new_run_dir(self, label: str = "") -> Path:
        """Creates and returns an empty, uniquely named run folder."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
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
    data = _read_json(file, "project file")
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


def find_run(path: str | Path, run_id: str | None = None) -> Run:
    """Opens a run from a path: a run folder, or a project folder and a run of it.

    Args:
        path: A run folder (``<project>/runs/<run-id>``) or a project folder.
        run_id: With a project folder, the run to open. Defaults to its latest run.

    Raises:
        ProjectError: If there is no such run, or the project has no saved run yet.
    """
    path = Path(path)
    if path.name == PROJECT_FILE and path.is_file():
        path = path.parent
    if run_id is None and not (path / PROJECT_FILE).is_file():
        return load_run(path)
    project = load_project(path)
    run = project.run(run_id) if run_id else project.latest_run()
    if run is None:
        raise ProjectError(f"{path}: the project has no saved runs yet")
    return run
