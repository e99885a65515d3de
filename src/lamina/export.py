"""Exporting a model: a ``.keras`` file, a TensorFlow SavedModel, or a stand-alone script.

The script rebuilds and trains the same network with plain tf_keras (no lamina
import): useful to share a model with someone who does not use lamina, or to see the
Keras code behind a spec. Keras layers are written as Keras calls; a plug-in's own
layer is inlined from its source code when it only depends on ``lamina.keras`` and
modules of its own package; anything else raises `ExportError` naming the item.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lamina.atomic import atomic_write_text
from lamina.errors import LaminaError
from lamina.registry import Entry, Registry
from lamina.spec import ModelSpec, load_spec


class ExportError(LaminaError, ValueError):
    """A model or spec cannot be exported as asked; the message names the item."""


def _model_of(model_or_run: Any) -> Any:
    from lamina.inference import unwrap

    return unwrap(model_or_run).model


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


# -- stand-alone Python ---------------------------------------------------------------


def _literal(value: Any) -> str:
    return repr(value)


def _kwargs(parts: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in parts.items())


class _Writer:
    def __init__(self, spec: ModelSpec, registry: Registry) -> None:
        self.spec = spec
        self.registry = registry
        self.inlined: list[str] = []
        self.done_modules: set[str] = set()

    # inlining plug-in code
    def inline_object(self, obj: Any, what: str) -> str:
        module_name = getattr(obj, "__module__", "") or ""
        if module_name.startswith("tf_keras"):
            raise AssertionError("Keras objects are written as Keras calls")
        if module_name.split(".")[0] == "lamina" and module_name != "lamina.keras":
            raise ExportError(
                f"{what}: {obj.__name__} comes from lamina itself and cannot be exported as plain Keras"  # noqa: E501
            )
        self._inline_module(module_name, module_name.split(".")[0], what)
        return obj.__name__

    def _inline_module(self, name: str, package: str, what: str) -> None:
        if name in self.done_modules:
            return
        self.done_modules.add(name)
        module = importlib.import_module(name)
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError) as exc:
            raise ExportError(
                f"{what}: the source of {name} is not available to inline ({exc})"
            ) from None
        tree = ast.parse(source)
        drop: set[int] = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:
                    target = importlib.util.resolve_name(
                        "." * node.level + target, module.__package__
                    )
                if target == "__future__" or target == "lamina.keras":
                    drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
                elif target.split(".")[0] == "lamina":
                    raise ExportError(
                        f"{what}: {name} imports {target}, which plain Keras does not have; "
                        "it cannot be exported as a stand-alone script"
                    )
                elif target.split(".")[0] == package:
                    self._inline_module(target, package, what)
                    drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in ("lamina", package):
                        raise ExportError(f"{what}: {name} imports {alias.name}; cannot inline it")
        lines = [ln for i, ln in enumerate(source.splitlines(), start=1) if i not in drop]
        self.inlined.append(f"# ---- inlined from {name} ----\n" + "\n".join(lines).strip() + "\n")

    # values
    def param_value(self, entry: Entry, name: str, value: Any, what: str) -> str:
        param = entry.param(name)
        kind = param.type if param else "any"
        if value is None:
            return "None"
        if kind == "regularizer":
            if isinstance(value, str):
                return {
                    "l1": "keras.regularizers.L1(0.01)",
                    "l2": "keras.regularizers.L2(0.01)",
                    "l1_l2": "keras.regularizers.L1L2(l1=0.01, l2=0.01)",
                }[value]
            return f"keras.regularizers.L1L2(l1={float(value.get('l1', 0.0))!r}, l2={float(value.get('l2', 0.0))!r})"  # noqa: E501
        if kind == "activation" and isinstance(value, str):
            act = self.registry.find("activation", value)
            module = getattr(act.obj, "__module__", "") if act else ""
            if act is None or module.startswith("tf_keras"):
                return _literal(value)
            return self.inline_object(act.obj, f"{what}.params.{name} (activation {value!r})")
        if kind == "learning_rate" and isinstance(value, Mapping):
            return f"keras.optimizers.schedules.{value['type']}({_kwargs({k: _literal(v) for k, v in value.get('params', {}).items()})})"  # noqa: E501
        if kind in ("int_or_tuple", "shape") and isinstance(value, list):
            return _literal(tuple(value))
        return _literal(value)

    def call(
        self,
        entry: Entry,
        params: Mapping[str, Any],
        what: str,
        namespace: str,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        from lamina.keras import keras

        obj = entry.obj
        args = {k: self.param_value(entry, k, v, what) for k, v in params.items()}
        args.update(extra or {})
        module = getattr(obj, "__module__", "") or ""
        if module.startswith("tf_keras"):
            ns = getattr(keras, namespace)
            if getattr(ns, obj.__name__, None) is not obj:
                raise ExportError(f"{what}: {obj.__name__} is not in keras.{namespace}")
            ref = f"keras.{namespace}.{obj.__name__}"
        else:
            ref = self.inline_object(obj, what)
        if not isinstance(obj, type) and not args:
            return ref
        if not isinstance(obj, type):
            return f"functools.partial({ref}, {_kwargs(args)})"
        return f"{ref}({_kwargs(args)})"

    def model_code(self) -> list[str]:
        from lamina.build import item_layer_name, resolve_item

        lines = [
            f"inputs = keras.Input(shape={tuple(self.spec.input.shape)!r}, dtype={self.spec.input.dtype!r}, name='input')",  # noqa: E501
            "x = inputs",
        ]
        for i, item in enumerate(self.spec.layers):
            what = f"layers[{i}] ({item.type})"
            entry = resolve_item(self.registry, item)
            if entry is None:
                raise ExportError(f"{what}: unknown item")
            if entry.kind == "head":
                raise ExportError(
                    f"{what}: {entry.name} is a lamina output head (TensorFlow Probability); "
                    "it cannot be exported as a plain-Keras script (export .keras or a SavedModel)"
                )
            if entry.meta.get("inputs", "x") != "x":
                raise ExportError(
                    f"{what}: {entry.name} needs graph inputs; it cannot be exported as a script"
                )
            name = item_layer_name(i, item)
            call = self.call(entry, item.params, what, "layers", {"name": _literal(name)})
            lines.append(f"layer = {call}")
            if not item.trainable:
                lines.append("layer.trainable = False")
            lines.append("x = layer(x)")
        lines.append(f"model = keras.Model(inputs, x, name={_literal(self.spec.name)})")
        return lines

    def compile_code(self) -> list[str]:
        from lamina.build import resolve_item

        spec = self.spec
        if spec.compile.loss is None:
            head = resolve_item(self.registry, spec.layers[-1]) if spec.layers else None
            if head is None or not head.meta.get("loss"):
                raise ExportError("compile.loss: the spec has no loss")
            loss_entry, loss_params = self.registry.get("loss", head.meta["loss"]), {}
        else:
            loss_entry, loss_params = (
                self.registry.get("loss", spec.compile.loss.type),
                spec.compile.loss.params,
            )
        opt_entry = self.registry.get("optimizer", spec.compile.optimizer.type)
        loss = self.call(loss_entry, loss_params, "compile.loss", "losses")
        opt = self.call(opt_entry, spec.compile.optimizer.params, "compile.optimizer", "optimizers")
        return [
            f"model.compile(loss={loss}, optimizer={opt}, metrics={list(spec.compile.metrics)!r})"
        ]


_TEMPLATE = '''\
#!/usr/bin/env python
"""{name}: generated by lamina {version} from a model spec. Needs only TensorFlow and tf_keras.

