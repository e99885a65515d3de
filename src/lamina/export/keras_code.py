"""The tf_keras code of a spec: its model and compile calls, and inlined plug-in code.

Keras layers, losses and optimizers are written as Keras calls; a plug-in's own object
is inlined from its source code when it only depends on ``lamina.keras`` and modules of
its own package; anything else raises `ExportError` naming the item.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
from collections.abc import Mapping
from typing import Any

from lamina.export.model_files import ExportError
from lamina.registry import Entry, Registry
from lamina.schedules import schedule_problem
from lamina.spec import ModelSpec


def _literal(value: Any) -> str:
    return repr(value)


def _kwargs(parts: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in parts.items())


class KerasCodeWriter:
    """Writes the Keras code of a spec; `inlined` collects the plug-in modules it needs.

    Args:
        spec: The spec.
        registry: The catalogue its items name.
    """

    def __init__(self, spec: ModelSpec, registry: Registry) -> None:
        self.spec = spec
        self.registry = registry
        self.inlined: list[str] = []
        self.done_modules: set[str] = set()

    # inlining plug-in code
    def inline_object(self, obj: Any, what: str) -> str:
        """Inlines the module of a plug-in's class or function (once); returns the object's name."""
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
        """The Python source of a parameter value (regularizers, activations, schedules as code)."""
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
            problem = schedule_problem(value)
            if problem:
                raise ExportError(f"{what}.params.{name}{problem[0]}: {problem[1]}")
            args = {k: _literal(v) for k, v in value.get("params", {}).items()}
            return f"keras.optimizers.schedules.{value['type']}({_kwargs(args)})"
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
        """The Python expression that makes `entry` with `params` (a Keras call or inlined code)."""
        from lamina.keras import keras

        obj: Any = entry.obj
        for key in params:
            if entry.param(key) is None or not key.isidentifier():
                raise ExportError(
                    f"{what}.params.{key}: unknown parameter for {entry.name}; "
                    "run `lamina check` on the spec"
                )
        args = {k: self.param_value(entry, k, v, what) for k, v in params.items()}
        args.update(extra or {})
        module = getattr(obj, "__module__", "") or ""
        if module.startswith("tf_keras"):
            name: str = obj.__name__
            if getattr(getattr(keras, namespace), name, None) is not obj:
                raise ExportError(f"{what}: {name} is not in keras.{namespace}")
            ref = f"keras.{namespace}.{name}"
        else:
            ref = self.inline_object(obj, what)
        if not isinstance(obj, type) and not args:
            return ref
        if not isinstance(obj, type):
            return f"functools.partial({ref}, {_kwargs(args)})"
        return f"{ref}({_kwargs(args)})"

    def model_code(self) -> list[str]:
        """The lines that build the spec's functional model, item by item."""
        from lamina.build import item_layer_name, resolve_item
        from lamina.build.stack import snake

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
            if entry.inputs != "x":
                raise ExportError(
                    f"{what}: {entry.name} needs graph inputs; it cannot be exported as a script"
                )
            name = item_layer_name(i, item)
            call = self.call(entry, item.params, what, "layers", {"name": _literal(name)})
            lines.append(f"layer = {call}")
            if not item.trainable:
                lines.append("layer.trainable = False")
            lines.append("x = layer(x)")
        model_name = snake(self.spec.name) or "model"  # as build_model names it
        lines.append(f"model = keras.Model(inputs, x, name={_literal(model_name)})")
        return lines

    def compile_code(self) -> list[str]:
        """The line that compiles the model with the spec's (or its head's) loss and optimizer."""
        from lamina.build import resolve_item

        spec = self.spec
        if spec.compile.loss is None:
            head = resolve_item(self.registry, spec.layers[-1]) if spec.layers else None
            if head is None or not head.loss:
                raise ExportError("compile.loss: the spec has no loss")
            loss_entry, loss_params = self.registry.get("loss", head.loss), {}
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
