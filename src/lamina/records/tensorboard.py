"""TensorBoard event files written beside a run's own files.

Every run saved in a project writes ``runs/<run-id>/tensorboard/``: per-epoch training
and validation scalars (``train/`` and ``validation/``, as Keras's own callback lays them
out, so the two curves overlay), the learning rate, the model graph and an hparams
summary of the spec's parameters. ``tensorboard --logdir PROJECT`` (or
``lamina tensorboard PROJECT``) then shows every run side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.keras import keras, tf

#: The folder inside a run that holds its event files.
TENSORBOARD_DIR = "tensorboard"


def hparams_of(spec: Any) -> dict[str, bool | int | float | str]:
    """The spec's parameters as TensorBoard hparams: ``{"layers[1].params.units": 128, ...}``.

    Every leaf of the spec is kept; lists and `None` become text, as hparams take only
    scalars.

    Args:
        spec: A `ModelSpec`.
    """
    from lamina.compare import flatten_spec

    out: dict[str, bool | int | float | str] = {}
    for path, value in flatten_spec(spec).items():
        if path in ("spec_version", "description"):
            continue
        if isinstance(value, (bool, int, float, str)):
            out[path] = value
        else:
            out[path] = "none" if value is None else repr(value)
    return out


class TensorBoardRecord(keras.callbacks.TensorBoard):
    """Keras's TensorBoard callback, plus the learning rate every epoch and an hparams summary.

    Args:
        run_dir: The run folder; the events go into its ``tensorboard/`` folder.
        spec: The spec being trained (its parameters become the hparams summary).
        run_id: The run's id (the hparams trial id).
        histogram_freq: Write weight histograms every this many epochs (0: never).
            Defaults to `0`.
    """

    def __init__(self, run_dir: Path, spec: Any, run_id: str, histogram_freq: int = 0) -> None:
        super().__init__(
            log_dir=str(Path(run_dir) / TENSORBOARD_DIR),
            histogram_freq=histogram_freq,
            write_graph=True,
            write_steps_per_second=False,
            update_freq="epoch",
            profile_batch=0,
        )
        self._spec = spec
        self._run_id = run_id

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Writes the hparams summary, then lets Keras set up its writers and the graph."""
        from tensorboard.plugins.hparams import api as hp

        writer = tf.summary.create_file_writer(self.log_dir)
        with writer.as_default():
            hp.hparams(hparams_of(self._spec), trial_id=self._run_id)
        writer.close()
        super().on_train_begin(logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Writes the epoch's scalars, with the learning rate the epoch trained at."""
        from lamina.training.callbacks import current_learning_rate

        if getattr(self, "_should_write_train_graph", False):
            # Keras writes the train graph from a batch hook that it calls only when
            # profiling; lamina writes it once, after the first epoch traced it.
            self._write_keras_model_train_graph()
            self._should_write_train_graph = False
        logs = dict(logs or {})
        if "learning_rate" not in logs and "lr" not in logs:
            lr = current_learning_rate(self.model)
            if lr is not None:
                logs["learning_rate"] = lr
        super().on_epoch_end(epoch, logs)


def read_scalars(run_dir: str | Path) -> dict[str, dict[str, list[float]]]:
    """Reads a run's TensorBoard scalars back: ``{"train": {"epoch_loss": [...]}, ...}``.

    Uses TensorBoard's own event reader; values are ordered by step.

    Args:
        run_dir: The run folder (or its ``tensorboard/`` folder).
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    root = Path(run_dir)
    if (root / TENSORBOARD_DIR).is_dir():
        root = root / TENSORBOARD_DIR
    out: dict[str, dict[str, list[float]]] = {}
    for sub in ("train", "validation"):
        if not (root / sub).is_dir():
            continue
        acc = EventAccumulator(str(root / sub), size_guidance={"tensors": 0})
        acc.Reload()
        series: dict[str, list[float]] = {}
        for tag in acc.Tags().get("tensors", []):
            if not tag.startswith("epoch_"):
                continue  # the graph and the model summary
            events = sorted(acc.Tensors(tag), key=lambda e: e.step)
            series[tag] = [float(tf.make_ndarray(e.tensor_proto)) for e in events]
        out[sub] = series
    return out