Trains the model on arrays from an .npz file holding `x` (inputs, one sample per row)
and `y` (targets):

    python {script} --data data.npz [--epochs N]

Make such a file with ``numpy.savez("data.npz", x=x, y=y)``. An optional array `split`
names each sample's part ("train", "validation", "test"); without it the parts are
drawn at random with the spec's fractions.
"""

from __future__ import annotations

import argparse
import functools  # noqa: F401 - used by some losses and activations
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf
import tf_keras as keras

layers = keras.layers

{inlined}

def build_model():
    """Builds and compiles the model."""
{model_code}
{compile_code}
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", required=True, help="an .npz file with arrays x and y")
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--batch-size", type=int, default={batch_size})
    parser.add_argument("--seed", type=int, default={seed})
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    with np.load(args.data) as data:
        x, y = data["x"].astype("float32"), data["y"]
        split = data["split"].astype(str) if "split" in data.files else None
    rng = np.random.default_rng(args.seed)
    if split is None:
        order = rng.permutation(len(x))
        n_test = int(round({test_split} * len(x)))
        n_val = int(round({validation_split} * len(x)))
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    else:
        test = np.flatnonzero(split == "test")
        val = np.flatnonzero(split == "validation")
        train = np.flatnonzero(split == "train")
        if not len(val):  # drawn from the training samples
            val = np.sort(rng.choice(train, int(round({validation_split} * len(train))), False))
            train = np.setdiff1d(train, val)
    print(f"samples: train {{len(train)}}, validation {{len(val)}}, test {{len(test)}}")
    if {standardize}:
        axes = (0,) if x.ndim <= 2 else tuple(range(x.ndim - 1))
        mean, std = x[train].mean(axis=axes), x[train].std(axis=axes)
        std[std < 1e-7] = 1.0
        x = (x - mean) / std
    if {one_hot}:
        y = np.eye({n_out})[y.astype(int)]

    model = build_model()
    model.summary()
    callbacks = []
{callbacks}
    model.fit(x[train], y[train], validation_data=(x[val], y[val]) if len(val) else None,
              epochs=args.epochs, batch_size=args.batch_size, shuffle={shuffle},
              callbacks=callbacks, verbose=2)
    if len(test):
        results = model.evaluate(x[test], y[test], verbose=0, return_dict=True)
        print("test:", ", ".join(f"{{k}}={{v:.4f}}" for k, v in results.items()))
    return model


if __name__ == "__main__":
    main()
'''


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
    writer = _Writer(spec, registry)
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
    text = _TEMPLATE.format(
        name=spec.name,
        version=lamina.__version__,
        script=script_name,
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
