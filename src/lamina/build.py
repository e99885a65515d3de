"""Turning a spec into a compiled tf_keras model, and checking a spec item by item.

``check`` runs every item symbolically (no data, no training) and reports, per item,
its output shape, parameter count and error; ``build_model`` does the same and
compiles the model. "Sequential" is the user's model; underneath the builder makes a
functional model so that graph layers can get the adjacency threaded to them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lamina.registry import Entry, Registry
from lamina.spec import ItemSpec, ModelSpec, SpecError, SpecProblem, parse_spec

#: The attribute of a built model that holds its spec.
SPEC_ATTRIBUTE = "_lamina_spec"


@dataclass
class ItemReport:
    """What `check` found for one item of the stack."""

    index: int
    type: str
    name: str
    output_shape: list[int | None] | None = None
    params: int = 0
    error: str | None = None
    checked: bool = True

    @property
    def path(self) -> str:
        return f"layers[{self.index}]"


@dataclass
class CheckReport:
    """The result of `check`: one `ItemReport` per item, totals, and all problems."""

    items: list[ItemReport] = field(default_factory=list)
    input_shape: list[int | None] | None = None
    output_shape: list[int | None] | None = None
    total_params: int = 0
    trainable_params: int = 0
    problems: list[SpecProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_failed(self, source: str | None = None) -> None:
        """Raises `SpecError` with every problem if the spec did not check."""
        if self.problems:
            raise SpecError(self.problems, source)

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as JSON-serialisable data (for the app and the engine)."""
        return {
            "ok": self.ok,
            "items": [asdict(i) for i in self.items],
            "input_shape": self.input_shape,
            "output_shape": self.output_shape,
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "problems": [{"path": p.path, "message": p.message} for p in self.problems],
        }


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", name)
    name = re.sub(r"(?<=[A-Z0-9])([A-Z][a-z])", r"_\1", name)
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def item_layer_name(index: int, item: ItemSpec) -> str:
    """Returns the Keras layer name of an item: its own `name` or ``<type>_<index>``."""
    return item.name or f"{_snake(item.type)}_{index}"


def _shape(tensor: Any) -> list[int | None]:
    return [None if d is None else int(d) for d in tensor.shape[1:]]


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    text = text.replace("\n\n", "\n")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    useful = [
        ln
        for ln in lines
        if not ln.startswith(("Call arguments received", "•", "File ", "Traceback"))
    ]
    text = " ".join(useful[:3]) if useful else lines[0]
    return text if len(text) < 400 else text[:397] + "..."


# -- parameter conversion --------------------------------------------------------------


