"""A model saved whole: a ``.keras`` file or a TensorFlow SavedModel folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.errors import LaminaError


class ExportError(LaminaError, ValueError):
    """A model or spec cannot be exported as asked; the message names the item."""

    code = "export"


def _model_of(model_or_run: Any) -> Any:
    """The tf_keras model of a model, a `Run`, a `RunResult` or a run folder."""
    from lamina.inference import unwrap

    if isinstance(model_or_run, (str, Path)):
        if not _is_dir(model_or_run):
            raise ExportError(
                f"{str(model_or_run)[:200]!r} is not a run folder (expected a model, a run "
                "or a run folder)",
                hint="e.g. lamina.export_keras(lamina.load_run('proj/runs/run-1'), 'model.keras')",
            )
        from lamina.project import load_run

        model_or_run = load_run(model_or_run)
    model = unwrap(model_or_run).model
    if not hasattr(model, "save"):
        raise ExportError(
            f"expected a model, a run or a run folder, got {type(model_or_run).__name__} "
            f"{str(model_or_run)[:200]!r}",
            hint="e.g. lamina.export_keras(lamina.load_run('proj/runs/run-1'), 'model.keras')",
        )
    return model


def _is_dir(path: str | Path) -> bool:
    """True for an existing folder; False for anything else, a name too long included."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def export_keras(model_or_run: Any, path: str | Path) -> Path:
    """Saves the whole model as a ``.keras`` file (atomically).

    Note: models holding TensorFlow Probability layers need ``safe_mode=False`` to
    load from such a file (``lamina.load_model(path, unsafe=True)``); lamina's own
    project format does not.

    Args:
        model_or_run: A tf_keras model, a `Run`, a `RunResult` or a run folder.
        path: The ``.keras`` file to write.

    Raises:
        ExportError: If `path` does not end in ``.keras`` or `model_or_run` is not a
            model, a run or a run folder.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ExportError(f"{path}: a Keras model file must end in .keras")
    model = _model_of(model_or_run)
    from lamina.atomic import atomic_path

    with atomic_path(path) as tmp:
        keras_tmp = tmp.parent / f"{tmp.name}.keras"  # removed with tmp if the save fails
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
