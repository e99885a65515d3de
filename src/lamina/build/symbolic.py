"""Running the stack's items symbolically (Keras inputs, no data), with a prefix cache.

`run_items` makes each item's layer, calls it on the previous output and fills the
`CheckReport`: per item the output shape, parameter count or error. A `CheckCache`
keeps the result of every prefix, so a re-check re-runs only the items from the first
changed one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lamina.build.graph_inputs import apply_item, input_modes, make_extra_inputs
from lamina.build.params import convert_params
from lamina.build.report import CheckReport, ItemReport
from lamina.build.shape_messages import plain_shape_error
from lamina.build.size_guard import ModelTooLarge, size_guard, too_large_message
from lamina.build.size_guard import max_params as size_limit
from lamina.build.stack import item_layer_name
from lamina.registry import Entry, Registry
from lamina.spec import ItemSpec, ModelSpec, SpecProblem


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
        """Returns the value stored under `key` (now the most recent), or None."""
        value = self._store.get(key)
        if value is not None:
            self._store.move_to_end(key)
        return value

    def put(self, key: str, value: Any) -> None:
        """Stores `value` under `key`, dropping the least recently used beyond `size`."""
        self._store[key] = value
        self._store.move_to_end(key)
        while len(self._store) > self.size:
            self._store.popitem(last=False)


@dataclass
class Graph:
    """The symbolic model: its inputs (the spec's, then the extra ones), output and layers."""

    inputs: list[Any]
    outputs: Any
    layers: list[Any]


def run_items(
    spec: ModelSpec,
    registry: Registry,
    report: CheckReport,
    entries: list[Entry | None],
    cache: CheckCache | None = None,
    max_params: int | None = None,
) -> Graph | None:
    """Runs the items in order, filling `report`; returns the graph, or None if one failed.

    No item may take the model over `max_params` parameters (see `size_guard`); the
    weights of an item that would are never allocated.
    """
    from lamina.keras import keras

    limit = size_limit(max_params)

    policy = keras.mixed_precision.global_policy().name
    key = _key(
        str(id(registry)), [spec.input.model_dump(mode="json"), input_modes(entries), policy, limit]
    )
    hit = cache.get(key) if cache else None
    if hit is not None:
        x_in, extra = hit
    else:
        try:
            x_in = keras.Input(shape=tuple(spec.input.shape), dtype=spec.input.dtype, name="input")
        except Exception as exc:  # noqa: BLE001 - any Keras error is reported at the input
            report.problems.append(SpecProblem("input.shape", short_error(exc)))
            return None
        extra = make_extra_inputs(spec, entries)
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
        key = _key(key, [i, item.model_dump(mode="json")])
        hit = cache.get(key) if cache else None
        if hit is None:
            last = i == len(spec.layers) - 1
            earlier = sum(r.params for r in report.items[:-1])
            hit = _run_item(item, entry, item_report, x, extra, registry, last, (earlier, limit))
            if hit is None:
                problem = SpecProblem(item_report.error_path, str(item_report.error))
                report.problems.append(problem)
                failed = True
                continue
            if cache:
                cache.put(key, hit)
        x, made_list, item_report.output_shape, item_report.params, trainable = hit
        report.trainable_params += trainable
        built_layers.extend(made_list)
    if failed:
        return None
    report.output_shape = _shape(x) if hasattr(x, "shape") else None
    report.total_params = sum(i.params for i in report.items)
    return Graph(inputs=[x_in, *extra.values()], outputs=x, layers=built_layers)


def _run_item(
    item: ItemSpec,
    entry: Entry,
    item_report: ItemReport,
    x: Any,
    extra: Mapping[str, Any],
    registry: Registry,
    last: bool,
    budget: tuple[int, int],
) -> tuple[Any, list[Any], list[int | None] | None, int, int] | None:
    """Makes and applies one item: (output, layers, output shape, params, trainable params).

    `budget` is (the parameters of the items before it, the limit of the model).
    Returns None, with the error in `item_report`, if the item cannot be made or applied.
    """
    earlier, limit = budget
    try:
        kwargs = convert_params(entry, item.params, registry)
        policy = _float32_policy() if last else contextlib.nullcontext()
        with policy, size_guard(limit - earlier) as counted:
            made = _make(entry, kwargs, item_report.name)
        made_list = list(made) if isinstance(made, (list, tuple)) else [made]
    except ModelTooLarge as exc:
        item_report.error = too_large_message(entry.name, exc.params, exc.nbytes, earlier, limit)
        return None
    except Exception as exc:  # noqa: BLE001 - constructor errors are located at the item
        item_report.error = f"{entry.name}({_fmt_params(item.params)}): {short_error(exc)}"
        return None
    try:
        in_shape = _shape(x) if hasattr(x, "shape") else None
        with size_guard(limit - earlier - counted[0]):
            x = apply_item(entry, made, x, extra)
    except ModelTooLarge as exc:
        item_report.error = too_large_message(
            entry.name, counted[0] + exc.params, counted[1] + exc.nbytes, earlier, limit
        )
        return None
    except Exception as exc:  # noqa: BLE001 - shape errors are located at the item
        plain = plain_shape_error(entry.name, item.params, in_shape, exc)
        if plain is not None:
            item_report.error, item_report.param = plain
            return None
        item_report.error = (
            f"{entry.name} cannot take input of shape {_fmt_shape(in_shape)}: {short_error(exc)}"
        )
        return None
    for layer in made_list:
        layer.trainable = item.trainable
    output_shape = _shape(x) if hasattr(x, "shape") else None
    params = int(sum(layer.count_params() for layer in made_list))
    trainable = int(
        sum(int(np.prod(w.shape)) for layer in made_list for w in layer.trainable_weights)
    )
    return x, made_list, output_shape, params, trainable


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


def short_error(exc: BaseException) -> str:
    """Returns the useful first lines of a Keras error, without its call-argument dump."""
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


def _shape(tensor: Any) -> list[int | None]:
    return [None if d is None else int(d) for d in tensor.shape[1:]]


def _fmt_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _fmt_shape(shape: list[int | None] | None) -> str:
    if shape is None:
        return "?"
    return "(batch, " + ", ".join("?" if d is None else str(d) for d in shape) + ")"
