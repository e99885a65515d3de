"""Continue training: start a run from the final weights of an earlier run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.errors import LaminaError


class ContinueError(LaminaError, ValueError):
    """The run to continue from cannot give its weights to this model."""

    code = "continue"


def load_previous_weights(model: Any, previous: Any) -> dict[str, Any]:
    """Loads the final weights of the run `previous` into `model`.

    Args:
        model: The freshly built model of the new run.
        previous: A `Run` or the folder of a saved run.

    Returns:
        What the new run records about it: ``{"run_id", "run_dir", "epochs_run"}``.

    Raises:
        ContinueError: If the run has no weights, or its weights do not fit the model
            (the model was changed since that run).
    """
    from lamina.project import ProjectError, Run, load_run

    if not isinstance(previous, (str, Path, Run)):
        raise ContinueError(
            f"continue_from must be a run or a run folder. Received: {previous!r}",
            location="continue_from",
            hint="pass the folder of a saved run (project/runs/<id>)",
        )
    try:
        run = previous if isinstance(previous, Run) else load_run(Path(previous))
        path = run.weights_path("final")
    except ProjectError as exc:
        raise ContinueError(
            f"cannot continue from {previous}: {exc}",
            location=str(previous),
            hint="train from scratch, or choose a run that saved its weights",
        ) from None
    try:
        model.load_weights(str(path))
    except (OSError, ValueError) as exc:
        raise ContinueError(
            f"cannot continue from run {run.id}: its weights do not fit this model "
            f"(the model changed since that run: {str(exc).splitlines()[0][:200]})",
            location=str(run.path),
            hint="train from scratch (Start), or undo the changes to the model",
        ) from None
    epochs = run.info.get("epochs_run") if run.complete else None
    return {"run_id": run.id, "run_dir": str(run.path), "epochs_run": epochs}
