"""MLflow records (optional extra ``lamina[mlflow]``): a lamina run as an MLflow run.

With ``lamina train --mlflow`` (or ``lamina.train(..., mlflow=True)``) each run is logged
to MLflow: the spec's parameters (flattened: ``layers.1.params.units``, as MLflow names
may not hold brackets), per-epoch
metrics with ``step = epoch``, tags (lamina version, dataset, run id, search and trial
when the run belongs to one) and artifacts (``spec.json``, the stand-alone script, the
``.keras`` model as a plain file, the overlaid training curves as PNG).

The default tracking store is a SQLite database in the project folder
(``PROJECT/mlflow.db``, artifacts in ``PROJECT/mlartifacts``); ``MLFLOW_TRACKING_URI`` or
an explicit URI (``--mlflow-uri``) is honoured. MLflow failing never fails the training:
the first failure is reported once (a log line and a `RunLog` event) and logging stops.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lamina.errors import LaminaError

#: The install command named when the extra is missing.
INSTALL = "pip install 'lamina[mlflow]'"
#: The experiment's SQLite file and artifact folder inside a project.
DB_FILE = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"


def require_mlflow() -> Any:
    """Imports MLflow, or raises one clear error with the install command.

    Raises:
        LaminaError: If the ``mlflow`` extra is not installed.
    """
    try:
        import mlflow
    except ImportError:
        raise LaminaError(
            "MLflow logging needs the mlflow extra, which is not installed",
            location="--mlflow",
            hint=INSTALL,
            code="missing-package",
        ) from None
    return mlflow


def mlflow_key(path: str) -> str:
    """A spec path as an MLflow name (no brackets): ``layers[1].units`` -> ``layers.1.units``."""
    return path.replace("[", ".").replace("]", "")


def tracking_uri(project_dir: str | Path, uri: str | None = None) -> str:
    """The tracking URI: `uri`, else ``$MLFLOW_TRACKING_URI``, else the project's SQLite file."""
    if uri:
        return uri
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    return f"sqlite:///{Path(project_dir).resolve() / DB_FILE}"


class MlflowRecorder:
    """Logs one lamina run to MLflow; every call after a failure is a no-op.

    Args:
        project_dir: The project folder (the default store and the experiment's name).
        uri: A tracking URI. Defaults to `tracking_uri`'s choice.
        report: Called once with a message if MLflow fails.
    """

    def __init__(
        self,
        project_dir: str | Path,
        uri: str | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        self.mlflow = require_mlflow()
        self.project_dir = Path(project_dir).resolve()
        self.uri = tracking_uri(self.project_dir, uri)
        self.report = report or (lambda message: None)
        self.client: Any = None
        self.run_id: str | None = None
        self.failed = False

    def _guard(self, what: str, fn: Callable[[], Any]) -> Any:
        if self.failed:
            return None
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - MLflow never fails a training
            self.failed = True
            self.report(
                f"MLflow logging stopped ({what} failed: {type(exc).__name__}: {exc}); "
                f"the run itself is saved as usual (tracking URI {self.uri})"
            )
            return None

    def start(self, spec: Any, run_id: str, tags: dict[str, str]) -> None:
        """Creates the MLflow run with the spec's parameters and the tags."""

        def start() -> None:
            from lamina.records.tensorboard import hparams_of

            client = self.mlflow.MlflowClient(tracking_uri=self.uri)
            name = self.project_dir.name
            experiment = client.get_experiment_by_name(name)
            if experiment is None:
                location = (self.project_dir / ARTIFACTS_DIR).as_uri()
                experiment_id = client.create_experiment(name, artifact_location=location)
            else:
                experiment_id = experiment.experiment_id
            run = client.create_run(experiment_id, run_name=run_id, tags=tags)
            params = [
                self.mlflow.entities.Param(mlflow_key(k), str(v)[:6000])
                for k, v in hparams_of(spec).items()
            ]
            for i in range(0, len(params), 100):
                client.log_batch(run.info.run_id, params=params[i : i + 100])
            self.client, self.run_id = client, run.info.run_id

        self._guard("starting the run", start)

    def log_epoch(self, epoch: int, logs: dict[str, Any]) -> None:
        """Logs one epoch's metrics with ``step = epoch`` (0-based, as Keras counts)."""
        if self.run_id is None:
            return

        def log() -> None:
            import time

            now = int(time.time() * 1000)
            metrics = [
                self.mlflow.entities.Metric(str(k), float(v), now, int(epoch))
                for k, v in logs.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            ]
            if metrics:
                self.client.log_batch(self.run_id, metrics=metrics)

        self._guard("logging an epoch", log)

    def finish(self, run_dir: Path | None, status: str, model: Any, test: dict[str, Any]) -> None:
        """Logs the test metrics and the artifacts, and ends the run with its status."""
        if self.run_id is None:
            return

        def finish() -> None:
            numbers = {
                f"test_{k}": float(v)
                for k, v in test.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "n"
            }
            for key, value in numbers.items():
                self.client.log_metric(self.run_id, key, value)
            if run_dir is not None:
                self._artifacts(Path(run_dir), model)
            state = {"finished": "FINISHED", "cancelled": "KILLED"}.get(status, "FAILED")
            self.client.set_terminated(self.run_id, state)

        self._guard("finishing the run", finish)

    def _artifacts(self, run_dir: Path, model: Any) -> None:
        for name in ("spec.json", "history.json", "metrics.json", "run.json"):
            if (run_dir / name).is_file():
                self.client.log_artifact(self.run_id, str(run_dir / name))
        with tempfile.TemporaryDirectory(prefix="lamina-mlflow-") as tmp:
            out = Path(tmp)
            from lamina.compare import plot_curves

            if (run_dir / "history.json").is_file():
                plot_curves([run_dir], out / "training_curves.png")
            try:
                from lamina.export import export_python

                export_python(run_dir / "spec.json", out / "train_model.py")
            except LaminaError as exc:  # a spec plain Keras cannot express
                self.report(f"MLflow: no stand-alone script for this run ({exc})")
            if model is not None:
                from lamina.export import export_keras

                export_keras(model, out / "model.keras")
            for path in sorted(out.iterdir()):
                self.client.log_artifact(self.run_id, str(path))


def mlflow_callback(recorder: MlflowRecorder) -> Any:
    """A Keras callback that hands each epoch's logs to `recorder`."""
    from lamina.keras import keras

    class _MlflowEpochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            recorder.log_epoch(epoch, dict(logs or {}))

    return _MlflowEpochs()
