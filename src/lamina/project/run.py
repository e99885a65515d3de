"""Saved training runs: `Run` reads a run folder, `write_run` and `write_checkpoint` write one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.atomic import atomic_write_text, atomic_write_with, remove_stale_temp_files
from lamina.project.files import (
    CHECKPOINT_FILE,
    RUN_FILE,
    WEIGHTS_BEST,
    WEIGHTS_FINAL,
    ProjectError,
    read_json,
    write_json,
)
from lamina.spec import ModelSpec, SpecError, load_spec


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
            data = read_json(self.path / RUN_FILE, "run file")
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
        data = read_json(path, "checkpoint")
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
            history = read_json(path, "history")
            if not isinstance(history, dict) or not all(
                isinstance(v, list) for v in history.values()
            ):
                raise ProjectError(
                    f"{path}: not a lamina history file (expected an object of lists); "
                    "the file was left as it is"
                )
            return history
        checkpoint = self.checkpoint
        return dict(checkpoint.get("history") or {}) if checkpoint else {}

    @property
    def metrics(self) -> dict[str, Any]:
        """Test metrics (and confusion matrix for classifiers); empty without a test split."""
        path = self.path / "metrics.json"
        return read_json(path, "metrics") if path.is_file() else {}

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
        from lamina.errors import LaminaError

        try:
            model = build_model(self.spec, compile=compile)
        except LaminaError as exc:
            if isinstance(exc, ProjectError):
                raise
            raise ProjectError(str(exc), location=str(self.path / "spec.json")) from None
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

    Temporary files that killed saves left in the folder are removed.

    Raises:
        ProjectError: If the folder is missing or the run was not completely saved.
    """
    path = Path(path)
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    remove_stale_temp_files(path)
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
    write_json(run_dir / "history.json", history or {})
    write_json(run_dir / "metrics.json", metrics or {})
    atomic_write_text(run_dir / "log.txt", log)
    write_json(run_dir / RUN_FILE, info)
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
    write_json(run_dir / CHECKPOINT_FILE, checkpoint)
    return path