def convert_params(entry: Entry, params: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    """Turns spec parameters (plain JSON) into the keyword arguments of an entry."""
    from lamina.keras import keras

    out: dict[str, Any] = {}
    for name, value in params.items():
        param = entry.param(name)
        kind = param.type if param else "any"
        if value is None:
            out[name] = None
        elif kind == "regularizer":
            out[name] = make_regularizer(value)
        elif kind == "activation":
            act = registry.find("activation", value)
            module = getattr(act.obj, "__module__", "") if act else ""
            out[name] = value if (act is None or module.startswith("tf_keras")) else act.obj
        elif kind == "learning_rate" and isinstance(value, Mapping):
            schedule_cls = getattr(keras.optimizers.schedules, value["type"], None)
            if schedule_cls is None:
                raise ValueError(f"unknown learning-rate schedule {value['type']!r}")
            out[name] = schedule_cls(**value.get("params", {}))
        elif kind in ("int_or_tuple", "shape") and isinstance(value, list):
            out[name] = tuple(value)
        else:
            out[name] = value
    return out


def make_regularizer(value: Any) -> Any:
    """Returns a Keras regularizer for ``"l1"``, ``"l2"``, ``"l1_l2"`` or ``{"l1": a, "l2": b}``.

    The string forms use Keras's default factor 0.01; the dict form is the elastic net
    ``a * sum|w| + b * sum w^2``.
    """
    from lamina.keras import keras

    if isinstance(value, str):
        return {
            "l1": keras.regularizers.L1(0.01),
            "l2": keras.regularizers.L2(0.01),
            "l1_l2": keras.regularizers.L1L2(l1=0.01, l2=0.01),
        }[value]
    return keras.regularizers.L1L2(l1=float(value.get("l1", 0.0)), l2=float(value.get("l2", 0.0)))


def check_params(
    entry: Entry, params: Mapping[str, Any], path: str, registry: Registry
) -> list[SpecProblem]:
    """Checks spec parameters against an entry's schema; returns located problems."""
    checker = registry.value_checker()
    problems = []
    known = {p.name for p in entry.params}
    for name, value in params.items():
        param = entry.param(name)
        if param is None:
            problems.append(
                SpecProblem(
                    f"{path}.params.{name}",
                    f"unknown parameter for {entry.name}; "
                    f"parameters: {', '.join(sorted(known)) or 'none'}",
                )
            )
            continue
        message = checker.check(param, value)
        if message:
            problems.append(SpecProblem(f"{path}.params.{name}", message))
    for param in entry.params:
        if param.required and param.name not in params:
            problems.append(
                SpecProblem(
                    f"{path}.params.{param.name}", f"required parameter of {entry.name} is missing"
                )
            )
    return problems


# -- building --------------------------------------------------------------------------


def resolve_item(registry: Registry, item: ItemSpec) -> Entry | None:
    """Returns the layer or head entry an item names, or None."""
    return registry.find("layer", item.type) or registry.find("head", item.type)


def _static_problems(
    spec: ModelSpec, registry: Registry
) -> tuple[list[SpecProblem], list[Entry | None]]:
    problems: list[SpecProblem] = []
    entries: list[Entry | None] = []
    last = len(spec.layers) - 1
    if not spec.layers:
        problems.append(SpecProblem("layers", "the stack is empty: add at least one item"))
    for i, item in enumerate(spec.layers):
        path = f"layers[{i}]"
        entry = resolve_item(registry, item)
        entries.append(entry)
        if entry is None:
            message = registry.unknown_message("layer", item.type, kinds=("layer", "head"))
            problems.append(SpecProblem(f"{path}.type", message))
            continue
        if entry.kind == "head" and i != last:
            problems.append(
                SpecProblem(
                    f"{path}.type",
                    f"{entry.name} is an output head and must be the last item "
                    f"(it is item {i} of {last + 1})",
                )
            )
        problems += check_params(entry, item.params, path, registry)
    return problems, entries


@dataclass
class _Graph:
    inputs: list[Any]
    outputs: Any
    layers: list[Any]


def _apply(entry: Entry, layer_or_layers: Any, x: Any, extra_inputs: Mapping[str, Any]) -> Any:
    mode = entry.inputs
    layers = layer_or_layers if isinstance(layer_or_layers, (list, tuple)) else [layer_or_layers]
    for layer in layers:
        if mode == "x":
            x = layer(x)
        else:
            names = mode.split("_")
            x = layer([x] + [extra_inputs[n] for n in names[1:]])
            mode = "x" if len(layers) > 1 else mode
    return x


def _extra_inputs(spec: ModelSpec, entries: list[Entry | None]) -> dict[str, Any]:
    """Creates the adjacency / edge-feature inputs graph layers need."""
    from lamina.keras import keras

    modes = {e.inputs for e in entries if e is not None}
    needs = {n for mode in modes for n in mode.split("_")[1:]}
    extra: dict[str, Any] = {}
    n_nodes = spec.input.shape[0]
    if "a" in needs:
        extra["a"] = keras.Input(shape=(n_nodes, n_nodes), name="adjacency")
    if "e" in needs:
        n_edge = int((spec.data.params.get("edge_features", 1) if spec.data else 1) or 1)
        extra["e"] = keras.Input(shape=(n_nodes, n_nodes, n_edge), name="edge_features")
    return extra


class CheckCache:
    """Remembers the symbolic result of every prefix of recently checked stacks.

    `check` with a cache only re-runs the items from the first one that changed, so
    editing item k of a long stack costs the items from k on (the app keeps one cache).

    Args:
        size: How many prefixes to keep.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._store: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        value = self._store.get(key)
        if value is not None:
            self._store.move_to_end(key)
        return value

    def put(self, key: str, value: Any) -> None:
        self._store[key] = value
        self._store.move_to_end(key)
        while len(self._store) > self.size:
            self._store.popitem(last=False)


def _key(previous: str, data: Any) -> str:
    text = previous + "|" + json.dumps(data, sort_keys=True, default=repr)
    return hashlib.sha1(text.encode()).hexdigest()


def _make(entry: Entry, kwargs: dict[str, Any], name: str) -> Any:
    """Makes an item's layer (or a head's layers), named after the item."""
    if entry.kind != "head":
        return entry.obj(name=name, **kwargs)
    made = entry.obj(**kwargs)
    made_list = made if isinstance(made, (list, tuple)) else [made]
    for k, layer in enumerate(made_list):
        layer._name = f"{name}_{k}" if len(made_list) > 1 else name
    return made


@contextlib.contextmanager
def _float32_policy() -> Iterator[None]:
    """Makes layers in float32 inside the block when mixed precision is on.

    The last item of a mixed-precision model computes in float32, as the Keras guide
    asks: a softmax or a distribution head in float16 loses precision and overflows.
    """
    from lamina.keras import keras

    old = keras.mixed_precision.global_policy()
    if old.compute_dtype == old.variable_dtype:
        yield
        return
    keras.mixed_precision.set_global_policy("float32")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(old)


def _run_items(
    spec: ModelSpec,
    registry: Registry,
    report: CheckReport,
    entries: list[Entry | None],
    cache: CheckCache | None = None,
) -> _Graph | None:
    from lamina.keras import keras

    modes = sorted({e.inputs for e in entries if e is not None})
    policy = keras.mixed_precision.global_policy().name
    key = _key(str(id(registry)), [spec.input.model_dump(mode="json"), modes, policy])
    hit = cache.get(key) if cache else None
    if hit is not None:
        x_in, extra = hit
    else:
        try:
            x_in = keras.Input(shape=tuple(spec.input.shape), dtype=spec.input.dtype, name="input")
        except Exception as exc:  # noqa: BLE001 - any Keras error is reported at the input
            report.problems.append(SpecProblem("input.shape", _short(exc)))
            return None
        extra = _extra_inputs(spec, entries)
        if cache:
            cache.put(key, (x_in, extra))
    report.input_shape = _shape(x_in)
    x = x_in
    built_layers: list[Any] = []
    failed = False
    for i, (item, entry) in enumerate(zip(spec.layers, entries, strict=True)):
        item_report = ItemReport(index=i, type=item.type, name=item_layer_name(i, item))
        report.items.append(item_report)
        if failed or entry is None:
            item_report.checked = False
            failed = True
            continue
        path = f"layers[{i}]"
        key = _key(key, [i, item.model_dump(mode="json")])
        hit = cache.get(key) if cache else None
        if hit is not None:
            x, made_list, item_report.output_shape, item_report.params, trainable = hit
            report.trainable_params += trainable
            built_layers.extend(made_list)
            continue
        last = i == len(spec.layers) - 1
        try:
            kwargs = convert_params(entry, item.params, registry)
            with _float32_policy() if last else contextlib.nullcontext():
                made = _make(entry, kwargs, item_report.name)
            made_list = made if isinstance(made, (list, tuple)) else [made]
        except Exception as exc:  # noqa: BLE001 - constructor errors are located at the item
            item_report.error = f"{entry.name}({_fmt_params(item.params)}): {_short(exc)}"
            report.problems.append(SpecProblem(path, item_report.error))
            failed = True
            continue
        try:
            in_shape = _shape(x) if hasattr(x, "shape") else None
            x = _apply(entry, made, x, extra)
        except Exception as exc:  # noqa: BLE001 - shape errors are located at the item
            item_report.error = (
                f"{entry.name} cannot take input of shape {_fmt_shape(in_shape)}: {_short(exc)}"
            )
            report.problems.append(SpecProblem(path, item_report.error))
            failed = True
            continue
        for layer in made_list:
            layer.trainable = item.trainable
        built_layers.extend(made_list)
        item_report.output_shape = _shape(x) if hasattr(x, "shape") else None
        item_report.params = int(sum(layer.count_params() for layer in made_list))
        trainable = int(
            sum(int(np.prod(w.shape)) for layer in made_list for w in layer.trainable_weights)
        )
        report.trainable_params += trainable
        if cache:
            cache.put(key, (x, made_list, item_report.output_shape, item_report.params, trainable))
    if failed:
        return None
    report.output_shape = _shape(x) if hasattr(x, "shape") else None
    report.total_params = sum(i.params for i in report.items)
    return _Graph(inputs=[x_in, *extra.values()], outputs=x, layers=built_layers)


def _fmt_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _fmt_shape(shape: list[int | None] | None) -> str:
    if shape is None:
        return "?"
    return "(batch, " + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def _compile_problems(
    spec: ModelSpec, registry: Registry, entries: list[Entry | None]
) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    loss = spec.compile.loss
    head = (
        entries[-1] if entries and entries[-1] is not None and entries[-1].kind == "head" else None
    )
    if loss is None:
        if head is None or not head.loss:
            problems.append(
                SpecProblem(
                    "compile.loss",
                    "no loss: choose one (e.g. 'mean_squared_error' or "
                    "'sparse_categorical_crossentropy') or end the stack with a head",
                )
            )
    else:
        entry = registry.find("loss", loss.type)
        if entry is None:
            problems.append(
                SpecProblem("compile.loss.type", registry.unknown_message("loss", loss.type))
            )
        else:
            problems += check_params(entry, loss.params, "compile.loss", registry)
    opt = registry.find("optimizer", spec.compile.optimizer.type)
    if opt is None:
        problems.append(
            SpecProblem(
                "compile.optimizer.type",
                registry.unknown_message("optimizer", spec.compile.optimizer.type),
            )
        )
    else:
        problems += check_params(opt, spec.compile.optimizer.params, "compile.optimizer", registry)
    from lamina.keras import keras

    for i, metric in enumerate(spec.compile.metrics):
        if metric in ("accuracy", "acc", "crossentropy", "ce"):
            continue
        try:
            known = callable(keras.metrics.get(metric))
        except ValueError:
            known = False
        if not known:
            problems.append(
                SpecProblem(
                    f"compile.metrics[{i}]",
                    f"unknown metric {metric!r}; e.g. 'accuracy', 'mae', 'mse', 'AUC', 'Precision'",
                )
            )
    return problems


def check(
    spec: Any,
    registry: Registry | None = None,
    compile: bool = True,
    cache: CheckCache | None = None,
) -> CheckReport:
    """Checks a spec item by item without training.

    Args:
        spec: A `ModelSpec`, a dict, or a path to a JSON file.
        registry: The catalogue; defaults to the process-wide one.
        compile: Also check the loss, optimizer and metrics.
        cache: A `CheckCache` to reuse the unchanged leading items of earlier checks.

    Returns:
        A `CheckReport`. It never raises for a bad spec: problems are in the report.
    """
    from lamina.plugins import get_registry
    from lamina.spec import load_spec

    registry = registry or get_registry()
    report = CheckReport()
    try:
        spec = load_spec(spec)
    except SpecError as exc:
        report.problems = exc.problems
        return report
    static, entries = _static_problems(spec, registry)
    report.problems += static
    if compile:
        report.problems += _compile_problems(spec, registry, entries)
    if spec.layers:
        _run_items(spec, registry, report, entries, cache)
    return report


def make_loss(spec: ModelSpec, registry: Registry) -> Any:
    """Returns the compiled loss: the spec's loss, or the head's default loss."""
    loss = spec.compile.loss
    if loss is None:
        head = resolve_item(registry, spec.layers[-1])
        assert head is not None and head.loss
        loss_entry = registry.get("loss", head.loss)
        params: Mapping[str, Any] = {}
    else:
        loss_entry = registry.get("loss", loss.type)
        params = loss.params
    kwargs = convert_params(loss_entry, params, registry)
    if isinstance(loss_entry.obj, type):
        return loss_entry.obj(**kwargs)
    if kwargs:
        import functools

        fn = functools.partial(loss_entry.obj, **kwargs)
        fn.__name__ = loss_entry.name  # type: ignore[attr-defined]
        return fn
    return loss_entry.obj


def make_optimizer(spec: ModelSpec, registry: Registry) -> Any:
    """Returns a fresh optimizer built from ``spec.compile.optimizer``."""
    entry = registry.get("optimizer", spec.compile.optimizer.type)
    return entry.obj(**convert_params(entry, spec.compile.optimizer.params, registry))


def build_model(spec: Any, registry: Registry | None = None, compile: bool = True) -> Any:
    """Builds a spec into a tf_keras model (compiled unless `compile` is False).

    Args:
        spec: A `ModelSpec`, a dict, or a path to a JSON file.
        registry: The catalogue; defaults to the process-wide one.
        compile: Compile with the spec's loss, optimizer and metrics.

    Returns:
        A ``tf_keras.Model``; ``lamina.spec_of(model)`` gives its spec back.

    Raises:
        SpecError: With every located problem if the spec does not build.
    """
    from lamina.keras import keras
    from lamina.plugins import get_registry
    from lamina.spec import load_spec

    registry = registry or get_registry()
    spec = load_spec(spec)
    report = CheckReport()
    static, entries = _static_problems(spec, registry)
    report.problems += static
    if compile:
        report.problems += _compile_problems(spec, registry, entries)
    report.raise_if_failed()
    graph = _run_items(spec, registry, report, entries)
    report.raise_if_failed()
    assert graph is not None
    inputs = graph.inputs if len(graph.inputs) > 1 else graph.inputs[0]
    model = keras.Model(inputs=inputs, outputs=graph.outputs, name=_snake(spec.name) or "model")
    setattr(model, SPEC_ATTRIBUTE, spec)
    if compile:
        model.compile(
            loss=make_loss(spec, registry),
            optimizer=make_optimizer(spec, registry),
            metrics=list(spec.compile.metrics),
        )
    return model


def spec_of(model: Any, registry: Registry | None = None) -> ModelSpec:
    """Returns the spec of a model: the one it was built from, or one read off its layers.

    Works for models built by `build_model` and for plain tf_keras Sequential (or
    single-path functional) models whose layers are in the catalogue.

    Raises:
        SpecError: If a layer is not in the catalogue.
    """
    from lamina.keras import keras
    from lamina.plugins import get_registry

    stored = getattr(model, SPEC_ATTRIBUTE, None)
    if stored is not None:
        return stored
    registry = registry or get_registry()
    by_class = {e.obj: e for e in registry.entries("layer")}
    items = []
    problems = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        entry = by_class.get(type(layer))
        if entry is None:
            problems.append(
                SpecProblem(
                    f"layers[{len(items)}]", f"{type(layer).__name__} is not in the catalogue"
                )
            )
            continue
        config = layer.get_config()
        params = {}
        for p in entry.params:
            if p.name not in config:
                continue
            value = _plain(config[p.name])
            if value is _SKIP or value == _plain(p.default):
                continue
            params[p.name] = value
        items.append({"type": entry.name, "params": params})
        del i
    if problems:
        raise SpecError(problems)
    shape = list(model.input_shape[1:])
    compile_: dict[str, Any] = {}
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        compile_["loss"] = loss
    return parse_spec(
        {"name": model.name, "input": {"shape": shape}, "layers": items, "compile": compile_}
    )


_SKIP = object()


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if value.get("class_name") in ("L1", "L2", "L1L2"):
            cfg = value.get("config", {})
            return {k: float(f"{v:.7g}") for k, v in cfg.items() if k in ("l1", "l2") and v}
        return _SKIP
    return value
