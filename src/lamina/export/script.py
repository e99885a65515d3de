"""A stand-alone tf_keras script that rebuilds and trains a spec (no lamina import).

Useful to share a model with someone who does not use lamina, or to see the Keras code
behind a spec.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

from lamina.atomic import atomic_write_text
from lamina.export.keras_code import KerasCodeWriter
from lamina.export.script_template import SCRIPT_TEMPLATE
from lamina.registry import Registry
from lamina.spec import ModelSpec, load_spec


def _spec_of(spec_or_run: Any) -> ModelSpec:
    if isinstance(spec_or_run, ModelSpec):
        return spec_or_run
    spec = getattr(spec_or_run, "spec", None)
    if isinstance(spec, ModelSpec):
        return spec
    from lamina.build import SPEC_ATTRIBUTE

    stored = getattr(spec_or_run, SPEC_ATTRIBUTE, None)
    if stored is not None:
        return stored
    return load_spec(spec_or_run)


def _docstring_text(text: str) -> str:
    """Returns `text` as it can stand in the script's docstring without ending or escaping it.

    Plain names stay as they are; any other text is shown as its Python ``repr``, escaped
    for the docstring, so quotes, backslashes and newlines are data, never code.
    """
    if re.fullmatch(r"[\w .,:+-]*", text, flags=re.ASCII):
        return text
    return repr(text).replace("\\", "\\\\").replace('"', '\\"')


def generate_python(
    spec_or_run: Any, registry: Registry | None = None, script_name: str = "model.py"
) -> str:
    """Returns the text of a stand-alone tf_keras script that builds and trains the spec.

    Raises:
        ExportError: Naming the item that plain Keras cannot express.
    """
    import lamina
    from lamina.plugins import get_registry
    from lamina.training.targets import uses_one_hot

    spec = _spec_of(spec_or_run)
    registry = registry or get_registry()
    writer = KerasCodeWriter(spec, registry)
    model_code = writer.model_code()
    compile_code = writer.compile_code()
    ts = spec.training
    cb: list[str] = []
    if ts.early_stopping is not None:
        es = ts.early_stopping
        monitor = es.monitor if ts.validation_split > 0 else es.monitor.removeprefix("val_")
        cb.append(
            f"callbacks.append(keras.callbacks.EarlyStopping(monitor={monitor!r}, patience={es.patience}, "  # noqa: E501
            f"min_delta={es.min_delta}, restore_best_weights={es.restore_best_weights}))"
        )
    if ts.reduce_lr_on_plateau is not None:
        rl = ts.reduce_lr_on_plateau
        monitor = rl.monitor if ts.validation_split > 0 else rl.monitor.removeprefix("val_")
        cb.append(
            f"callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor={monitor!r}, factor={rl.factor}, "  # noqa: E501
            f"patience={rl.patience}, min_lr={rl.min_lr}))"
        )
    cb.append("callbacks.append(keras.callbacks.TerminateOnNaN())")
    n_out = None
    last = spec.layers[-1].params if spec.layers else {}
    if isinstance(last.get("units"), int):
        n_out = last["units"]
    text = SCRIPT_TEMPLATE.format(
        name=_docstring_text(spec.name),
        version=lamina.__version__,
        script=_docstring_text(script_name),
        inlined="\n\n".join(writer.inlined),
        model_code=textwrap.indent("\n".join(model_code), "    "),
        compile_code=textwrap.indent("\n".join(compile_code), "    "),
        epochs=ts.epochs,
        batch_size=ts.batch_size,
        seed=ts.seed if ts.seed is not None else 0,
        test_split=ts.test_split,
        validation_split=ts.validation_split,
        standardize=ts.standardize,
        one_hot=bool(uses_one_hot(spec) and n_out),
        n_out=n_out or 1,
        callbacks=textwrap.indent("\n".join(cb), "    "),
        shuffle=ts.shuffle,
    )
    compile(text, script_name, "exec")
    return text


def export_python(spec_or_run: Any, path: str | Path, registry: Registry | None = None) -> Path:
    """Writes `generate_python`'s script to `path` (atomically) and returns the path.

    Example:
        >>> lamina.export_python(lamina.load_run("proj/runs/run-1"), "digits_model.py")

    Raises:
        ExportError: Naming the item that plain Keras cannot express.
    """
    path = Path(path)
    return atomic_write_text(path, generate_python(spec_or_run, registry, script_name=path.name))
