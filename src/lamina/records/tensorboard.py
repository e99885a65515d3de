"""TensorBoard event files written beside a run's own files.

Every run saved in a project writes ``runs/<run-id>/tensorboard/``: per-epoch training
and validation scalars (``train/`` and ``validation/``, as Keras's own callback lays them
out, so the two curves overlay), the learning rate, the model graph (its Keras config)
and an hparams summary of the spec's parameters. ``tensorboard --logdir PROJECT`` (or
``lamina tensorboard PROJECT``) then shows every run side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

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


class TensorBoardRecord(keras.callbacks.Callback):
    """Writes a run's TensorBoard records: scalars per epoch, the graph, an hparams summary.

    Lays the files out as Keras's own TensorBoard callback does (``train/`` and
    ``validation/`` with ``epoch_<metric>`` tags), but works only at the end of an epoch:
    no batch hooks, so `fit` keeps its fast path (Keras's callback hooks every validation
    batch, which cost about 40 % per epoch on the course's model).

    Args:
        run_dir: The run folder; the events go into its ``tensorboard/`` folder.
        spec: The spec being trained (its parameters become the hparams summary).
        run_id: The run's id (the hparams trial id).
        histogram_freq: Write weight histograms every this many epochs (0: never).
            Defaults to `0`.
    """

    def __init__(self, run_dir: Path, spec: Any, run_id: str, histogram_freq: int = 0) -> None:
        super().__init__()
        self.log_dir = Path(run_dir) / TENSORBOARD_DIR
        self._spec = spec
        self._run_id = run_id
        self.histogram_freq = int(histogram_freq)
        self._writers: dict[str, Any] = {}

    def _writer(self, name: str) -> Any:
        """TensorFlow's summary writer (for the hparams summary and the graph, once)."""
        key = f"tf:{name}"
        if key not in self._writers:
            self._writers[key] = tf.summary.create_file_writer(str(self.log_dir / name))
        return self._writers[key]

    def _events(self, name: str) -> Any:
        """TensorBoard's own event writer for the scalars (plain protobuf, no TF ops)."""
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        key = f"events:{name}"
        if key not in self._writers:
            folder = self.log_dir / name
            folder.mkdir(parents=True, exist_ok=True)
            self._writers[key] = EventFileWriter(str(folder), filename_suffix=".scalars")
        return self._writers[key]

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Writes the hparams summary and the model's graph (its Keras config)."""
        from tensorboard.plugins.hparams import api as hp

        with self._writer("").as_default():
            hp.hparams(hparams_of(self._spec), trial_id=self._run_id)
        with self._writer("train").as_default():
            _write_model_graph(self.model)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Writes the epoch's scalars, with the learning rate the epoch trained at.

        The scalars are written as plain ``simple_value`` summaries by TensorBoard's own
        event writer: a few microseconds, where a ``tf.summary.scalar`` op costs about a
        millisecond each.
        """
        import time

        from tensorboard.compat.proto import event_pb2, summary_pb2

        from lamina.training.callbacks import current_learning_rate

        train: dict[str, float] = {}
        validation: dict[str, float] = {}
        for key, value in (logs or {}).items():
            if isinstance(value, (int, float, np.floating, np.integer)):
                (validation if key.startswith("val_") else train)[key.removeprefix("val_")] = float(
                    value
                )
        if "learning_rate" not in train and "lr" not in train:
            lr = current_learning_rate(self.model)
            if lr is not None:
                train["learning_rate"] = lr
        now = time.time()
        for name, values in (("train", train), ("validation", validation)):
            if not values:
                continue
            summary = summary_pb2.Summary(
                value=[
                    summary_pb2.Summary.Value(tag=f"epoch_{key}", simple_value=value)
                    for key, value in values.items()
                ]
            )
            self._events(name).add_event(
                event_pb2.Event(wall_time=now, step=int(epoch), summary=summary)
            )
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            with self._writer("train").as_default():
                for weight in self.model.weights:
                    tf.summary.histogram(weight.name.replace(":", "_"), weight, step=epoch)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Flushes and closes the event files."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def _write_model_graph(model: Any) -> None:
    """Writes the model's Keras config as TensorBoard's conceptual graph (tag ``keras``).

    TensorBoard's Graphs dashboard draws it. A model whose config cannot be written as
    JSON (some probabilistic layers) gets no graph, and the training goes on.
    """
    try:
        text = model.to_json()
    except Exception:  # noqa: BLE001 - a graph is a nicety, never a reason to fail
        return
    metadata = tf.compat.v1.SummaryMetadata()
    metadata.plugin_data.plugin_name = "graph_keras_model"
    metadata.plugin_data.content = b"1"
    tf.summary.write(tag="keras", tensor=tf.constant(text), step=0, metadata=metadata)


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
        acc = EventAccumulator(str(root / sub), size_guidance={"scalars": 0})
        acc.Reload()
        series: dict[str, list[float]] = {}
        for tag in acc.Tags().get("scalars", []):
            if tag.startswith("epoch_"):
                events = sorted(acc.Scalars(tag), key=lambda e: e.step)
                series[tag] = [float(e.value) for e in events]
        out[sub] = series
    return out
