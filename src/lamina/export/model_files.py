"""A model saved whole: a ``.keras`` file or a TensorFlow SavedModel folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.errors import LaminaError


class ExportError(LaminaError, ValueError):
    """A model or spec cannot be exported as asked; the message names the item."""

    code = "export"


def _model_of(model_or_run: Any) -> Any:
    from lamina.inference import unwrap

    return unwrap(model_or_run).model


def export_keras(model_or_run: Any, path: str | Path) -> Path:
    """Saves the whole model as a ``.keras`` file (atomically).

    Note: models holding TensorFlow Probability layers need ``safe_mode=False`` to
    load from such a file; lamina's own project format does not.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ExportError(f"{path}: a Keras model file must end in .keras")
    model = _model_of(model_or_run)
    from lamina.atomic import atomic_path

    with atomic_path(path) as tmp:
        keras_tmp = tmp.with_suffix(".keras")
        model.save(str(keras_tmp), save_format="keras")
        keras_tmp.replace(tmp)
    return path


def export_savedmodel(model_or_run: Any, path: str | Path) -> Path:
    """Writes a TensorFlow SavedModel folder (for TF Serving, TFLite converters, ...)."""
    from lamina.keras import tf

    path = Path(path)
    if path.exists() and any(path.iterdir()):
        raise ExportError(f"{path}: the folder exists and is not empty")
    tf.saved_model.save(_model_of(model_or_run), str(path))
    return path
